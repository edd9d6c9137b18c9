from django.core.management.base import BaseCommand, CommandError

from audit.anchors import AnchorError, anchor_last, anchor_parse
from audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit hash chain (keyed with the audit key) and report the first broken link, "
        "checking it against the last head anchor (exit code 1 if broken)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="a head hash recorded earlier outside the database; detects removal of the tail",
        )
        parser.add_argument(
            "--checkpoint",
            help="a signed checkpoint exported earlier (the JSON line printed by audit_anchor) "
                 "to verify against instead of the last anchor in BMIS_AUDIT_ANCHOR_FILE",
        )

    def handle(self, *args, **options):
        try:
            anchor = anchor_parse(options["checkpoint"]) if options.get("checkpoint") else anchor_last()
        except AnchorError as exc:
            raise CommandError(f"audit anchor REJECTED: {exc}") from None
        report = verify_chain(expected_head=options.get("head"), anchor=anchor)
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN after {report.checked} valid events: {report.problem}"
            )
        against = f", anchored head #{anchor.seq} of {anchor.at} matches" if anchor else ", no anchor yet"
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain OK: {report.checked} events, head #{report.head_seq} {report.head_hash}{against}"
            )
        )
