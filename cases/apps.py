from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    role_permissions = "cases.permissions.ROLE_PERMISSIONS"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from wagtail.log_actions import registry

        from cases.models import CaseEvent, Complaint

        # Timeline entries of a complaint go to CaseEvent, so Wagtail's history shows them.
        registry.register_model(Complaint, CaseEvent)
