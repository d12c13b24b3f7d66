"""The portal app's records: districts and staff (core), the service pages, the published
content, and the register-backed pages."""

from portal.models.audit import AuditEvent, AuditLogIsAppendOnly
from portal.models.content import (
    ClauseBlock,
    NoticeIndexPage,
    NoticePage,
    StandardIndexPage,
    StandardPage,
)
from portal.models.core import District, Notification, StaffProfile
from portal.models.directory import (
    CompanyDirectoryPage,
    DrawResultsPage,
    EnforcementIndexPage,
    SearchPage,
    StatisticsPage,
)
from portal.models.pages import ComplaintPage, HomePage, TrackingPage

__all__ = [
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "ClauseBlock",
    "CompanyDirectoryPage",
    "ComplaintPage",
    "DrawResultsPage",
    "District",
    "EnforcementIndexPage",
    "HomePage",
    "NoticeIndexPage",
    "NoticePage",
    "Notification",
    "SearchPage",
    "StaffProfile",
    "StandardIndexPage",
    "StandardPage",
    "StatisticsPage",
    "TrackingPage",
]
