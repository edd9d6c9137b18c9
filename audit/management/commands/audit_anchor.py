from django.core.management.base import BaseCommand

from audit.anchors import anchor_head


class Command(BaseCommand):
    help = (
        "Anchor the audit chain's head outside the database: append a signed anchor to "
        "BMIS_AUDIT_ANCHOR_FILE and print it (a checkpoint to keep elsewhere; "
        "`audit_verify --checkpoint '<line>'` verifies against it)."
    )

    def handle(self, *args, **options):
        anchor = anchor_head()
        self.stdout.write(anchor.to_json())
