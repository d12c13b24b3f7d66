from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal.roles import sync_roles_after_migrate

        # Groups need the permission rows, which exist only once every app has migrated.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="portal.sync_roles")
