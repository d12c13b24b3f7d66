"""The rectification order state machine (整改通知书): every status change of an order.

An inspector (or an official) of the district issues an order to a company, usually after a
completed inspection; the company acknowledges it (签收) and submits its rectification with
evidence; regulator staff of the district verify it (复查合格) or find it failed. An order
still open after its deadline day is flagged overdue once by a sweep, which writes the
company's credit record; an official may then decide it failed.

Submitting straight from "issued" acknowledges the order first (both steps are audited): a
company that sends its evidence has evidently received the order, and making it click twice
would only delay the record.

Each verb locks the row, checks the actor and the transition table, writes the audit entry in
the same transaction and returns quietly when the order already is where it was sent.
"""

import datetime
import re
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.attachments import validate_attachment
from cases.models import (
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationEvidence,
    RectificationOrder,
)
from cases.workflow import TransitionNotAllowed, district_officials, tell_staff
from enterprises.access import company_staff
from enterprises.credit import record_overdue_rectification
from enterprises.models import Company, Estate
from foundation import audit
from foundation.state_machine import StateMachine
from foundation.uploads import PDF_MIME, reencode_photo

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    # "failed" from an open order only once its deadline has passed (an official's decision).
    OrderStatus.ISSUED: {OrderStatus.ACKNOWLEDGED, OrderStatus.FAILED},
    OrderStatus.ACKNOWLEDGED: {OrderStatus.SUBMITTED, OrderStatus.FAILED},
    OrderStatus.SUBMITTED: {OrderStatus.VERIFIED, OrderStatus.FAILED},
    OrderStatus.VERIFIED: set(),
    OrderStatus.FAILED: set(),
}

NUMBER_ATTEMPTS = 5


class OrderError(TransitionNotAllowed):
    """A rectification order action was refused; the message is shown to the user as is."""


ORDER_MACHINE = StateMachine(
    RectificationOrder,
    transitions=ALLOWED_TRANSITIONS,
    error=OrderError,
    refusal=gettext_lazy("An order that is “%(current)s” cannot become “%(target)s”."),
)


# Numbers ------------------------------------------------------------------------------------


def next_number(model, field: str, prefix: str, suffix: str = "号") -> str:
    """The next "<prefix><sequence of at least 3 digits><suffix>" after the highest in use.

    Longer numbers sort after shorter ones, so 第1000号 follows 第999号.
    """
    pattern = rf"^{re.escape(prefix)}[0-9]+{re.escape(suffix)}$"
    last = (
        model.objects.filter(**{f"{field}__regex": pattern})
        .order_by(Length(field).desc(), f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    sequence = int(last[len(prefix) : len(last) - len(suffix)]) + 1 if last else 1
    return f"{prefix}{sequence:03d}{suffix}"


def save_with_number(instance, field: str, prefix: str, error: type[Exception]) -> None:
    """Save ``instance`` with the next free number of ``prefix`` in ``field``.

    Two requests at the same moment may draw the same number: the unique index decides (the
    second insert waits for the first to commit, then fails), and the loser draws again inside
    a savepoint, now seeing the winner's number.
    """
    model = type(instance)
    for _attempt in range(NUMBER_ATTEMPTS):
        number = next_number(model, field, prefix)
        setattr(instance, field, number)
        try:
            with transaction.atomic():
                if instance.pk is None:
                    instance.save()
                else:
                    instance.save(update_fields=[field])
            return
        except IntegrityError:
            if not model.objects.filter(**{field: number}).exists():
                raise  # another constraint failed: no retry will help
    raise error(_("No free number could be drawn; please try again."))


def _order_prefix(year: int) -> str:
    return f"整改〔{year}〕第"


# Deadlines ----------------------------------------------------------------------------------


def _today(now: datetime.datetime | None = None) -> datetime.date:
    """The regulator's calendar day (Asia/Shanghai), whatever zone a request activated."""
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def is_past_deadline(order: RectificationOrder, now: datetime.datetime | None = None) -> bool:
    """An order is late once its deadline day has ended in the regulator's time zone."""
    return order.deadline < _today(now)


# Issuing ------------------------------------------------------------------------------------


def issue_order(
    *,
    actor,
    company: Company,
    requirements: str,
    deadline: datetime.date,
    inspection: Inspection | None = None,
    estate: Estate | None = None,
) -> RectificationOrder:
    """Issue an order (下达整改通知书) to ``company``, numbered 整改〔year〕第NNN号."""
    requirements = (requirements or "").strip()
    if inspection is not None:
        if not permissions.can_issue_order(actor, inspection):
            raise OrderError(_("You may not issue orders on this inspection."))
        if inspection.status != InspectionStatus.COMPLETED:
            raise OrderError(_("An order can be issued only on a completed inspection."))
        if inspection.company_id != company.pk:
            raise OrderError(
                _("The inspection was of another company, not of “%(company)s”.")
                % {"company": company}
            )
        if estate is not None and estate.pk != inspection.estate_id:
            raise OrderError(_("The estate is not the one the inspection was of."))
        estate = inspection.estate
    district_id = _district_of(company, estate, inspection)
    if inspection is None and not permissions.covers_district(actor, district_id):
        raise OrderError(_("You may not issue orders in this district."))
    if not requirements:
        raise OrderError(_("Say what the company must put right."))
    if deadline < _today():
        raise OrderError(
            _("The deadline %(date)s has already passed; choose a day from today on.")
            % {"date": deadline.isoformat()}
        )
    order = RectificationOrder(
        company=company,
        estate=estate,
        inspection=inspection,
        district_id=district_id,
        requirements=requirements,
        deadline=deadline,
        issued_by=actor,
        status=OrderStatus.ISSUED,
    )
    prefix = _order_prefix(_today().year)
    with transaction.atomic():
        save_with_number(order, "number", prefix, OrderError)
        audit.record(
            order,
            "cases.order.issued",
            actor=actor,
            to_status=OrderStatus.ISSUED,
            number=order.number,
            deadline=deadline.isoformat(),
            inspection=inspection.pk if inspection else None,
        )
        _tell_company(order)
    return order


def _district_of(company: Company, estate: Estate | None, inspection: Inspection | None) -> int:
    if estate is not None:
        return estate.district_id
    if inspection is not None:
        return inspection.district_id
    return company.district_id


# The company's side -------------------------------------------------------------------------


def acknowledge_order(order: RectificationOrder, *, actor) -> RectificationOrder:
    """The company confirms it received the order (签收)."""
    return ORDER_MACHINE.transition(
        order,
        OrderStatus.ACKNOWLEDGED,
        actor=actor,
        action="cases.order.acknowledged",
        authorise=_require_company,
        acknowledged_at=timezone.now(),
    )


def submit_rectification(
    order: RectificationOrder, *, actor, response: str, files
) -> RectificationOrder:
    """The company reports what it put right, with at least one photo or PDF as evidence.

    Every file is checked by its content before anything is written: one refused file refuses
    the submission and stores nothing. A repeated submission (a second click) returns quietly
    and stores nothing; the order is decided on what was submitted first.
    """
    files = list(files or [])
    response = (response or "").strip()
    _require_company(order, actor)  # company_id never changes: checked before the files
    if not response:
        raise OrderError(_("Describe what the company did to put it right."))
    if not files:
        raise OrderError(_("Attach at least one photo or PDF as evidence of the rectification."))
    for uploaded in files:
        try:
            validate_attachment(uploaded)
        except ValidationError as exc:
            raise OrderError(" ".join(exc.messages)) from exc
    now = timezone.now()
    with transaction.atomic():
        locked = ORDER_MACHINE.lock(order)
        if locked.status == OrderStatus.SUBMITTED:
            return locked
        if locked.status == OrderStatus.ISSUED:
            ORDER_MACHINE.move(
                locked,
                OrderStatus.ACKNOWLEDGED,
                actor=actor,
                action="cases.order.acknowledged",
                acknowledged_at=now,
            )
        ORDER_MACHINE.check(locked, OrderStatus.SUBMITTED)
        stored = [_store_evidence(locked, uploaded, actor) for uploaded in files]
        if locked.overdue_since is None and is_past_deadline(locked, now):
            # Late, and the sweep has not run yet: the same record as if it had.
            _mark_overdue(locked, now)
        ORDER_MACHINE.move(
            locked,
            OrderStatus.SUBMITTED,
            actor=actor,
            action="cases.order.submitted",
            data={"evidence": [e.pk for e in stored]},
            response=response,
            submitted_at=now,
        )
    order.refresh_from_db()
    return locked


def _store_evidence(order: RectificationOrder, uploaded, actor) -> RectificationEvidence:
    """Store a file ``validate_attachment`` accepted: a PDF as is, a photo re-encoded (which
    drops its EXIF and GPS position). The stored name is generated, never the uploader's."""
    uploaded.seek(0)
    kind = filetype.guess(uploaded.read(262))
    uploaded.seek(0)
    if kind is not None and kind.mime == PDF_MIME:
        content, content_type, extension = File(uploaded), PDF_MIME, "pdf"
    else:
        content, content_type, extension = reencode_photo(uploaded), "image/jpeg", "jpg"
    evidence = RectificationEvidence(order=order, content_type=content_type, uploaded_by=actor)
    evidence.file.save(f"{uuid.uuid4().hex}.{extension}", content, save=False)
    evidence.save()
    return evidence


# The regulator's decision -------------------------------------------------------------------


def verify_order(
    order: RectificationOrder, *, actor, note: str = "", reinspection: Inspection | None = None
) -> RectificationOrder:
    """The rectification is confirmed (复查合格), on the evidence and, when there was one, a
    completed re-inspection of this order."""
    with transaction.atomic():
        locked = ORDER_MACHINE.lock(order)
        _require_decider(locked, actor)
        if locked.status == OrderStatus.VERIFIED:
            return locked
        ORDER_MACHINE.check(locked, OrderStatus.VERIFIED)
        if not locked.evidence.exists():
            raise OrderError(_("An order cannot be verified without evidence."))
        if reinspection is not None and (
            reinspection.order_id != locked.pk or reinspection.status != InspectionStatus.COMPLETED
        ):
            raise OrderError(_("The re-inspection must be a completed inspection of this order."))
        ORDER_MACHINE.move(
            locked,
            OrderStatus.VERIFIED,
            actor=actor,
            action="cases.order.verified",
            data={"note": note, "reinspection": reinspection.pk if reinspection else None},
            **_decided(actor, note),
        )
    order.refresh_from_db()
    return locked


def fail_order(order: RectificationOrder, *, actor, note: str) -> RectificationOrder:
    """The rectification failed (整改不合格): a submitted one found wanting, or an open order
    past its deadline (an official's decision). It may lead to a penalty proposal."""
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic():
        locked = ORDER_MACHINE.lock(order)
        _require_decider(locked, actor)
        if locked.status == OrderStatus.FAILED:
            return locked
        if not note:
            raise OrderError(_("Say why the rectification failed."))
        if locked.status in OrderStatus.OPEN_STATES:
            if not is_past_deadline(locked, now):
                raise OrderError(
                    _("The deadline %(date)s has not passed: the company still has time.")
                    % {"date": locked.deadline.isoformat()}
                )
            if not permissions.is_official(actor):
                raise OrderError(_("Only an official may decide that an overdue order failed."))
            if locked.overdue_since is None:
                _mark_overdue(locked, now)
        ORDER_MACHINE.move(
            locked,
            OrderStatus.FAILED,
            actor=actor,
            action="cases.order.failed",
            data={"note": note},
            **_decided(actor, note),
        )
    order.refresh_from_db()
    return locked


# The sweep (Celery beat) --------------------------------------------------------------------


def flag_overdue_orders(now: datetime.datetime | None = None) -> int:
    """Flag each open order past its deadline day once (超期), with its credit record.
    Returns how many were flagged now; a second run flags nothing more."""
    now = now or timezone.now()
    today = _today(now)
    candidates = RectificationOrder.objects.filter(
        status__in=OrderStatus.OPEN_STATES, overdue_since__isnull=True, deadline__lt=today
    )
    flagged = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-checked under the lock: the company may have submitted meanwhile.
            locked = (
                RectificationOrder.objects.select_for_update()
                .filter(
                    pk=pk,
                    status__in=OrderStatus.OPEN_STATES,
                    overdue_since__isnull=True,
                    deadline__lt=today,
                )
                .first()
            )
            if locked is None:
                continue
            _mark_overdue(locked, now)
            _tell_officials_overdue(locked)
        flagged += 1
    return flagged


def _mark_overdue(locked: RectificationOrder, now: datetime.datetime) -> None:
    """Set ``overdue_since`` and write the audit entry and the credit record (keyed by the
    order, so it is written once however often this runs)."""
    locked.overdue_since = now
    locked.save(update_fields=["overdue_since"])
    audit.record(locked, "cases.order.overdue", actor=None, deadline=locked.deadline.isoformat())
    record_overdue_rectification(
        locked.company,
        source_key=f"rectification:{locked.pk}",
        label=locked.number,
        occurred_on=locked.deadline + datetime.timedelta(days=1),
    )


# The machinery ------------------------------------------------------------------------------


def _require_company(order: RectificationOrder, actor) -> None:
    if actor is None or not permissions.can_answer_order(actor, order):
        raise OrderError(_("Only staff of the company the order was issued to may answer it."))


def _require_decider(order: RectificationOrder, actor) -> None:
    if actor is None or not permissions.can_decide_order(actor, order):
        raise OrderError(_("Only regulator staff of the order's district may decide it."))


def _decided(actor, note: str) -> dict:
    return {"decided_by": actor, "decided_at": timezone.now(), "decision_note": note}


def _tell_company(order: RectificationOrder) -> None:
    """E-mail the company's staff (a message queued in this transaction, sent on commit)."""
    staff = company_staff(order.company_id)
    values = {"number": order.number, "date": order.deadline.isoformat()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rectification order %(number)s") % values
        body = (
            _(
                "Rectification order %(number)s was issued to your company; put it right by "
                "%(date)s and submit the evidence in the portal."
            )
            % values
        )
    tell_staff(staff, key=f"order:{order.pk}:issued", subject=subject, body=body)


def _tell_officials_overdue(order: RectificationOrder) -> None:
    values = {"number": order.number, "date": order.deadline.isoformat()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Rectification order %(number)s is overdue") % values
        body = (
            _(
                "Rectification order %(number)s was due by %(date)s and is still open. "
                "Decide whether it failed or needs a re-inspection."
            )
            % values
        )
    tell_staff(
        district_officials(order.district_id),
        key=f"order:{order.pk}:overdue",
        subject=subject,
        body=body,
    )
