"""Pure tests of the fingerprint modules (no Django): loading, quality, minutiae, MCC, templates, index.

Real images: FVC2002 images and one face photograph, read from the shared data sets
(BMIS_SHARED_DIR, ../shared; see biometrics.tests.conftest.fingerprint_fixture); the EER ceiling
test reads the whole FVC2002 DB1 B. Without them these tests fail under CI=true and skip elsewhere.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from biometrics.fingerprint import mcc
from biometrics.fingerprint.errors import FingerprintError, TemplateFormatError
from biometrics.fingerprint.evaluation import equal_error_rate
from biometrics.fingerprint.identification import FingerprintIndex
from biometrics.fingerprint.imaging import WSQ_AVAILABLE, load_finger_image
from biometrics.fingerprint.minutiae import MinutiaSet, extract, nbis_angle_to_theta
from biometrics.fingerprint.quality import ENROL_THRESHOLD, assess
from biometrics.fingerprint.synthetic import synthetic_minutiae
from biometrics.fingerprint.template import Template, deserialize, serialize
from biometrics.tests.conftest import fingerprint_fixture


def _fixture(name: str) -> bytes:
    return fingerprint_fixture(name)


def _png(img: Image.Image, **save) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", **save)
    return buf.getvalue()


def _process(name: str):
    image = load_finger_image(_fixture(name))
    ext = extract(image)
    return image, ext


@pytest.fixture(scope="module")
def db1():
    return {name: _process(f"db1_{name}.tif") for name in ("101_1", "101_2", "102_1")}


# ---------------------------------------------------------------------------------------- loading


def test_fvc_tiff_loads_at_500_ppi_with_the_resolution_assumed():
    image = load_finger_image(_fixture("db1_101_1.tif"))
    assert image.pixels.dtype == np.uint8
    assert (image.width, image.height) == (388, 374)
    assert image.source_format == "TIFF"
    assert image.dpi_source == "assumed" and not image.rescaled


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF"])
def test_each_accepted_format_gives_the_same_pixels(fmt):
    original = Image.open(io.BytesIO(_fixture("db1_101_1.tif"))).convert("L")
    buf = io.BytesIO()
    original.save(buf, format=fmt)
    image = load_finger_image(buf.getvalue())
    assert image.source_format == fmt
    assert np.array_equal(image.pixels, np.asarray(original))


def test_declared_1000_ppi_is_rescaled_to_500():
    original = Image.open(io.BytesIO(_fixture("db1_101_1.tif"))).convert("L")
    big = original.resize((original.width * 2, original.height * 2), Image.Resampling.BICUBIC)
    image = load_finger_image(_png(big), declared_dpi=1000)
    assert image.rescaled and image.source_dpi == 1000
    assert (image.width, image.height) == (original.width, original.height)


def test_header_resolution_is_used_when_plausible():
    original = Image.open(io.BytesIO(_fixture("db1_101_1.tif"))).convert("L")
    image = load_finger_image(_png(original, dpi=(600, 600)))
    assert image.dpi_source == "header" and image.rescaled
    assert image.width == round(388 * 500 / 600)


@pytest.mark.parametrize("dpi", [72, 150, 2000])
def test_resolution_far_from_500_is_rejected_on_the_resolution_field(dpi):
    with pytest.raises(FingerprintError) as err:
        load_finger_image(_fixture("db1_101_1.tif"), declared_dpi=dpi)
    assert err.value.field == "resolution_dpi"
    assert err.value.code == "resolution_out_of_range"


@pytest.mark.parametrize("value", ["abc", -5, 0, float("nan")])
def test_invalid_declared_resolution_is_rejected(value):
    with pytest.raises(FingerprintError) as err:
        load_finger_image(_fixture("db1_101_1.tif"), declared_dpi=value)
    assert err.value.field == "resolution_dpi"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty"), (b"this is not an image at all", "not_an_image"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not_an_image")],
)
def test_non_images_are_rejected_on_the_image_field(data, code):
    with pytest.raises(FingerprintError) as err:
        load_finger_image(data)
    assert err.value.code == code and err.value.field == "image"


def test_jpeg_is_refused_as_lossy():
    with pytest.raises(FingerprintError) as err:
        load_finger_image(_fixture("face_img12.jpg"))
    assert err.value.code == "unsupported_format"


def test_wsq_images_are_decoded_and_match_the_original():
    """A scanner's WSQ file (compressed with the wsq codec here) is read at 500 ppi and its
    minutiae match those of the lossless original."""
    assert WSQ_AVAILABLE
    original = Image.open(io.BytesIO(_fixture("db1_101_1.tif"))).convert("L")
    buffer = io.BytesIO()
    original.save(buffer, format="WSQ")
    from_wsq = load_finger_image(buffer.getvalue(), declared_dpi=500)
    from_tif = load_finger_image(_fixture("db1_101_1.tif"))
    assert from_wsq.pixels.shape == from_tif.pixels.shape
    score = mcc.compare_minutiae(extract(from_wsq, nfiq2=False).minutiae, extract(from_tif, nfiq2=False).minutiae)
    assert score > 0.5


def test_corrupt_wsq_is_refused_clearly():
    with pytest.raises(FingerprintError) as err:
        load_finger_image(b"\xff\xa0\xff\xa8" + b"\x00" * 64)
    assert err.value.field == "image" and err.value.code in {"not_an_image", "unsupported_format"}


def test_tiny_image_is_refused():
    with pytest.raises(FingerprintError) as err:
        load_finger_image(_png(Image.new("L", (60, 60), 200)))
    assert err.value.code == "too_small"


# ---------------------------------------------------------------------------------------- minutiae


def test_minutiae_angles_follow_the_ridges_in_pixel_coordinates(db1):
    """theta must be parallel (mod pi) to the ridge orientation measured from the image."""
    import cv2

    image, ext = db1["101_1"]
    g = image.pixels.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    gxx, gyy, gxy = (cv2.GaussianBlur(v, (0, 0), 7) for v in (gx * gx, gy * gy, gx * gy))
    ridge = 0.5 * np.arctan2(2 * gxy, gxx - gyy) + np.pi / 2
    ms = ext.minutiae
    xi, yi = ms.x.astype(int), ms.y.astype(int)
    err = np.abs(np.angle(np.exp(2j * (ms.theta - ridge[yi, xi]))) / 2)
    assert np.degrees(np.median(err)) < 15
    # The raw nbis angle (counter-clockwise with y up) would be far off.
    raw = np.deg2rad(-np.degrees(ms.theta))
    err_raw = np.abs(np.angle(np.exp(2j * (raw - ridge[yi, xi]))) / 2)
    assert np.degrees(np.median(err_raw)) > 25


def test_nbis_angle_conversion():
    assert np.allclose(nbis_angle_to_theta([0, 90, 180, 270]), [0, 3 * np.pi / 2, np.pi, np.pi / 2])


def test_extraction_gives_minutiae_and_nfiq2(db1):
    _, ext = db1["101_1"]
    assert 20 <= len(ext.minutiae) <= 120
    assert ext.nfiq2 is not None and 0 <= ext.nfiq2 <= 100
    assert ext.minutiae.x.max() < 388 and ext.minutiae.y.max() < 374


# ---------------------------------------------------------------------------------------- quality


def test_real_fvc_impressions_pass_quality(db1):
    for image, ext in db1.values():
        report = assess(image, minutiae_count=len(ext.minutiae), nfiq2=ext.nfiq2)
        assert report.acceptable, report
        assert report.score >= ENROL_THRESHOLD
        assert report.ridge_energy > 0.45 and report.coherence > 0.3


def test_blank_image_is_no_finger():
    image = load_finger_image(_png(Image.new("L", (300, 300), 255)))
    report = assess(image)
    assert not report.acceptable and report.score == 0
    assert report.codes == ["no_finger"]


def test_noise_image_is_not_a_fingerprint():
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, (300, 300), dtype=np.uint8), mode="L")
    report = assess(load_finger_image(_png(noise)))
    assert not report.acceptable
    assert "not_a_fingerprint" in report.codes


def test_face_photo_as_a_finger_is_refused():
    face = Image.open(io.BytesIO(_fixture("face_img12.jpg")))
    face.thumbnail((480, 480))
    # As colour and as grey: both are refused (colour alone would be a weak test).
    for img in (face, face.convert("L")):
        image = load_finger_image(_png(img))
        ext = extract(image, nfiq2=False)
        report = assess(image, minutiae_count=len(ext.minutiae))
        assert not report.acceptable
        assert "not_a_fingerprint" in report.codes


def test_small_contact_asks_to_press_harder(db1):
    image, _ = db1["101_1"]
    crop = image.pixels.copy()
    # Keep a 90 x 90 patch of ridges in a blank frame: too little of the finger touches.
    patch = crop[140:230, 150:240].copy()
    crop[:] = 255
    crop[140:230, 150:240] = patch
    report = assess(load_finger_image(_png(Image.fromarray(crop, mode="L"))))
    assert "press_harder" in report.codes
    assert report.score < assess(image).score


def test_off_centre_finger_is_coached(db1):
    image, _ = db1["101_1"]
    shifted = np.full((image.height, image.width + 300), 255, np.uint8)
    shifted[:, 300:] = image.pixels
    report = assess(load_finger_image(_png(Image.fromarray(shifted, mode="L"))))
    assert "not_centred" in report.codes


def test_dry_finger_is_coached(db1):
    image, _ = db1["101_1"]
    # A dry finger leaves thin, broken ridges: keep only the darkest fifth of the ridge pixels.
    px = image.pixels.astype(np.float32)
    thr = np.percentile(px[px < 200], 20)
    dry = np.where(px <= thr, px, 250).astype(np.uint8)
    report = assess(load_finger_image(_png(Image.fromarray(dry, mode="L"))))
    assert "too_dry" in report.codes


def test_wet_finger_is_coached_as_smudged(db1):
    import cv2

    image, _ = db1["101_1"]
    # A wet finger: the ridges spread into the valleys (each dark ridge widened by two pixels a side),
    # slightly soft. (A blur strong enough to erase the ridges is no fingerprint at all.)
    wet = cv2.GaussianBlur(cv2.erode(image.pixels, np.ones((5, 5), np.uint8)), (0, 0), 1.0)
    report = assess(load_finger_image(_png(Image.fromarray(wet, mode="L"))))
    assert report.codes == ["smudged"], report


def test_real_wet_impression_is_coached_as_smudged():
    """FVC2002 DB3 B 110_5 (capacitive sensor, a moistened finger): the ridges merge in the core."""
    report = assess(load_finger_image(_fixture("db3_110_5.tif")))
    assert report.codes == ["smudged"], report
    # The same finger's first impression is clean.
    assert assess(load_finger_image(_fixture("db3_110_1.tif"))).codes == []


# ---------------------------------------------------------------------------------------- matcher


def test_genuine_scores_above_impostor(db1):
    c = {k: mcc.build_cylinders(ext.minutiae) for k, (_, ext) in db1.items()}
    genuine = mcc.compare(c["101_1"], c["101_2"])
    impostor = mcc.compare(c["101_1"], c["102_1"])
    assert genuine > 0.08
    assert impostor < 0.04
    assert genuine > 3 * impostor


def test_score_is_symmetric_and_self_match_is_highest(db1):
    c = {k: mcc.build_cylinders(ext.minutiae) for k, (_, ext) in db1.items()}
    ab = mcc.compare(c["101_1"], c["101_2"])
    ba = mcc.compare(c["101_2"], c["101_1"])
    assert ab == pytest.approx(ba, abs=1e-6)
    assert mcc.compare(c["101_1"], c["101_1"]) > 0.9


def test_score_is_invariant_to_rotation_and_translation(db1):
    _, ext = db1["101_1"]
    ms = ext.minutiae
    a = np.radians(25)
    x = np.cos(a) * ms.x - np.sin(a) * ms.y + 150
    y = np.sin(a) * ms.x + np.cos(a) * ms.y + 40
    moved = MinutiaSet.from_arrays(x, y, ms.theta + a, kind=ms.kind, quality=ms.quality, width=700, height=700)
    assert mcc.compare_minutiae(ms, moved) > 0.9
    other = db1["101_2"][1].minutiae
    assert mcc.compare_minutiae(moved, other) == pytest.approx(mcc.compare_minutiae(ms, other), abs=0.03)


def test_empty_and_tiny_templates_score_zero():
    empty = MinutiaSet.from_arrays([], [], [], width=300, height=300)
    one = MinutiaSet.from_arrays([100], [100], [0.5], width=300, height=300)
    assert mcc.compare_minutiae(empty, one) == 0.0
    assert mcc.compare_minutiae(one, one) == 0.0


def test_eer_helper():
    assert equal_error_rate([0.9, 0.8, 0.7], [0.1, 0.2, 0.3]) == 0.0
    assert equal_error_rate([0.1, 0.2], [0.15, 0.25]) == pytest.approx(0.5)


@pytest.mark.shared_data("fingerprints/fvc2002/DB1_B")
def test_eer_ceiling_on_fvc2002_db1(shared_dir):
    """FVC protocol on DB1 B (280 genuine, 2,880 impostor pairs). Measured 2.2 %; NBIS bozorth3: 4.3 %."""
    base = shared_dir / "fingerprints" / "fvc2002" / "DB1_B"
    keys = [(f, i) for f in range(101, 111) for i in range(1, 9)]
    cyl = {
        k: mcc.build_cylinders(extract(load_finger_image((base / f"{k[0]}_{k[1]}.tif").read_bytes()), nfiq2=False).minutiae)
        for k in keys
    }
    gen, imp = [], []
    for a, b in itertools.combinations(keys, 2):
        (gen if a[0] == b[0] else imp).append(mcc.compare(cyl[a], cyl[b]))
    assert len(gen) == 280 and len(imp) == 2880
    eer = equal_error_rate(gen, imp)
    assert eer < 0.035, f"EER {eer:.2%} on FVC2002 DB1 B"


# ---------------------------------------------------------------------------------------- templates


def test_template_round_trip(db1):
    _, ext = db1["101_1"]
    t = Template(ext.minutiae)
    blob = serialize(t)
    back = deserialize(blob)
    assert back.extractor_version == t.extractor_version and back.matcher_version == t.matcher_version
    assert (back.minutiae.width, back.minutiae.height, back.minutiae.dpi) == (388, 374, 500)
    assert np.allclose(back.minutiae.x, ext.minutiae.x, atol=1 / 16)
    assert np.allclose(np.angle(np.exp(1j * (back.minutiae.theta - ext.minutiae.theta))), 0, atol=1e-4)
    assert np.array_equal(back.minutiae.kind, ext.minutiae.kind)
    assert mcc.compare_minutiae(back.minutiae, db1["101_2"][1].minutiae) == pytest.approx(
        mcc.compare_minutiae(ext.minutiae, db1["101_2"][1].minutiae), abs=1e-3
    )
    assert serialize(back) == blob


@pytest.mark.parametrize("damage", ["truncate", "flip", "magic"])
def test_damaged_templates_are_refused(db1, damage):
    blob = bytearray(serialize(Template(db1["101_1"][1].minutiae)))
    if damage == "truncate":
        blob = blob[:20]
    elif damage == "flip":
        blob[40] ^= 0xFF
    else:
        blob[0:4] = b"XXXX"
    with pytest.raises(TemplateFormatError):
        deserialize(bytes(blob))


# ---------------------------------------------------------------------------------------- 1:N


def test_synthetic_minutiae_look_like_real_impostors(db1):
    rng = np.random.default_rng(3)
    real = mcc.build_cylinders(db1["101_1"][1].minutiae)
    for _ in range(20):
        ms = synthetic_minutiae(rng)
        assert 15 <= len(ms) <= 100
        assert (ms.x >= 0).all() and (ms.x < ms.width).all()
        c = mcc.build_cylinders(ms)
        assert len(c) >= 0.7 * len(ms)  # most cylinders valid, as on real prints
        assert mcc.compare(real, c) < 0.06


def test_index_finds_the_mate_among_synthetic_records(db1):
    index = FingerprintIndex()
    rng = np.random.default_rng(11)
    for i in range(300):
        index.add(("synthetic", i), synthetic_minutiae(rng), defer=True)
    index.add("101_2", db1["101_2"][1].minutiae)
    index.add("102_1", db1["102_1"][1].minutiae)
    probe = db1["101_1"][1].minutiae
    result = index.search(probe, top=5)
    assert result[0].key == "101_2"
    assert result[0].score > 3 * result[1].score
    # Exclusion and removal.
    assert index.search(probe, top=1, exclude=["101_2"])[0].key != "101_2"
    index.remove("101_2")
    assert "101_2" not in index
    assert all(c.key != "101_2" for c in index.search(probe, top=5))
    assert len(index) == 301


def test_index_incremental_adds_are_searchable_before_and_after_compaction(db1):
    index = FingerprintIndex()
    index.add("a", db1["101_2"][1].minutiae)
    assert index.search(db1["101_1"][1].minutiae, top=1)[0].key == "a"
    index.compact()
    index.add("b", db1["102_1"][1].minutiae)
    top = index.search(db1["101_1"][1].minutiae, top=2)
    assert [c.key for c in top][0] == "a" and len(top) == 2
