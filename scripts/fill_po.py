r"""Fill an Arabic gettext catalogue from a JSON dictionary kept beside it.

    .venv/bin/python scripts/fill_po.py travelers/locale      # reads ar.json, writes ar/LC_MESSAGES/django.po
    make messages                                              # compiles every .po to .mo

`ar.json` maps each English msgid to its Arabic translation; for a plural message the value is
[one, other]. A message with a context (pgettext, `{% translate "Open" context "verb" %}`) is keyed
"context\u0004msgid", gettext's own separator: "verb\u0004Open" and "status\u0004Open" are two
messages with two translations (the verb افتح, the state مفتوح). Handles multi-line msgids and
Arabic's six plural forms. Prints the msgids that have no translation yet."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CONTEXT_SEPARATOR = "\x04"


def key_of(message) -> str:
    """The ar.json key of a catalogue message: its msgid, prefixed by "context\x04" if it has one."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}{CONTEXT_SEPARATOR}{msgid}" if message.context else msgid


def fill(locale_dir: Path) -> list[str]:
    po_path = locale_dir / "ar" / "LC_MESSAGES" / "django.po"
    mapping = json.loads((locale_dir / "ar.json").read_text(encoding="utf-8"))
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="ar")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = key_of(message)
        if key not in mapping:
            missing.append(key)
            continue
        value = mapping[key]
        if isinstance(message.id, tuple):
            forms = value if isinstance(value, list) else [value, value]
            # Arabic has six plural forms (zero, one, two, few, many, other): the first given
            # string is for one, the second for every other count.
            count = catalog.num_plurals
            strings = [forms[1]] * count
            strings[1 if count == 6 else 0] = forms[0]
            message.string = tuple(strings)
        else:
            message.string = value
        message.flags.discard("fuzzy")
    with po_path.open("wb") as f:
        write_po(f, catalog, width=100)
    return missing


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["locale"]:
        missing = fill(Path(arg))
        print(f"{arg}: {len(missing)} without translation" + (f": {missing}" if missing else ""))
