"""Enrolment to searchable, across processes' indexes, through the database.

    .venv/bin/python bench/face_freshness.py            # SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bmis .venv/bin/python bench/face_freshness.py

Creates a throw-away test database, fills the gallery of travelers with
synthetic templates (shaped like real ones), builds the index of a second
"worker" (a GalleryRegistry of its own), then 50 times: commits a new template
the way the encode task does (template row + change-log row, audited) and
measures the time until that worker's next search (sync + search) returns it.
The reference in the same run is an in-memory add + search on the same index.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=20_000)
    parser.add_argument("--enrolments", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args, connection, transaction)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(args, connection, transaction) -> None:
    from face_common import cached_real_embeddings, conditions, pct

    from audit.services import audit_log
    from biometrics.models.face import PERSONS_GALLERY, FaceImage, FaceTemplate, FaceTemplateChange
    from biometrics.search import ModelTag
    from biometrics.search.synthetic import TemplateShape
    from biometrics.services.face import face_model
    from biometrics.services.face_index import GalleryRegistry

    model = face_model()
    tag = ModelTag.of(model)
    shape = TemplateShape.fit(cached_real_embeddings(model))
    rng = np.random.default_rng(5)
    conditions(
        database=f"{connection.vendor} (throw-away test database)",
        gallery=f"{args.templates:,} synthetic templates in the travelers' gallery; {args.enrolments} enrolments",
    )
    vecs = shape.captures(rng, shape.identities(rng, args.templates + args.enrolments)).astype("<f4")
    # One image row per template (the unique (image, model) constraint); the index reads templates only.
    images = FaceImage.objects.bulk_create(
        [FaceImage(purpose="enrolment", source="device", person_id=10 + i, jpeg=b"\xff\xd8", width=1, height=1,
                   sha256="0" * 64) for i in range(args.templates + args.enrolments)],
        batch_size=2000,
    )
    if images[0].pk is None:  # backends that do not return ids from bulk_create
        images = list(FaceImage.objects.order_by("pk"))
    FaceTemplate.objects.bulk_create(
        [FaceTemplate(image=images[i], model_name=model.name, model_version=model.version, dimension=128,
                      vector=vecs[i].tobytes(), gallery=PERSONS_GALLERY, person_id=10 + i)
         for i in range(args.templates)],
        batch_size=2000,
    )
    t = time.perf_counter()
    worker = GalleryRegistry(tag)
    worker.warm()
    build = time.perf_counter() - t
    via_db, in_memory, found = [], [], 0
    for j in range(args.enrolments):
        i = args.templates + j
        with transaction.atomic():
            template = FaceTemplate.objects.create(
                image=images[i], model_name=model.name, model_version=model.version, dimension=128,
                vector=vecs[i].tobytes(), gallery=PERSONS_GALLERY, person_id=10 + i,
            )
            FaceTemplateChange.objects.create(template_id=template.pk, op="add", gallery=PERSONS_GALLERY,
                                              model_name=model.name, model_version=model.version)
            audit_log(actor=None, action="face_template.create", obj=template)
        committed = time.perf_counter()
        worker.sync()
        hits, _backend, _n = worker.search(PERSONS_GALLERY, vecs[i], k=1, max_distance=0.45)
        via_db.append(time.perf_counter() - committed)
        found += bool(hits) and hits[0].id == template.pk
        # Reference: in-memory add + search of a copy of the vector on the same index.
        index = worker.galleries[PERSONS_GALLERY]
        r0 = time.perf_counter()
        index.add([10**9 + j], vecs[i][None, :], model=tag)
        index.search(vecs[i], model=tag, k=1)
        in_memory.append(time.perf_counter() - r0)
        index.remove([10**9 + j])
    print(f"worker index built from the database in {build:.2f} s ({worker.galleries[PERSONS_GALLERY].backend})")
    print()
    print(f"{'path':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print("-" * 76)
    print(f"{'commit -> other worker sync + search finds it':<48} {pct(via_db, 50) * 1e3:8.2f} "
          f"{pct(via_db, 95) * 1e3:8.2f} {max(via_db) * 1e3:8.2f}")
    print(f"{'reference: in-memory add + search':<48} {pct(in_memory, 50) * 1e3:8.2f} "
          f"{pct(in_memory, 95) * 1e3:8.2f} {max(in_memory) * 1e3:8.2f}")
    print()
    print(f"found by the other worker: {found}/{args.enrolments}")


if __name__ == "__main__":
    main()
