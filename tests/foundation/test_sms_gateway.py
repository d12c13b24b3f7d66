"""The HTTP SMS gateway adapter against a stub gateway on loopback: what it sends (body,
template, timestamped signature) and that every failure raises for the outbox to retry."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from foundation import notifications
from foundation.models import Notification
from foundation.notifications import HttpSmsBackend, SmsGatewayError

SECRET = "stub-gateway-secret"


class StubGateway(BaseHTTPRequestHandler):
    """Records each request; answers with the server's ``reply`` (status, body)."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers["Content-Length"])
        self.server.received.append((dict(self.headers), self.rfile.read(length)))
        if self.server.delay:
            time.sleep(self.server.delay)
        status, body = self.server.reply
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubGateway)
    server.received, server.reply, server.delay = [], (200, b'{"ok": true, "id": "m1"}'), 0
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.SMS_BACKEND = "foundation.notifications.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.SMS_GATEWAY_SECRET = SECRET
    settings.SMS_GATEWAY_TEMPLATE_ID = "TPL_0001"
    settings.SMS_GATEWAY_TIMEOUT = 2
    yield server
    server.shutdown()
    server.server_close()


def test_the_message_goes_out_signed_with_template_and_timestamp(gateway):
    HttpSmsBackend().send("13812345678", "您的投诉 WY20261205ABCDEF 已受理。")
    [(headers, body)] = gateway.received
    assert json.loads(body) == {
        "phone": "13812345678",
        "template_id": "TPL_0001",
        "params": {"text": "您的投诉 WY20261205ABCDEF 已受理。"},
    }
    timestamp = headers["X-Sms-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(headers["X-Sms-Signature"], expected.hexdigest())
    # A signature over another body (or another secret) would not match.
    forged = hmac.new(b"other", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Sms-Signature"] != forged


@pytest.mark.parametrize(
    "reply",
    [
        (500, b'{"ok": false}'),
        (200, b'{"ok": false, "error": "template not approved"}'),
        (200, b"<html>proxy error</html>"),
    ],
    ids=["server-error", "refused", "unreadable"],
)
def test_a_failed_send_raises_an_oserror(gateway, reply):
    gateway.reply = reply
    with pytest.raises(OSError):
        HttpSmsBackend().send("13812345678", "短信")


def test_a_slow_gateway_times_out(gateway, settings):
    gateway.delay, settings.SMS_GATEWAY_TIMEOUT = 1, 0.2
    with pytest.raises(OSError):
        HttpSmsBackend().send("13812345678", "短信")


def test_missing_settings_are_refused(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(SmsGatewayError):
        HttpSmsBackend()


@pytest.mark.django_db
def test_the_outbox_keeps_a_failed_message_and_the_sweep_sends_it(
    gateway, django_capture_on_commit_callbacks
):
    gateway.reply = (503, b'{"ok": false}')
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(dedup_key="gw:1", subject="s", body="正文", phone="13812345678")
    notification = Notification.objects.get()
    assert notification.sent_at is None  # the task retries it later
    gateway.reply = (200, b'{"ok": true}')
    assert notifications.send_pending_notifications() == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert [json.loads(body)["params"]["text"] for _h, body in gateway.received] == ["正文"] * 2
