"""Who is told when an owners' matter runs late (a work report not submitted, an improvement
request not answered): the company's contact address and the district's officials (the heads
of department when the district has none). One message per recipient and key, through the
notification outbox, so a sweep run twice tells nobody twice."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from enterprises.models import Company
from foundation.notifications import notify
from foundation.roles import Role


def district_officials(district_id: int | None):
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.OFFICIAL)
    local = users.filter(staff_profile__district_id=district_id) if district_id else users.none()
    if local.exists():
        return local
    return users.filter(staff_profile__city_wide=True)


def site_language():
    """Messages to staff are written in the site's language, not the sweep's."""
    return translation.override(settings.LANGUAGE_CODE)


def tell_company_and_officials(
    company: Company | None, district_id: int | None, *, key: str, subject: str, body: str
) -> int:
    """Queue the message (rendered by the caller in ``site_language``); how many queued."""
    recipients = [(f"company:{company.pk}", company.contact_email)] if company else []
    recipients += [(f"user:{u.pk}", u.email) for u in district_officials(district_id)]
    return sum(
        notify(dedup_key=f"{key}:{who}", subject=subject, body=body, email=email)
        for who, email in recipients
        if email
    )
