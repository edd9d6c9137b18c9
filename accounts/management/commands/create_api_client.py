from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Agency
from accounts.scopes import SCOPES
from accounts.services import api_client_create
from core.models import BorderPost


class Command(BaseCommand):
    help = "Create a partner-agency API client with explicit scopes."

    def add_arguments(self, parser):
        parser.add_argument("agency", help="agency code")
        parser.add_argument("name", help="client name, unique within the agency")
        parser.add_argument("--scope", action="append", default=[], dest="scopes",
                            help=f"repeatable; one of: {', '.join(SCOPES)}")
        parser.add_argument("--post", action="append", default=[], dest="posts",
                            help="repeatable; a border post code where the client may open inspections "
                                 "(where its agency is allowed to work)")

    def handle(self, *args, agency, name, scopes, posts, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"no agency with code {agency!r}")
        border_posts = list(BorderPost.objects.filter(code__in=[p.upper() for p in posts]))
        unknown = sorted({p.upper() for p in posts} - {b.code for b in border_posts})
        if unknown:
            raise CommandError(f"no border post with code {', '.join(unknown)}")
        try:
            client = api_client_create(actor=None, agency=found, name=name, scopes=scopes, posts=border_posts)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"created {client} with scopes {', '.join(client.scopes) or '(none)'}")
