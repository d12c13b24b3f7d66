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
from portal.models.faq import FaqIndexPage, FaqPage
from portal.models.pages import ComplaintPage, HomePage, TrackingPage

__all__ = [
    "ClauseBlock",
    "CompanyDirectoryPage",
    "ComplaintPage",
    "DrawResultsPage",
    "EnforcementIndexPage",
    "FaqIndexPage",
    "FaqPage",
    "HomePage",
    "NoticeIndexPage",
    "NoticePage",
    "SearchPage",
    "StandardIndexPage",
    "StandardPage",
    "StatisticsPage",
    "TrackingPage",
]
