"""The admin as the portal's, not Wagtail's: Wagtail's own help items (what's new in Wagtail,
its editor guide on wagtail.org) and version footer are left out of the menus; the name and
emblem are in portal/templates/wagtailadmin/."""

from wagtail import hooks
from wagtail.admin.menu import SubmenuMenuItem
from wagtail.admin.wagtail_hooks import SettingsMenuItem

WAGTAIL_HELP_ITEMS = ("whats-new-in-wagtail-", "editor-guide")


@hooks.register("construct_help_menu")
def leave_out_wagtails_help(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(WAGTAIL_HELP_ITEMS)]


@hooks.register("construct_main_menu")
def leave_out_wagtails_version(request, menu_items):
    """Wagtail's Settings menu writes "Wagtail v…" under its items; the same menu without."""
    for position, item in enumerate(menu_items):
        if isinstance(item, SettingsMenuItem):
            menu_items[position] = SubmenuMenuItem(
                item.label,
                item.menu,
                name=item.name,
                icon_name=item.icon_name,
                classname=item.classname,
                order=item.order,
            )


@hooks.register("register_admin_viewset")
def register_intake():
    """Staff intake (代录) and the phone look-up (portal.intake)."""
    from portal.intake.views import IntakeViewSet

    return IntakeViewSet()


@hooks.register("register_admin_menu_item")
def register_caller_look_up():
    from portal.intake.views import look_up_menu_item

    return look_up_menu_item()


@hooks.register("construct_case_page_panels")
def add_answer_at_once_panel(request, complaint, panels: list) -> None:
    """Answer a consultation at once (即问即答) from the case page, for whom may."""
    from portal.intake.consultations import AnswerAtOncePanel
    from portal.intake.views import consultation_answerable

    if consultation_answerable(request.user, complaint):
        panels.append(AnswerAtOncePanel(complaint))
