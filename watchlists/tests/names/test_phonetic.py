"""Phonetic units, the alignment and the retrieval key."""

import pytest

from watchlists.names.phonetic import (
    arabic_units,
    latin_units,
    retrieval_key,
    typo_similarity,
    unit_similarity,
)


def lat(a, b):
    return unit_similarity(latin_units(a), latin_units(b))


def ara(arabic, latin):
    return unit_similarity(arabic_units(arabic), latin_units(latin), True, False)


@pytest.mark.parametrize(
    "word,units",
    [
        ("khalid", ("kh", "a", "l", "i", "d")),  # kh digraph
        ("ghazi", ("gh", "a", "z", "i")),  # gh digraph
        ("shakir", ("sh", "a", "k", "i", "r")),  # sh digraph
        ("haitham", ("h", "ay", "th", "a", "m")),  # ai diphthong, th
        ("fadhil", ("f", "a", "dh", "i", "l")),  # dh
        ("youssef", ("y", "u", "s", "e", "f")),  # ou long u, ss single
        ("saleem", ("s", "a", "l", "i", "m")),  # ee long i
        ("yasyn", ("y", "a", "s", "i", "n")),  # y between consonants is i
        ("nawaf", ("n", "a", "w", "a", "f")),  # w before a vowel stays w
        ("shawqi", ("sh", "aw", "q", "i")),  # aw diphthong
        ("nadiya", ("n", "a", "d", "i", "a")),  # -iya is -ia
        ("sajjad", ("s", "a", "j", "a", "d")),  # doubled letters single
        ("hamzah", ("h", "a", "m", "z", "a", "h?")),  # weak final h
        ("rubaiy", ("r", "u", "b", "ay")),  # nisba -iy
        ("rubaie", ("r", "u", "b", "ay")),  # nisba -ie
        ("philip", ("f", "i", "l", "i", "p")),  # ph
        ("celik", ("c?", "e", "l", "i", "k")),  # c ambiguous
        ("xelil", ("kh", "e", "l", "i", "l")),  # x is kh
    ],
)
def test_latin_rules(word, units):
    assert latin_units(word) == units


@pytest.mark.parametrize(
    "word,units",
    [
        ("محمد", ("m", "h", "m", "d")),
        ("حسين", ("h", "s", "Y?", "n")),  # yeh ambiguous
        ("محمود", ("m", "h", "m", "W?", "d")),  # waw ambiguous
        ("عباس", ("E", "b", "A", "s")),  # ain weak, alef A
        ("فاضل", ("f", "A", "dz", "l")),  # dad keeps its own unit
        ("كاظم", ("k", "A", "zz", "m")),  # zah
        ("حمزة", ("h", "m", "z", "a")),  # teh marbuta is a
        ("رائد", ("r", "A", "'", "d")),  # hamza
    ],
)
def test_arabic_rules(word, units):
    assert arabic_units(word) == units


def test_persian_units():
    assert arabic_units("رضا") == ("r", "dz", "A")
    assert arabic_units("رضایی") == ("r", "z", "A", "Y?")  # Persian ض is z


def test_sorani_units():
    assert arabic_units("ئەحمەد") == ("e", "h", "m", "e", "d")
    assert arabic_units("ڕێزان") == ("r", "e", "z", "A", "n")


@pytest.mark.parametrize(
    "a,b",
    [
        ("mohammed", "muhammad"),
        ("husayn", "hussein"),
        ("hossein", "husain"),
        ("qais", "kais"),
        ("jamal", "gamal"),
        ("munther", "mundhir"),
        ("kadhim", "kazim"),
        ("uday", "odai"),
        ("hamza", "hamzah"),
        ("youssef", "yusuf"),
        ("ziad", "ziyad"),
        ("othman", "uthman"),
    ],
)
def test_spelling_variants_are_close(a, b):
    assert lat(a, b) >= 0.85


@pytest.mark.parametrize(
    "a,b",
    [
        ("hassan", "hussein"),  # same consonants, different vowels and diphthong
        ("ahmed", "mahmoud"),  # extra consonant
        ("hashim", "kassim"),
        ("majid", "hamid"),
        ("khalid", "khalil"),
        ("jamal", "kamal"),
        ("hamdi", "hamid"),  # vowel moved across a consonant
        ("ahmed", "hamed"),  # initial vowel
    ],
)
def test_different_names_are_not_close(a, b):
    assert lat(a, b) < 0.8


@pytest.mark.parametrize(
    "arabic,latin",
    [
        ("محمد", "mohammed"),
        ("حسين", "hussein"),
        ("ناصر", "nasser"),
        ("فاضل", "fadhil"),
        ("عمر", "omar"),
        ("رضا", "reza"),
    ],
)
def test_arabic_script_against_latin(arabic, latin):
    assert ara(arabic, latin) >= 0.9


def test_arabic_script_keeps_the_yeh_difference():
    assert ara("حسن", "hassan") > ara("حسن", "hussein")


def test_typo_similarity_forgives_transposition_and_ocr_only():
    assert typo_similarity("liath", "laith") == pytest.approx(0.9)
    assert typo_similarity("jabbap", "jabbar") > 0.9
    assert typo_similarity("khalid", "khalil") < 0.7


def test_retrieval_key_folds_spellings_together():
    keys = {retrieval_key(latin_units(s)) for s in ("mohammed", "muhammad", "mohamad", "muhammed")}
    keys.add(retrieval_key(arabic_units("محمد")))
    assert keys == {"MHMD"}
    assert retrieval_key(latin_units("qasim")) == retrieval_key(latin_units("kassim"))


def test_batched_alignment_equals_the_per_pair_alignment():
    """unit_similarity_many (vectorised, padded) gives exactly the per-pair result, Latin and
    Arabic script, equal and empty parts included; prime() stores them for unit_similarity."""
    import random

    from watchlists.names import phonetic as ph
    from watchlists.names.parsing import parse_name

    words = ("Mohammed Muhammad محمد Hussein Husayn حسين Abdulrahman عبد الرحمن Kadhim Kazim كاظم "
             "Shirko شێرکۆ Gholamreza غلامرضا Yılmaz Smith Liath Laith Hamid Hamdi Fatima Fatma "
             "Rêbîn ڕێبین Ebrahim إبراهيم Qusay Kusay Oualid Walid").split()
    forms = [f for w in words for part in parse_name(w).parts for f in part.forms]
    rng = random.Random(7)
    pairs = [(a.units, b.units, a.unvocalised, b.unvocalised) for a, b in (rng.sample(forms, 2) for _ in range(400))]
    pairs += [(f.units, f.units, f.unvocalised, f.unvocalised) for f in forms[:5]]
    pairs += [((), forms[0].units, False, False), (forms[1].units, (), True, False)]
    batched = ph.unit_similarity_many(pairs)
    assert batched == [ph._unit_similarity.__wrapped__(*p) for p in pairs]
    assert len(set(batched)) > 50  # a real spread of values, not a constant
    ph._PRIMED.clear()
    assert ph.prime(pairs) >= ph.BATCH_MIN_PAIRS
    assert all(ph._PRIMED[p] == v for p, v in zip(pairs, batched, strict=True) if p in ph._PRIMED)
    assert [ph.unit_similarity(*p) for p in pairs] == batched
