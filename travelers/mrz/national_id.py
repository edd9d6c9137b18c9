"""National identity cards: which TD1 cards are one, and the personal number they carry.

Pure Python: no Django import.

Iraq's unified national card (البطاقة الوطنية, issued since 2016) is a TD1 card with document code
``ID`` and issuing state ``IRQ``. As public descriptions of the card give it (Wikipedia's "Iraq
National Card"; no specimen from the issuer was at hand): line 1 positions 6-14 hold the card's
number (two letters and seven digits, also the chip's access number) with its check digit at 15,
and positions 16-27, the start of the optional data, a 12-digit number, followed by fillers; lines
2 and 3 are ICAO's. Those descriptions call the 12 digits the "document number"; the front of the
card prints the holder's 12-digit national identification number, and we take the MRZ's 12 digits
to be that number (the key of the civil registry). If a specimen shows otherwise, change the
pattern in ``NATIONAL_ID_CARDS``; other states' cards can be added there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NationalIdCard:
    """Where one state's national card keeps the national ID number."""

    issuing_state: str
    document_codes: frozenset[str]
    pattern: re.Pattern  # matched at the start of the optional data (line 1 of a TD1)


NATIONAL_ID_CARDS = {
    "IRQ": NationalIdCard("IRQ", frozenset({"I", "ID"}), re.compile(r"^([0-9]{12})(?:<|$)")),
}


def national_id_card(document_code: str, issuing_state: str) -> NationalIdCard | None:
    """The national card description for this document code and issuing state, if it is one."""
    card = NATIONAL_ID_CARDS.get((issuing_state or "").upper())
    if card is None or (document_code or "").upper().rstrip("<") not in card.document_codes:
        return None
    return card


def national_id_number(document_code: str, issuing_state: str, optional_data: str) -> str:
    """The national ID number of a national identity card, or "" (not such a card, or the
    optional data does not carry a number of the expected form)."""
    card = national_id_card(document_code, issuing_state)
    if card is None:
        return ""
    match = card.pattern.match((optional_data or "").upper())
    return match.group(1) if match else ""
