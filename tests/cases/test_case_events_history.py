"""Case events share Wagtail's site history with every other record's entries: working out
which case events a user may see must not decide which other entries they may see (Wagtail
caches that answer on the user, one attribute for every log model)."""

import pytest
from django.utils.functional import SimpleLazyObject
from wagtail.models import ModelLogEntry

from cases.models import CaseEvent
from foundation import audit
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lazy", [False, True], ids=["user", "request.user"])
def test_case_events_first_do_not_hide_other_records_history(admin, estate_x, lazy):
    """``request.user`` is a SimpleLazyObject: the cache must be kept off the wrapped user too
    (it was not, and the site history lost every penalty and licence entry at random: the
    order of the log models is a set's)."""
    make_complaint(estate=estate_x)  # a case event (its content type: complaints)
    audit.record(estate_x, "enterprises.company.imported", actor=None)
    user = SimpleLazyObject(lambda: type(admin).objects.get(pk=admin.pk)) if lazy else admin
    assert CaseEvent.objects.viewable_by_user(user).exists()
    others = ModelLogEntry.objects.viewable_by_user(user)
    assert others.filter(object_id=str(estate_x.pk), action="enterprises.company.imported")
