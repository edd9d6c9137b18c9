"""Readers for the import formats. Each yields :class:`Record` objects and
collects rejected rows with a reason; a file that cannot be read at all
raises :class:`ImportFileError` (the import then changes nothing).

CSV columns (UTF-8, header row, comma-separated; multi-valued fields use
``|``):

=================  ========================================================
column             meaning
=================  ========================================================
external_id        required; the entry's id in the source (re-imports match on it)
kind               ``person`` (default), ``document`` or ``vehicle``
names              person: names and aliases, ``|``-separated, first is primary
                   (``name`` is accepted for a single name)
date_of_birth      ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
gender             ``M``, ``F`` or ``X``
nationalities      ICAO codes, ``|``-separated (``IRQ|SYR``)
document_numbers   person: passport/ID numbers, ``|``-separated
place_of_birth     free text
remarks            free text
number             document: the document number
issuing_state      document: ICAO code of the issuing state
document_type      document: ``P``, ``I``, ``V``...
status             document: stolen, lost, revoked, invalid, stolen_blank
reported_on        document: ``YYYY-MM-DD``
plate              vehicle: the plate
country            vehicle: ICAO code
make, model, colour  vehicle: free text
=================  ========================================================
"""

from watchlists.imports.readers import ImportFileError, Record, read_file

__all__ = ["ImportFileError", "Record", "read_file"]
