"""The load test's scenarios, one locust user class each; ``bench/load_test.py`` runs them one
at a time (``locust --headless ... ClassName``) and reads the plan it wrote (users, URLs,
tracking numbers) from the file named by ``LOAD_BENCH_PLAN``.

Request names are what the report tables show; each scenario's figures are its aggregate.
Staff sign in through the real Wagtail login form with its CSRF token; citizens file through
the real complaint form and read their receipt, then open their case on the tracking page.
"""

import json
import os
import random
import re

import gevent
from locust import HttpUser, between, constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r'id="tracking-number">([^<]+)<.*?id="access-code">([^<]+)<', re.S)
WORDS = ["电梯", "漏水", "噪音", "物业费", "停车位", "垃圾", "lift"]
uploads_done = 0


def csrf_token(response) -> str:
    found = CSRF.search(response.text or "")
    if not found:
        raise RuntimeError(f"no CSRF token on {response.url} ({response.status_code})")
    return found.group(1)


class Trivial(FastHttpUser):
    wait_time = constant(0)

    @task
    def trivial(self):
        self.client.get("/bench/trivial/", name="trivial view")


class PublicUncached(FastHttpUser):
    """The home page rendered every time: a query string bypasses the page cache."""

    wait_time = constant(0)

    @task
    def home(self):
        self.client.get(f"/?uncached={random.random()}", name="home page, uncached")


class PublicCached(FastHttpUser):
    """The same page from the cache; a hit that ran any query counts as an error."""

    wait_time = constant(0)

    @task
    def home(self):
        with self.client.get("/", name="home page, cached", catch_response=True) as response:
            if response.headers.get("X-Bench-Queries") != "0":
                response.failure(f"{response.headers.get('X-Bench-Queries')} queries on a hit")


class Citizen(HttpUser):
    """Files a complaint (form, POST, receipt) and tracks it (look-up, case page)."""

    wait_time = constant(0)
    photo: bytes | None = None
    label = "file, no photo"

    def file(self) -> tuple[str, str] | None:
        form = self.client.get(PLAN["complaint_url"], name="complaint form")
        data = {
            "csrfmiddlewaretoken": csrf_token(form),
            "category": random.choice(PLAN["categories"]),
            "estate_name": random.choice(PLAN["estates"]),
            "description": f"{random.choice(WORDS)}问题已经持续三天，请尽快处理。",
            "contact_phone": "13912345678",
        }
        files = {"files": ("photo.jpg", self.photo, "image/jpeg")} if self.photo else None
        with self.client.post(
            PLAN["complaint_url"],
            data=data,
            files=files,
            name=self.label,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return None
        receipt = self.client.get(response.headers["Location"], name="receipt")
        found = RECEIPT.search(receipt.text)
        return (found.group(1), found.group(2)) if found else None

    def track(self, number: str, code: str) -> None:
        lookup = self.client.get(PLAN["tracking_url"], name="tracking look-up form")
        data = {
            "csrfmiddlewaretoken": csrf_token(lookup),
            "tracking_number": number,
            "access_code": code,
        }
        with self.client.post(
            PLAN["tracking_url"], data=data, name="tracking look-up", catch_response=True
        ) as response:
            if number not in response.text:
                response.failure("the case page did not open")

    @task
    def file_and_track(self):
        self.scenario()

    def scenario(self) -> None:
        receipt = self.file()
        if receipt:
            self.track(*receipt)


class CitizenPhoto(Citizen):
    label = "file, 10 MB photo"

    def on_start(self):
        with open(PLAN["photo"], "rb") as photo:
            self.photo = photo.read()

    def scenario(self) -> None:
        self.file()


class Uploader(CitizenPhoto):
    """Sustained uploads: stops the run after PLAN["uploads"] submissions in all."""

    label = "sustained upload"

    def scenario(self) -> None:
        global uploads_done
        if uploads_done >= PLAN["uploads"]:
            # From its own greenlet: quitting from a user's would stop this user first.
            gevent.spawn(self.environment.runner.quit)
            raise StopUser
        uploads_done += 1
        self.file()


class Tracker(FastHttpUser):
    """A citizen opening a seeded case with its tracking number and access code."""

    wait_time = constant(0)

    @task
    def track(self):
        number = random.choice(PLAN["tracking_numbers"])
        data = {"tracking_number": number, "access_code": PLAN["access_code"]}
        lookup = self.client.get(PLAN["tracking_url"], name="tracking look-up form")
        data["csrfmiddlewaretoken"] = csrf_token(lookup)
        with self.client.post(
            PLAN["tracking_url"], data=data, name="tracking look-up", catch_response=True
        ) as response:
            if number not in response.text:
                response.failure("the case page did not open")


class Staff(FastHttpUser):
    """Signs in once per simulated user through the Wagtail login form."""

    abstract = True
    wait_time = constant(0)
    role = "head"

    def on_start(self):
        self.username = random.choice(PLAN["users"][self.role])
        form = self.client.get("/admin/login/", name="sign-in form")
        data = {
            "csrfmiddlewaretoken": csrf_token(form),
            "username": self.username,
            "password": PLAN["password"],
            "next": "/admin/",
        }
        with self.client.post(
            "/admin/login/", data=data, name="sign in", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused for {self.username}: {response.status_code}")


class StaffList(Staff):
    """The workbench's overdue list, for a head of department: the whole city, unfiltered."""

    @task
    def overdue(self):
        self.client.get("/admin/cases/overdue/", name=f"case list ({self.role})")


class InspectorList(StaffList):
    """The same list for an inspector: district plus cases granted one by one."""

    role = "inspector"


class StaffDetail(Staff):
    @task
    def case(self):
        pk = random.choice(PLAN["detail_cases"])
        self.client.get(f"/admin/cases/{pk}/", name="case page")


class StaffSearch(Staff):
    role = "official"

    @task
    def search(self):
        self.client.get(f"/admin/complaints/search/?q={random.choice(WORDS)}", name="staff search")


class StaffWork(Staff):
    """Opens a worked case and adds an internal note (an event, an index task for the
    worker), then the case page again."""

    wait_time = between(0, 0.1)

    @task
    def note(self):
        pk = random.choice(PLAN["worked_cases"])
        page = self.client.get(f"/admin/cases/{pk}/", name="case page")
        data = {"csrfmiddlewaretoken": csrf_token(page), "text": "已督促物业处理，明日复查。"}
        with self.client.post(
            f"/admin/cases/{pk}/note/",
            data=data,
            name="add note",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
