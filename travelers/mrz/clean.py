"""Cleaning of MRZ text as it arrives from a keyboard-wedge reader, a textarea or an API client.

Readers in keyboard-wedge mode type each line followed by CR, LF or CR LF, sometimes with a
start/end control character, stray spaces, or in lowercase when Caps Lock is on; some send the
whole zone as one line. ``clean`` turns all of that into the MRZ lines.

Pure Python: no Django import.
"""

from __future__ import annotations

import re

from .result import FieldError

# Line lengths of the formats: TD1 30, TD2 and MRV-B 36, TD3 and MRV-A 44.
LINE_LENGTHS = frozenset({30, 36, 44})
# A zone sent as one line: TD1 3x30, TD2/MRV-B 2x36, TD3/MRV-A 2x44.
SINGLE_LINE_SPLITS = {90: 30, 72: 36, 88: 44}

_NEWLINES = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
# Characters that readers and fonts render for the filler.
_FILLER_LOOKALIKES = str.maketrans({"«": "<", "‹": "<", "＜": "<", "〈": "<", "⟨": "<"})


def clean(text: str) -> tuple[list[str], list[FieldError]]:
    """Split and normalise MRZ text. Returns the lines and warnings about what was changed."""
    warnings: list[FieldError] = []
    text = _CONTROL.sub("", text or "")
    text = text.translate(_FILLER_LOOKALIKES)
    upper = text.upper()
    if upper != text:
        warnings.append(FieldError("mrz", "lowercase", "lowercase letters were read as capitals"))
    lines: list[str] = []
    for raw in _NEWLINES.split(upper):
        line = raw.strip(" \t\u00a0")
        if not line:
            continue
        if _SPACES.search(line):
            removed = _SPACES.sub("", line)
            as_filler = _SPACES.sub(lambda m: "<" * len(m.group()), line)
            if len(removed) not in LINE_LENGTHS and len(as_filler) in LINE_LENGTHS:
                line = as_filler
                note = "spaces inside the line were read as fillers (<)"
            else:
                line = removed
                note = "spaces inside the line were removed"
            warnings.append(FieldError("mrz", "whitespace", note, line=len(lines) + 1))
        lines.append(line)
    if len(lines) == 1 and len(lines[0]) in SINGLE_LINE_SPLITS:
        width = SINGLE_LINE_SPLITS[len(lines[0])]
        single = lines[0]
        lines = [single[i : i + width] for i in range(0, len(single), width)]
    return lines, warnings


def looks_complete(text: str) -> bool:
    """Whether ``text`` already holds a whole zone (used to submit on the reader's last line)."""
    lines, _ = clean(text)
    lengths = [len(line) for line in lines]
    return lengths in ([30, 30, 30], [36, 36], [44, 44])
