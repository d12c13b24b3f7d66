"""Exports of the staff search's results: every hit the user may search (past one cursor page),
no contact details without the personal-data permission, formula-looking text neutralised,
a real workbook, a flat number of queries, and an audit event for each download.

Most tests use the database answering the search (fast); one runs on the real node.
"""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from cases import dispatch, services, workflow
from cases.access_codes import new_tracking_number
from cases.models import Category, Complaint
from foundation.audit import EXPORT_COMPLAINTS, PERSONAL_DATA_EXPORTED
from foundation.models import AuditEvent
from search import indexing
from search.forms import encode_cursor

pytestmark = pytest.mark.django_db


def exports():
    """The audit events of exports (sign-ins of the test client are audited too)."""
    return AuditEvent.objects.exclude(action__startswith="portal.auth.").exclude(
        action__startswith="portal.permissions."  # the cast's roles, granted as it is built
    )


EXPORT = "complaint_search_export"
PHONE = "13912345678"
PHONE_IN_TEXT = "13755556666"
NAME = "王小明"
FORMULA = '=HYPERLINK("http://example.com","垃圾")'


@pytest.fixture
def database_search(settings):
    settings.ELASTICSEARCH_URL = ""


def complain(estate, description: str, phone: str = "13800000000", name: str = "") -> Complaint:
    return services.submit_complaint(
        actor=None,
        category=Category.FACILITIES,
        description=description,
        contact_phone=phone,
        contact_name=name,
        estate=estate,
        estate_name=estate.name,
    ).complaint


@pytest.fixture
def complaints(database_search, estate_x, estate_y, official):
    lift = complain(estate_x, f"电梯停运三天，请回电{PHONE_IN_TEXT}", phone=PHONE, name=NAME)
    rubbish = complain(estate_x, FORMULA)
    other = complain(estate_y, "西门电梯异响")
    workflow.accept_case(lift, actor=official)
    dispatch.dispatch_case(lift, actor=official, company=estate_x.managing_company)
    return {"lift": lift, "rubbish": rubbish, "other": other}


def bulk_complaints(estate, count: int, text: str = "垃圾清运不及时") -> list[int]:
    rows = [
        Complaint(
            tracking_number=new_tracking_number(),
            access_code_digest="x" * 64,
            category="cleaning",
            estate=estate,
            estate_name=estate.name,
            district_id=estate.district_id,
            description=f"{text}（第{i}号）",
            contact_phone="13800000000",
        )
        for i in range(count)
    ]
    return [c.pk for c in Complaint.objects.bulk_create(rows, batch_size=2000)]


def download(client, user, fmt: str = "csv", **params):
    client.force_login(user)
    return client.get(reverse(EXPORT, args=[fmt]), params)


def body_of(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = body_of(response).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(body_of(response)))
    return [
        ["" if value is None else value for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    ]


def numbers(rows: list[list[str]]) -> set[str]:
    return {row[0] for row in rows[1:]}


# Scope ------------------------------------------------------------------------------------

EXPECTED = {
    "admin": {"lift", "rubbish", "other"},
    "inspector": {"lift", "rubbish"},
    "other_district_inspector": {"other"},
    "company_a_staff": {"lift"},  # only what was dispatched to it
    "committee_member": {"lift", "rubbish"},  # its estate
}


@pytest.mark.parametrize("user_name", sorted(EXPECTED))
def test_each_role_exports_exactly_what_it_may_search(request, client, complaints, user_name):
    user = request.getfixturevalue(user_name)
    rows = csv_rows(download(client, user))
    assert numbers(rows) == {complaints[key].tracking_number for key in EXPECTED[user_name]}


@pytest.mark.parametrize("user_name", ["evaluator", "citizen"])
def test_roles_without_search_cannot_export(request, client, complaints, user_name):
    response = download(client, request.getfixturevalue(user_name))
    assert response.status_code in {302, 403}
    assert not exports().exists()


def test_unknown_format_is_not_found(client, complaints, admin):
    assert download(client, admin, "pdf").status_code == 404


def test_search_words_and_filters_choose_the_rows(client, complaints, admin, estate_x):
    rows = csv_rows(download(client, admin, q="电梯", estate=str(estate_x.pk)))
    assert numbers(rows) == {complaints["lift"].tracking_number}


# Personal data ----------------------------------------------------------------------------


@pytest.mark.parametrize("user_name", ["company_a_staff", "committee_member"])
def test_no_phone_number_without_the_personal_data_permission(
    request, client, complaints, user_name
):
    user = request.getfixturevalue(user_name)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(download(client, user, fmt))
        text = str(rows)
        assert complaints["lift"].tracking_number in text
        assert PHONE not in text
        assert PHONE_IN_TEXT not in text
        assert NAME not in text
        assert "137****6666" in text  # the number typed into the description, masked
        assert {len(row) for row in rows} == {9}  # no contact columns
    assert not exports().filter(action=PERSONAL_DATA_EXPORTED).exists()


def test_official_with_the_permission_gets_name_and_phone(client, complaints, inspector):
    rows = csv_rows(download(client, inspector))
    assert {len(row) for row in rows} == {12}  # the contact columns added
    lift = next(row for row in rows if row[0] == complaints["lift"].tracking_number)
    assert lift[-3:] == [NAME, PHONE, ""]  # no ID number given
    assert PHONE_IN_TEXT in lift[8]
    personal = exports().get(action=PERSONAL_DATA_EXPORTED)
    assert (personal.actor, personal.row_count, personal.format) == (inspector, 2, "csv")


# Files ------------------------------------------------------------------------------------


def test_xlsx_is_a_workbook_with_the_same_rows_as_the_csv(client, complaints, admin):
    params = {"q": "电梯", "sort": "oldest"}
    from_csv = csv_rows(download(client, admin, "csv", **params))
    from_xlsx = xlsx_rows(download(client, admin, "xlsx", **params))
    assert len(from_csv) == 3  # the header and two complaints
    assert from_xlsx == from_csv


def test_formula_looking_text_is_neutralised(client, complaints, admin):
    number = complaints["rubbish"].tracking_number
    rows = csv_rows(download(client, admin, "csv"))
    [row] = [row for row in rows if row[0] == number]
    assert row[8] == "'" + FORMULA
    workbook = openpyxl.load_workbook(io.BytesIO(body_of(download(client, admin, "xlsx"))))
    [cell] = [r[8] for r in workbook.worksheets[0].iter_rows() if r[0].value == number]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == FORMULA


def test_the_screen_links_to_both_exports_with_its_parameters(client, complaints, admin):
    client.force_login(admin)
    body = client.get(reverse("complaint_search"), {"q": "电梯", "sort": "oldest"}).content
    for fmt in ("csv", "xlsx"):
        assert (
            f"{reverse(EXPORT, args=[fmt])}?q=%E7%94%B5%E6%A2%AF&amp;sort=oldest" in body.decode()
        )


# Audit ------------------------------------------------------------------------------------


def test_each_export_is_recorded_once_its_rows_are_counted(client, complaints, inspector):
    lift = complaints["lift"]
    # A link from the screen's page 2: the export still starts at the first hit.
    after = encode_cursor((lift.created_at.isoformat(), lift.pk))
    response = download(client, inspector, "csv", q="电梯", sort="oldest", after=after, page="2")
    assert not exports().exists()  # nothing counted before the stream is read
    rows = csv_rows(response)
    event = exports().get(action=EXPORT_COMPLAINTS)
    assert event.actor == inspector
    assert event.label == "complaint_search"
    assert event.filters == {"q": "电梯", "sort": "oldest"}
    assert event.row_count == len(rows) - 1 == 1
    assert event.format == "csv"
    assert event.ip_address == "127.0.0.1"

    xlsx_rows(download(client, inspector, "xlsx", q="电梯"))
    event = exports().filter(action=EXPORT_COMPLAINTS).first()
    assert (event.format, event.row_count, event.filters) == ("xlsx", 1, {"q": "电梯"})


def test_an_export_of_nothing_is_recorded_too(client, complaints, admin):
    rows = csv_rows(download(client, admin, q="没有这样的投诉"))
    assert len(rows) == 1  # the header
    event = exports().get(action=EXPORT_COMPLAINTS)
    assert event.row_count == 0


# Size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["database", "elasticsearch"])
def test_export_walks_every_cursor_page(request, client, admin, estate_x, settings, backend):
    """1,200 hits are three pages of 500: only the cursor reaches the last ones."""
    if backend == "database":
        settings.ELASTICSEARCH_URL = ""
    else:
        request.getfixturevalue("search_index")
    ids = bulk_complaints(estate_x, 1_200)
    if backend == "elasticsearch":
        indexing.index_complaints(ids)
        indexing.refresh()
    rows = csv_rows(download(client, admin, q="垃圾"))
    expected = set(Complaint.objects.filter(pk__in=ids).values_list("tracking_number", flat=True))
    assert len(rows) - 1 == 1_200
    assert numbers(rows) == expected
    assert exports().get(action=EXPORT_COMPLAINTS).row_count == 1_200


# The session, the user and its scope, the verified second factor (django-otp reads the device
# on each request), and the audit event.
FIXED_QUERIES = 15
# A page of 500 hits: the page, the total, one count per facet (the channel is the eighth),
# and the contact details.
QUERIES_PER_PAGE = 12


def test_queries_do_not_grow_with_the_rows(
    client, database_search, admin, estate_x, django_assert_max_num_queries
):
    client.force_login(admin)
    url = reverse(EXPORT, args=["csv"])
    # 500 hits fill the first page, so a second (empty) one is asked for.
    for total, pages in ((50, 1), (500, 2)):
        bulk_complaints(estate_x, total - Complaint.objects.count())
        with django_assert_max_num_queries(FIXED_QUERIES + QUERIES_PER_PAGE * pages):
            rows = csv_rows(client.get(url))
        assert len(rows) - 1 == total
