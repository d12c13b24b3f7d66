"""The audit writers: the one place every app records who did what.

Two logs, one module:
- ``record``/``record_many``: what happened to a record (a licence approved, a penalty served),
  as Wagtail log entries, so each record's history view in the admin lists them. Written
  inside the transition's transaction; the action code must be registered by its app
  (``register_actions`` from a ``register_log_actions`` hook).
- ``record_event``: the append-only audit log (审计日志) of exports, sign-ins, permission
  changes and views of personal data (``AuditEvent``). One INSERT, committed at once outside a
  transaction, so it stands even when written at the end of a streamed response.

Action codes are dotted: ``enterprises.licence.suspended``, ``portal.export.complaints``.
"""

import uuid
from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from foundation.models import AuditEvent

# Records' history (Wagtail log entries) ---------------------------------------------------


def register_actions(actions, table: Mapping) -> None:
    """Register an app's ``{code: label}`` table with Wagtail's log action registry."""
    for code, label in table.items():
        actions.register_action(code, label, label)


def _user_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _check_registered(action: str) -> None:
    if not log_registry.action_exists(action):
        raise ValueError(f"unregistered audit action {action!r}")


def record(instance, action: str, *, actor=None, **data) -> None:
    """Write one history entry for ``instance``; ``actor`` None means the system (a sweep)."""
    _check_registered(action)
    log(instance=instance, action=action, user=_user_or_none(actor), data=data)


def record_many(entries: list[tuple[object, dict]], action: str, *, actor=None) -> None:
    """One history entry per instance, written in one bulk insert and sharing one uuid (so the
    history shows them as one user action). For bulk work such as an import, where one
    ``record`` per row cost more than the import itself."""
    _check_registered(action)
    if not entries:
        return
    user = _user_or_none(actor)
    content_type = ContentType.objects.get_for_model(type(entries[0][0]))
    now, batch = timezone.now(), uuid.uuid4()
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(instance.pk),
                label=str(instance),
                action=action,
                data=data,
                timestamp=now,
                uuid=batch,
                user=user,
            )
            for instance, data in entries
        ],
        batch_size=1000,
    )


# The audit log (审计日志) -------------------------------------------------------------------

EXPORT_COMPLAINTS = "portal.export.complaints"
EXPORT_REGISTER = "portal.export.register"
EXPORT_SUPERVISION = "portal.export.supervision"
PERSONAL_DATA_EXPORTED = "portal.personal_data.exported"
# A staff member was shown one complainant's unmasked personal data (the case page).
PERSONAL_DATA_VIEWED = "cases.complaint.personal_data_viewed"
# The retention rule removed the personal data of long-closed cases (cases.retention).
PERSONAL_DATA_ANONYMISED = "cases.complaint.personal_data_anonymised"


def record_event(
    *,
    actor,
    action: str,
    label: str,
    filters: Mapping | QueryDict | None,
    row_count: int | None = None,
    format: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event; ``actor`` None (or anonymous) is the system or a visitor. Exports
    give the rows and format they wrote; other events have neither."""
    # One INSERT is atomic on its own: no transaction of its own (two round trips fewer on
    # every case page that shows personal data).
    return AuditEvent.objects.create(
        actor=_user_or_none(actor),
        action=action,
        label=str(label)[:200],
        filters=as_filters(filters),
        row_count=row_count,
        format=format,
        ip_address=_client_ip(request),
    )


def record_personal_data_view(complaint, *, actor, request: HttpRequest | None) -> AuditEvent:
    """One event per showing of a complainant's unmasked personal data: who, which complaint
    (its id in the parameters, its tracking number as the label), from where."""
    return record_event(
        actor=actor,
        action=PERSONAL_DATA_VIEWED,
        label=complaint.tracking_number,
        filters={"complaint": complaint.pk},
        row_count=1,
        format="",
        request=request,
    )


def as_filters(params: Mapping | QueryDict | None, *, drop: tuple[str, ...] = ()) -> dict:
    """Query parameters as JSON: one value as a string, a repeated one as a list."""
    if params is None:
        return {}
    if isinstance(params, QueryDict):
        return {
            name: values[0] if len(values) == 1 else values
            for name, values in params.lists()
            if name not in drop
        }
    return {name: value for name, value in params.items() if name not in drop}


def _client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: behind a proxy this is the proxy until issue 9 reads X-Forwarded-For.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


# Sign-ins (登录审计) ------------------------------------------------------------------------

LOGIN = "portal.auth.login"
LOGIN_FAILED = "portal.auth.login_failed"
LOGOUT = "portal.auth.logout"


def _logged_in(sender, request, user, **kwargs) -> None:
    record_event(actor=user, action=LOGIN, label=user.get_username(), filters=None,
                 row_count=None, format="", request=request)  # fmt: skip


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    """The username tried, never the password (Django has already cleansed it anyway)."""
    username = str(credentials.get("username", ""))[:150]
    record_event(actor=None, action=LOGIN_FAILED, label=username, filters=None,
                 row_count=None, format="", request=request)  # fmt: skip


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(actor=user, action=LOGOUT, label=user.get_username(), filters=None,
                     row_count=None, format="", request=request)  # fmt: skip


def connect_sign_in_events() -> None:
    """Called from FoundationConfig.ready: every sign-in, failed sign-in and sign-out is logged."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_logged_in, dispatch_uid="portal.audit.login")
    user_login_failed.connect(_login_failed, dispatch_uid="portal.audit.login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="portal.audit.logout")
