"""The public site's moderation (审核发布): every page under the home page goes through the
"Official review" workflow — an official drafts, submits, and an official approves, which
publishes it.

Who may do what:
- Officials may add, edit, lock and submit pages under the home page. Wagtail publishes an
  approved revision as the approver, so approvers need ``publish_page``; with it Wagtail would
  also offer them a direct "Publish" button. The hooks below take that button away and refuse
  a direct publish (editor, create view, bulk action) for everyone but superusers, so a page
  reaches the public only by approval. Officials may still unpublish (take a page down) at once.
- Any member of the "official" group (and any superuser) may approve or request changes; that
  is Wagtail's ``GroupApprovalTask`` rule. The submitting official is a member too, so a
  four-eyes rule (nobody approves their own edit) is not enforced: it would need a custom
  ``Task`` model. The workflow history records who submitted and who approved.
- Inspectors, company staff and everyone else get no page permissions at all.
"""

from django.contrib import messages
from django.contrib.auth.models import Group, Permission
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail import hooks
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from foundation.roles import Role

WORKFLOW_NAME = gettext_noop("Official review")
TASK_NAME = gettext_noop("Approval by an official")
# Wagtail page permissions officials hold on the home page and everything below it.
OFFICIAL_PAGE_PERMISSIONS = ("add_page", "change_page", "lock_page", "publish_page", "unlock_page")


def ensure_moderation(home_page: Page | None = None) -> Workflow | None:
    """Create (or repair) the workflow, its task, its assignment to the home page and the
    officials' page permissions. Idempotent; returns None when there is no home page yet."""
    from portal.models import HomePage

    home = home_page or HomePage.objects.first()
    if home is None:
        return None
    officials, _ = Group.objects.get_or_create(name=Role.OFFICIAL.value)

    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([officials])
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})

    wanted = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=OFFICIAL_PAGE_PERMISSIONS
    )
    for permission in wanted:
        GroupPagePermission.objects.get_or_create(group=officials, page=home, permission=permission)
    # Rights granted by hand beyond the table (bulk delete…) are taken back.
    GroupPagePermission.objects.filter(group=officials, page=home).exclude(
        permission__in=wanted
    ).delete()
    return workflow


def ensure_moderation_after_migrate(sender, app_config=None, **kwargs) -> None:
    """post_migrate receiver: after the last app (when ``sync_roles`` has made the groups),
    set up moderation if the home page already exists."""
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not None and app_config.label == last.label:
        ensure_moderation()


# Publishing only through the workflow -------------------------------------------------------


def _must_go_through_review(user, page: Page | None) -> bool:
    return not user.is_superuser and page is not None and page.get_workflow() is not None


def _publishes_directly(request) -> bool:
    return request.method == "POST" and "action-publish" in request.POST


def _refuse_direct_publish(request, back_to: str | None = None):
    messages.error(
        request,
        _(
            "Pages are published only when an official approves them: use “Submit for "
            "moderation” instead of “Publish”."
        ),
    )
    return redirect(back_to or request.get_full_path())


@hooks.register("construct_page_action_menu")
def hide_publish_button(menu_items: list, request, context: dict) -> None:
    page = context.get("page") if context.get("view") != "create" else context.get("parent_page")
    if _must_go_through_review(request.user, page):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("before_edit_page")
def refuse_publish_on_edit(request, page: Page):
    if _publishes_directly(request) and _must_go_through_review(request.user, page):
        return _refuse_direct_publish(request)
    return None


@hooks.register("before_create_page")
def refuse_publish_on_create(request, parent_page: Page, page_class):
    if _publishes_directly(request) and _must_go_through_review(request.user, parent_page):
        return _refuse_direct_publish(request)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type: str, objects, action_class_instance):
    if action_type == "publish" and any(
        _must_go_through_review(request.user, page) for page in objects if isinstance(page, Page)
    ):
        return _refuse_direct_publish(request, reverse("wagtailadmin_home"))
    return None
