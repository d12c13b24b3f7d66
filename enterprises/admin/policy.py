"""Model-level gate of the register screens.

Wagtail asks a permission policy whether a user may see a menu item or open a view at all;
the rows themselves always come from ``enterprises.permissions``. Company staff, committee
members and evaluators hold no model-wide ``view_*`` permissions, so "view" here also means
"has at least one record in their scope", and "add"/"change" follow the rule of each screen
(company staff apply for licences, officials register companies). Answers are cached on the
user object for the request: a listing asks the same question once per row.
"""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from enterprises import permissions
from enterprises.permissions import companies_acted_for, evaluated_estates

UserRule = Callable[[object], bool]
Scope = Callable[[object], QuerySet]
# Must not query the database: it runs for each listed row.
RowRule = Callable[[object, Model], bool]

CACHE_ATTRIBUTE = "_register_permissions"


def is_registrar(user) -> bool:
    """Officials and administrators keep the register of companies and estates."""
    return permissions.keeps_register(user)


def acts_for_a_company(user) -> bool:
    return companies_acted_for(user).exists()


def evaluates_an_estate(user) -> bool:
    return evaluated_estates(user).exists()


def _in_fixed_order(actions) -> list[str]:
    """Wagtail passes actions as a set, whose order changes with each process's hash seed;
    a fixed order (the record query of "view" last) keeps the page's queries the same."""
    return sorted(actions, key=lambda action: (action == "view", action))


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Only the ``actions`` a screen offers at all (closed records are never deleted, not
    even by a superuser); then the model permission, or else the screen's own rule:

    - view: at least one record in the user's scope;
    - add / change: ``can_add`` / ``can_change`` (user-level), and for one record also
      ``can_change_row`` (a published disclosure is final).

    Per record, the answer also requires the record to be inside the user's scope.
    """

    def __init__(
        self,
        model,
        *,
        scope: Scope,
        actions: frozenset[str],
        can_add: UserRule | None = None,
        can_change: UserRule | None = None,
        can_change_row: RowRule | None = None,
    ):
        super().__init__(model)
        self.scope = scope
        self.actions = actions
        self.rules = {"view": self._has_records, "add": can_add, "change": can_change}
        self.can_change_row = can_change_row

    def _has_records(self, user) -> bool:
        return self.scope(user).exists()

    def user_has_permission(self, user, action: str) -> bool:
        cache = getattr(user, CACHE_ATTRIBUTE, None)
        if cache is None:
            cache = {}
            setattr(user, CACHE_ATTRIBUTE, cache)
        key = (self.model._meta.label_lower, action)
        if key not in cache:
            cache[key] = self._decide(user, action)
        return cache[key]

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in _in_fixed_order(actions))

    def _decide(self, user, action: str) -> bool:
        if action not in self.actions or not (user.is_authenticated and user.is_active):
            return False
        if super().user_has_permission(user, action):
            return True
        rule = self.rules.get(action)
        return rule is not None and rule(user)

    def user_may_change_row(self, user, instance: Model) -> bool:
        """The query-free part of the per-record answer, for listings."""
        if not self.user_has_permission(user, "change"):
            return False
        return self.can_change_row is None or self.can_change_row(user, instance)

    def user_has_permission_for_instance(self, user, action: str, instance: Model) -> bool:
        if not self.user_has_permission(user, action):
            return False
        if action == "change" and not self.user_may_change_row(user, instance):
            return False
        return self.scope(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        if self.user_has_any_permission(user, actions):
            return self.scope(user)
        return self.model._default_manager.none()
