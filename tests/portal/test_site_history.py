"""The administrators' site history lists every log model's entries, whichever model Wagtail
asks first (its registry keeps them in a set, so the order changes from process to process)."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page, PageLogEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("first", ["pages", "records"])
def test_administrators_see_records_and_pages_whichever_log_model_comes_first(
    admin, company_a, first
):
    log(instance=company_a, action="wagtail.edit", user=admin)
    log(instance=Page.get_first_root_node(), action="wagtail.edit", user=admin)
    models = list(log_action_registry.get_log_entry_models())
    models.sort(key=lambda model: (model is PageLogEntry) != (first == "pages"))
    client = Client()
    client.force_login(admin)
    with mock.patch.object(log_action_registry, "get_log_entry_models", return_value=models):
        response = client.get(reverse("site_history_administrators"))
    assert response.status_code == 200
    assert company_a.name in response.content.decode()
