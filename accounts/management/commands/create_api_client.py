from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from accounts.scopes import SCOPES
from accounts.services import api_client_create


class Command(BaseCommand):
    help = "Create a partner-agency API client with explicit scopes."

    def add_arguments(self, parser):
        parser.add_argument("agency", help="agency code")
        parser.add_argument("name", help="client name, unique within the agency")
        parser.add_argument("--scope", action="append", default=[], dest="scopes",
                            help=f"repeatable; one of: {', '.join(SCOPES)}")

    def handle(self, *args, agency, name, scopes, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"no agency with code {agency!r}")
        try:
            client = api_client_create(actor=None, agency=found, name=name, scopes=scopes)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"created {client} with scopes {', '.join(client.scopes) or '(none)'}")
