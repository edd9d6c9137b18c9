"""Names in ICAO's transliteration of Arabic are kept as read and exposed readable through the
names helper's ``watchlists.names.icao.icao_readable``."""

from datetime import date

from travelers.mrz import DocumentFields, PartialDate, generate, parse
from watchlists.names import icao


def test_transliterated_name_is_kept_as_read_and_exposed_readable():
    text = generate(
        DocumentFields(
            "P", "IRQ", "MXHMWD", "EBD ALLXH", "A0123456", "IRQ", PartialDate(1985, 3, 14), "M", date(2031, 6, 30)
        ),
        "TD3",
    )
    result = parse(text, today=date(2026, 11, 28))
    assert result.name_as_read == "MXHMWD<<EBD<ALLXH"
    assert result.primary_identifier == "MXHMWD"
    assert result.primary_identifier_readable == icao.icao_readable("MXHMWD")
    assert result.primary_identifier_readable != "MXHMWD"
    assert result.secondary_identifier_readable == icao.icao_readable("EBD ALLXH")
