"""Roles are Django groups. What each role may do model-wide is declared beside the models it
concerns: this module's table for the foundation's own, each app's
``permissions.ROLE_PERMISSIONS`` for the app's (named by its ``AppConfig.role_permissions``);
``sync_roles`` merges them. Object-level rights (a company's own records, a case assigned to
an inspector) come from each app's ``permissions.py`` and django-guardian."""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CITIZEN = "citizen"
    COMPANY_STAFF = "company_staff"
    OWNERS_COMMITTEE = "owners_committee"
    EVALUATOR = "evaluator"
    ASSOCIATION = "association"
    INSPECTOR = "inspector"
    OFFICIAL = "official"
    ADMINISTRATOR = "administrator"
    # Registers complaints received by phone, at the counter, by letter ... (受理员/话务员).
    INTAKE_CLERK = "intake_clerk"


ROLE_LABELS = {
    Role.CITIZEN: _("Citizen"),
    Role.COMPANY_STAFF: _("Property company staff"),
    Role.OWNERS_COMMITTEE: _("Owners' committee member"),
    Role.EVALUATOR: _("Third-party evaluator"),
    Role.ASSOCIATION: _("Industry association"),
    Role.INSPECTOR: _("Inspector"),
    Role.OFFICIAL: _("Official"),
    Role.ADMINISTRATOR: _("Administrator"),
    Role.INTAKE_CLERK: _("Intake clerk / hotline operator"),
}

# What every role is given by the foundation itself; each app adds its own model-wide
# permissions in its ``permissions.ROLE_PERMISSIONS``, named by ``AppConfig.role_permissions``.
ADMIN_ACCESS = "wagtailadmin.access_admin"
STAFF_ROLES = (
    Role.COMPANY_STAFF,
    Role.OWNERS_COMMITTEE,
    Role.EVALUATOR,
    Role.ASSOCIATION,
    Role.INSPECTOR,
    Role.OFFICIAL,
    Role.ADMINISTRATOR,
    Role.INTAKE_CLERK,
)
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    **{role: [ADMIN_ACCESS] for role in STAFF_ROLES},
    Role.ADMINISTRATOR: [
        ADMIN_ACCESS,
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        # The audit log (审计日志) is read by administrators; nobody may change it.
        "foundation.view_auditevent",
        "foundation.view_district",
        "foundation.add_district",
        "foundation.change_district",
    ],
}

REGULATOR_STAFF = frozenset({Role.INSPECTOR, Role.OFFICIAL, Role.ADMINISTRATOR})


def roles_of(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR}
        user._portal_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    """Whether ``user`` holds any of ``roles`` (a superuser counts as an administrator).
    The apps' ``permissions`` modules build their predicates on this; nothing else should
    test role names."""
    return not roles_of(user).isdisjoint(roles)


def all_role_permissions() -> dict[Role, list[str]]:
    """The foundation's table merged with each installed app's ``role_permissions`` table."""
    from django.apps import apps

    merged: dict[Role, list[str]] = {role: [] for role in Role}
    tables = [ROLE_PERMISSIONS]
    for config in apps.get_app_configs():
        dotted = getattr(config, "role_permissions", None)
        if dotted:
            tables.append(import_string(dotted))
    for table in tables:
        for role, names in table.items():
            merged[role].extend(name for name in names if name not in merged[role])
    return merged


def sync_roles() -> None:
    """Create the groups and give each exactly its table's permissions (idempotent)."""
    for role, perm_names in all_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


def sync_roles_after_migrate(sender, app_config=None, **kwargs) -> None:
    # Run once, after the last app's post_migrate, when every permission row exists.
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not None and app_config.label == last.label:
        sync_roles()
