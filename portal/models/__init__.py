"""The public site's pages: the service pages, the published content, and the
register-backed pages."""

from portal.models.content import (
    ClauseBlock,
    NoticeIndexPage,
    NoticePage,
    StandardIndexPage,
    StandardPage,
)
from portal.models.directory import (
    CompanyDirectoryPage,
    DrawResultsPage,
    EnforcementIndexPage,
    SearchPage,
    StatisticsPage,
)
from portal.models.pages import ComplaintPage, HomePage, TrackingPage

__all__ = [
    "ClauseBlock",
    "CompanyDirectoryPage",
    "ComplaintPage",
    "DrawResultsPage",
    "EnforcementIndexPage",
    "HomePage",
    "NoticeIndexPage",
    "NoticePage",
    "SearchPage",
    "StandardIndexPage",
    "StandardPage",
    "StatisticsPage",
    "TrackingPage",
]
