"""Scoring: name-part alignment, order, partial names, evidence, explanation."""

import pytest

from watchlists.names.parsing import parse_name
from watchlists.names.score import (
    DEFAULT_THRESHOLD,
    EVIDENCE,
    Dob,
    Person,
    explanation_lines,
    name_similarity,
    normalize_document_number,
    parse_dob,
    score_person,
)


def name_score(a, b):
    return name_similarity(parse_name(a), parse_name(b)).score


def test_identical_names_score_one():
    assert name_score("Ahmed Jaber Al-Khafaji", "Ahmed Jaber Al-Khafaji") == 1.0


def test_order_does_not_matter():
    assert name_score("AL-KHAFAJI, Ahmed Jaber", "Ahmed Jaber Al-Khafaji") == 1.0


def test_partial_query_scores_on_its_own_parts():
    # given + tribe against given, father, grandfather, tribe
    assert name_score("Ahmed Khafaji", "Ahmed Jaber Kadhim Al-Khafaji") >= 0.9


def test_partial_entry_scores_on_its_own_parts():
    assert name_score("Hamid Shakir Mahmoud Al-Obeidi", "Hamid Shakir") >= 0.9


def test_an_unmatched_part_of_the_shorter_name_costs():
    assert name_score("Salim Nasser Jassim", "Salim Nasser Hamad Al-Ani") < DEFAULT_THRESHOLD


def test_single_part_against_fuller_name_is_capped():
    assert name_score("Ahmed", "Ahmed Jaber Al-Khafaji") <= 0.75
    assert name_score("Ahmed", "Ahmed") == 1.0


def test_weak_part_counts_less_than_its_similarity():
    # Hassan/Hussein share consonants but not vowels: the pair scores well
    # below the average of one exact and one loose part.
    assert name_score("Hassan Kadhim", "Hussein Kadhim") < 0.8


def test_joined_and_split_compounds_match():
    assert name_score("Gholam Reza Javadi", "غلامرضا جوادی") >= DEFAULT_THRESHOLD
    assert name_score("Mohammadreza Karimi", "Mohammad Reza Karimi") >= DEFAULT_THRESHOLD


def test_scripts_and_icao_mix():
    assert name_score("XHSN EBAS", "حسن عباس") >= 0.95
    assert name_score("Hassan Abbas", "حسن عباس") >= 0.95


def test_dob_parsing():
    assert parse_dob("1974") == Dob(1974)
    assert not parse_dob("1974").full
    assert parse_dob("1974-08") == Dob(1974, 8)
    assert parse_dob("1974-08-12") == Dob(1974, 8, 12)
    assert str(parse_dob("1974-8-2")) == "1974-08-02"
    assert parse_dob("1974-08-12").full
    assert not parse_dob("1974-01-01").full  # 1 January: year only
    assert parse_dob(None) is None
    for bad in ("1974-13-45", "1974-02-30", "74", "abc", "1974/08/12"):
        with pytest.raises(ValueError):
            parse_dob(bad)


def _ev(query_dob=None, entry_dob=None, qn=(), en=(), qg=None, eg=None, qd=(), ed=()):
    q = Person(["Ammar Yasin"], query_dob, tuple(qn), qg, tuple(qd))
    e = Person(["Ammar Yasin"], entry_dob, tuple(en), eg, tuple(ed))
    res = score_person(q, e)
    return {ev["field"]: ev for ev in res.explanation["evidence"]}, res


def test_dob_full_match():
    ev, _ = _ev("1984-05-07", "1984-05-07")
    assert ev["date_of_birth"]["delta"] == EVIDENCE["dob_exact"]


def test_dob_swapped_day_and_month():
    ev, res = _ev("1984-05-07", "1984-07-05")
    assert ev["date_of_birth"]["delta"] == EVIDENCE["dob_swapped"]
    assert "swapped" in ev["date_of_birth"]["finding"]
    assert res.score >= DEFAULT_THRESHOLD


def test_dob_year_only():
    ev, _ = _ev("1977", "1977-04-12")
    assert ev["date_of_birth"]["delta"] == EVIDENCE["dob_same_year"]


def test_dob_far_apart_defeats_a_perfect_name():
    ev, res = _ev("1950-03-03", "1992-08-19")
    assert ev["date_of_birth"]["delta"] == EVIDENCE["dob_year_off_10_plus"]
    assert res.score < DEFAULT_THRESHOLD


def test_dob_one_year_apart_still_hits():
    _, res = _ev("1984", "1985")
    assert res.score >= DEFAULT_THRESHOLD


def test_gender_contradiction_defeats_a_perfect_name():
    ev, res = _ev(qg="F", eg="M")
    assert ev["gender"]["delta"] == EVIDENCE["gender_differs"]
    assert res.score < DEFAULT_THRESHOLD


def test_nationality_evidence():
    ev, _ = _ev(qn=["IRQ"], en=["IRQ", "SYR"])
    assert ev["nationality"]["delta"] == EVIDENCE["nationality_shared"]
    ev, _ = _ev(qn=["EGY"], en=["IRQ"])
    assert ev["nationality"]["delta"] == EVIDENCE["nationality_differs"]


def test_document_number_evidence_after_normalisation():
    ev, _ = _ev(qd=["a1234567"], ed=["A 123 4567"])
    assert ev["document_number"]["delta"] == EVIDENCE["document_same"]
    assert normalize_document_number("AB<O12-I3") == "AB01213"


def test_missing_evidence_moves_nothing():
    ev, res = _ev()
    assert all(e["delta"] == 0 for e in ev.values())
    assert res.score == res.name_score


def test_explanation_structure_and_text():
    q = Person(["Abd al-Aziz Fadel"], "1984-05-07", ("IRQ",), "M")
    e = Person(["عبد العزيز فاضل", "Abdulaziz Fadhil Al-Ani"], "1984-07-05", ("IRQ",), "M")
    res = score_person(q, e)
    ex = res.explanation
    assert ex["matched_name"] in e.names
    assert {p["entry"] for p in ex["name_parts"]}
    assert all(0 <= p["similarity"] <= 1 and p["how"] for p in ex["name_parts"])
    assert [ev["field"] for ev in ex["evidence"]] == [
        "date_of_birth",
        "nationality",
        "gender",
        "document_number",
    ]
    lines = explanation_lines(ex)
    assert lines[0].startswith("Score ")
    assert any("swapped" in line for line in lines)
    assert any("matched" in line for line in lines)
    assert res.score >= DEFAULT_THRESHOLD


def test_best_alias_is_used():
    q = Person(["Abu Hamza"])
    e = Person(["Khalid Mahmoud Al-Obeidi", "Abu Hamza Al-Iraqi"])
    res = score_person(q, e)
    assert res.matched_name == "Abu Hamza Al-Iraqi"
