"""Browser tests: Playwright drives Debian's Chromium (installed by `scripts/browser.sh ensure`,
never downloaded by Playwright) against pytest-django's live server, on loopback only.

One browser per session; every person in a test gets a fresh context (own cookies, own
language, own screen): a citizen holds a 360 × 740 phone, staff sit at a desktop.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No name resolves except localhost: nothing can leave the machine even by mistake.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module.

    Playwright's sync API keeps an asyncio loop running in the test thread while it is
    started, so Django would take the tests for async code and refuse them the database; the
    tests only call it synchronously, so that check is off exactly as long as the loop runs
    (per module, so the rest of the suite keeps both the check and a loop-free thread).
    """
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `scripts/browser.sh ensure` (done by make test).")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class People:
    """Opens one browser context per person; remembers them for screenshots and clean-up."""

    def __init__(self, browser: Browser, base_url: str, screenshot_dir: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.screenshot_dir = screenshot_dir
        self.contexts: list[BrowserContext] = []
        self.outside_requests: list[str] = []

    def __call__(self, *, phone: bool = True, locale: str = "zh-CN") -> Page:
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            timezone_id="Asia/Shanghai",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", self._watch)
        self.contexts.append(context)
        return context.new_page()

    def _watch(self, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOOPBACK:
            self.outside_requests.append(request.url)

    def screenshots(self, name: str) -> list[Path]:
        folder = self.screenshot_dir
        folder.mkdir(parents=True, exist_ok=True)
        taken = []
        for c, context in enumerate(self.contexts):
            for p, page in enumerate(context.pages):
                path = folder / f"{name}-{c}-{p}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                except Exception:  # noqa: BLE001 - a crashed page must not hide the failure
                    continue
                taken.append(path)
        return taken

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def open_page(
    browser, live_server, transactional_db, site_pages, tmp_path_factory
) -> Iterator[People]:
    """``open_page()`` → a fresh phone page (zh-CN); ``open_page(phone=False)`` → a desktop.

    The live server runs in another thread, so the data must be committed: transactional_db.
    """
    screenshots = tmp_path_factory.getbasetemp() / "e2e-screenshots"
    people = People(browser, live_server.url, screenshots)
    yield people
    people.close()
    assert not people.outside_requests, f"requests left loopback: {people.outside_requests}"


@pytest.fixture(autouse=True)
def no_gravatar(settings) -> None:
    """Wagtail's admin fetches staff avatars from gravatar.com by default, i.e. sends a hash
    of each e-mail address abroad; the portal must not, so the tests run without it."""
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None


@pytest.fixture(autouse=True)
def quick_password_hashing(settings) -> None:
    """Every login checks a password: with the production hasher that is a second of CPU
    each, spent three times per loop. Tests are not about hashing."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Rate limits (tracking attempts) count per address: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, a full-page screenshot of every open page, named in the report."""
    report = yield
    people = getattr(item, "funcargs", {}).get("open_page")
    if report.when == "call" and report.failed and isinstance(people, People):
        taken = people.screenshots(item.name)
        if taken:
            report.sections.append(("screenshots", "\n".join(str(p) for p in taken)))
    return report
