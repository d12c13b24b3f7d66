"""Import of an estate's units and their owners (专有部分及业主) from a CSV file or an Excel
workbook, by the estate's current owners' committee or an official of its district.

Every row is checked before anything is written; one bad row rejects the file with a report
naming each row and column at fault (in the reader's language). Refused: a room given twice
(in the file, or already recorded for the estate), an area that is not a positive number, and
areas that do not add up: the estate's units, recorded and imported, may not exceed the
estate's registered floor area when the register has one (the report gives both figures).
The same owner name and phone on several rows is one ``Owner`` (a buyer of several units, who
counts once: ``enterprises.units.owner_key``), as is an owner already recorded with them.
A good file is written in one transaction with one history entry on the estate.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from enterprises import people, permissions
from enterprises.models import Estate, Owner, Unit
from foundation import audit
from foundation.tabular import FileRejected, RowError, normal, read_table

IMPORTED = "enterprises.unit.imported"
MAX_ROWS = 5_000
MAX_AREA = Decimal("100000")  # m² of one exclusive part: a typo, not a unit, above this
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")

# Field -> accepted column names; the first one is what the template writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "building": ("楼栋", "building"),
    "entrance": ("单元", "entrance", "unit"),
    "room": ("房号", "room"),
    "exclusive_area": ("专有面积", "exclusive area", "area"),
    "developer_held": ("开发商持有", "developer held", "developer"),
    "owner_name": ("业主姓名", "owner name", "owner"),
    "owner_phone": ("业主电话", "owner phone"),
}
REQUIRED_COLUMNS = ("building", "room", "exclusive_area")
YES = {"是", "yes", "y", "true", "1"}
NO = {"", "否", "no", "n", "false", "0"}


class UnitsNotAllowed(people.NotAllowed):
    """The actor may not import this estate's units."""


@dataclass
class UnitImportReport:
    file_name: str
    units: int = 0
    owners: int = 0  # distinct owners named in the file
    new_owners: int = 0  # of them, not recorded before
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
    room: tuple[str, str, str]
    area: Decimal
    developer_held: bool
    owner: tuple[str, str] | None  # (name, phone)


def import_units(upload, *, actor, estate: Estate, file_name: str) -> UnitImportReport:
    """Check every row of ``upload``; record all its units or none."""
    if not permissions.manages_units(actor, estate):
        raise UnitsNotAllowed(_("You may not import this estate's units."), "estate")
    report = UnitImportReport(file_name=file_name)
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
    rows = _check_rows(estate, table.rows, report, titles)
    if report.ok:
        _check_total(estate, rows, report)
    if report.ok:
        _save(estate, rows, actor, file_name, report, titles)
    return report


def _room_key(building: str, entrance: str, room: str) -> tuple[str, str, str]:
    return normal(building), normal(entrance), normal(room)


def _check_rows(estate, rows, report, titles) -> list[_Row]:
    recorded = {
        _room_key(*room): room
        for room in Unit.objects.filter(estate=estate).values_list("building", "entrance", "room")
    }
    first_row: dict[tuple, int] = {}
    checked = []
    for number, values in rows:
        problems: list[tuple[str, str]] = []
        row = _row(number, values, problems)
        if row is not None and row.room[0] and row.room[2]:
            key = _room_key(*row.room)
            if key in first_row:
                message = _("The same room is on row %(row)d.") % {"row": first_row[key]}
                problems.append(("room", message))
            elif key in recorded:
                problems.append(("room", _("This room is already recorded for the estate.")))
            first_row.setdefault(key, number)
        for name, message in problems:
            report.error(number, titles[name], message)
        if not problems:
            checked.append(row)
    return checked


def _row(number: int, values: dict, problems: list) -> _Row:
    texts = {name: values.get(name, "").strip() for name in COLUMNS}
    for name in ("building", "entrance", "room"):
        if len(texts[name]) > 32:
            problems.append((name, _("At most 32 characters.")))
    if not texts["building"]:
        problems.append(("building", _("Give the building.")))
    if not texts["room"]:
        problems.append(("room", _("Give the room.")))
    area = _area(texts["exclusive_area"], problems)
    held = normal(texts["developer_held"])
    if held not in YES | NO:
        problems.append(("developer_held", _("Write 是 or 否 (yes or no).")))
    name, phone = texts["owner_name"], texts["owner_phone"]
    if len(name) > 128:
        problems.append(("owner_name", _("At most 128 characters.")))
    if phone and not name:
        problems.append(("owner_name", _("Give the owner's name with their phone.")))
    if phone and not PHONE.match(phone):
        problems.append(("owner_phone", _("Enter a phone number of digits only.")))
    return _Row(
        number=number,
        room=(texts["building"], texts["entrance"], texts["room"]),
        area=area or Decimal("0"),
        developer_held=held in YES,
        owner=(name, phone) if name else None,
    )


def _area(text: str, problems: list) -> Decimal | None:
    try:
        area = Decimal(text.replace(",", "").replace("㎡", "").replace("m²", "").strip())
    except InvalidOperation:
        area = None
    if area is None or not area.is_finite():
        problems.append(("exclusive_area", _("Give the area in square metres, e.g. 89.50.")))
        return None
    if area <= 0:
        problems.append(("exclusive_area", _("The area must be more than 0 m².")))
        return None
    if area >= MAX_AREA or area.as_tuple().exponent < -2:
        problems.append(
            ("exclusive_area", _("At most two decimals and less than 100,000 m².")),
        )
        return None
    return area


def _check_total(estate: Estate, rows: list[_Row], report: UnitImportReport) -> None:
    """The units may not add up to more than the estate's registered floor area."""
    estate = Estate.objects.get(pk=estate.pk)
    if estate.floor_area is None:
        return
    recorded = Unit.objects.filter(estate=estate).aggregate(total=Sum("exclusive_area"))["total"]
    total = (recorded or Decimal("0")) + sum((row.area for row in rows), Decimal("0"))
    if total > estate.floor_area:
        report.error(
            None,
            "",
            _(
                "The exclusive areas add up to %(total)s m² (units already recorded included), "
                "more than the estate's registered floor area of %(floor_area)s m²."
            )
            % {"total": f"{total:,.2f}", "floor_area": f"{estate.floor_area:,.2f}"},
        )


def _save(estate, rows, actor, file_name, report, titles) -> None:
    try:
        with transaction.atomic():
            Estate.objects.select_for_update().get(pk=estate.pk)  # one import at a time
            owners, report.new_owners = _owners(estate, rows)
            report.owners = len(owners)
            units = Unit.objects.bulk_create(
                [
                    Unit(
                        estate=estate,
                        building=row.room[0],
                        entrance=row.room[1],
                        room=row.room[2],
                        exclusive_area=row.area,
                        developer_held=row.developer_held,
                        owner=owners.get(_owner_key(row.owner)) if row.owner else None,
                    )
                    for row in rows
                ],
                batch_size=500,
            )
            report.units = len(units)
            audit.record(
                estate,
                IMPORTED,
                actor=actor,
                file=file_name,
                units=report.units,
                owners=report.owners,
                new_owners=report.new_owners,
            )
    except IntegrityError:
        # A parallel import recorded one of these rooms since the check.
        report.units = report.owners = report.new_owners = 0
        report.error(None, titles["room"], _("Another import recorded some of these rooms."))


def _owner_key(owner: tuple[str, str]) -> tuple[str, str]:
    return normal(owner[0]), owner[1].replace(" ", "").replace("-", "")


def _owners(estate: Estate, rows: list[_Row]) -> tuple[dict[tuple[str, str], Owner], int]:
    """One owner per name and phone: one recorded already, else one created now (counted)."""
    known = {_owner_key((o.name, o.contact_phone)): o for o in Owner.objects.filter(estate=estate)}
    wanted: dict[tuple[str, str], Owner] = {}
    new = []
    for row in rows:
        if row.owner is None:
            continue
        key = _owner_key(row.owner)
        if key in wanted:
            continue
        owner = known.get(key)
        if owner is None:
            owner = Owner(estate=estate, name=row.owner[0], contact_phone=row.owner[1])
            new.append(owner)
        wanted[key] = owner
    Owner.objects.bulk_create(new)
    return wanted, len(new)


def template_headings() -> list[str]:
    return [aliases[0] for aliases in COLUMNS.values()]
