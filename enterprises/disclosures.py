"""Disclosures (信息公开): what a company must make public for each estate it manages —
service content, fee items and standards, income and expenses, service standards, the
progress of major matters — per period. A disclosure may carry a fee table (item, standard,
unit, basis), set on the draft with ``set_fee_table``.

A company drafts a disclosure, may rework the draft as often as it likes, then publishes it.
A published disclosure is final; the public only ever sees published ones.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.evaluations import check_period
from enterprises.models import Company, Disclosure, DisclosureFee, DisclosureKind, Estate
from enterprises.permissions import can_act_for_company
from foundation.audit import record, record_event
from foundation.uploads import validate_pdf


class DisclosureError(Exception):
    """A disclosure change was refused; the message is shown to the user as is."""


def _check_actor(actor, company: Company) -> None:
    if actor is None or not can_act_for_company(actor, company):
        raise DisclosureError(
            _("Only staff of “%(company)s” may disclose for it.") % {"company": company.name}
        )


def save_disclosure(
    *,
    actor,
    company: Company,
    estate: Estate,
    kind: str,
    period: str,
    body: str,
    attachment=None,
) -> Disclosure:
    """Create the draft for company/estate/kind/period, or rework the existing draft.
    ``attachment`` None keeps the draft's current attachment."""
    _check_actor(actor, company)
    if estate.managing_company_id != company.pk:
        raise DisclosureError(
            _("“%(estate)s” is not managed by “%(company)s”, which may not disclose for it.")
            % {"estate": estate.name, "company": company.name}
        )
    if kind not in DisclosureKind.values:
        raise DisclosureError(
            _("“%(kind)s” is not a kind of disclosure: choose %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(str(label) for label in DisclosureKind.labels)}
        )
    if not (body or "").strip():
        raise DisclosureError(_("A disclosure needs its content."))
    try:
        period = check_period(period)
        if attachment is not None:
            validate_pdf(attachment)
    except ValidationError as exc:
        raise DisclosureError(exc.messages[0]) from exc
    key = {"company": company, "estate": estate, "kind": kind, "period": period}
    with transaction.atomic():
        disclosure = Disclosure.objects.select_for_update().filter(**key).first()
        if disclosure is None:
            try:
                with transaction.atomic():  # a savepoint: a concurrent first draft wins
                    disclosure = Disclosure.objects.create(**key, body=body, created_by=actor)
            except IntegrityError:
                disclosure = Disclosure.objects.select_for_update().get(**key)
        if disclosure.published:
            raise DisclosureError(
                _(
                    "The %(kind)s disclosure of “%(estate)s” for %(period)s is already "
                    "published and can no longer be changed."
                )
                % {"kind": disclosure.get_kind_display(), "estate": estate.name, "period": period}
            )
        disclosure.body = body
        if attachment is not None:
            # The uploader's file name is not kept: it is chosen here.
            disclosure.attachment.save(
                f"disclosure-{estate.pk}-{kind}-{period}.pdf", attachment, save=False
            )
        disclosure.save()
    return disclosure


def publish_disclosure(disclosure: Disclosure, *, actor) -> Disclosure:
    """Make the draft public (公开). Publishing twice is quiet; published is final."""
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.published:
            return locked
        _check_actor(actor, locked.company)
        locked.published = True
        locked.published_at = timezone.now()
        locked.save(update_fields=["published", "published_at", "updated_at"])
        record(
            locked,
            "enterprises.disclosure.published",
            actor=actor,
            company=locked.company_id,
            estate=locked.estate_id,
            kind=locked.kind,
            period=locked.period,
        )
    disclosure.refresh_from_db()
    return locked


def published_disclosures(
    company: Company | None = None, estate: Estate | None = None
) -> QuerySet[Disclosure]:
    """What the public may read: published disclosures only, drafts never."""
    queryset = (
        Disclosure.objects.filter(published=True)
        .select_related("company", "estate")
        .prefetch_related("fees")
    )
    if company is not None:
        queryset = queryset.filter(company=company)
    if estate is not None:
        queryset = queryset.filter(estate=estate)
    return queryset


FEE_FIELDS = ("item", "standard", "unit", "basis")


def _fee_row(number: int, row: dict) -> dict:
    values = {name: str(row.get(name) or "").strip() for name in FEE_FIELDS}
    for name, label in (("item", _("fee item")), ("unit", _("charged per")), ("basis", _("basis"))):
        if not values[name]:
            raise DisclosureError(
                _("Fee row %(number)d: fill in “%(field)s”.") % {"number": number, "field": label}
            )
    try:
        standard = Decimal(values["standard"])
    except InvalidOperation:
        standard = None
    if (
        standard is None
        or not standard.is_finite()
        or standard < 0
        or standard != round(standard, 2)
    ):
        raise DisclosureError(
            _(
                "Fee row %(number)d: the standard “%(value)s” must be an amount of at most two "
                "decimals, zero or more."
            )
            % {"number": number, "value": values["standard"]}
        )
    if standard >= Decimal("1e8"):
        raise DisclosureError(
            _("Fee row %(number)d: the standard is too large.") % {"number": number}
        )
    return {**values, "standard": standard}


def set_fee_table(disclosure: Disclosure, *, actor, rows: list[dict]) -> list[DisclosureFee]:
    """Replace the draft's fee table with ``rows`` (item, standard, unit, basis): every row
    checked first, then all written, or none; a published disclosure keeps its table."""
    cleaned = [_fee_row(number, row) for number, row in enumerate(rows, start=1)]
    items = [row["item"] for row in cleaned]
    repeated = next((item for item in items if items.count(item) > 1), None)
    if repeated:
        raise DisclosureError(_("The fee item “%(item)s” is listed twice.") % {"item": repeated})
    with transaction.atomic():
        locked = (
            Disclosure.objects.select_for_update().select_related("company").get(pk=disclosure.pk)
        )
        _check_actor(actor, locked.company)
        if locked.published:
            raise DisclosureError(_("A published disclosure can no longer be changed."))
        locked.fees.all().delete()
        fees = DisclosureFee.objects.bulk_create(
            DisclosureFee(disclosure=locked, position=position, **row)
            for position, row in enumerate(cleaned)
        )
        record_event(
            actor=actor,
            action="enterprises.disclosure.fees_set",
            label=str(locked),
            filters={"disclosure": locked.pk, "estate": locked.estate_id, "rows": len(fees)},
        )
    return fees
