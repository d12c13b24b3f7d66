"""Shared by the committee tests: an outbox per test, member lists, a filing, counts."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from enterprises import committees, people
from enterprises.models import CommitteeMember, Invitation, OwnersCommittee
from foundation.models import AuditEvent

TODAY = timezone.localdate()
GOOD_PASSWORD = "Lantern-harbour-42"


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "foundation.notifications.MemorySmsBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def members(*positions: str, tag: str = "") -> list[dict]:
    return [
        {
            "name": f"业主{tag}{n}",
            "email": f"owner{tag}{n}@example.test",
            "phone": f"1390000{n:04}" if not tag else "",
            "position": position,
        }
        for n, position in enumerate(positions)
    ]


THREE = ("chair", "vice_chair", "member")


def file(actor, estate, *, starts=TODAY, ends=None, people_=None, number="WYB-2026-001"):
    return committees.file_committee(
        actor=actor,
        estate=estate,
        term_starts_on=starts,
        term_ends_on=ends or starts + dt.timedelta(days=5 * 365),
        filing_number=number,
        members=people_ if people_ is not None else members(*THREE),
    )


def committee_actions() -> list[str]:
    events = AuditEvent.objects.filter(action__startswith="enterprises.committee.")
    return list(events.order_by("pk").values_list("action", flat=True))


def counts() -> tuple:
    return (
        OwnersCommittee.objects.count(),
        CommitteeMember.objects.count(),
        get_user_model().objects.count(),
        Invitation.objects.count(),
        AuditEvent.objects.filter(action__startswith="enterprises.").count(),
    )


def accept(email: str):
    message = next(m for m in mail.outbox if m.to == [email])
    token = re.search(r"/accounts/invitation/([^/\s]+)/", message.body).group(1)
    return people.accept_invitation(token, GOOD_PASSWORD)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def past_term(admin, estate, **kwargs):
    return file(
        admin,
        estate,
        starts=TODAY - dt.timedelta(days=400),
        ends=TODAY - dt.timedelta(days=1),
        **kwargs,
    )


def signed_in(client, user):
    client.force_login(user)
    return client
