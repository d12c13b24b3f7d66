"""The "Official review" workflow: an official's edit reaches the public site only once an
official approves it; a rejected edit never does; nobody else may edit or approve pages.

The rule implemented (portal.site.moderation): any member of the "official" group approves or
requests changes, the submitter included; nobody but a superuser publishes directly."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from wagtail.models import GroupPagePermission, TaskState, Workflow, WorkflowState
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from foundation.roles import Role
from portal.demo.content import seed_content
from portal.models import NoticePage
from portal.site.moderation import WORKFLOW_NAME, ensure_moderation
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/notices/2026-fire-safety/"
OLD_TEXT = "各物业服务企业应立即组织消防安全隐患排查"
NEW_TEXT = "十一月起每周开展一次消防通道专项巡查"


@pytest.fixture
def notice(site_pages, admin):
    seed_content(site_pages["home"], admin)
    ensure_moderation(site_pages["home"])
    return NoticePage.objects.get(slug="2026-fire-safety")


@pytest.fixture
def second_official(district_2):
    return make_user("second_official", Role.OFFICIAL, district=district_2)


def refusal() -> str:
    """The message refusing a direct publish, in Chinese: the admin's language for users
    who have not chosen one (LANGUAGE_CODE)."""
    with translation.override("zh-hans"):
        return translation.gettext(
            "Pages are published only when an official approves them: use “Submit for "
            "moderation” instead of “Publish”."
        )


def public_text(client) -> str:
    client.logout()
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def submit_through_admin(client, user, page, action="action-submit"):
    """An official's edit as the page editor posts it: the form as served, a new body."""
    client.force_login(user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = querydict_from_html(client.get(edit_url).content.decode(), form_id="page-edit-form")
    form["body"] = rich_text(f"<p>{NEW_TEXT}</p>")
    # The stream editor is drawn by JavaScript: post its (empty) stream as the browser would.
    form.update(nested_form_data({"attachments": streamfield([])}))
    form[action] = "1"
    return client.post(edit_url, form)


def submit_with_api(page, user) -> WorkflowState:
    page.body = f"<p>{NEW_TEXT}</p>"
    page.save_revision(user=user)
    return page.get_workflow().start(page, user)


def current_task(page) -> TaskState:
    page.refresh_from_db()
    return page.current_workflow_task_state.specific


def act(client, user, page, action_name):
    client.force_login(user)
    task_state = current_task(page)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action_name, task_state.pk])
    return client.post(url, {"comment": "请补充整改时限"} if action_name == "reject" else {})


def test_official_edit_is_hidden_until_another_official_approves_it(
    client, notice, official, second_official
):
    response = submit_through_admin(client, official, notice)

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.workflow_in_progress
    assert notice.has_unpublished_changes
    page = public_text(client)
    assert OLD_TEXT in page and NEW_TEXT not in page

    response = act(client, second_official, notice, "approve")

    assert response.status_code in (200, 302)
    page = public_text(client)
    assert NEW_TEXT in page and OLD_TEXT not in page
    notice.refresh_from_db()
    assert not notice.workflow_in_progress
    state = WorkflowState.objects.get(object_id=str(notice.pk))
    assert state.status == WorkflowState.STATUS_APPROVED
    assert state.requested_by == official
    assert state.current_task_state.finished_by == second_official


def test_rejected_edit_never_appears(client, notice, official, second_official):
    submit_with_api(notice, official)

    response = act(client, second_official, notice, "reject")

    assert response.status_code in (200, 302)
    task_state = TaskState.objects.get(workflow_state__object_id=str(notice.pk))
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.finished_by == second_official
    page = public_text(client)
    assert OLD_TEXT in page and NEW_TEXT not in page
    notice.refresh_from_db()
    assert NEW_TEXT not in notice.body


def test_submitting_official_may_approve_their_own_edit(client, notice, official):
    """Wagtail's group approval: every official reviews, the submitter included (documented in
    portal.site.moderation); the history still names who submitted and who approved."""
    submit_with_api(notice, official)

    act(client, official, notice, "approve")

    assert NEW_TEXT in public_text(client)


def test_editor_offers_officials_submission_but_no_direct_publish(client, notice, official):
    client.force_login(official)

    html = client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk])).content.decode()

    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html


def test_official_cannot_publish_without_review(client, notice, official):
    response = submit_through_admin(client, official, notice, action="action-publish")

    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert refusal() in messages
    assert NEW_TEXT not in public_text(client)
    notice.refresh_from_db()
    assert NEW_TEXT not in notice.body and not notice.has_unpublished_changes


def test_new_page_by_an_official_is_not_live_until_approved(
    client, notice, official, second_official
):
    draft = NoticePage(
        title="关于电梯年检的通知", slug="lift", date=notice.date, body=f"<p>{NEW_TEXT}</p>"
    )
    notice.get_parent().add_child(instance=draft)
    draft.unpublish()
    draft.save_revision(user=official)
    draft.get_workflow().start(draft, official)
    client.logout()
    assert client.get("/notices/lift/").status_code == 404

    act(client, second_official, draft, "approve")

    client.logout()
    assert NEW_TEXT in client.get("/notices/lift/").content.decode()


@pytest.mark.parametrize("outsider", ["inspector", "company_a_staff"])
def test_inspector_or_company_staff_cannot_edit_pages(client, notice, outsider, request):
    user = request.getfixturevalue(outsider)
    client.force_login(user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[notice.pk])

    assert client.get(edit_url).status_code in (302, 403)
    response = client.post(edit_url, {"title": "篡改", "body": rich_text("<p>x</p>")})

    assert response.status_code in (302, 403)
    notice.refresh_from_db()
    assert notice.title != "篡改" and not notice.has_unpublished_changes


def test_inspector_cannot_approve_a_submitted_edit(client, notice, official, inspector):
    submit_with_api(notice, official)

    response = act(client, inspector, notice, "approve")

    assert response.status_code in (302, 403)
    assert current_task(notice).status == TaskState.STATUS_IN_PROGRESS
    assert NEW_TEXT not in public_text(client)


def test_ensure_moderation_is_idempotent_and_takes_back_extra_rights(site_pages, official):
    home = site_pages["home"]
    workflow = ensure_moderation(home)
    officials = official.groups.get(name=Role.OFFICIAL)
    GroupPagePermission.objects.create(group=officials, page=home, permission_type="bulk_delete")

    assert ensure_moderation(home) == workflow
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1
    assert [task.specific.groups.get() for task in workflow.tasks] == [officials]
    codenames = set(
        GroupPagePermission.objects.filter(group=officials).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "lock_page", "publish_page", "unlock_page"}
    assert home.get_workflow() == workflow


def test_ensure_moderation_waits_for_a_home_page(db):
    assert ensure_moderation() is None
    assert not Workflow.objects.filter(name=WORKFLOW_NAME).exists()


def test_official_cannot_bulk_publish_a_draft(client, notice, official):
    submit_with_api(notice, official)
    client.force_login(official)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])

    response = client.post(f"{url}?id={notice.pk}", {"include_descendants": ""})

    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert refusal() in messages
    assert NEW_TEXT not in public_text(client)
    assert current_task(notice).status == TaskState.STATUS_IN_PROGRESS
