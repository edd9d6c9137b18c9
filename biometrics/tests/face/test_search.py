"""The two search back-ends, tested against each other on the same data."""

from __future__ import annotations

import numpy as np
import pytest

from biometrics.search import (
    ExactIndex,
    HnswIndex,
    IndexFileError,
    ModelMismatchError,
    ModelTag,
    load_index,
    make_index,
)
from biometrics.search.synthetic import TemplateShape

TAG = ModelTag("dlib-resnet-v1", "sha256:test", 128)
OTHER = ModelTag("other-model", "1", 128)
BACKENDS = ["exact", "hnsw"]


@pytest.fixture(scope="module")
def real_embeddings(pair_embeddings) -> np.ndarray:
    return np.stack([e for e in pair_embeddings.values() if e is not None])


@pytest.fixture(scope="module")
def gallery(real_embeddings):
    """5,000 synthetic templates shaped like the real ones, the real ones
    themselves (ids 900000+), and 200 probes: new captures of gallery
    identities."""
    rng = np.random.default_rng(7)
    shape = TemplateShape.fit(real_embeddings)
    centres = shape.identities(rng, 5000)
    templates = shape.captures(rng, centres)
    ids = np.arange(5000, dtype=np.int64)
    real_ids = 900_000 + np.arange(len(real_embeddings))
    all_ids = np.concatenate([ids, real_ids])
    all_vecs = np.concatenate([templates, real_embeddings.astype(np.float32)])
    probe_of = rng.choice(5000, size=200, replace=False)
    probes = shape.captures(rng, centres[probe_of])
    return all_ids, all_vecs, probes, probe_of


@pytest.fixture(params=BACKENDS)
def index(request):
    return make_index(request.param, TAG)


def test_backends_agree_on_same_data(gallery):
    ids, vecs, probes, probe_of = gallery
    exact = ExactIndex(TAG)
    hnsw = HnswIndex(TAG)
    exact.add(ids, vecs, model=TAG)
    hnsw.add(ids, vecs, model=TAG)
    ex = exact.search_batch(probes, model=TAG, k=10)
    ap = hnsw.search_batch(probes, model=TAG, k=10)
    recall10 = np.mean([len({c.id for c in a} & {c.id for c in e}) / 10 for a, e in zip(ap, ex, strict=True)])
    recall1 = np.mean([a[0].id == e[0].id for a, e in zip(ap, ex, strict=True)])
    assert recall10 >= 0.99
    assert recall1 >= 0.99
    # The planted mate is the exact nearest neighbour for (nearly) every probe.
    assert np.mean([e[0].id == p for e, p in zip(ex, probe_of, strict=True)]) >= 0.98
    # Where both return the same template, they report the same distance.
    for a, e in zip(ap, ex, strict=True):
        common = {c.id: c.distance for c in e}
        for c in a:
            if c.id in common:
                assert c.distance == pytest.approx(common[c.id], abs=1e-4)


def test_real_embeddings_find_themselves(real_embeddings, index):
    ids = np.arange(len(real_embeddings))
    index.add(ids, real_embeddings, model=TAG)
    for i, vec in enumerate(real_embeddings):
        best = index.search(vec, model=TAG, k=1)[0]
        assert best.id == i and best.distance < 1e-3


def test_add_remove_replace(index):
    rng = np.random.default_rng(1)
    vecs = rng.normal(0, 0.1, size=(300, 128)).astype(np.float32)
    index.add(np.arange(300), vecs, model=TAG)
    assert len(index) == 300 and 5 in index
    assert index.search(vecs[5], model=TAG, k=1)[0].id == 5
    assert index.remove([5, 6, 99999]) == 2
    assert len(index) == 298 and 5 not in index
    assert all(c.id not in (5, 6) for c in index.search(vecs[5], model=TAG, k=20))
    # Replacing template 7 with template 8's vector: 7 now sits on 8.
    index.add([7], vecs[8:9], model=TAG)
    assert len(index) == 298
    hits = {c.id for c in index.search(vecs[8], model=TAG, k=2)}
    assert hits == {7, 8}
    assert sorted(index.ids().tolist()) == sorted(set(range(300)) - {5, 6})


def test_exclude_and_max_distance(index):
    rng = np.random.default_rng(2)
    vecs = rng.normal(0, 0.1, size=(200, 128)).astype(np.float32)
    index.add(np.arange(200), vecs, model=TAG)
    q = vecs[10] + 0.001
    assert index.search(q, model=TAG, k=1)[0].id == 10
    assert index.search(q, model=TAG, k=1, exclude=[10])[0].id != 10
    close = index.search(q, model=TAG, k=50, max_distance=0.1)
    assert [c.id for c in close] == [10]


def test_model_guard(index):
    vec = np.zeros((1, 128), np.float32)
    with pytest.raises(ModelMismatchError):
        index.add([1], vec, model=OTHER)
    index.add([1], vec, model=TAG)
    with pytest.raises(ModelMismatchError):
        index.search(vec[0], model=OTHER)
    with pytest.raises(ModelMismatchError):
        index.search(vec[0], model=(TAG.name, "sha256:another-version"))
    with pytest.raises(ModelMismatchError):
        index.add([2], np.zeros((1, 64), np.float32), model=TAG)
    with pytest.raises(ModelMismatchError):
        index.search(np.zeros(512, np.float32), model=TAG)
    with pytest.raises(ModelMismatchError):
        index.search(vec[0], model=None)
    # (name, version) tuples are accepted as the model.
    assert index.search(vec[0], model=(TAG.name, TAG.version), k=1)[0].id == 1


def test_bad_vectors_and_ids(index):
    with pytest.raises(ValueError, match="NaN"):
        index.add([1], np.full((1, 128), np.nan, np.float32), model=TAG)
    with pytest.raises(ValueError, match="ids"):
        index.add([1, 2], np.zeros((1, 128), np.float32), model=TAG)
    with pytest.raises(ValueError, match="duplicate"):
        index.add([3, 3], np.zeros((2, 128), np.float32), model=TAG)
    assert len(index) == 0
    assert index.search(np.zeros(128, np.float32), model=TAG) == []


def test_save_and_load(index, tmp_path):
    rng = np.random.default_rng(3)
    vecs = rng.normal(0, 0.1, size=(500, 128)).astype(np.float32)
    index.add(np.arange(1000, 1500), vecs, model=TAG)
    index.remove([1000, 1001])
    index.watermark = 42
    path = tmp_path / "gallery.idx"
    index.save(path)
    loaded = load_index(path, model=TAG)
    assert type(loaded) is type(index)
    assert loaded.watermark == 42 and len(loaded) == 498 and 1000 not in loaded
    for i in (2, 250, 499):
        assert loaded.search(vecs[i], model=TAG, k=1)[0].id == 1000 + i
    with pytest.raises(ModelMismatchError):
        load_index(path, model=OTHER)
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"not an index")
    with pytest.raises(IndexFileError):
        load_index(bad)


def test_incremental_changes_and_watermark(index):
    rng = np.random.default_rng(4)
    vecs = rng.normal(0, 0.1, size=(100, 128)).astype(np.float32)
    index.rebuild([(np.arange(50), vecs[:50]), (np.arange(50, 80), vecs[50:80])], model=TAG, watermark=10)
    assert len(index) == 80 and index.watermark == 10
    assert index.apply_changes(added=(np.arange(80, 100), vecs[80:]), removed=[0, 1], watermark=12, model=TAG)
    assert len(index) == 98 and index.watermark == 12
    assert index.search(vecs[90], model=TAG, k=1)[0].id == 90
    # A late poller replaying older changes changes nothing.
    assert not index.apply_changes(added=(np.array([0]), vecs[:1]), watermark=11, model=TAG)
    assert 0 not in index and index.watermark == 12
    index.rebuild([], model=TAG, watermark=13)
    assert len(index) == 0


def test_hnsw_compacts_after_many_removals():
    rng = np.random.default_rng(5)
    vecs = rng.normal(0, 0.1, size=(1000, 128)).astype(np.float32)
    index = HnswIndex(TAG, compact_ratio=0.25)
    index.add(np.arange(1000), vecs, model=TAG)
    index.remove(range(200))
    assert index.tombstones == 200 and index.nodes == 1000
    index.remove(range(200, 300))  # passes 25 %: graph rebuilt from live vectors
    assert index.tombstones == 0 and index.nodes == 700
    exact = ExactIndex(TAG)
    exact.add(*index.vectors(), model=TAG)
    for i in (300, 555, 999):
        got = index.search(vecs[i], model=TAG, k=3)
        want = exact.search(vecs[i], model=TAG, k=3)
        assert [c.id for c in got] == [c.id for c in want]
        assert [c.distance for c in got] == pytest.approx([c.distance for c in want], abs=1e-4)


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown search back-end"):
        make_index("annoy", TAG)
