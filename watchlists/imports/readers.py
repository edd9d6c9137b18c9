"""CSV, UN Security Council Consolidated List XML and FollowTheMoney JSON lines."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET  # noqa: S405  (parsed with defusedxml-like guards below)

from watchlists.imports.countries import to_icao


class ImportFileError(Exception):
    """The file cannot be read as the chosen format: nothing is imported."""


@dataclass
class Record:
    row: int  # 1-based position in the file (line for CSV/JSON lines, element for XML)
    external_id: str
    kind: str = "person"
    names: list[str] = field(default_factory=list)
    date_of_birth: str | None = None
    gender: str | None = None
    nationalities: list[str] = field(default_factory=list)
    document_numbers: list[str] = field(default_factory=list)
    place_of_birth: str = ""
    remarks: str = ""
    number: str = ""
    issuing_state: str = ""
    document_type: str = ""
    status: str = ""
    reported_on: str | None = None
    plate: str = ""
    country: str = ""
    make: str = ""
    model: str = ""
    colour: str = ""


@dataclass
class ReadResult:
    records: list[Record]
    rejected: list[dict]  # {"row", "external_id", "reason"}
    skipped: list[dict]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


def read_csv(data: bytes) -> ReadResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames
        if not header or "external_id" not in [h.strip() for h in header]:
            raise ImportFileError("the header row must contain an 'external_id' column")
        rows = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"not a valid CSV file: {exc}") from exc
    records, rejected = [], []
    for i, raw in enumerate(rows, start=2):
        if None in raw:
            rejected.append({"row": i, "external_id": (raw.get("external_id") or "").strip(), "reason": "more fields than the header"})
            continue
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        kind = (r.get("kind") or "person").lower()
        names = _split(r.get("names")) or _split(r.get("name"))
        records.append(Record(
            row=i, external_id=r.get("external_id", ""), kind=kind, names=names,
            date_of_birth=r.get("date_of_birth") or None, gender=r.get("gender") or None,
            nationalities=_split(r.get("nationalities")), document_numbers=_split(r.get("document_numbers")),
            place_of_birth=r.get("place_of_birth", ""), remarks=r.get("remarks", ""), number=r.get("number", ""),
            issuing_state=r.get("issuing_state", ""), document_type=r.get("document_type", ""),
            status=(r.get("status") or "").lower(), reported_on=r.get("reported_on") or None,
            plate=r.get("plate", ""), country=r.get("country", ""), make=r.get("make", ""),
            model=r.get("model", ""), colour=r.get("colour", ""),
        ))
    return ReadResult(records, rejected, [])


def _safe_xml(data: bytes) -> ET.Element:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise ImportFileError("XML with a DOCTYPE or entities is refused")
    try:
        return ET.fromstring(data)  # noqa: S314  (DOCTYPE/entities refused above)
    except ET.ParseError as exc:
        raise ImportFileError(f"not well-formed XML: {exc}") from exc


def _text(el, tag) -> str:
    child = el.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def read_un_xml(data: bytes) -> ReadResult:
    root = _safe_xml(data)
    if root.tag != "CONSOLIDATED_LIST":
        raise ImportFileError(f"expected a CONSOLIDATED_LIST document, found <{root.tag}>")
    records, rejected, skipped = [], [], []
    for i, ind in enumerate(root.iter("INDIVIDUAL"), start=1):
        ext = _text(ind, "REFERENCE_NUMBER") or _text(ind, "DATAID")
        parts = [_text(ind, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        names = [" ".join(p for p in parts if p)]
        original = _text(ind, "NAME_ORIGINAL_SCRIPT")
        if original:
            names.append(original)
        for alias in ind.findall("INDIVIDUAL_ALIAS"):
            alias_name = _text(alias, "ALIAS_NAME")
            if alias_name and _text(alias, "QUALITY").lower() != "low":
                names.append(alias_name)
        names = [n for n in names if n]
        dob = None
        for d in ind.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            dob = _text(d, "DATE")[:10] or _text(d, "YEAR") or None
            if dob:
                break
        nats = []
        for nat in ind.findall("NATIONALITY/VALUE"):
            code = to_icao(nat.text or "")
            if code:
                nats.append(code)
        gender_text = _text(ind, "GENDER").lower()
        gender = {"male": "M", "female": "F"}.get(gender_text)
        docs = [_text(d, "NUMBER") for d in ind.findall("INDIVIDUAL_DOCUMENT") if _text(d, "NUMBER")]
        pob = ""
        for p in ind.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            pob = ", ".join(x for x in (_text(p, "CITY"), _text(p, "STATE_PROVINCE"), _text(p, "COUNTRY")) if x)
            if pob:
                break
        remarks = " ".join(x for x in (_text(ind, "UN_LIST_TYPE"), _text(ind, "COMMENTS1")) if x)
        records.append(Record(row=i, external_id=ext, names=names, date_of_birth=dob, gender=gender,
                              nationalities=nats, document_numbers=docs, place_of_birth=pob, remarks=remarks[:2000]))
    for i, ent in enumerate(root.iter("ENTITY"), start=1):
        skipped.append({"row": i, "external_id": _text(ent, "REFERENCE_NUMBER"), "reason": "entity (not a person)"})
    return ReadResult(records, rejected, skipped)


def read_ftm(data: bytes) -> ReadResult:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"not UTF-8 text (byte {exc.start})") from exc
    records, rejected, skipped = [], [], []
    seen_any = False
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"line {i} is not JSON: {exc.msg}") from exc
        if not isinstance(obj, dict) or "schema" not in obj or "properties" not in obj:
            raise ImportFileError(f"line {i} is not a FollowTheMoney entity (needs 'schema' and 'properties')")
        seen_any = True
        props = obj.get("properties") or {}
        ext = str(obj.get("id") or "")
        schema = obj["schema"]
        if schema == "Person":
            names = list(props.get("name", [])) + list(props.get("alias", []))
            dob = (props.get("birthDate") or [None])[0]
            nats = [c for c in (to_icao(x) for x in props.get("nationality", []) + props.get("citizenship", [])) if c]
            gender = {"male": "M", "female": "F"}.get(((props.get("gender") or [""])[0] or "").lower())
            docs = list(props.get("passportNumber", [])) + list(props.get("idNumber", []))
            records.append(Record(
                row=i, external_id=ext, names=[n for n in names if n], date_of_birth=dob[:10] if dob else None,
                gender=gender, nationalities=list(dict.fromkeys(nats)), document_numbers=docs,
                place_of_birth=", ".join(props.get("birthPlace", [])), remarks=" ".join(props.get("notes", []))[:2000],
            ))
        elif schema == "Vehicle":
            plate = (props.get("registrationNumber") or [""])[0]
            records.append(Record(row=i, external_id=ext, kind="vehicle", plate=plate,
                                  country=to_icao((props.get("country") or [""])[0]) or "",
                                  make=(props.get("model") or [""])[0][:60]))
        else:
            skipped.append({"row": i, "external_id": ext, "reason": f"schema {schema} is not screened"})
    if not seen_any:
        raise ImportFileError("the file holds no entity")
    return ReadResult(records, rejected, skipped)


READERS = {"csv": read_csv, "un_xml": read_un_xml, "ftm": read_ftm}


def read_file(fmt: str, data: bytes) -> ReadResult:
    reader = READERS.get(fmt)
    if reader is None:
        raise ImportFileError(f"unknown format {fmt!r}")
    return reader(data)
