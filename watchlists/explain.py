"""Hit explanations and import reports in the reader's language.

The pure name matcher (`watchlists.names`) and the screening and import services write their
findings in English, as data (a hit's `explanation`, an import job's `report`), and must stay free
of Django. This module is the Django layer that shows them: each known phrase maps to a gettext
string, and phrases carrying a value (a name part, a year difference) are matched by pattern.
A phrase this module does not know is shown as stored (English) rather than hidden."""

from __future__ import annotations

import re

from django.utils.translation import get_language_bidi, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from core.numbers import decimal

# Fixed phrases written by watchlists.names (matching "how", notes, evidence findings), the
# screening services (document and vehicle notes) and the import readers (row reasons); the
# date-of-birth errors of the pure parser are matched by pattern in `phrase`.
_PHRASES = {
    # How two name parts matched (names/score.py).
    "same spelling": gettext_lazy("same spelling"),
    "phonetic variant": gettext_lazy("phonetic variant"),
    "typing or OCR error": gettext_lazy("typing or OCR error"),
    # Name notes (names/parsing.py, names/particles.py, names/score.py).
    "read as ICAO Doc 9303 transliteration of Arabic": gettext_lazy("read as ICAO Doc 9303 transliteration of Arabic"),
    "Sorani Kurdish script transliterated": gettext_lazy("Sorani Kurdish script transliterated"),
    "Persian script transliterated": gettext_lazy("Persian script transliterated"),
    "Arabic script transliterated": gettext_lazy("Arabic script transliterated"),
    "Turkish/Kurmanji letters spelled out": gettext_lazy("Turkish/Kurmanji letters spelled out"),
    "abd compound joined": gettext_lazy("abd compound joined"),
    "abu compound joined": gettext_lazy("abu compound joined"),
    "Allah joined": gettext_lazy("Allah joined"),
    "al-Din joined": gettext_lazy("al-Din joined"),
    "abd compound spelled 'abd'": gettext_lazy("abd compound spelled 'abd'"),
    "abu spelled 'abu'": gettext_lazy("abu spelled 'abu'"),
    "article 'ال' ignored": gettext_lazy("article 'ال' ignored"),
    "a single name part against a fuller name is capped": gettext_lazy(
        "a single name part against a fuller name is capped"),
    # Evidence findings (names/score.py).
    "not available on both sides": gettext_lazy("not available on both sides"),
    "same date of birth": gettext_lazy("same date of birth"),
    "same date with day and month swapped": gettext_lazy("same date with day and month swapped"),
    "same year, different day or month": gettext_lazy("same year, different day or month"),
    "same year of birth": gettext_lazy("same year of birth"),
    "nationality shared": gettext_lazy("nationality shared"),
    "nationalities differ": gettext_lazy("nationalities differ"),
    "same gender": gettext_lazy("same gender"),
    "genders differ": gettext_lazy("genders differ"),
    "same document number": gettext_lazy("same document number"),
    "different document numbers (not held against the match)": gettext_lazy(
        "different document numbers (not held against the match)"),
    # Document and vehicle hits (services/screening.py).
    "exact match after normalisation (fillers, case, O/0, I/1)": gettext_lazy(
        "exact match after normalisation (fillers, case, O/0, I/1)"),
    "exact match after normalisation (spaces, case, O/0, I/1)": gettext_lazy(
        "exact match after normalisation (spaces, case, O/0, I/1)"),
    "document type differs": gettext_lazy("document type differs"),
    # Import report reasons (services/imports.py, imports/readers.py).
    "external_id is missing": gettext_lazy("external_id is missing"),
    "duplicate external_id in the file": gettext_lazy("duplicate external_id in the file"),
    "more fields than the header": gettext_lazy("more fields than the header"),
    "entity (not a person)": gettext_lazy("entity (not a person)"),
    # Import previews and confirmations (services/imports.py).
    "the list changed since the preview: the preview was computed again; check it and confirm again": gettext_lazy(
        "The list changed since the preview: the preview was computed again. Check it and confirm again."),
    "this import is not awaiting confirmation": gettext_lazy("This import is not awaiting confirmation."),
    "the preview changed since it was shown: check it again": gettext_lazy(
        "The preview changed since it was shown: check it again."),
    "the list changed after the preview was confirmed: nothing was changed; preview the file again": gettext_lazy(
        "The list changed after the preview was confirmed: nothing was changed. Preview the file again."),
    "choose a file": gettext_lazy("No file was uploaded: choose the file to import."),
    "the file is larger than 200 MB": gettext_lazy("The file is larger than 200 MB."),
    "you may not import into this watchlist": gettext_lazy("You may not import into this watchlist."),
    # Files that cannot be read (imports/readers.py).
    "the header row must contain an 'external_id' column": gettext_lazy(
        "the header row must contain an 'external_id' column"),
    "XML with a DOCTYPE or entities is refused": gettext_lazy("XML with a DOCTYPE or entities is refused"),
    "the file holds no entity": gettext_lazy("the file holds no entity"),
    # Row reasons of the entry services (services/entries.py).
    "a person entry needs at least one name": gettext_lazy("a person entry needs at least one name"),
    "give the document number": gettext_lazy("give the document number"),
    "give the plate": gettext_lazy("give the plate"),
}

# Files that cannot be read: the reader's detail follows a fixed phrase.
_UNREADABLE = re.compile(r"^the file could not be read: (?P<detail>.*)$", re.S)
_FILE_ERRORS = [
    (re.compile(r"^not UTF-8 text \(byte (?P<v>\d+)\)$"), gettext_lazy("not UTF-8 text (byte %(v)s)")),
    (re.compile(r"^not a valid CSV file: (?P<v>.*)$", re.S), gettext_lazy("not a valid CSV file: %(v)s")),
    (re.compile(r"^not well-formed XML: (?P<v>.*)$", re.S), gettext_lazy("not well-formed XML: %(v)s")),
    (re.compile(r"^expected a CONSOLIDATED_LIST document, found (?P<v>.*)$"),
     gettext_lazy("expected a CONSOLIDATED_LIST document, found %(v)s")),
    (re.compile(r"^line (?P<v>\d+) is not JSON: .*$", re.S), gettext_lazy("line %(v)s is not JSON")),
    (re.compile(r"^line (?P<v>\d+) is not a FollowTheMoney entity .*$"),
     gettext_lazy("line %(v)s is not a FollowTheMoney entity (it needs 'schema' and 'properties')")),
]
# A row rejected by an entry service: "field: message; field: message".
_ROW_FIELDS = {
    "names": gettext_lazy("names"), "date_of_birth": gettext_lazy("date of birth"),
    "nationalities": gettext_lazy("nationalities"), "gender": gettext_lazy("gender"),
    "number": gettext_lazy("document number"), "issuing_state": gettext_lazy("issuing state"),
    "status": gettext_lazy("status"), "plate": gettext_lazy("plate"), "country": gettext_lazy("country"),
    "kind": gettext_lazy("kind"), "reported_on": gettext_lazy("date reported"),
    "place_of_birth": gettext_lazy("place of birth"), "document_type": gettext_lazy("document type"),
}
_ROW_PART = re.compile(r"^(?P<field>[a-z_]+): (?P<message>.+)$", re.S)

_FIELDS = {
    "date_of_birth": gettext_lazy("Date of birth"),
    "nationality": gettext_lazy("Nationality"),
    "gender": gettext_lazy("Gender"),
    "document_number": gettext_lazy("Document number"),
}

_KINDS = {"document": gettext_lazy("Document"), "vehicle": gettext_lazy("Vehicle")}

_CHILD_OF = re.compile(r"^'(?P<part>.+)' \(child of\) ignored$")
_ARTICLE = re.compile(r"^article '(?P<part>.+)' ignored$")
_YEAR_DIFF = re.compile(r"^year of birth differs by (?P<n>\d+)$")
_SCHEMA = re.compile(r"^schema (?P<schema>.+) is not screened$")
# Date-of-birth errors of watchlists.names.score.parse_dob.
_NOT_A_DOB = re.compile(r"^not a date of birth: (?P<value>.*) \(expected YYYY, YYYY-MM or YYYY-MM-DD\)$")
_OUT_OF_RANGE = re.compile(r"^(?P<part>year|month|day) out of range: (?P<value>-?\d+)$")


def phrase(text: str) -> str:
    """One stored English phrase in the active language (as stored when unknown)."""
    text = str(text)
    known = _PHRASES.get(text)
    if known is not None:
        return str(known)
    if m := _CHILD_OF.match(text):
        return _("'%(part)s' (child of) ignored") % {"part": m["part"]}
    if m := _ARTICLE.match(text):
        return _("article '%(part)s' ignored") % {"part": m["part"]}
    if m := _YEAR_DIFF.match(text):
        n = int(m["n"])
        return ngettext("year of birth differs by %(n)d", "year of birth differs by %(n)d", n) % {"n": n}
    if m := _SCHEMA.match(text):
        return _("schema %(schema)s is not screened") % {"schema": m["schema"]}
    if m := _NOT_A_DOB.match(text):
        return _("not a date of birth: %(value)s (expected YYYY, YYYY-MM or YYYY-MM-DD)") % {"value": m["value"]}
    if m := _OUT_OF_RANGE.match(text):
        messages = {
            "year": _("year out of range: %(value)s"),
            "month": _("month out of range: %(value)s"),
            "day": _("day out of range: %(value)s"),
        }
        return messages[m["part"]] % {"value": m["value"]}
    if m := _UNREADABLE.match(text):
        return _("The file could not be read: %(detail)s") % {"detail": _file_error(m["detail"])}
    if "; " in text or _ROW_PART.match(text):
        parts = [_row_part(p) for p in text.split("; ")]
        if all(p is not None for p in parts):
            return "; ".join(parts)
    return text


def _file_error(detail: str) -> str:
    known = _PHRASES.get(detail)
    if known is not None:
        return str(known)
    for pattern, message in _FILE_ERRORS:
        if m := pattern.match(detail):
            return str(message) % {"v": m["v"]}
    return detail


def _row_part(part: str) -> str | None:
    """``field: message`` of a rejected row, field and message in the reader's language."""
    m = _ROW_PART.match(part)
    if not m or m["field"] not in _ROW_FIELDS:
        return None
    return f"{_ROW_FIELDS[m['field']]}: {phrase(m['message'])}"


def _ltr(text: str) -> str:
    """A signed number kept left-to-right inside right-to-left text (Unicode isolate LRI...PDI),
    so that "+0.03" does not render as "0.03+" in Arabic."""
    return f"\u2066{text}\u2069" if get_language_bidi() else text


def _status_label(kind: str, status: str) -> str:
    from watchlists.models import DocumentStatus

    label = str(DocumentStatus(status).label) if status in DocumentStatus.values else status
    kind_label = str(_KINDS.get(kind, kind))
    return f"{kind_label} {label}".strip()


def name_explanation_lines(explanation: dict) -> list[str]:
    """The explanation of a name hit as sentences (the translated counterpart of
    `watchlists.names.score.explanation_lines`)."""
    lines = [
        _("Score %(score)s (threshold %(threshold)s); name %(name_score)s: '%(query)s' against '%(matched)s'.") % {
            "score": decimal(explanation["score"], 2), "threshold": decimal(explanation["threshold"], 2),
            "name_score": decimal(explanation["name_score"], 2), "query": explanation["query_name"],
            "matched": explanation["matched_name"],
        }
    ]
    for note in explanation.get("name_notes", []):
        lines.append(_("Note: %(note)s.") % {"note": phrase(note)})
    for p in explanation["name_parts"]:
        how = _("; ").join(phrase(h) for h in p["how"])
        lines.append(_("'%(query)s' matched '%(entry)s' at %(similarity)s (%(how)s).") % {
            "query": p["query"], "entry": p["entry"], "similarity": decimal(p["similarity"], 2), "how": how,
        })
    if explanation.get("unmatched_query_parts"):
        lines.append(_("Not found in the entry: %(parts)s.") % {
            "parts": _(", ").join(explanation["unmatched_query_parts"])})
    if explanation.get("unmatched_entry_parts"):
        lines.append(_("Entry parts not in the query: %(parts)s.") % {
            "parts": _(", ").join(explanation["unmatched_entry_parts"])})
    for ev in explanation["evidence"]:
        if ev["delta"] == 0 and ev["finding"].startswith("not available"):
            continue
        sign = "+" if ev["delta"] >= 0 else ""
        field = _FIELDS.get(ev["field"])
        label = str(field) if field is not None else ev["field"].replace("_", " ").capitalize()
        lines.append(_("%(field)s: %(finding)s (%(delta)s).") % {
            "field": label, "finding": phrase(ev["finding"]), "delta": _ltr(f"{sign}{decimal(ev['delta'], 2)}"),
        })
    return lines


def explanation_lines(explanation: dict | None) -> list[str]:
    """Sentences explaining any hit: a name hit's scoring, or a document/vehicle hit's notes."""
    ex = explanation or {}
    if "name_parts" in ex and "evidence" in ex:
        return name_explanation_lines(ex)
    lines = [phrase(n) for n in ex.get("notes", [])]
    if ex.get("status"):
        lines.insert(0, _status_label(ex.get("kind", ""), ex["status"]))
    return lines
