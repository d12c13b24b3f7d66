"""``manage.py create_api_key NAME``: issue an Open311 API key to a partner system.

The key is printed once and stored only as a digest: if the partner loses it, issue a new one
and revoke the old (``PartnerApiKey.active = False``, see ``portal.open311.keys.revoke_key``).
"""

from django.core.management.base import BaseCommand, CommandError

from portal.open311.keys import issue_key


class Command(BaseCommand):
    help = "Issue an Open311 API key to a partner system and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The partner, e.g. '12345 hotline'.")

    def handle(self, *args, name: str, **options) -> None:
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Give the partner's name, 1 to 100 characters.")
        record, key = issue_key(name)
        self.stdout.write(f"Partner: {record.name}")
        self.stdout.write(f"Key prefix (shown to administrators): {record.prefix}")
        self.stdout.write(f"API key (shown only now, store it safely): {key}")
