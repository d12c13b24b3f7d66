"""Security headers as a browser receives them: the app served by gunicorn with the production
settings (DEBUG=0 behind a TLS proxy), read over a real socket, not through the test client."""

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, _database_url
from tests.portal.test_security_headers import EXPECTED_POLICY, policy

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "portal.example.gov.cn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_port(django_db_setup, django_db_blocker, tmp_path_factory):
    """One server for the module; each test commits its own pages, which the server reads."""
    port = _free_port()
    with django_db_blocker.unblock():
        database_url = _database_url()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "served-headers-" + "k9#X" * 12,
        "SALT_KEY": "served-headers-salt",
        "ALLOWED_HOSTS": HOST,
        "BEHIND_TLS_PROXY": "1",
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def production_server(gunicorn_port, site_pages):
    return gunicorn_port


def fetch(port: int, path: str, *, https: bool = True) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": HOST, "Accept-Language": "zh-hans"}
    if https:
        headers["X-Forwarded-Proto"] = "https"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_plain_http_is_redirected_to_https(production_server):
    response = fetch(production_server, "/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/"


@pytest.mark.parametrize("path", ["/", "/en/", "/no-such-page/"])
def test_public_responses_carry_every_header(production_server, path):
    response = fetch(production_server, path)
    assert response.status in {200, 404}
    hsts = response.getheader("Strict-Transport-Security")
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    assert policy(response.getheader("Content-Security-Policy")) == EXPECTED_POLICY


def test_cookies_are_secure_and_not_readable_by_script(production_server, site_pages):
    response = fetch(production_server, site_pages["complaint"].url)
    assert response.status == 200
    cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
    csrf = next(c for c in cookies if c.startswith("csrftoken="))
    assert "Secure" in csrf and "SameSite=Lax" in csrf
    session = fetch(production_server, "/admin/login/")
    session_cookies = [v for n, v in session.getheaders() if n.lower() == "set-cookie"]
    for cookie in session_cookies:
        assert "Secure" in cookie, cookie
        if cookie.startswith("sessionid="):
            assert "HttpOnly" in cookie


def test_the_staff_admin_is_framed_by_nobody_and_left_out_of_the_policy(production_server):
    response = fetch(production_server, "/admin/login/")
    assert response.status == 200
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Strict-Transport-Security")
    assert response.getheader("Content-Security-Policy") is None


def test_errors_do_not_reveal_the_stack(production_server):
    response = fetch(production_server, "/no-such-page/")
    assert response.status == 404
    body = fetch_body(production_server, "/no-such-page/")
    assert "Traceback" not in body and "DEBUG" not in body and "settings.py" not in body


def fetch_body(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    body = connection.getresponse().read().decode()
    connection.close()
    return body
