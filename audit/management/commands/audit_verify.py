from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Walk the audit hash chain and report the first broken link (exit code 1 if broken)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="a head hash recorded earlier outside the database; detects removal of the tail",
        )

    def handle(self, *args, **options):
        report = verify_chain(expected_head=options.get("head"))
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN after {report.checked} valid events: {report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain OK: {report.checked} events, head #{report.head_seq} {report.head_hash}"
            )
        )
