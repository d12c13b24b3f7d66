from wagtail import hooks

from enterprises.admin.viewsets import RegisterViewSetGroup
from enterprises.log_actions import ACTIONS
from foundation import audit


@hooks.register("register_log_actions")
def register_register_actions(actions) -> None:
    audit.register_actions(actions, ACTIONS)


@hooks.register("register_admin_viewset")
def register_viewsets() -> RegisterViewSetGroup:
    return RegisterViewSetGroup()
