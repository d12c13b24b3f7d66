from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal.site.moderation import ensure_moderation_after_migrate

        # foundation (installed first) connects the roles' sync before this receiver, and
        # receivers run in order, so the "official" group exists.
        post_migrate.connect(ensure_moderation_after_migrate, dispatch_uid="portal.moderation")
        # The public page cache forgets every page when anything the site shows is published.
        from portal.site import page_cache

        page_cache.connect_signals()
        # Issue 9: who changed whose permissions, the idle clock, no deleting named accounts.
        from django.contrib.auth.signals import user_logged_in

        from portal.security import account_deletion, audit_admin, permission_audit, session_expiry

        permission_audit.connect_permission_events()
        user_logged_in.connect(session_expiry.stamp_on_login, dispatch_uid="portal.idle_stamp")
        account_deletion.register_hooks()
        audit_admin.register_hooks()
