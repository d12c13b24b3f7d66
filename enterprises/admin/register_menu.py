"""The 企业监管 menu: the register's viewsets, each shown to users with something in it."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup

from enterprises.admin.association import HonourViewSet, PeerReviewViewSet
from enterprises.admin.good_conduct import GoodConductViewSet, TrainingSessionViewSet
from enterprises.admin.viewsets import (
    CompanyViewSet,
    CreditAppealViewSet,
    CreditRecordViewSet,
    DisclosureViewSet,
    EstateViewSet,
    EvaluationViewSet,
    LicenceViewSet,
    ServiceContractViewSet,
)


class RegisterViewSetGroup(ViewSetGroup):
    menu_label = _("Register")
    menu_icon = "site"
    menu_order = 250
    items = (
        CompanyViewSet,
        EstateViewSet,
        LicenceViewSet,
        ServiceContractViewSet,
        DisclosureViewSet,
        EvaluationViewSet,
        CreditRecordViewSet,
        CreditAppealViewSet,
        GoodConductViewSet,
        TrainingSessionViewSet,
        PeerReviewViewSet,
        HonourViewSet,
    )
