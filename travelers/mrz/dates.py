"""Two-digit years in the MRZ, resolved to full dates.

A date of birth is in the past: the century is the latest one that does not put the date after
today. An expiry (or a visa's "valid until") lies in a window that reaches at most
``EXPIRY_FUTURE_YEARS`` years after today: travel documents are issued for ten years or less, so a
two-digit year further ahead than that belongs to the previous century.

Pure Python: no Django import.
"""

from __future__ import annotations

import calendar
from datetime import date

EXPIRY_FUTURE_YEARS = 20


def birth_year(yy: int, today: date, month: int | None = None, day: int | None = None) -> int:
    """The full year of a date of birth written ``yy``: never after ``today``."""
    year = (today.year // 100) * 100 + yy
    key = (year, month or 1, day or 1)
    if key > (today.year, today.month, today.day):
        year -= 100
    return year


def expiry_year(yy: int, today: date, future_years: int = EXPIRY_FUTURE_YEARS) -> int:
    """The full year of an expiry written ``yy``: at most ``future_years`` after today's year."""
    pivot = today.year + future_years
    year = (pivot // 100) * 100 + yy
    if year > pivot:
        year -= 100
    return year


def date_problem(year: int, month: int, day: int) -> str | None:
    """Why (year, month, day) is not a calendar date, or None if it is one."""
    if not 1 <= month <= 12:
        return f"month {month:02d} does not exist"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"day {day:02d} does not exist in {calendar.month_name[month]} {year}"
    return None


def yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")
