"""Build the face search galleries from the database and save them (HNSW ones) under
BMIS_FACE_INDEX_DIR, so that biometrics workers start from the file and only catch up."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the face search galleries from the database and save the HNSW ones."

    def handle(self, *args, **options):
        from django.conf import settings

        from biometrics.search import ModelTag
        from biometrics.services.face import face_model
        from biometrics.services.face_index import GalleryRegistry

        model = face_model()
        registry = GalleryRegistry(ModelTag.of(model), index_dir=settings.BMIS_FACE_INDEX_DIR)
        started = time.monotonic()
        registry.warm()
        registry.save()
        for gallery, index in sorted(registry.galleries.items()):
            self.stdout.write(f"{gallery}: {len(index)} templates ({index.backend})")
        self.stdout.write(f"built in {time.monotonic() - started:.1f} s, watermark {registry.watermark}")
