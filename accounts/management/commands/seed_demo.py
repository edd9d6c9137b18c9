"""Demo data for the embedded default: border posts, users of every role, a partner client.

Idempotent: what exists is left as it is. Each app may add its own demo data in
`<app>/demo.py` with `def seed(stdout) -> None`, called after the core data exists."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts import tokens
from accounts.models import Agency, ApiClient, ApiToken, User
from accounts.permissions import Role
from accounts.services import agency_create, api_client_create, user_create
from audit.services import audit_log
from core.discovery import app_modules
from core.models import Booth, BoothKind, BorderPost, Direction, PostKind

POSTS = [
    ("BGW", "Baghdad International Airport", "مطار بغداد الدولي", PostKind.AIRPORT, "", "33.262539", "44.234578",
     [("A1", "Arrivals 1", BoothKind.PASSENGER, Direction.ENTRY), ("A2", "Arrivals 2", BoothKind.PASSENGER, Direction.ENTRY),
      ("D1", "Departures 1", BoothKind.PASSENGER, Direction.EXIT), ("D2", "Departures 2", BoothKind.PASSENGER, Direction.EXIT)]),
    ("IBK", "Ibrahim Khalil", "إبراهيم الخليل", PostKind.LAND, "TUR", "37.060556", "42.361944",
     [("P1", "Passengers 1", BoothKind.PASSENGER, Direction.BOTH), ("P2", "Passengers 2", BoothKind.PASSENGER, Direction.BOTH),
      ("V1", "Vehicles 1", BoothKind.VEHICLE, Direction.BOTH)]),
    ("ZRB", "Zurbatiyah", "زرباطية", PostKind.LAND, "IRN", "33.148611", "46.002222",
     [("P1", "Passengers 1", BoothKind.PASSENGER, Direction.BOTH), ("V1", "Vehicles 1", BoothKind.VEHICLE, Direction.BOTH)]),
    ("QAIM", "Al-Qaim green-border sector", "قطاع القائم", PostKind.GREEN_BORDER, "SYR", "34.380000", "40.990000",
     [("PU1", "Patrol unit 1", BoothKind.PATROL, Direction.BOTH), ("PU2", "Patrol unit 2", BoothKind.PATROL, Direction.BOTH)]),
]

AGENCIES = [
    ("BPD", "Border Ports Directorate", "border"),
    ("POLICE", "National Police", "police"),
    ("INTEL", "National Intelligence Service", "intelligence"),
    ("STATS", "Central Statistics Organisation", "statistics"),
]

USERS = [
    # username, password, role, agency, posts, national
    ("admin", "demo-admin-2026", Role.ADMIN, "BPD", [], True),
    ("supervisor", "demo-supervisor-2026", Role.SUPERVISOR, "BPD", [], True),
    ("supervisor.north", "demo-supervisor-2026", Role.SUPERVISOR, "BPD", ["IBK", "ZRB"], False),
    ("officer1", "demo-officer-2026", Role.OFFICER, "BPD", ["BGW"], False),
    ("officer2", "demo-officer-2026", Role.OFFICER, "BPD", ["IBK", "ZRB"], False),
    ("patrol1", "demo-officer-2026", Role.OFFICER, "BPD", ["QAIM"], False),
]

# A fixed token so that the printed demo credentials stay valid across runs. Demo only:
# seed_demo refuses to run when BMIS_DEMO_ALLOWED is off (the default when DEBUG is off).
DEMO_CLIENT = ("POLICE", "screening", ["screening:write", "persons:read", "movements:read", "hits:read", "watchlists:read"])
DEMO_TOKEN = "bmis_demopolice01_DemoOnlyTokenForTheEmbeddedDefault_NotForProduction"


class Command(BaseCommand):
    help = "Create demo border posts, users, agencies and a partner client (idempotent)."

    def handle(self, *args, **options):
        if not settings.BMIS_DEMO_ALLOWED:
            raise CommandError("demo data is disabled here (set BMIS_DEMO_ALLOWED=true to allow it)")
        with transaction.atomic():
            created = self._seed_core()
        for module in app_modules("demo"):
            module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} objects created this run)."))
        self._print_credentials()

    def _seed_core(self) -> int:
        created = 0
        agencies = {}
        for code, name, kind in AGENCIES:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                agency = agency_create(actor=None, code=code, name=name, kind=kind)
                created += 1
            agencies[code] = agency
        posts = {}
        for code, name, local, kind, neighbour, lat, lon, booths in POSTS:
            post = BorderPost.objects.filter(code=code).first()
            if post is None:
                post = BorderPost(code=code, name=name, name_local=local, kind=kind, country="IRQ",
                                  neighbour_country=neighbour, latitude=Decimal(lat), longitude=Decimal(lon))
                post.full_clean()
                post.save()
                audit_log(actor=None, action="borderpost.create", obj=post, metadata={"via": "seed_demo"})
                created += 1
            for booth_code, booth_name, booth_kind, direction in booths:
                if not Booth.objects.filter(post=post, code=booth_code).exists():
                    booth = Booth(post=post, code=booth_code, name=booth_name, kind=booth_kind, direction=direction)
                    booth.full_clean()
                    booth.save()
                    audit_log(actor=None, action="booth.create", obj=booth, metadata={"via": "seed_demo"})
                    created += 1
            posts[code] = post
        for username, password, role, agency, post_codes, national in USERS:
            if not User.objects.filter(username=username).exists():
                user_create(actor=None, username=username, password=password, role=role,
                            agency=agencies[agency], posts=[posts[c] for c in post_codes], is_national=national)
                created += 1
        agency_code, name, scopes = DEMO_CLIENT
        client = ApiClient.objects.filter(agency__code=agency_code, name=name).first()
        if client is None:
            client = api_client_create(actor=None, agency=agencies[agency_code], name=name, scopes=scopes)
            created += 1
        key_id, secret = tokens.split_token(DEMO_TOKEN)
        if not ApiToken.objects.filter(key_id=key_id).exists():
            token = ApiToken.objects.create(
                client=client, key_id=key_id, secret_hash=tokens.hash_secret(secret), label="demo",
                expires_at=timezone.now() + timezone.timedelta(days=365),
            )
            audit_log(actor=None, action="api_token.issue", obj=token, metadata={"via": "seed_demo", "key_id": key_id})
            created += 1
        return created

    def _print_credentials(self) -> None:
        self.stdout.write("\nDemo logins (http://127.0.0.1:8000/accounts/login/):")
        for username, password, role, _agency, post_codes, _national in USERS:
            where = ", ".join(post_codes) if post_codes else "all posts"
            self.stdout.write(f"  {username:<17} {password:<22} {role.label} ({where})")
        self.stdout.write("  Officers choose a booth at one of their posts when they sign in.")
        self.stdout.write("  Supervisors and administrators also enter a code from an authenticator app (TOTP):")
        self.stdout.write("  on their first sign-in the page shows the secret and otpauth link to add to the app.")
        self.stdout.write(f"\nPartner API client {DEMO_CLIENT[0]}/{DEMO_CLIENT[1]} (scopes: {', '.join(DEMO_CLIENT[2])}):")
        self.stdout.write(f"  Authorization: Bearer {DEMO_TOKEN}")
        self.stdout.write("  API documentation: http://127.0.0.1:8000/api/v1/docs/\n")
