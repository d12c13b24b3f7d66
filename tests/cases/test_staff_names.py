"""Staff names read as people write them (issue 24): Django's ``get_full_name()`` is
"first last", which showed 赵建国 as "建国 赵" on the dispatch form, the case page, the
dispatch table and the timeline. Chinese names family name first without a space; Latin
names as the record has them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.users.models import UserProfile

from cases import dispatch, notes, workflow
from cases.admin.workbench import unit_label
from foundation.names import display_name
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def test_display_name_puts_a_chinese_family_name_first_and_keeps_latin_names():
    User = get_user_model()
    assert display_name(User(username="z", first_name="建国", last_name="赵")) == "赵建国"
    assert display_name(User(username="o", first_name="司马", last_name="欧阳")) == "欧阳司马"
    assert display_name(User(username="j", first_name="Jane", last_name="Smith")) == "Jane Smith"
    assert display_name(User(username="only", first_name="", last_name="")) == "only"
    assert display_name(User(username="m", first_name="建国", last_name="")) == "建国"
    assert display_name(None) == ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_case_page_dispatch_form_and_timeline_show_zhao_jianguo(
    client, estate_x, official, inspector, language
):
    named(inspector, "建国", "赵")
    named(official, "Jane", "Smith")
    complaint = make_complaint(estate=estate_x).complaint
    workflow.accept_case(complaint, actor=official)
    profile = UserProfile.get_for_user(official)
    profile.preferred_language = language
    profile.save()
    client.force_login(official)
    url = reverse("cases_admin:case", args=[complaint.pk])

    # The dispatch form offers the inspector under his name as written.
    response = client.get(url)
    offer = next(o for o in response.context["actions"] if o["action"].name == "dispatch")
    choices = [label for _value, label in offer["form"].fields["inspector"].choices]
    assert "赵建国" in choices and "建国 赵" not in choices

    dispatch.dispatch_case(complaint, actor=official, inspector=inspector, company=None)
    notes.add_internal_note(complaint, actor=inspector, text="已联系物业")
    text = client.get(url).content.decode()
    assert "建国 赵" not in text
    # The dispatch table, the assigned inspector and the timeline's actor.
    assert text.count("赵建国") >= 3
    assert "Jane Smith" in text
    assert unit_label(inspector) == "赵建国"
