"""The Companies screen's import and export: an official uploads a file and reads its report,
company staff may not import, and an export holds exactly the user's scope."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.users.models import UserProfile

from enterprises.models import Company
from foundation.models import AuditEvent  # noqa: E402
from tests.factories import valid_credit_code

pytestmark = pytest.mark.django_db


def exports():
    """The audit events of exports (sign-ins of the test client are audited too)."""
    return AuditEvent.objects.exclude(action__startswith="portal.auth.").exclude(
        action__startswith="portal.permissions."  # the cast's roles, granted as it is built
    )


IMPORT_URL = "register_companies:import"
EXPORT_URL = "register_companies:export"
HEADER = ["企业名称", "统一社会信用代码", "法定代表人", "所属区"]
CODE_1 = valid_credit_code("91330200MB0000101")
CODE_2 = valid_credit_code("91330200MB0000102")


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)


def log_in(client, user) -> None:
    """The admin answers in the user's language; English, so messages can be compared."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def csv_upload(*rows: list[str], name: str = "companies.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def wrong_check_character(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def exported_csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data, newline="")))


# Import -------------------------------------------------------------------------------------


def test_official_sees_the_upload_form(client, official):
    log_in(client, official)

    response = client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html


def test_official_imports_a_valid_csv_and_sees_the_count(client, official, district_1):
    log_in(client, official)

    response = client.post(
        reverse(IMPORT_URL), {"file": csv_upload(["湖光物业有限公司", CODE_1, "王立", "donghu"])}
    )

    assert response.status_code == 200
    company = Company.objects.get(credit_code=CODE_1)
    assert (company.name, company.district) == ("湖光物业有限公司", district_1)
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    html = response.content.decode()
    assert "was imported" in html
    assert '<th scope="row">Created</th><td>1</td>' in html


def test_a_bad_credit_code_rejects_the_file_and_shows_row_and_reason(client, official, district_1):
    log_in(client, official)
    upload = csv_upload(
        ["湖光物业有限公司", CODE_1, "王立", "donghu"],
        ["东湖物业有限公司", wrong_check_character(CODE_2), "李青", "donghu"],
    )

    response = client.post(reverse(IMPORT_URL), {"file": upload})

    assert response.status_code == 200
    assert not Company.objects.filter(credit_code__in=[CODE_1, CODE_2]).exists()
    [error] = response.context["report"].errors
    assert (error.row, error.column) == (3, "统一社会信用代码")
    html = response.content.decode()
    assert "nothing was saved" in html
    assert "<td>3</td>" in html
    assert "The check character (the 18th) should be" in html


def test_posting_without_a_file_shows_the_form_error_and_saves_nothing(client, official):
    log_in(client, official)
    before = Company.objects.count()

    response = client.post(reverse(IMPORT_URL), {})

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["file"]
    assert Company.objects.count() == before


def test_company_staff_may_not_import(client, company_a_staff, district_1):
    log_in(client, company_a_staff)

    shown = client.get(reverse(IMPORT_URL))
    posted = client.post(
        reverse(IMPORT_URL), {"file": csv_upload(["湖光物业有限公司", CODE_1, "王立", "donghu"])}
    )

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert "Only officials and administrators may import companies." in posted.content.decode()
    assert not Company.objects.filter(credit_code=CODE_1).exists()


def test_anonymous_users_are_sent_to_the_login_page(client):
    for url in (reverse(IMPORT_URL), reverse(EXPORT_URL) + "?format=csv"):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_companies_screen_offers_import_only_to_registrars(
    client, official, company_a_staff, company_a
):
    import_url, export_url = reverse(IMPORT_URL), reverse(EXPORT_URL)
    log_in(client, official)
    official_html = client.get(reverse("register_companies:index")).content.decode()
    log_in(client, company_a_staff)
    staff_html = client.get(reverse("register_companies:index")).content.decode()

    assert f'href="{import_url}"' in official_html
    assert f'href="{import_url}"' not in staff_html
    assert f"{export_url}?format=csv" in staff_html
    assert f"{export_url}?format=xlsx" in staff_html


# Export -------------------------------------------------------------------------------------


def test_company_staff_export_their_own_company_only(client, company_a_staff, company_a, company_b):
    log_in(client, company_a_staff)

    response = client.get(reverse(EXPORT_URL), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="companies-20260302.csv"'
    rows = exported_csv(response)
    assert rows[0][:2] == ["企业名称", "统一社会信用代码"]
    assert [row[1] for row in rows[1:]] == [company_a.credit_code]
    assert company_b.name not in {row[0] for row in rows}


def test_official_exports_the_companies_of_their_district(client, official, company_a, company_b):
    log_in(client, official)

    response = client.get(reverse(EXPORT_URL), {"format": "csv"})

    assert [row[0] for row in exported_csv(response)[1:]] == [company_a.name]

    event = exports().get()
    assert (event.actor, event.action, event.row_count, event.format) == (
        official,
        "portal.export.register",
        1,
        "csv",
    )


def test_official_exports_a_workbook(client, official, company_a, company_b):
    log_in(client, official)

    response = client.get(reverse(EXPORT_URL), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="companies-20260302.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == [company_a.name]


def test_an_unknown_export_format_is_a_bad_request(client, official, company_a):
    log_in(client, official)

    response = client.get(reverse(EXPORT_URL), {"format": "pdf"})

    assert response.status_code == 400
    assert "Unknown export format “pdf”" in response.content.decode()
