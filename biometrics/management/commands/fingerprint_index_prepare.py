"""Compute the 1:N index records of enrolled fingers that lack one or whose index parameters
changed, so that biometrics workers start by reading them instead of rebuilding cylinders."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from biometrics.fingerprint.identification import FingerprintIndex
from biometrics.fingerprint.template import deserialize
from biometrics.models import FingerprintImpression


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        index = FingerprintIndex()
        version = index.prepared_version
        todo = FingerprintImpression.objects.filter(is_active=True).filter(
            Q(index_data__isnull=True) | ~Q(index_version=version)
        )
        done = 0
        for imp in todo.only("id", "template").iterator(chunk_size=batch):
            blob = index.prepare(deserialize(bytes(imp.template)).minutiae)
            # A derived cache of the stored template, not a change of the record: no audit event,
            # and updated_at is kept so that workers' change tracking is not disturbed.
            FingerprintImpression.objects.filter(pk=imp.pk).update(index_data=blob, index_version=version)
            done += 1
        self.stdout.write(f"prepared {done} fingerprint index records (version {version})")
