"""Bulk import of staff (人员批量导入) from a CSV file or an Excel workbook.

Every row is checked before anything is written, with the rules of the invitation form and
of ``people.invite_person`` (each role's scope, what the importer may give, unique e-mail,
username and phone, in the database and within the file); one bad row rejects the file with
a report naming each row and column at fault. A good file invites everyone through
``people.invite_person`` in one transaction, so each person's invitation goes out on commit,
or, when a parallel change makes one refuse, nobody is invited at all.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises import people, permissions
from enterprises.credit_codes import canonical
from enterprises.models import Company, Estate, Invitation
from foundation import audit
from foundation.models import District
from foundation.roles import ROLE_LABELS
from foundation.tabular import FileRejected, RowError, normal, read_table

IMPORTED = "enterprises.people.imported"
MAX_ROWS = 1_000  # each row is an invitation sent: a whole department, not a population
PHONE = re.compile(r"^1\d{10}$")

# Field -> accepted column names; the first one is what the template writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "email": ("电子邮箱", "e-mail", "email"),
    "phone": ("手机", "mobile phone", "mobile", "phone"),
    "username": ("用户名", "username"),
    "role": ("角色", "role"),
    "district": ("所属区", "district"),
    "city_wide": ("全市", "city-wide", "city wide"),
    "company": ("企业", "company"),
    "estate": ("小区", "estate"),
}
REQUIRED_COLUMNS = ("name", "email", "role")
YES = {"是", "yes", "y", "true", "1", "全市"}
NO = {"", "否", "no", "n", "false", "0"}


@dataclass
class StaffImportReport:
    file_name: str
    invited: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))


@dataclass
class _Row:
    number: int
    invite: dict  # the keyword arguments of ``people.invite_person``


def import_staff(upload, *, actor, file_name: str) -> StaffImportReport:
    """Check every row of ``upload``; invite everyone or nobody."""
    if not permissions.manages_people(actor):
        raise PermissionDenied(_("You do not manage people."))
    report = StaffImportReport(file_name=file_name)
    try:
        table = read_table(upload, COLUMNS, REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    except FileRejected as refusal:
        report.error(None, "", refusal.message)
        report.ignored_columns = refusal.ignored_columns
        return report
    report.ignored_columns = table.ignored_columns
    if not table.rows:
        report.error(None, "", _("The file has no rows below its header."))
        return report
    titles = {name: table.titles.get(name, COLUMNS[name][0]) for name in COLUMNS}
    checked = _Checker(actor, table.rows).check(report, titles)
    if report.ok:
        _invite_all(checked, actor, file_name, report, titles)
    return report


class _Rollback(Exception):
    pass


def _invite_all(checked: list[_Row], actor, file_name, report, titles) -> None:
    try:
        with transaction.atomic():
            for row in checked:
                try:
                    people.invite_person(actor=actor, **row.invite)
                except people.PersonRefused as refusal:
                    # A parallel invitation took an e-mail, username or phone since the check.
                    report.error(row.number, titles.get(refusal.field or "", ""), refusal.message)
                    raise _Rollback from refusal
            audit.record_event(
                actor=actor,
                action=IMPORTED,
                label=file_name,
                filters={"file": file_name},
                row_count=len(checked),
                format="",
            )
    except _Rollback:
        return
    report.invited = len(checked)


class _Checker:
    """The checks of every row, with the lookups of the whole file done once."""

    def __init__(self, actor, rows):
        self.actor = actor
        self.rows = rows
        self.roles = _role_lookup()
        self.districts = _district_lookup()
        companies = _present(rows, "company")
        codes = {canonical(value) for value in companies}
        self.companies = {}
        for company in Company.objects.filter(Q(name__in=companies) | Q(credit_code__in=codes)):
            self.companies[normal(company.name)] = company
            self.companies[normal(company.credit_code)] = company
        self.estates: dict[str, list[Estate]] = {}
        for estate in Estate.objects.filter(name__in=_present(rows, "estate")):
            self.estates.setdefault(normal(estate.name), []).append(estate)
        emails = {v.get("email", "").strip().lower() for _n, v in rows}
        usernames = {(v.get("username") or v.get("email", "")).strip().lower() for _n, v in rows}
        users = get_user_model().objects
        self.emails_taken = set(
            users.annotate(low=Lower("email")).filter(low__in=emails).values_list("low", flat=True)
        )
        self.usernames_taken = set(
            users.annotate(low=Lower("username"))
            .filter(low__in=usernames)
            .values_list("low", flat=True)
        )
        self.phones_taken = set(
            Invitation.objects.filter(phone__in=_present(rows, "phone")).values_list(
                "phone", flat=True
            )
        )

    def check(self, report: StaffImportReport, titles: dict[str, str]) -> list[_Row]:
        first_row: dict[tuple[str, str], int] = {}
        checked = []
        for number, values in self.rows:
            problems: list[tuple[str, str]] = []
            invite = self._row(values, problems)
            given = {
                "email": invite["email"],
                "username": (invite["username"] or invite["email"]).lower(),
                "phone": invite["phone"],
            }
            # A username left empty is the e-mail: a repeated e-mail is reported once.
            implicit = not invite["username"] and ("email", invite["email"]) in first_row
            for key, value in given.items():
                if not value:
                    continue
                if (key, value) in first_row and not (key == "username" and implicit):
                    message = _("The same value is on row %(row)d.") % {
                        "row": first_row[key, value]
                    }
                    problems.append((key, message))
                first_row.setdefault((key, value), number)
            for key, message in problems:
                report.error(number, titles[key], message)
            if not problems:
                checked.append(_Row(number, invite))
        return checked

    def _row(self, values: dict, problems: list) -> dict:
        """The row as ``invite_person``'s arguments; each problem appended as (field, text)."""
        name = values.get("name", "").strip()
        if not name:
            problems.append(("name", _("Give the person's name.")))
        elif len(name) > 150:
            problems.append(("name", _("At most 150 characters.")))
        email = values.get("email", "").strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            problems.append(("email", error.messages[0]))
        else:
            if email in self.emails_taken:
                problems.append(("email", _("A person with this e-mail already exists.")))
        username = values.get("username", "").strip()
        if len(username) > 150:
            problems.append(("username", _("At most 150 characters.")))
        elif username.lower() in self.usernames_taken or (
            # An empty username is the e-mail: a taken one is reported on the e-mail.
            not username and email in self.usernames_taken and email not in self.emails_taken
        ):
            problems.append(("username", _("A person with this username already exists.")))
        phone = values.get("phone", "").strip()
        if phone and not PHONE.match(phone):
            problems.append(("phone", _("Enter an 11-digit mobile number.")))
        elif phone in self.phones_taken:
            problems.append(("phone", _("A person with this mobile phone already exists.")))
        scope = self._scope(values, problems)
        role = self.roles.get(normal(values.get("role", "")))
        if role is None:
            known = "、".join(str(ROLE_LABELS[r]) for r in permissions.PEOPLE_ROLES)
            problems.append(("role", _("The role must be one of: %(known)s.") % {"known": known}))
        elif scope is not None:
            self._check_scope(role, scope, problems)
        return {
            "email": email,
            "name": name,
            "role": role,
            "phone": phone,
            "username": username or None,
            **(scope or {}),
        }

    def _scope(self, values: dict, problems: list) -> dict | None:
        scope: dict = {"district": None, "city_wide": False, "company": None, "estate": None}
        found = True
        if value := values.get("district", "").strip():
            scope["district"] = self.districts.get(normal(value))
            if scope["district"] is None:
                message = _("There is no district “%(value)s”.") % {"value": value}
                problems.append(("district", message))
                found = False
        value = normal(values.get("city_wide", ""))
        if value in YES:
            scope["city_wide"] = True
        elif value not in NO:
            problems.append(("city_wide", _("Write 是 or 否 (yes or no).")))
            found = False
        if value := values.get("company", "").strip():
            scope["company"] = self.companies.get(normal(value)) or self.companies.get(
                normal(canonical(value))
            )
            if scope["company"] is None:
                message = _("There is no company “%(value)s” (name or credit code).")
                problems.append(("company", message % {"value": value}))
                found = False
        if value := values.get("estate", "").strip():
            estates = self.estates.get(normal(value), [])
            if len(estates) == 1:
                scope["estate"] = estates[0]
            else:
                message = (
                    _("Several estates are called “%(value)s”; invite this person on the form.")
                    if estates
                    else _("There is no estate “%(value)s”.")
                )
                problems.append(("estate", message % {"value": value}))
                found = False
        return scope if found else None

    def _check_scope(self, role: str, scope: dict, problems: list) -> None:
        try:
            # The invitation's own rules, so the file and the form refuse alike.
            people._check_scope(role, **scope)
        except people.PersonRefused as refusal:
            problems.append((refusal.field or "role", refusal.message))
            return
        if not permissions.may_give_scope(self.actor, role, **scope):
            field = people._scope_field(role)
            problems.append((field, _("You may not give this role in this scope.")))


def _present(rows, name: str) -> set[str]:
    return {values[name].strip() for _n, values in rows if values.get(name, "").strip()}


def _role_lookup() -> dict[str, str]:
    """The roles an import may give, by value and by their Chinese and English labels."""
    lookup = {normal(role.value): role.value for role in permissions.PEOPLE_ROLES}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            lookup.update(
                {normal(str(ROLE_LABELS[role])): role.value for role in permissions.PEOPLE_ROLES}
            )
    return lookup


def _district_lookup() -> dict[str, District]:
    lookup = {}
    for district in District.objects.all():
        lookup[normal(district.code)] = district
        lookup[normal(district.name)] = district
    return lookup


def template_headings() -> list[str]:
    """The template's header row: the Chinese column names the import reads first."""
    return [aliases[0] for aliases in COLUMNS.values()]
