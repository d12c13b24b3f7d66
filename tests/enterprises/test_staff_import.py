"""Bulk import of staff (人员批量导入): every row checked with the invitation's own rules, all
or nobody invited, a report naming each row and column at fault; officials import only their
district's inspectors, a company's administrator only their company's staff."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enterprises import access, people, staff_import
from enterprises.models import Invitation
from foundation.models import AuditEvent, Notification
from foundation.roles import Role, roles_of
from tests.factories import make_user
from tests.images import png

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "电子邮箱", "手机", "用户名", "角色", "所属区", "全市", "企业", "小区"]
Users = get_user_model()


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def company_admin(company_a, admin):
    user = make_user("company_a_admin", None)
    access.grant_company_staff(user, company_a)
    people.grant_company_administration(user, actor=admin)
    return user


def csv_file(rows, header=HEADER, name="staff.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def inspector_row(n, district="东湖区", **overrides):
    values = {
        "name": f"检查员{n}",
        "email": f"inspector{n}@example.test",
        "phone": f"1380000{n:04}",
        "username": "",
        "role": "检查员",
        "district": district,
        "city_wide": "否",
        "company": "",
        "estate": "",
        **overrides,
    }
    return list(values.values())


def invited() -> set[str]:
    return set(Invitation.objects.values_list("email", flat=True))


def run(actor, upload, capture=None):
    return staff_import.import_staff(upload, actor=actor, file_name=upload.name)


def errors(report) -> list[tuple]:
    return [(error.row, error.column, error.message) for error in report.errors]


# All good -----------------------------------------------------------------------------------


def test_every_good_row_is_invited_inactive_with_scope_and_one_summary_event(
    admin, district_1, district_2, estate_x, company_a, django_capture_on_commit_callbacks
):
    rows = [
        inspector_row(1),
        ["王官员", "head@example.test", "", "head", "Official", "", "是", "", ""],
        ["张三", "zhang@example.test", "", "", "company_staff", "", "", company_a.credit_code, ""],
        ["李委", "li@example.test", "13900000001", "", "业主委员会成员", "", "no", "", "翠湖花园"],
        inspector_row(2, district="xiling"),
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = run(admin, csv_file(rows))
    assert report.ok, errors(report)
    assert report.invited == 5
    new = {user.email: user for user in Users.objects.filter(email__in=invited())}
    assert len(new) == 5 and not any(user.is_active for user in new.values())
    first = new["inspector1@example.test"]
    assert Role.INSPECTOR in roles_of(first) and first.staff_profile.district == district_1
    assert new["inspector2@example.test"].staff_profile.district == district_2
    assert new["head@example.test"].staff_profile.city_wide
    assert new["head@example.test"].username == "head"
    assert new["zhang@example.test"].staff_profile.company == company_a
    assert new["li@example.test"].staff_profile.estate == estate_x
    # Each invitation is queued (e-mail, and SMS with a phone) and sent after commit.
    assert Notification.objects.filter(channel=Notification.EMAIL).count() == 5
    assert Notification.objects.filter(channel=Notification.SMS).count() == 3
    assert callbacks and len(mail.outbox) == 5
    events = AuditEvent.objects.filter(action=staff_import.IMPORTED)
    assert [(e.label, e.row_count, e.actor) for e in events] == [("staff.csv", 5, admin)]
    assert AuditEvent.objects.filter(action=people.INVITED).count() == 5


def test_an_english_workbook_is_read_the_same(admin, district_1):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "E-mail", "Mobile phone", "Role", "District"])
    workbook.active.append(["Li Lei", "li.lei@example.test", 13800000009, "inspector", "donghu"])
    out = io.BytesIO()
    workbook.save(out)
    report = run(admin, SimpleUploadedFile("staff.xlsx", out.getvalue()))
    assert report.ok, errors(report)
    assert Invitation.objects.get().phone == "13800000009"


# Bad rows: nobody is invited ----------------------------------------------------------------


def test_one_bad_row_rejects_the_file_and_the_report_names_row_and_column(admin, district_1):
    rows = [
        inspector_row(1),
        inspector_row(2, district="南山区"),
        inspector_row(3, email="not-an-address"),
        inspector_row(4, role="mayor"),
        inspector_row(5, phone="12345"),
        inspector_row(6, city_wide="maybe"),
    ]
    report = run(admin, csv_file(rows))
    assert not report.ok
    assert [(row, column) for row, column, _m in errors(report)] == [
        (3, "所属区"),
        (4, "电子邮箱"),
        (5, "角色"),
        (6, "手机"),
        (7, "全市"),
    ]
    assert "南山区" in report.errors[0].message
    assert Invitation.objects.count() == 0
    assert not Users.objects.filter(email__startswith="inspector").exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="enterprises.people.").exists()


def test_a_scope_the_role_does_not_take_is_refused_on_its_column(admin, district_1, company_a):
    rows = [
        ["甲", "a@example.test", "", "", "检查员", "", "", "", ""],  # no district
        ["乙", "b@example.test", "", "", "检查员", "东湖区", "是", "", ""],  # city-wide
        ["丙", "c@example.test", "", "", "物业服务企业工作人员", "", "", "", ""],  # no company
        ["丁", "d@example.test", "", "", "业主委员会成员", "", "", "", "无此小区"],
    ]
    report = run(admin, csv_file(rows))
    assert [(row, column) for row, column, _m in errors(report)] == [
        (2, "所属区"),
        (3, "所属区"),  # an inspector works in one district, never city-wide
        (4, "企业"),
        (5, "小区"),
    ]
    assert Invitation.objects.count() == 0


def test_duplicates_within_the_file_name_the_first_row(admin, district_1):
    rows = [
        inspector_row(1),
        inspector_row(2, email="INSPECTOR1@example.test"),
        inspector_row(3, phone="13800000001"),
        inspector_row(4, username="same"),
        inspector_row(5, username="same"),
        inspector_row(6, username="inspector7@example.test"),
        inspector_row(7),  # its username is its e-mail, row 7's username
    ]
    report = run(admin, csv_file(rows))
    assert errors(report) == [
        (3, "电子邮箱", "The same value is on row 2."),
        (4, "手机", "The same value is on row 2."),
        (6, "用户名", "The same value is on row 5."),
        (8, "用户名", "The same value is on row 7."),
    ]
    assert Invitation.objects.count() == 0


def test_duplicates_against_the_database_are_refused(admin, district_1, inspector):
    people.invite_person(
        actor=admin,
        email="taken@example.test",
        name="已有",
        role=Role.INSPECTOR,
        phone="13811112222",
        district=district_1,
    )
    rows = [
        inspector_row(1, email="Taken@Example.test"),
        inspector_row(2, username=inspector.username.upper()),
        inspector_row(3, phone="13811112222"),
    ]
    report = run(admin, csv_file(rows))
    assert [(row, column) for row, column, _m in errors(report)] == [
        (2, "电子邮箱"),
        (3, "用户名"),
        (4, "手机"),
    ]
    assert "already exists" in report.errors[0].message
    assert Invitation.objects.count() == 1


def test_a_refusal_during_the_write_rolls_everything_back(admin, district_1, monkeypatch):
    real = people.invite_person
    calls = []

    def racing(**kwargs):
        calls.append(kwargs["email"])
        if len(calls) == 2:  # a parallel invitation took the e-mail after the check
            raise people.PersonRefused("A person with this e-mail already exists.", "email")
        return real(**kwargs)

    monkeypatch.setattr(people, "invite_person", racing)
    report = run(admin, csv_file([inspector_row(1), inspector_row(2), inspector_row(3)]))
    assert errors(report) == [(3, "电子邮箱", "A person with this e-mail already exists.")]
    assert report.invited == 0
    assert Invitation.objects.count() == 0 and not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action=staff_import.IMPORTED).exists()


def test_a_file_that_is_no_table_is_refused_as_a_whole(admin):
    report = run(admin, png("staff.csv"))
    assert errors(report)[0][:2] == (None, "")
    assert "image/png" in report.errors[0].message
    report = run(admin, csv_file([inspector_row(1)], header=["姓名", "手机", "角色"]))
    assert "电子邮箱" in report.errors[0].message
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("count", [5, 60])
def test_checking_a_file_takes_queries_independent_of_its_rows(
    count, official, district_1, company_a, django_assert_max_num_queries
):
    rows = [inspector_row(n) for n in range(count)]
    rows.append(inspector_row(999, district="无此区"))  # rejected: the check only
    with django_assert_max_num_queries(12):
        report = run(official, csv_file(rows))
    assert [error.row for error in report.errors] == [count + 2]


# Who may import what ------------------------------------------------------------------------


def test_an_official_imports_inspectors_of_their_district_only(official, district_1, district_2):
    rows = [
        inspector_row(1),
        inspector_row(2, district="西岭区"),
        ["官", "o@example.test", "", "", "监管人员", "东湖区", "", "", ""],
    ]
    report = run(official, csv_file(rows))
    assert [(row, column) for row, column, _m in errors(report)] == [
        (3, "所属区"),
        (4, "所属区"),
    ]
    assert report.errors[0].message == "You may not give this role in this scope."
    assert Invitation.objects.count() == 0
    assert run(official, csv_file([inspector_row(1)])).ok
    assert Invitation.objects.get().district == district_1


def test_a_company_administrator_imports_staff_of_their_company_only(
    company_admin, company_a, company_b
):
    rows = [
        ["甲", "a@example.test", "", "", "物业服务企业工作人员", "", "", company_a.name, ""],
        ["乙", "b@example.test", "", "", "物业服务企业工作人员", "", "", company_b.name, ""],
    ]
    report = run(company_admin, csv_file(rows))
    assert [(row, column) for row, column, _m in errors(report)] == [(3, "企业")]
    assert Invitation.objects.filter(email__in=["a@example.test", "b@example.test"]).count() == 0
    assert run(company_admin, csv_file(rows[:1])).ok
    assert Users.objects.get(email="a@example.test").staff_profile.company == company_a


def test_the_service_refuses_those_who_manage_nobody(inspector, company_a_staff):
    for actor in (inspector, company_a_staff):
        with pytest.raises(PermissionDenied):
            run(actor, csv_file([inspector_row(1)]))


# The screen ---------------------------------------------------------------------------------


def test_the_screen_imports_and_says_how_many(
    client, admin, district_1, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    page = client.get(reverse("people:index")).content.decode()
    assert reverse("people:import") in page
    assert client.get(reverse("people:import")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:import"),
            {"file": csv_file([inspector_row(1), inspector_row(2)])},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("people:index")
    assert "已从“staff.csv”邀请 2 人" in response.content.decode()  # the default language
    assert len(mail.outbox) == 2


def test_the_screen_shows_the_report_of_a_rejected_file(client, official, district_2):
    client.force_login(official)
    response = client.post(
        reverse("people:import"), {"file": csv_file([inspector_row(1, district="西岭区")])}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "所属区" in body and "您无权在此范围内授予该角色。" in body
    assert Invitation.objects.count() == 0


def test_the_screen_refuses_an_oversized_upload(client, admin, settings, monkeypatch):
    monkeypatch.setattr("enterprises.admin.people_import.MAX_BYTES", 10)
    client.force_login(admin)
    response = client.post(reverse("people:import"), {"file": csv_file([inspector_row(1)])})
    assert "文件超过" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_company_administrator_reaches_the_screen(client, company_admin, company_a):
    client.force_login(company_admin)
    assert client.get(reverse("people:import")).status_code == 200
    assert client.get(reverse("people:import_template")).status_code == 200
    row = ["甲", "a@example.test", "", "", "物业服务企业工作人员", "", "", company_a.name, ""]
    response = client.post(reverse("people:import"), {"file": csv_file([row])})
    assert response.status_code == 302
    assert Users.objects.get(email="a@example.test").staff_profile.company == company_a


@pytest.mark.parametrize("who", ["inspector", "company_a_staff", "citizen", "evaluator"])
def test_those_who_manage_nobody_are_turned_away(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("people:import"), reverse("people:import_template")):
        response = client.get(url)
        # 403, or Wagtail's redirect to the dashboard for users without admin access.
        assert response.status_code in (302, 403), (who, url)
    response = client.post(reverse("people:import"), {"file": csv_file([inspector_row(1)])})
    assert response.status_code in (302, 403)
    assert Invitation.objects.count() == 0


def test_the_template_is_csv_with_the_chinese_headers_and_a_bom(client, official):
    client.force_login(official)
    response = client.get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").strip().split(",") == HEADER
