"""The audit log is append-only: written by ``record_event``, never changed or deleted from the
application, neither one row at a time nor in bulk, nor by deleting the person it names."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import transaction
from django.db.models import ProtectedError
from django.http import QueryDict
from django.test import RequestFactory

from foundation.audit import as_filters, record_event
from foundation.models import AuditEvent, AuditLogIsAppendOnly

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
    stored = AuditEvent.objects.get(pk=event.pk)
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
    stored = AuditEvent.objects.get(pk=event.pk)
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
    assert AuditEvent.objects.get(pk=event.pk).row_count == 3


def test_deleting_the_actor_is_refused_so_the_log_keeps_the_name(event, official):
    with pytest.raises(ProtectedError):
        official.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == official.pk


def test_no_permission_exists_to_add_change_or_delete_events(db):
    codenames = set(
        Permission.objects.filter(
            content_type__app_label="foundation", codename__contains="audit"
        ).values_list("codename", flat=True)
    )
    assert codenames == {"view_auditevent"}


def test_filters_drop_the_parameters_that_do_not_choose_rows():
    params = QueryDict("q=lift&export=csv&p=3&district=1&district=2")
    assert as_filters(params, drop=("export", "p")) == {"q": "lift", "district": ["1", "2"]}


# Issue 9: the database refuses too, and Wagtail refuses to delete a named account ---------


def test_the_database_refuses_raw_updates_and_deletes(event):
    from django.db import DatabaseError, connection

    assert connection.vendor == "postgresql"
    for sql in (
        "UPDATE portal_auditevent SET row_count = 0 WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ):
        refused = pytest.raises(DatabaseError, match="append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).row_count == 3


@pytest.fixture
def root(django_user_model):
    from tests.factories import give_second_factor

    return give_second_factor(django_user_model.objects.create_superuser("root", "r@x.test", "x"))


def test_wagtail_refuses_to_delete_an_account_the_log_names(event, official, root, client):
    from django.urls import reverse
    from django.utils import translation

    client.force_login(root)
    url = reverse("wagtailusers_users:delete", args=[official.pk])
    for response in (client.get(url, follow=True), client.post(url, follow=True)):
        assert response.status_code == 200
        with translation.override("zh-hans"):
            assert translation.gettext("Deactivate it instead") in response.content.decode()
    assert type(official).objects.filter(pk=official.pk).exists()


def test_an_account_nobody_names_can_still_be_deleted(citizen, root, client):
    from django.urls import reverse

    client.force_login(root)
    response = client.post(reverse("wagtailusers_users:delete", args=[citizen.pk]))
    assert response.status_code == 302
    assert not type(citizen).objects.filter(pk=citizen.pk).exists()


def test_the_admin_audit_screen_lists_and_shows_but_offers_no_change(event, root, client):
    from django.urls import reverse

    client.force_login(root)
    listing = client.get(reverse("audit_log:index"))
    assert listing.status_code == 200
    assert "complaint_search" in listing.content.decode()
    assert client.get(reverse("audit_log:inspect", args=[event.pk])).status_code == 200
    for url in (
        reverse("audit_log:add"),
        reverse("audit_log:edit", args=[event.pk]),
        reverse("audit_log:delete", args=[event.pk]),
    ):
        for response in (client.get(url), client.post(url, {"label": "forged"})):
            # Wagtail answers a refused admin view with a redirect to the dashboard.
            assert response.status_code == 302 and response["Location"] == "/admin/", url
    for href in ("/admin/audit_log/edit/", "/admin/audit_log/delete/", "/admin/audit_log/new/"):
        assert href not in listing.content.decode()
    assert AuditEvent.objects.get(pk=event.pk).label == "complaint_search"


def test_the_audit_screen_is_closed_to_staff_without_the_view_permission(event, official, client):
    from django.urls import reverse

    client.force_login(official)
    response = client.get(reverse("audit_log:index"))
    assert response.status_code == 302 and response["Location"] == "/admin/"
