from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    role_permissions = "enterprises.permissions.ROLE_PERMISSIONS"
    verbose_name = _("Enterprises")
