"""Reply templates (常用回复, issue 18): an unknown placeholder is refused on save, naming it;
the text is filled in the case's language; the case page offers each action's templates
and pre-fills the picked one (``?template=<id>``) for the handler to edit; the ruling on a
return is a form on the case page, for officials only; officials keep the templates."""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from cases import dispatch, workflow
from cases.models import Category, Complaint, ReplyAction, ReplyTemplate, RulingStatus
from cases.reply_templates import render_template
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday_morning(time_machine):
    time_machine.move_to("2026-03-10 10:00 +08:00", tick=False)


def template(action=ReplyAction.RESOLUTION, category="", **fields) -> ReplyTemplate:
    defaults = {
        "title": f"T-{action}-{category}",
        "text_zh": "您的投诉{tracking_number}（{estate}）已于{due_date}前办结。",
        "text_en": "Complaint {tracking_number} ({category}, {estate}) resolved by {due_date}.",
    }
    return ReplyTemplate.objects.create(action=action, category=category, **{**defaults, **fields})


def login(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


# Placeholders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("您的投诉{case_number}已办结", "{case_number}"),
        ("到期日{due_date:%Y}", "{due_date}"),
        ("编号{0}", "{0}"),
        ("未配对的括号{tracking_number", "brace"),
    ],
)
def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(text, named, english):
    with pytest.raises(ValidationError) as refusal:
        template(text_zh=text)
    assert named in str(refusal.value.message_dict["text_zh"])
    assert not ReplyTemplate.objects.exists()


def test_the_text_is_filled_in_the_cases_language(estate_x):
    complaint = make_complaint(estate=estate_x).complaint
    chosen = template(text_zh="{tracking_number}：{category}，{estate}，{due_date}，{{原样}}")
    due = f"{timezone.localtime(complaint.resolve_due_at):%Y-%m-%d}"
    with translation.override("zh-hans"):
        category = str(complaint.get_category_display())
    assert category != "Facilities and equipment (lifts, water, power)"
    assert render_template(chosen, complaint, "zh-hans") == (
        f"{complaint.tracking_number}：{category}，{estate_x.name}，{due}，{{原样}}"
    )
    assert render_template(chosen, complaint, "en") == (
        f"Complaint {complaint.tracking_number} (Facilities and equipment (lifts, water, "
        f"power), {estate_x.name}) resolved by {due}."
    )


# The case page ----------------------------------------------------------------------------


@pytest.fixture
def in_progress(estate_x, official, inspector):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, inspector=inspector)
    dispatch.sign_dispatch(complaint.dispatches.get(), actor=inspector)
    return Complaint.objects.get(pk=complaint.pk)


def test_the_case_page_offers_the_actions_templates_and_prefills_the_picked_one(
    client, in_progress, official
):
    Complaint.objects.filter(pk=in_progress.pk).update(language="en")
    matching = template()
    template(category=Category.FEES, title="Other category")
    template(title="Retired", active=False)
    template(action=ReplyAction.REJECTION, title="Not this action")
    login(client, official)
    url = reverse("cases_admin:case", args=[in_progress.pk])
    offers = {o["action"].name: o for o in client.get(url).context["actions"]}
    assert [t.title for t in offers["resolve"]["templates"]] == [matching.title]
    assert "templates" not in offers["note"]

    response = client.get(f"{url}?template={matching.pk}")
    resolve = next(o for o in response.context["actions"] if o["action"].name == "resolve")
    filled = f"Complaint {in_progress.tracking_number} (Facilities"
    assert resolve["form"]["reply"].value().startswith(filled)
    page = response.content.decode()
    assert 'id="action-resolve-panel" open' in page and filled in page


def test_a_template_of_another_action_prefills_nothing(client, in_progress, official):
    rejection = template(action=ReplyAction.REJECTION)
    login(client, official)
    url = reverse("cases_admin:case", args=[in_progress.pk])
    response = client.get(f"{url}?template={rejection.pk}")
    resolve = next(o for o in response.context["actions"] if o["action"].name == "resolve")
    assert not resolve["form"]["reply"].value() and "picked" not in resolve


@pytest.fixture
def returned(estate_x, official, company_a, company_a_staff):
    complaint = workflow.accept_case(make_complaint(estate=estate_x).complaint, actor=official)
    dispatch.dispatch_case(complaint, actor=official, company=company_a)
    row = complaint.dispatches.get()
    dispatch.return_dispatch(row, actor=company_a_staff, reason_code="other", reason="不归我们")
    return row


def test_the_official_upholds_a_return_and_redispatches_from_the_case_page(
    client, returned, official, inspector
):
    login(client, official)
    page = client.get(reverse("cases_admin:case", args=[returned.complaint_id]))
    [row] = page.context["dispatches"]
    assert [o["action"].name for o in row.actions] == ["rule_return"]
    assert f'id="dispatch-{returned.pk}-ruling"' in page.content.decode()
    prefix = f"rule_return-{returned.pk}"
    response = client.post(
        reverse("cases_admin:case_rule_return", args=[returned.complaint_id, returned.pk]),
        {f"{prefix}-decision": "uphold", f"{prefix}-redispatch": f"inspector:{inspector.pk}"},
    )
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.SUCCESS]
    returned.ruling.refresh_from_db()
    assert returned.ruling.status == RulingStatus.UPHELD
    assert Complaint.objects.get(pk=returned.complaint_id).assigned_inspector == inspector


def test_the_company_may_not_rule_on_its_own_return(client, returned, company_a_staff):
    login(client, company_a_staff)
    response = client.post(
        reverse("cases_admin:case_rule_return", args=[returned.complaint_id, returned.pk]),
        {f"rule_return-{returned.pk}-decision": "uphold"},
    )
    assert response.status_code == 404  # the company no longer sees the case
    returned.ruling.refresh_from_db()
    assert returned.ruling.status == RulingStatus.PENDING


# The templates' screen --------------------------------------------------------------------


def test_an_official_adds_a_template_and_an_unknown_placeholder_is_named(client, official):
    login(client, official)
    url = reverse("reply_templates:add")
    data = {
        "action": ReplyAction.QUESTION,
        "category": "",
        "title": "Building",
        "text_zh": "请补充{estate}的楼栋号",
        "text_en": "Which building in {estate_name}?",
        "active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and not ReplyTemplate.objects.exists()
    assert "{estate_name}" in str(response.context["form"].errors["text_en"])
    response = client.post(url, {**data, "text_en": "Which building in {estate}?"})
    assert response.status_code == 302 and ReplyTemplate.objects.get().title == "Building"


@pytest.mark.parametrize("who", ["inspector", "company_a_staff"])
def test_only_officials_keep_the_templates(request, client, who):
    login(client, request.getfixturevalue(who))
    response = client.get(reverse("reply_templates:index"))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
