from wagtail import hooks

from enterprises.admin.viewsets import RegisterViewSetGroup
from enterprises.audit import register_actions

hooks.register("register_log_actions", register_actions)


@hooks.register("register_admin_viewset")
def register_viewsets() -> RegisterViewSetGroup:
    return RegisterViewSetGroup()
