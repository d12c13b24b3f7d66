"""``manage.py reset_second_factor USERNAME [--by ADMIN]``: remove a person's authenticator and
recovery codes (a lost phone), so their next sign-in enrols a new one. Audited, with the
administrator named by ``--by`` as the actor (the system otherwise)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.security.second_factor_devices import reset_second_factor


class Command(BaseCommand):
    help = "Remove a user's second-factor devices so that they enrol again at the next sign-in."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--by", default=None, help="The administrator asking for the reset.")

    def _user(self, username: str):
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def handle(self, *args, username: str, by: str | None, **options) -> None:
        user = self._user(username)
        actor = self._user(by) if by else None
        removed = reset_second_factor(user, actor=actor)
        self.stdout.write(
            f"{username}: {removed} device(s) removed; the next sign-in asks to enrol again."
        )
