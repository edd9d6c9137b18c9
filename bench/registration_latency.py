"""Registration latency: one person with a face and two fingers, from upload to candidate list.

    createdb -h 127.0.0.1 -U postgres bmis_dedupe_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bmis_dedupe_bench BMIS_SHARED_DIR=../shared \\
        nice .venv/bin/python bench/registration_latency.py [--persons 5000] [--registrations 12]

Through the real services and database (not the engines alone): the gallery is loaded in bulk
(``--persons`` persons, each with an identity from bench/synthetic.py, a face template shaped like
the real embeddings and two fingers from the cached synthetic records of bench/dedupe_pool.py, with
their prepared 1:N index records, exactly the rows enrolment writes), then each measured
registration runs, timed from the bytes in hand to the candidates recorded:

1. ``person_register`` (the Person and its declared identity, audited);
2. the biometric contract's insert of ``person:<id>`` with the face (a photograph of shared/faces)
   and two FVC2002 fingers: quality checks, face detection and encoding, minutiae extraction,
   enrolment in the galleries;
3. ``person_dedupe``: the name index over every person, face and fingerprint 1:N through the
   contract (identify by reference), the fusion, the candidate rows.

The registration service of the registrations app adds its own rows around these; it is not
included (it did not exist on this branch). The first registration after start-up also loads the
galleries (reported apart, as a worker's warm-up); the figures are for the following ones.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bmis.settings")


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR") or (ROOT.parent / "shared"))


def load_gallery(n: int, pool_n: int, rng: np.random.Generator, prng: random.Random) -> float:
    import dedupe_pool
    from django.db import transaction
    from django.utils import timezone
    from face_common import cached_real_embeddings
    from synthetic import make_person

    from biometrics.face.embedding import get_model
    from biometrics.fingerprint import mcc
    from biometrics.fingerprint.identification import FingerprintIndex
    from biometrics.fingerprint.minutiae import EXTRACTOR_VERSION
    from biometrics.models.face import PERSONS_GALLERY, FaceImage, FacePurpose, FaceSource, FaceTemplate
    from biometrics.models.fingerprint import FingerprintCapture, FingerprintImpression, FingerprintPurpose, SubjectKind
    from biometrics.search.synthetic import TemplateShape
    from travelers.models import BirthPrecision, IdentitySource, Person, PersonIdentity

    t0 = time.perf_counter()
    model = get_model()
    shape = TemplateShape.fit(cached_real_embeddings(model))
    vectors = shape.captures(rng, shape.identities(rng, n)).astype("<f4")
    records = list(dedupe_pool.read(pool_n, limit=2 * n))
    if len(records) < 2 * n:
        raise SystemExit(f"only {len(records)} synthetic finger records cached: use --persons {len(records) // 2}")
    version = FingerprintIndex().prepared_version
    placeholder = b"\xff\xd8\xff\xd9"  # the gallery reads templates, never these images
    keep = timezone.localdate().replace(year=timezone.localdate().year + 5)
    now = timezone.now()
    with transaction.atomic():
        persons = []
        for _ in range(n):
            p = make_person(prng)
            parts = p["names"][0].split(" ")
            dob = p["date_of_birth"] or ""
            persons.append(Person(primary_identifier=parts[-1][:100], secondary_identifier=" ".join(parts[:-1])[:100],
                                  nationality=(p["nationalities"] or ["XXX"])[0], sex=p["gender"] or "X",
                                  birth_year=int(dob[:4]) if dob else None))
        persons = Person.objects.bulk_create(persons, batch_size=2000)
        PersonIdentity.objects.bulk_create([
            PersonIdentity(person=p, source=IdentitySource.DECLARED, primary_identifier=p.primary_identifier,
                           secondary_identifier=p.secondary_identifier, birth_year=p.birth_year,
                           birth_precision=BirthPrecision.YEAR if p.birth_year else "", nationality=p.nationality,
                           sex=p.sex, recorded_at=now)
            for p in persons], batch_size=2000)
        images = FaceImage.objects.bulk_create([
            FaceImage(purpose=FacePurpose.ENROLMENT, source=FaceSource.UPLOAD, person_id=p.pk, jpeg=placeholder,
                      width=1, height=1, sha256=hashlib.sha256(str(p.pk).encode()).hexdigest(), quality={})
            for p in persons], batch_size=2000)
        FaceTemplate.objects.bulk_create([
            FaceTemplate(image=img, model_name=model.name, model_version=model.version, dimension=model.dimension,
                         vector=vectors[i].tobytes(), gallery=PERSONS_GALLERY, person_id=img.person_id)
            for i, img in enumerate(images)], batch_size=2000)
        captures = FingerprintCapture.objects.bulk_create([
            FingerprintCapture(subject_kind=SubjectKind.TRAVELER, person_id=p.pk, source="bench",
                               purpose=FingerprintPurpose.BORDER_CONTROL, retention_until=keep)
            for p in persons], batch_size=2000)
        impressions = []
        for i, cap in enumerate(captures):
            for slot, position in enumerate((2, 7)):
                template, blob = records[2 * i + slot]
                impressions.append(FingerprintImpression(
                    capture=cap, subject_kind=SubjectKind.TRAVELER, person_id=cap.person_id, position=position,
                    impression_type="plain", image_png=placeholder, width=1, height=1, source_format="png",
                    source_dpi=500, dpi_source="declared", quality_score=60, minutiae_count=40, template=template,
                    index_data=blob, index_version=version, extractor_version=EXTRACTOR_VERSION,
                    matcher_version=mcc.MATCHER_VERSION, purpose=FingerprintPurpose.BORDER_CONTROL,
                    retention_until=keep))
        FingerprintImpression.objects.bulk_create(impressions, batch_size=2000)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=5000)
    ap.add_argument("--pool", type=int, default=100_000, help="the cached synthetic finger records to draw from")
    ap.add_argument("--registrations", type=int, default=12)
    ap.add_argument("--no-reference", action="store_true",
                    help="do not also time the previous dedupe path (fingerprint 1:N with a shortlist of 500, "
                         "no 1:1 of the candidates' fingers) on each registration")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from face_common import conditions

    from accounts.models import User
    from biometrics.abis import BiometricData, Finger, InsertRequest, abis
    from travelers.models import IdentitySource, Person
    from travelers.services.dedupe import person_dedupe
    from travelers.services.identity import DeclaredIdentity, person_register

    db = settings.DATABASES["default"]
    conditions(database=f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}",
               gallery=f"{args.persons:,} persons (identity, face template, 2 fingers), loaded in bulk",
               registrations=f"{args.registrations} (face from shared/faces, fingers 2 and 7 from FVC2002 DB1/DB2)")
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(5)
    prng = random.Random(5)
    if Person.objects.count() < args.persons:
        print(f"gallery loaded in {load_gallery(args.persons, args.pool, rng, prng):.0f} s")
    else:
        print(f"gallery already loaded ({Person.objects.count():,} persons)")
    officer = User.objects.filter(username="bench.registrar").first() or User.objects.create(
        username="bench.registrar", role="officer")

    from synthetic import make_person

    reg_rng = random.Random(2026)  # names of the registrations (drawn like the gallery's)
    faces = sorted((shared_dir() / "faces" / "deepface").glob("img*.jpg"))
    fvc = shared_dir() / "fingerprints" / "fvc2002"
    rows = []
    for i in range(args.registrations + 1):
        face = faces[i % len(faces)].read_bytes()
        db_ = ("DB1_B", "DB2_B")[i % 2]
        fingers = (Finger(2, (fvc / db_ / f"{101 + i % 10}_{1 + i // 10 % 8}.tif").read_bytes()),
                   Finger(7, (fvc / db_ / f"{101 + (i + 5) % 10}_{1 + i // 10 % 8}.tif").read_bytes()))
        t0 = time.perf_counter()
        parts = make_person(reg_rng)["names"][0].split(" ")
        person = person_register(actor=officer, source=IdentitySource.DECLARED, identity=DeclaredIdentity(
            primary_identifier=parts[-1], secondary_identifier=" ".join(parts[:-1]), birth_year=1990,
            nationality="IRQ", sex="M"))
        t1 = time.perf_counter()
        response = abis().insert(InsertRequest(f"person:{person.pk}", BiometricData(face=face, fingers=fingers)),
                                 actor=officer)
        t2 = time.perf_counter()
        ref_time, ref_found = None, None
        if not args.no_reference and i % 2 == 1:  # the reference first on odd registrations
            ref_time, ref_found = reference_dedupe(person, officer)
        t2b = time.perf_counter()
        found = person_dedupe(person=person, actor=officer)
        t3 = time.perf_counter()
        if not args.no_reference and i % 2 == 0:
            ref_time, ref_found = reference_dedupe(person, officer)
        dedupe_time = t3 - t2b
        rows.append((t1 - t0 + t2 - t1 + dedupe_time, t1 - t0, t2 - t1, dedupe_time, response.ok, len(found),
                     ref_time if ref_time is not None else np.nan))
        label = "warm-up" if i == 0 else f"{i:>7}"
        ref_note = "" if ref_time is None or not np.isfinite(ref_time) else f"  reference dedupe {ref_time:5.2f} ({len(ref_found)} candidates)"
        print(f"{label}  total {rows[-1][0]:6.2f} s  register {t1 - t0:5.2f}  insert {t2 - t1:5.2f}  "
              f"dedupe {dedupe_time:5.2f}  insert ok {response.ok}  candidates {len(found)}{ref_note}", flush=True)
    measured = np.array([r[:4] for r in rows[1:]])
    refs = np.array([r[6] for r in rows[1:]], dtype=float)
    print()
    print("| N persons | registrations | p50 s | p95 s | max s | insert p50 s | dedupe p50 s | dedupe p95 s |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {args.persons:,} | {len(measured)} | {np.percentile(measured[:, 0], 50):.2f} | "
          f"{np.percentile(measured[:, 0], 95):.2f} | {measured[:, 0].max():.2f} | "
          f"{np.percentile(measured[:, 2], 50):.2f} | {np.percentile(measured[:, 3], 50):.2f} | "
          f"{np.percentile(measured[:, 3], 95):.2f} |")
    print(f"warm-up (first registration, galleries loaded): {rows[0][0]:.1f} s")
    if np.isfinite(refs).any():
        ok = np.isfinite(refs)
        print(f"reference (previous path: finger 1:N shortlist 500, no 1:1), same registrations, alternating order: "
              f"dedupe p50 {np.percentile(refs[ok], 50):.2f} s p95 {np.percentile(refs[ok], 95):.2f} s; "
              f"ratio reference / new (sums) {refs[ok].sum() / measured[ok, 3].sum():.2f}x")
    return 0


def reference_dedupe(person, officer):
    """The previous dedupe path, for the ratio: fingerprint 1:N with the engine's shortlist of 500
    and no 1:1 comparison of the candidates' fingers."""
    from django.test import override_settings

    from travelers.services.dedupe import person_dedupe

    person.refresh_from_db()
    if person.merged_into_id:  # merged automatically by the new path: nothing to time
        return float("nan"), []
    with override_settings(BMIS_DEDUPE_FINGER_SHORTLIST=500, BMIS_DEDUPE_FINGER_VERIFY=False,
                           BMIS_DEDUPE_AUTO_MERGE=False):
        t = time.perf_counter()
        found = person_dedupe(person=person, actor=officer)
        return time.perf_counter() - t, found


if __name__ == "__main__":
    raise SystemExit(main())
