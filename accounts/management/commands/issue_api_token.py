from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiClient
from accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for a partner-agency client and print it once (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("client", help="AGENCY_CODE/client-name")
        parser.add_argument("--days", type=int, default=None, help="validity in days (default from settings)")
        parser.add_argument("--label", default="")

    def handle(self, *args, client, days, label, **options):
        agency_code, _, name = client.partition("/")
        found = ApiClient.objects.filter(agency__code=agency_code, name=name).first()
        if found is None:
            raise CommandError(f"no API client {client!r} (expected AGENCY_CODE/client-name)")
        try:
            token, raw = api_token_issue(actor=None, client=found, days=days, label=label)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"token (shown once): {raw}\nexpires at: {token.expires_at:%Y-%m-%d %H:%M %Z}")
