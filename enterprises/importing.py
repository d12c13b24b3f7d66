"""Bulk import of the company register (企业名录批量导入) from a CSV file or an Excel workbook.

The file is checked as a whole before anything is written: every row goes through the same
model rules as the admin form, and one bad row rejects the file, so nobody has to untangle a
half-imported register. A credit code that is already registered updates that company instead
of creating a second one; the report says which rows created and which updated a company.

Reading the file (its format judged by the bytes, the header's Chinese or English names, the
size and zip-bomb limits) is ``foundation.tabular``'s, shared with the other imports.
"""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises import register_names
from enterprises.credit_codes import canonical
from enterprises.models import Company, CompanyStatus
from enterprises.permissions import keeps_register, regulator_district_q
from foundation import audit
from foundation.models import District
from foundation.tabular import (
    MAX_BYTES,
    MAX_ROWS,
    FileRejected,
    RowError,
    Table,
    normal,
    read_table,
)

__all__ = ["MAX_BYTES", "MAX_ROWS", "FileRejected", "ImportReport", "RowError", "import_companies"]

BATCH_SIZE = 500
ACTION = "enterprises.company.imported"

# Field -> accepted column names; the first one is what the export writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "名称", "name", "company name"),
    "credit_code": ("统一社会信用代码", "credit code", "unified social credit code"),
    "legal_representative": ("法定代表人", "legal representative"),
    "district": ("所属区", "district"),
    "address": ("地址", "address"),
    "contact_name": ("联系人", "contact name", "contact person"),
    "contact_phone": ("联系电话", "contact phone"),
    "contact_email": ("电子邮箱", "contact email", "contact e-mail"),
    "status": ("状态", "status"),
}
REQUIRED_COLUMNS = ("name", "credit_code", "district")


@dataclass
class ImportReport:
    file_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def as_text(self) -> str:
        counts = {"file": self.file_name, "count": len(self.errors), **self.__dict__}
        if self.ok:
            summary = _(
                "“%(file)s” imported: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
        else:
            summary = _("“%(file)s” was rejected, nothing was saved: %(count)d error(s).")
        ignored = [
            _("Column “%(column)s” was ignored: it is not a register column.") % {"column": column}
            for column in self.ignored_columns
        ]
        return "\n".join([summary % counts, *map(str, self.errors), *ignored])


def import_companies(file, *, actor, file_name: str) -> ImportReport:
    """Validate every row of ``file`` (bytes or a binary file object); save all or nothing."""
    if not keeps_register(actor):
        raise PermissionDenied(_("Only officials and administrators may import companies."))
    report = ImportReport(file_name=file_name)
    try:
        table = read_table(file, COLUMNS, REQUIRED_COLUMNS, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    except FileRejected as refusal:
        report.error(None, "", refusal.message)
        report.ignored_columns = refusal.ignored_columns
        return report
    report.ignored_columns = table.ignored_columns
    try:
        with transaction.atomic():
            checked = _check_rows(table, actor, report)
            if report.ok:
                _save(checked, actor, file_name, report)
    except IntegrityError:
        # Another import or edit registered the same name or code after our checks.
        report.error(
            None, "", _("The register changed during the import; nothing was saved. Try again.")
        )
    return report


# Checking and saving ------------------------------------------------------------------------


class CompanyRowForm(forms.ModelForm):
    """One row: the model's own rules, with the district given by code or name."""

    # Not a model field of the form: resolved from the preloaded districts, so the model's
    # foreign-key check (one query per row) is not repeated; assigned in ``clean``.
    district = forms.CharField()
    status = forms.CharField(required=False)

    class Meta:
        model = Company
        fields = [name for name in COLUMNS if name != "district"]

    def __init__(self, data, *, instance, present, districts, statuses):
        super().__init__(data, instance=instance)
        for name in list(self.fields):
            if name not in present:
                del self.fields[name]
        self.districts = districts
        self.statuses = statuses

    def clean_district(self) -> District:
        value = self.cleaned_data["district"]
        district = self.districts.get(normal(value))
        if district is None:
            unique = list(dict.fromkeys(self.districts.values()))[:40]
            known = "、".join(f"{d.name} ({d.code})" for d in unique)
            raise forms.ValidationError(
                _("There is no district “%(value)s”; use one of: %(known)s.")
                % {"value": value, "known": known}
            )
        return district

    def clean_status(self) -> str:
        value = self.cleaned_data["status"]
        current = self.instance.status if self.instance.pk else CompanyStatus.ACTIVE
        if not value:
            return current
        status = self.statuses.get(normal(value))
        if status is None:
            raise forms.ValidationError(
                _("The status must be one of: %(known)s.")
                % {"known": "、".join(str(label) for label in CompanyStatus.labels)}
            )
        if self.instance.pk and status != current:
            # Status changes belong to the licensing decisions, with their audit trail.
            raise forms.ValidationError(
                _("An import cannot change the status of a registered company (now “%(now)s”).")
                % {"now": CompanyStatus(current).label}
            )
        return status

    def clean(self) -> dict:
        cleaned = super().clean()
        if "district" in cleaned:
            self.instance.district = cleaned["district"]
        return cleaned

    def validate_unique(self) -> None:
        """Uniqueness is checked for the whole file at once (see ``_check_rows``)."""


@dataclass
class _Checked:
    number: int
    form: CompanyRowForm
    created: bool
    changed: list[str]


def _district_lookup() -> dict[str, District]:
    lookup = {}
    for district in District.objects.all():
        lookup[normal(district.code)] = district
        lookup[normal(district.name)] = district
    return lookup


def _status_lookup() -> dict[str, str]:
    lookup = {normal(value): value for value in CompanyStatus.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            lookup.update({normal(str(label)): value for value, label in CompanyStatus.choices})
    return lookup


def _check_rows(table: Table, actor, report: ImportReport) -> list[_Checked]:
    header = table.titles
    records = []
    for number, values in table.rows:
        # Before the form's length check: "9133 0100 …" typed with spaces is still a code.
        values["credit_code"] = canonical(values["credit_code"])
        records.append((number, values))
    codes = {values["credit_code"] for _n, values in records}
    # Locked, so that two imports of the same companies cannot interleave their updates.
    existing = {
        c.credit_code: c for c in Company.objects.select_for_update().filter(credit_code__in=codes)
    }
    names_taken = dict(
        Company.objects.filter(name__in=[values["name"] for _n, values in records]).values_list(
            "name", "credit_code"
        )
    )
    allowed = set(
        District.objects.filter(regulator_district_q(actor, "pk")).values_list("pk", flat=True)
    )
    districts, statuses = _district_lookup(), _status_lookup()
    district_names = {d.pk: d.name for d in districts.values()}
    first_row: dict[tuple[str, str], int] = {}  # (field, value) -> the row it first appears on
    checked = []
    for number, values in records:
        code, name = values["credit_code"], values["name"]
        instance = existing.get(code) if ("credit_code", code) not in first_row else None
        before = _snapshot(instance)
        form = CompanyRowForm(
            values,
            instance=instance or Company(),
            present=header,
            districts=districts,
            statuses=statuses,
        )
        valid = form.is_valid()
        problems = [(key, message) for key, messages in form.errors.items() for message in messages]
        for key, value in (("credit_code", code), ("name", name)):
            if value and (key, value) in first_row:
                problems.append(
                    (key, _("The same value is on row %(row)d.") % {"row": first_row[key, value]})
                )
            first_row.setdefault((key, value), number)
        if names_taken.get(name, code) != code and first_row["name", name] == number:
            problems.append(
                (
                    "name",
                    _("A company of this name is registered under the credit code %(code)s.")
                    % {"code": names_taken[name]},
                )
            )
        if instance is not None and before["district"] not in allowed:
            problems.append(
                (
                    "credit_code",
                    _("This company is registered in %(district)s, which you do not supervise.")
                    % {"district": district_names.get(before["district"], "")},
                )
            )
        elif valid and form.instance.district_id not in allowed:
            message = _("You do not supervise %(district)s; import only your district's companies.")
            problems.append(("district", message % {"district": form.instance.district.name}))
        for key, message in problems:
            report.error(number, header.get(key, ""), message)
        if valid and report.ok:
            after = _snapshot(form.instance)
            changed = [key for key in after if instance is None or after[key] != before[key]]
            checked.append(_Checked(number, form, instance is None, changed))
    return checked


def _snapshot(company: Company | None) -> dict:
    """Field name -> stored value (the district by its id), to tell what an import changes."""
    if company is None:
        return {"district": None}
    return {
        f.name: getattr(company, f.attname)
        for f in Company._meta.concrete_fields
        if f.name in COLUMNS
    }


def _save(checked: list[_Checked], actor, file_name: str, report: ImportReport) -> None:
    """Write in batches (a full file is 5,000 rows), then one audit entry per company."""
    created = [row for row in checked if row.created]
    updated = [row for row in checked if row.changed and not row.created]
    report.created, report.updated = len(created), len(updated)
    report.unchanged = len(checked) - len(created) - len(updated)
    Company.objects.bulk_create([row.form.instance for row in created], batch_size=BATCH_SIZE)
    if updated:
        fields = sorted({name for row in updated for name in row.changed})
        Company.objects.bulk_update(
            [row.form.instance for row in updated], fields, batch_size=BATCH_SIZE
        )
    if updated:
        register_names.MEMOS["company"].changed()  # bulk_update sends no signal: renamed here
    audit.record_many(
        [
            (
                row.form.instance,
                {
                    "row": row.number,
                    "file": file_name,
                    "created": row.created,
                    "fields": row.changed,
                },
            )
            for row in sorted(created + updated, key=lambda row: row.number)
        ],
        ACTION,
        actor=actor,
    )
