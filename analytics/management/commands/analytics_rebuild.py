"""Rebuild the analytics rollups from the movements and inspections themselves."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware

from analytics.rollups import rollups_rebuild


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--{name}: not a date or date and time: {value!r}")
        moment = datetime(day.year, day.month, day.day)
    return make_aware(moment, get_current_timezone()) if is_naive(moment) else moment


class Command(BaseCommand):
    help = "Recount the hourly rollups (movements, seconds per traveler) from scratch, all or a range of hours."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first date or date-time (local time unless an offset is given)")
        parser.add_argument("--until", help="end date or date-time (excluded)")

    def handle(self, *args, since=None, until=None, **options):
        try:
            result = rollups_rebuild(since=_moment(since, "since"), until=_moment(until, "until"))
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"rollups rebuilt in {result['seconds']} s: {result['rows']['movement']} movement rows, "
            f"{result['rows']['inspection']} inspection rows (replacing {result['deleted']['movement']} and "
            f"{result['deleted']['inspection']})")
