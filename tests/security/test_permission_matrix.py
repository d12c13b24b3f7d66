"""The permission matrix (issue 9): every row of ``permission_table`` × every role, each test
trying the sides' records and a guessed id, asserting allows and denials; plus the table's
completeness against the URL resolver and the personal-data rule across roles.

The world is built once for the module inside a transaction rolled back at the end; each test
runs in its own savepoint, so an allowed transition never leaks into the next cell.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from search import engine, indexing
from tests.security import all_rows
from tests.security import permission_table as table
from tests.security.world import CONTACTS, MASKED_PHONE, PDF, build_world

# Only regulator staff hold ``cases.view_complainant_personal_data``.
PERSONAL_DATA_ROLES = {"inspector_d1", "inspector_d2", "official_d1", "admin"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # Files the world's services write (a served penalty's decision) go to a temporary folder.
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    # Labels of audit entries are written in the language active while the world is built:
    # the default one, whatever an earlier module left active.
    with django_db_blocker.unblock(), media, translation.override(settings.LANGUAGE_CODE):
        atomic = transaction.atomic()
        atomic.__enter__()
        client = engine.get_client()
        pattern = f"{engine.complaint_alias()}*"
        try:
            # A flush by an earlier transactional test recreates content types under new ids;
            # the world's audit entries must carry today's, not a cached stale one.
            ContentType.objects.clear_cache()
            cache.clear()
            client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)
            engine.ensure_complaint_index(client)
            built = build_world()
            indexing.index_complaints([c.pk for c in built.objects["complaint"].values()])
            indexing.refresh()
            built.clients = {}
            for role, user in built.users.items():
                built.clients[role] = Client()
                if user is not None:
                    built.clients[role].force_login(user)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)


# Cells --------------------------------------------------------------------------------------
# One test per (row, role). Anonymous visitors, citizens and roles that reach nothing there are
# tried once (side 1's record or the screen); a role that reaches some record there is tried on
# both sides' records; the first such role also on a guessed id (IDOR).

OUTSIDERS = ("anonymous", "citizen")


def _sides_to_try(world, row, role) -> tuple:
    if row.kind is None or row.listing:
        return ("screen",)
    if role in OUTSIDERS or not row.who.get(role):
        return (1,)
    guesser = next(r for r in table.ROLES if row.who.get(r))
    return (*world.objects[row.kind], *(("guess",) if role == guesser else ()))


def _cells():
    for row in all_rows.ROWS:
        for role in table.ROLES:
            reach = row.who.get(role, frozenset())
            if row.kind is None or row.listing:
                what = "allowed" if reach else "denied"
            else:
                what = "sees-" + ("".join(map(str, sorted(reach))) or "none")
            url = row.url_name.replace(":", ".").replace("register_", "")
            url = url.replace("supervision_", "")
            name = row.label or f"{row.kind or 'screen'}-{row.action}-{url}"
            yield pytest.param(row, role, id=f"{role}-{name}-{what}")


def _target(world, row, side):
    if side == "screen":
        return None
    if side == "guess":
        real = world.objects[row.kind][1]
        return SimpleNamespace(
            pk=table.GUESSED_ID,
            complaint_id=getattr(real, "complaint_id", None),
            tracking_number="ZZ-GUESSED-0000",
        )
    return world.objects[row.kind][side]


def _request(world, row, role, obj):
    client = world.clients[role]
    url = reverse(row.url_name, args=row.args(obj) if (obj or row.listing) else ())
    if row.query:
        url = f"{url}?{row.query}"
    if row.method == "post":
        data = row.data(world, obj) if callable(row.data) else (row.data or {})
        response = client.post(url, data)
    else:
        response = client.get(url)
        if row.listing and response.status_code == 302 and response.url.startswith(url):
            response = client.get(response.url)  # the workbench opens its first queue
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    # An XLSX workbook is read cell by cell.
    body = _xlsx_text(raw) if raw.startswith(b"PK") else raw.decode("utf-8", "replace")
    return url, response, body


def _xlsx_text(raw: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True)
    return "\n".join(
        ",".join("" if v is None else str(v) for v in values)
        for sheet in book.worksheets
        for values in sheet.iter_rows(values_only=True)
    )


def _markers(world, row, side) -> list[str]:
    """Texts that identify ``side``'s record in an answer."""
    kind = row.kind
    if row.label == "audit-site-history":
        return [str(world.objects["penalty"][side])]  # its entries carry its number
    if row.query and kind in ("order", "penalty"):
        return [str(world.objects[kind][side])]  # the export lists the number, not the text
    if kind in world.markers:
        return [world.markers[kind][side]]
    if kind == "checklist":
        return ["MK-CHECKLIST"]
    if kind == "draw":
        return []  # a draw shows its district only; lists are checked by their object_list
    obj = world.objects[kind].get(side)
    company = getattr(obj, "company", None) or getattr(
        getattr(obj, "record", None), "company", None
    )
    return [company.name] if company is not None else []


def _listed_pks(response, model) -> set[int] | None:
    """The pks the listing shows, when it lists records of ``model`` (else read the body)."""
    context = getattr(response, "context", None)
    if context is None or "object_list" not in context:
        return None
    items = list(context["object_list"])
    if not all(isinstance(o, model) for o in items):
        return None
    return {o.pk for o in items}


def _not_yours(row, response) -> bool:
    """The case page's refusal: back to the case with "You may not use …" (and nothing done)."""
    from cases.admin import case_actions

    name = row.url_name.removeprefix("cases_admin:case_")
    actions = (*case_actions.ACTION_BUTTONS, *case_actions.TARGET_ACTIONS)
    action = next(a for a in actions if a.name == name)
    with translation.override(getattr(response.wsgi_request, "LANGUAGE_CODE", "zh-hans")):
        expected = case_actions._not_yours(action)
    return any(str(m).strip() == expected for m in get_messages(response.wsgi_request))


def _is_refusal(response, row, role) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code != 302:
        return False
    if "/login/" in response.url:
        return True
    if response.url == reverse("wagtailadmin_home"):
        return True  # Wagtail's "no permission" redirect with a message
    if row.denial == table.REFUSED_MESSAGE:
        return _not_yours(row, response)
    return False


def _audit_count(obj) -> int:
    return ModelLogEntry.objects.for_instance(obj).count()


def _assert_no_personal_data(body: str, role: str) -> None:
    if role in PERSONAL_DATA_ROLES:
        return
    for contact in CONTACTS.values():
        for value in contact.values():
            assert value not in body, f"{role} was shown {value!r} unmasked"


def _store_files(row, world) -> None:
    """Give both sides' records a stored file (the world's files live in no media folder)."""
    for obj in world.objects[row.kind].values():
        storage = obj._meta.get_field(row.file_field).storage
        name = storage.save(f"matrix/{row.kind}-{obj.pk}.pdf", ContentFile(PDF))
        type(obj).objects.filter(pk=obj.pk).update(**{row.file_field: name})


@pytest.mark.parametrize(("row", "role"), list(_cells()))
def test_cell(world, db, row, role):
    if row.file_field:
        _store_files(row, world)
    if row.listing:
        url, response, body = _request(world, row, role, None)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        _assert_no_personal_data(body, role)
        _check_list(world, row, role, response, body, url)
        return
    for side in _sides_to_try(world, row, role):
        _check_one(world, row, role, side)


def _check_one(world, row, role, side):
    obj = _target(world, row, side)
    before = None
    if row.state is not None and isinstance(side, int):
        before = (row.state(obj), _audit_count(obj))
    url, response, body = _request(world, row, role, obj)
    assert response.status_code < 500, f"{role} {url} answered {response.status_code}"
    _assert_no_personal_data(body, role)
    allowed = (0 if side == "screen" else side) in row.who.get(role, ())
    if allowed:
        assert not _is_refusal(response, row, role), f"{role} was refused {url}"
        if row.method == "get":
            assert response.status_code == 200, f"{role} {url}: {response.status_code}"
            if row.kind and row.shows_marker:
                for marker in _markers(world, row, side):
                    assert marker in body, f"{marker} missing from {url}"
        return
    assert _is_refusal(response, row, role), (
        f"{role} reached {url}: {response.status_code} {getattr(response, 'url', '')}"
    )
    # A refusal may name a record the role may see anyway; never one outside its view scope.
    viewers = all_rows.VIEWERS.get(row.kind, table.CASE_VIEWERS if row.kind else {})
    if isinstance(side, int) and side not in viewers.get(role, ()):
        for marker in _markers(world, row, side):
            assert marker not in body, f"{role} was shown {marker} at {url}"
    if before is not None:
        assert (row.state(obj), _audit_count(obj)) == before, f"{role} changed {obj} via {url}"


def _check_list(world, row, role, response, body, url):
    sides = row.who.get(role)
    if not sides:
        assert _is_refusal(response, row, role), f"{role} opened {url}: {response.status_code}"
        for side in table.SIDES:
            for marker in _markers(world, row, side):
                assert marker not in body, f"{role} was shown {marker} at {url}"
        return
    assert response.status_code == 200, f"{role} {url}: {response.status_code}"
    objects = world.objects[row.kind]
    listed = _listed_pks(response, type(objects[1]))
    for side, obj in objects.items():
        if listed is not None and row.kind != "complaint" and not row.query:
            present = obj.pk in listed
        else:
            markers = _markers(world, row, side)
            if not markers:
                continue
            present = all(m in body for m in markers)
        if side in sides:
            if row.own_required:
                assert present, f"{role} misses side {side}'s {row.kind} at {url}"
        else:
            assert not present, f"{role} sees side {side}'s {row.kind} at {url}"


# The table covers every URL of our apps ------------------------------------------------------

OUR_MODULES = ("cases.", "enterprises.", "search.", "portal.")
OUR_NAMESPACES = ("register_", "supervision_", "sla_rules", "calendar_overrides", "cases_admin")


def _patterns(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            view = getattr(p.callback, "view_class", p.callback)
            yield f"{namespace}{p.name or ''}", getattr(view, "__module__", "")


def test_every_url_of_our_apps_has_a_row_or_a_reason():
    covered = (
        {row.url_name for row in all_rows.ROWS}
        | set(all_rows.NOT_OBJECT_SCOPED)
        | set(all_rows.SAME_VIEW_AS)
        | set(all_rows.NOT_YET_COVERED)
    )
    ours = {
        name
        for name, module in _patterns(get_resolver().url_patterns)
        if module.startswith(OUR_MODULES) or name.startswith(OUR_NAMESPACES)
    }
    assert len(ours) > 150
    missing = sorted(ours - covered)
    assert not missing, f"URLs without a row in permission_table.py or all_rows.py: {missing}"
    stale = sorted(
        {row.url_name for row in all_rows.ROWS}
        - {n for n, _m in _patterns(get_resolver().url_patterns)}
    )
    assert not stale, f"rows naming no URL: {stale}"


# Personal data ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["inspector_d1", "official_d1", "admin"])
def test_regulators_see_the_complainant_in_clear_on_the_case_page(world, db, role):
    body = (
        world.clients[role]
        .get(reverse("cases_admin:case", args=(world.obj("complaint", 1).pk,)))
        .content.decode()
    )
    assert CONTACTS[1]["phone"] in body
    assert CONTACTS[1]["name"] in body


@pytest.mark.parametrize("role", ["company_a", "committee_x"])
def test_company_and_committee_see_the_complainant_masked(world, db, role):
    body = (
        world.clients[role]
        .get(reverse("cases_admin:case", args=(world.obj("complaint", 1).pk,)))
        .content.decode()
    )
    assert MASKED_PHONE[1] in body
    _assert_no_personal_data(body, role)


def _csv_rows(world, role) -> list[list[str]]:
    response = world.clients[role].get(reverse("complaint_search_export", args=("csv",)))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_search_export_carries_contacts_only_for_the_permission(world, db):
    regulator = "\n".join(",".join(r) for r in _csv_rows(world, "admin"))
    assert CONTACTS[1]["phone"] in regulator and CONTACTS[2]["phone"] in regulator
    company = "\n".join(",".join(r) for r in _csv_rows(world, "company_a"))
    assert world.markers["complaint"][1] in company
    _assert_no_personal_data(company, "company_a")


# The citizen's tracking page -----------------------------------------------------------------


def _track(world, number: str, code: str):
    client = Client()
    page = world.pages["tracking"]
    response = client.post(page.url, {"tracking_number": number, "access_code": code})
    return client, response


def test_tracking_needs_the_number_with_its_own_code(world, db):
    number = world.markers["complaint"][1]
    client, response = _track(world, number, world.access_codes[1])
    assert response.status_code == 302
    assert number in client.get(response.url).content.decode()

    client, response = _track(world, number, world.access_codes[2])
    assert response.status_code != 302
    case_url = world.pages["tracking"].url + "case/?n=" + number
    assert "MK-CASE-1" not in client.get(case_url).content.decode()


def test_tracking_case_page_without_the_code_shows_nothing(world, db):
    case_url = world.pages["tracking"].url + "case/?n=" + world.markers["complaint"][2]
    response = Client().get(case_url)
    assert response.status_code < 500
    assert "MK-CASE-2" not in response.content.decode()


# Pages reach the public only through the workflow ------------------------------------------


def test_an_official_cannot_publish_a_page_directly(world, db):
    page = world.pages["notice"]
    page.refresh_from_db()
    was_live_revision = page.live_revision_id
    response = world.clients["official_d1"].post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        {"title": "MK-NOTICE-CHANGED", "slug": page.slug, "action-publish": "publish"},
    )
    assert response.status_code < 500
    page.refresh_from_db()
    assert page.live_revision_id == was_live_revision
    assert page.title != "MK-NOTICE-CHANGED"


# The city-wide audit report is the administrator's ----------------------------------------


def test_the_reports_menu_offers_site_history_to_no_district_official(world, db, rf):
    """Wagtail would offer it to every page editor (portal.security.site_history hides it)."""
    from wagtail.admin.menu import reports_menu

    reverse("site_history_administrators")  # portal.config.urls (and its menu hook) are loaded
    request = rf.get("/admin/")
    request.user = world.users["official_d1"]
    names = {item.name for item in reports_menu.menu_items_for_request(request)}
    assert "locked-pages" in names  # the official edits pages: the menu is there
    assert "site-history" not in names


def test_the_reports_menu_offers_site_history_to_the_administrator(world, db, rf):
    """An administrator edits no pages, so Wagtail would not offer it
    (portal.security.site_history)."""
    from wagtail.admin.menu import reports_menu

    reverse("site_history_administrators")
    request = rf.get("/admin/")
    request.user = world.users["admin"]
    items = {item.name: item for item in reports_menu.menu_items_for_request(request)}
    assert items["site-history"].url == reverse("site_history_administrators")
    response = world.clients["admin"].get(items["site-history"].url)
    assert response.status_code == 200
