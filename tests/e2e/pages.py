"""What the browser tests share besides fixtures: the translated texts people read, logging in
through the Wagtail admin form, and a check that a phone never needs to scroll sideways.

Texts are looked up with gettext in the page's language rather than written out in Chinese, so
a test checks the same catalogue the server renders with: it passes before a string is
translated (both sides show the English source) and keeps passing once it is.
"""

import io
import re
import time

from django.contrib.auth.hashers import make_password
from django.utils import translation
from PIL import Image
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

ZH = "zh-hans"
EN = "en"


def t(message, language: str = ZH, **values) -> str:
    """``message`` (a msgid or a lazy label such as a status) as the server shows it in
    ``language``, with ``%(name)s`` placeholders filled from ``values``."""
    with translation.override(language):
        text = translation.gettext(message) if isinstance(message, str) else str(message)
    return text % values if values else text


def field(text: str) -> re.Pattern:
    """A field's label exactly, with or without the required-field asterisk after it."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def jpeg_file(path) -> str:
    """A small real JPEG photo on disk, as a phone's file picker would hand it over."""
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 120, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def log_in(page: Page, user, *, next_url: str = "/admin/") -> None:
    """Sign in through the Wagtail admin's login form, as a member of staff would.

    The password is first stored again with the session's preferred hasher (a fast one in
    the browser tests, see conftest) so checking it does not cost a PBKDF2 run per login.
    """
    type(user).objects.filter(pk=user.pk).update(password=make_password(PASSWORD))
    page.goto(f"/admin/login/?next={next_url}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    expect(page.locator("form[action*='/admin/login/']")).to_have_count(0)
    if "/admin/second-factor/" in page.url:
        # Officials and administrators: the code their authenticator app would show now.
        page.locator("input[name=code]").fill(current_code(user))
        page.get_by_role("button", name=t("Confirm sign-in")).click()
        page.wait_for_url(lambda url: "/admin/second-factor/" not in url)


def current_code(user) -> str:
    """The 6-digit TOTP code of ``user``'s authenticator, as an app computes it from the key.

    A code is accepted once: a second sign-in within the same 30 seconds takes the next
    step's code, which the server's tolerance of one step accepts.
    """
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


# The innermost elements that stick out to the right of the layout viewport, themselves or
# with their content (a long unbreakable word).
_OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.body.querySelectorAll("*")].filter((el) => {
        const box = el.getBoundingClientRect();
        return Math.max(box.right, box.left + el.scrollWidth) > width + 0.5;
    });
    const inner = (el) => !wide.some((other) => other !== el && el.contains(other));
    const innermost = wide.filter(inner);
    return {
        scroll: document.documentElement.scrollWidth,
        width,
        out: innermost.slice(0, 5).map((el) =>
            `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}> ` +
            `${el.scrollWidth} px: "${(el.innerText || "").trim().slice(0, 40)}"`),
    };
}"""


def assert_fits_the_screen(page: Page) -> None:
    """Nothing is wider than the phone's screen: no sideways scrolling, no zoomed-out page.

    (A mobile browser widens ``window.innerWidth`` to the content, so the layout viewport's
    ``clientWidth`` is what the page must fit.)
    """
    found = page.evaluate(_OVERFLOW)
    assert found["scroll"] <= found["width"], (
        f"{page.url} is {found['scroll']} px wide on a {found['width']} px screen; "
        f"too wide: {found['out']}"
    )


def menu_link(page: Page, name: str, language: str = ZH):
    """A link of the site's main navigation, as a person reaches it: on a phone after opening
    the header's menu (a ``<details>``), on a desktop in the row of links."""
    menu = page.locator("details.site-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return page.get_by_role("navigation", name=t("Main", language)).get_by_role("link", name=name)
