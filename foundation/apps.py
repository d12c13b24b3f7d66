from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FoundationConfig(AppConfig):
    name = "foundation"
    verbose_name = _("Foundation")

    def ready(self) -> None:
        from foundation import audit, roles

        # Groups need the permission rows, which exist only once every app has migrated.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="foundation.sync_roles")
        audit.connect_sign_in_events()
        # Files go with their records (foundation.storage).
        from foundation.storage import connect_file_deletion

        connect_file_deletion()
