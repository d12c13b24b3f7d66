"""Accounts that the records name are deactivated, never deleted (停用而非删除).

The audit log (and the case history) point at the person who acted with a protecting foreign
key: a government log must keep saying who did it. Deleting such an account would fail deep in
the database; Wagtail's user delete screen and its bulk delete ask first and, when something
protects the account, refuse with a message that says what to do instead. An account nobody's
record names (created by mistake, never used) can still be deleted.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext


def is_protected(user) -> bool:
    """Would deleting ``user`` be refused by a protecting foreign key (the audit log, ...)?"""
    collector = Collector(using=router.db_for_write(type(user), instance=user), origin=user)
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return True
    return False


def _refuse(request: HttpRequest, users) -> HttpResponse:
    names = ", ".join(u.get_username() for u in users)
    messages.error(
        request,
        ngettext(
            "%(users)s cannot be deleted: the audit log and case records must keep naming "
            "this account. Deactivate it instead (untick “Active” on the account).",
            "%(users)s cannot be deleted: the audit log and case records must keep naming "
            "these accounts. Deactivate them instead (untick “Active” on each account).",
            len(users),
        )
        % {"users": names},
    )
    return redirect("wagtailusers_users:index")


def refuse_deleting_a_named_user(request: HttpRequest, user) -> HttpResponse | None:
    """Wagtail's ``before_delete_user`` hook (GET and POST of the delete screen)."""
    return _refuse(request, [user]) if is_protected(user) else None


def refuse_bulk_deleting_named_users(request, action_type, objects, action_class_instance):
    """Wagtail's ``before_bulk_action`` hook for the users listing's bulk delete."""
    if action_type != "delete" or not objects or not isinstance(objects[0], get_user_model()):
        return None
    protected = [user for user in objects if is_protected(user)]
    return _refuse(request, protected) if protected else None


def register_hooks() -> None:
    """Called from PortalConfig.ready."""
    from wagtail import hooks

    hooks.register("before_delete_user", refuse_deleting_a_named_user)
    hooks.register("before_bulk_action", refuse_bulk_deleting_named_users)
