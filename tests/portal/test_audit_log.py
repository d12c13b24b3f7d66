"""The audit log is append-only: written by ``record_event``, never changed or deleted from the
application, neither one row at a time nor in bulk, nor by deleting the person it names."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import transaction
from django.db.models import ProtectedError
from django.http import QueryDict
from django.test import RequestFactory

from portal.audit_log import as_filters, record_event
from portal.models import AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(official):
    request = RequestFactory().get("/admin/x/", REMOTE_ADDR="10.1.2.3")
    return record_event(
        actor=official,
        action="portal.export.complaints",
        label="complaint_search",
        filters=QueryDict("q=电梯&status=new&status=accepted"),
        row_count=3,
        format="csv",
        request=request,
    )


def test_record_event_keeps_who_what_how_many_and_from_where(event, official):
    stored = AuditEvent.objects.get()
    assert stored.actor == official
    assert stored.action == "portal.export.complaints"
    assert stored.label == "complaint_search"
    assert stored.filters == {"q": "电梯", "status": ["new", "accepted"]}
    assert (stored.row_count, stored.format) == (3, "csv")
    assert stored.ip_address == "10.1.2.3"
    assert stored.created_at is not None


def test_the_system_and_visitors_are_recorded_without_an_actor(db):
    for actor in (None, AnonymousUser()):
        recorded = record_event(
            actor=actor, action="portal.test", label="", filters=None, row_count=None, format=""
        )
        assert recorded.actor_id is None
        assert recorded.ip_address is None


def test_a_saved_event_cannot_be_changed(event):
    event.row_count = 0
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    # Nor overwritten through a new object carrying its primary key.
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent(pk=event.pk, action="portal.forged", row_count=0).save()
    stored = AuditEvent.objects.get()
    assert (stored.action, stored.row_count) == ("portal.export.complaints", 3)


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_changes_and_deletions_are_refused(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(row_count=0)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update(row_count=0)
    event.row_count = 0
    # bulk_update's own atomic block has no savepoint: give it one, as a caller would.
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["row_count"])
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"row_count": 0})
    assert AuditEvent.objects.get().row_count == 3


def test_deleting_the_actor_is_refused_so_the_log_keeps_the_name(event, official):
    with pytest.raises(ProtectedError):
        official.delete()
    assert AuditEvent.objects.get().actor_id == official.pk


def test_no_permission_exists_to_add_change_or_delete_events(db):
    codenames = set(
        Permission.objects.filter(
            content_type__app_label="portal", codename__contains="audit"
        ).values_list("codename", flat=True)
    )
    assert codenames == {"view_auditevent"}


def test_filters_drop_the_parameters_that_do_not_choose_rows():
    params = QueryDict("q=lift&export=csv&p=3&district=1&district=2")
    assert as_filters(params, drop=("export", "p")) == {"q": "lift", "district": ["1", "2"]}
