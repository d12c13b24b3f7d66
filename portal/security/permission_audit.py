"""Every change to who may do what is written to the audit log (权限变更审计).

Roles (group membership), a user's or a group's model permissions, django-guardian object
permissions and the superuser/staff/active flags can change from many places: the Wagtail
user and group screens, the project's grant functions (``enterprises.access``,
``cases.dispatch``), management commands, the shell. Signals catch them all; the actor is the
person whose request made the change, kept in a context variable by ``ActorMiddleware``, or
nobody (the system) outside a request. The event is written inside the change's transaction,
so a rolled-back change leaves no event and a recorded one really happened.
"""

from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

from foundation.audit import record_event

GROUPS_ADDED = "portal.permissions.groups_added"
GROUPS_REMOVED = "portal.permissions.groups_removed"
USER_PERMISSIONS_ADDED = "portal.permissions.user_permissions_added"
USER_PERMISSIONS_REMOVED = "portal.permissions.user_permissions_removed"
GROUP_PERMISSIONS_ADDED = "portal.permissions.group_permissions_added"
GROUP_PERMISSIONS_REMOVED = "portal.permissions.group_permissions_removed"
OBJECT_PERMISSION_GRANTED = "portal.permissions.object_granted"
OBJECT_PERMISSION_REVOKED = "portal.permissions.object_revoked"
FLAGS_CHANGED = "portal.permissions.flags_changed"

FLAGS = ("is_superuser", "is_staff", "is_active")

_request: ContextVar[HttpRequest | None] = ContextVar("portal_audit_request", default=None)


class ActorMiddleware:
    """Makes the current request (its user and address) known to the signal receivers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _record(action: str, label: str, filters: dict) -> None:
    request = _request.get()
    actor = getattr(request, "user", None) if request is not None else None
    record_event(actor=actor, action=action, label=label, filters=filters, row_count=None,
                 format="", request=request)  # fmt: skip


def _perm_names(pks) -> list[str]:
    perms = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
    return sorted(f"{app}.{codename}" for app, codename in perms)


def _usernames(pks) -> list[str]:
    User = get_user_model()
    return sorted(User.objects.filter(pk__in=pks).values_list(User.USERNAME_FIELD, flat=True))


# Group membership and model permissions (many-to-many) -----------------------------------


def _really_removed(instance, related, action, pk_set):
    """``remove()`` reports every key it was given and ``clear()`` none: note before the
    change which rows exist, so the event lists only what was actually taken away. (``add()``
    already reports only the new rows.)"""
    if action in ("pre_remove", "pre_clear"):
        rows = related.all() if action == "pre_clear" else related.filter(pk__in=pk_set)
        instance._portal_removing = set(rows.values_list("pk", flat=True))
    elif action in ("post_remove", "post_clear"):
        return instance.__dict__.pop("_portal_removing", set()), "post_remove"
    return pk_set, action


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    related = instance.user_set if reverse else instance.groups
    pk_set, action = _really_removed(instance, related, action, pk_set)
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    code = GROUPS_ADDED if action == "post_add" else GROUPS_REMOVED
    if reverse:  # group.user_set.add(users): one event per user, like the forward side
        for username in _usernames(pk_set):
            _record(code, username, {"user": username, "groups": [instance.name]})
    else:
        instance.__dict__.pop("_portal_roles", None)
        groups = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        username = instance.get_username()
        _record(code, username, {"user": username, "groups": groups})


def _permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """User.user_permissions and Group.permissions, either side of the relation."""
    for_users = sender is _user_perms()
    if reverse:
        related = instance.user_set if for_users else instance.group_set
    else:
        related = instance.user_permissions if for_users else instance.permissions
    pk_set, action = _really_removed(instance, related, action, pk_set)
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    added = action == "post_add"
    if for_users:
        code = USER_PERMISSIONS_ADDED if added else USER_PERMISSIONS_REMOVED
    else:
        code = GROUP_PERMISSIONS_ADDED if added else GROUP_PERMISSIONS_REMOVED
    if reverse:  # permission.user_set.add(...) / permission.group_set.add(...)
        perm = f"{instance.content_type.app_label}.{instance.codename}"
        holders = (
            _usernames(pk_set)
            if for_users
            else sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        )
        for holder in holders:
            _record(code, holder, {"user" if for_users else "group": holder, "permissions": [perm]})
        return
    holder = instance.get_username() if for_users else instance.name
    _record(
        code, holder, {"user" if for_users else "group": holder, "permissions": _perm_names(pk_set)}
    )


def _user_perms():
    return get_user_model().user_permissions.through


# django-guardian object permissions -------------------------------------------------------


def _object_permission_changed(sender, instance, signal, created=True, **kwargs) -> None:
    """A row saved is a grant, a row deleted (``remove_perm``, a cascade) a revocation."""
    if not created:
        return
    granted = signal is post_save
    perm = Permission.objects.get(pk=instance.permission_id)
    app_label = ContentType.objects.get_for_id(perm.content_type_id).app_label
    if hasattr(instance, "object_pk"):  # guardian's generic tables
        model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
        object_pk = instance.object_pk
    else:  # the direct foreign-key tables (UserObjectPermissionBase subclasses)
        model = instance._meta.get_field("content_object").related_model
        object_pk = instance.content_object_id
    if hasattr(instance, "user_id"):
        holder_key, holder = "user", _usernames([instance.user_id])
    else:
        holder_key = "group"
        holder = list(Group.objects.filter(pk=instance.group_id).values_list("name", flat=True))
    holder_name = holder[0] if holder else ""
    _record(
        OBJECT_PERMISSION_GRANTED if granted else OBJECT_PERMISSION_REVOKED,
        holder_name,
        {
            holder_key: holder_name,
            "permission": f"{app_label}.{perm.codename}",
            "object": f"{model._meta.label}:{object_pk}",
        },
    )


def _object_permission_models():
    from django.apps import apps
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    bases = (UserObjectPermissionBase, GroupObjectPermissionBase)
    return [m for m in apps.get_models() if issubclass(m, bases) and not m._meta.abstract]


# The superuser, staff and active flags ----------------------------------------------------


def _note_flags(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        return  # e.g. last_login on every sign-in
    before = None
    if instance.pk is not None:
        before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    instance._portal_flags_before = before


def _flags_changed(sender, instance, created, **kwargs) -> None:
    if "_portal_flags_before" not in instance.__dict__:
        return
    before = instance.__dict__.pop("_portal_flags_before") or dict.fromkeys(FLAGS, False)
    changed = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in FLAGS
        if before[flag] != getattr(instance, flag) and not (created and flag == "is_active")
    }
    if changed:
        username = instance.get_username()
        _record(FLAGS_CHANGED, username, {"user": username, **changed})


def connect_permission_events() -> None:
    """Called from PortalConfig.ready, once every model (guardian's tables) is loaded."""
    User = get_user_model()
    m2m_changed.connect(_groups_changed, sender=User.groups.through,
                        dispatch_uid="portal.audit.groups")  # fmt: skip
    for through in (User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_permissions_changed, sender=through,
                            dispatch_uid=f"portal.audit.perms.{through._meta.label}")  # fmt: skip
    for model in _object_permission_models():
        uid = f"portal.audit.object_perms.{model._meta.label}"
        post_save.connect(_object_permission_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_object_permission_changed, sender=model, dispatch_uid=uid)
    pre_save.connect(_note_flags, sender=User, dispatch_uid="portal.audit.flags_before")
    post_save.connect(_flags_changed, sender=User, dispatch_uid="portal.audit.flags")
