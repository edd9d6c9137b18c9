"""Assemble a machine-readable zone from the lines a reader types or sends.

Keyboard-wedge and serial readers send an MRZ line by line (each ended by CR and/or LF, sometimes
with a prefix or suffix character, sometimes all lines at once without separators). A zone is
complete when enough lines of one length arrived: 2 of 44 characters (passports TD3, visas MRV-A),
2 of 36 (TD2, MRV-B) or 3 of 30 (identity cards TD1). A line of another length starts a new zone;
lines left incomplete longer than `timeout` seconds are forgotten, so a stray line never joins the
next document. Checking the zone (check digits, dates) is the server's work.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

LINES_BY_LENGTH = {44: 2, 36: 2, 30: 3}
_MRZ_CHARS = re.compile(r"[A-Z0-9<]+")
# Control characters some readers wrap lines with (STX, ETX, GS, RS...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_line(raw: str) -> str:
    """Upper case, control characters and surrounding spaces removed; inner spaces dropped too (a
    wedge on some keyboard layouts types them for nothing)."""
    return _CONTROL.sub("", raw).strip().replace(" ", "").upper()


def split_run(text: str) -> list[str] | None:
    """A whole zone sent as one run of characters (no separators): its lines, or None."""
    for width, count in LINES_BY_LENGTH.items():
        if len(text) == width * count:
            return [text[i * width:(i + 1) * width] for i in range(count)]
    return None


class MRZAssembler:
    def __init__(self, timeout: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self.clock = clock
        self._lines: list[str] = []
        self._last = 0.0

    def reset(self) -> None:
        self._lines = []

    def feed(self, raw: str) -> str | None:
        """Take one line as read; return the complete zone (lines joined by "\\n") when it is."""
        now = self.clock()
        if self._lines and now - self._last > self.timeout:
            self._lines = []
        self._last = now
        line = clean_line(raw)
        if not line:
            return None
        if not _MRZ_CHARS.fullmatch(line):
            self._lines = []
            return None
        whole = split_run(line)
        if whole is not None and not self._lines:
            return "\n".join(whole)
        if len(line) not in LINES_BY_LENGTH:
            self._lines = []
            return None
        if self._lines and len(self._lines[0]) != len(line):
            self._lines = []
        self._lines.append(line)
        if len(self._lines) == LINES_BY_LENGTH[len(line)]:
            zone, self._lines = "\n".join(self._lines), []
            return zone
        return None

    def feed_text(self, text: str) -> list[str]:
        """Feed a chunk that may hold several lines (serial reads); return the zones completed."""
        zones = []
        for raw in re.split(r"[\r\n]+", text):
            zone = self.feed(raw)
            if zone:
                zones.append(zone)
        return zones
