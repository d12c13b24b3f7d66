"""Wagtail's users app with the portal's Users viewset (``users_viewset``); a module of its
own because an app config is imported before the models its views need."""

from wagtail.users.apps import WagtailUsersAppConfig


class PortalUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "portal.security.users_viewset.PortalUserViewSet"
