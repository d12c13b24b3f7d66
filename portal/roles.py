"""Roles are Django groups; this table is the one place that says what each role may do
model-wide. Object-level rights (a company's own records, a case assigned to an inspector)
come from each app's ``permissions.py`` and django-guardian."""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CITIZEN = "citizen"
    COMPANY_STAFF = "company_staff"
    OWNERS_COMMITTEE = "owners_committee"
    EVALUATOR = "evaluator"
    INSPECTOR = "inspector"
    OFFICIAL = "official"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.CITIZEN: _("Citizen"),
    Role.COMPANY_STAFF: _("Property company staff"),
    Role.OWNERS_COMMITTEE: _("Owners' committee member"),
    Role.EVALUATOR: _("Third-party evaluator"),
    Role.INSPECTOR: _("Inspector"),
    Role.OFFICIAL: _("Official"),
    Role.ADMINISTRATOR: _("Administrator"),
}

_ADMIN = "wagtailadmin.access_admin"
_SEE_CASES = ["cases.view_complaint"]
_WORK_CASES = [
    *_SEE_CASES,
    "cases.change_complaint",
    "cases.search_complaints",
    "cases.view_complainant_personal_data",
]
_REGISTER = ["enterprises.view_company", "enterprises.view_estate"]
_REGISTER_RECORDS = [
    f"enterprises.view_{model}"
    for model in (
        "licence",
        "servicecontract",
        "disclosure",
        "evaluation",
        "creditrecord",
        "creditappeal",
    )
]
# The supervision screens open for regulator staff even before their first record (rows and
# actions are still decided by cases.permissions).
_SUPERVISION = [
    f"cases.view_{model}"
    for model in ("inspection", "rectificationorder", "penalty", "checklisttemplate", "campaign")
]
_EDIT_REGISTER = [
    "enterprises.add_company",
    "enterprises.change_company",
    "enterprises.add_estate",
    "enterprises.change_estate",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CITIZEN: [],
    Role.COMPANY_STAFF: [_ADMIN, *_SEE_CASES, "cases.search_complaints"],
    Role.OWNERS_COMMITTEE: [_ADMIN, *_SEE_CASES, "cases.search_complaints"],
    Role.EVALUATOR: [_ADMIN, *_REGISTER],
    Role.INSPECTOR: [_ADMIN, *_WORK_CASES, *_REGISTER, *_REGISTER_RECORDS, *_SUPERVISION],
    Role.OFFICIAL: [
        _ADMIN,
        *_WORK_CASES,
        *_REGISTER,
        *_REGISTER_RECORDS,
        *_EDIT_REGISTER,
        *_SUPERVISION,
        "cases.view_randomdraw",
    ],
    Role.ADMINISTRATOR: [
        _ADMIN,
        *_WORK_CASES,
        *_REGISTER,
        *_REGISTER_RECORDS,
        *_EDIT_REGISTER,
        *_SUPERVISION,
        "cases.view_randomdraw",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        # The audit log (审计日志) is read by administrators; nobody may change it.
        "portal.view_auditevent",
        "portal.view_district",
        "portal.add_district",
        "portal.change_district",
        "enterprises.change_creditpolicy",
        *[
            f"cases.{action}_{model}"
            for model in ("slarule", "calendaroverride")
            for action in ("view", "add", "change", "delete")
        ],
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


def sync_roles() -> None:
    """Create the groups and give each exactly its table's permissions (idempotent)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
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
