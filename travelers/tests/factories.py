"""Test helpers: MRZs of made-up travelers (built with the MRZ generator), fixed clocks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from travelers.mrz import DocumentFields, PartialDate, generate

BAGHDAD = ZoneInfo("Asia/Baghdad")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A fixed clock in the system's time zone."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BAGHDAD)


def fields(**changes) -> DocumentFields:
    base = {
        "document_code": "P",
        "issuing_state": "JOR",
        "primary_identifier": "HADDAD",
        "secondary_identifier": "SAMIR",
        "document_number": "N1234567",
        "nationality": "JOR",
        "date_of_birth": PartialDate(1980, 5, 17),
        "sex": "M",
        "date_of_expiry": date(2031, 1, 1),
        "optional_data": "",
    }
    base.update(changes)
    return DocumentFields(**base)


def passport(fmt: str = "TD3", **changes) -> str:
    return generate(fields(**changes), fmt)
