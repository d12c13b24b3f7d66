"""The register's names by id, read once per process until one is edited: every staff search
labels its district, company and estate facets with them, as do the dashboard and the public
statistics. An id the memory does not hold yet (a company imported in bulk, which sends no
signal) is read from the database; a bulk rename says so itself (``importing``)."""

import re

from django.db.models import Model

from enterprises.models import Company, Estate
from foundation.models import District
from foundation.table_memo import TableMemo


def _memo(model: type[Model]) -> TableMemo:
    return TableMemo(model, lambda: dict(model.objects.order_by().values_list("pk", "name")))


MEMOS = {"district": _memo(District), "company": _memo(Company), "estate": _memo(Estate)}
MODELS = {"district": District, "company": Company, "estate": Estate}


def estate_label(name: str, district_name: str) -> str:
    """How a person picks an estate of the register, in every form that offers them: its
    name and its district in brackets (two districts may each have an estate of that name)."""
    return f"{name}（{district_name}）"


# The district is the last bracketed part: an estate's own name may hold brackets (“（二期）”).
_LABEL = re.compile(r"^(?P<name>.+)（(?P<district>[^（）]+)）$")


def estates_named(text: str) -> list[Estate]:
    """At most two estates ``text`` names: by the estate's exact name, else as an
    ``estate_label``; two mean the name is ambiguous, none that the register has no such
    estate."""
    text = text.strip()
    estates = Estate.objects.select_related("district")
    found = list(estates.filter(name=text)[:2])
    parts = None if found else _LABEL.match(text)
    if parts is not None:
        named = estates.filter(name=parts["name"].strip(), district__name=parts["district"])
        found = list(named[:2])
    return found


def names_of(kind: str, ids: list[int]) -> dict[int, str]:
    """``{id: name}`` of the ids that exist, for a register kind."""
    known = MEMOS[kind].rows()
    names = {pk: known[pk] for pk in ids if pk in known}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        rows = MODELS[kind].objects.filter(pk__in=missing).order_by().values_list("pk", "name")
        names.update(rows)
    return names
