"""Fill travelers/locale/ar/LC_MESSAGES/django.po from ar.json (handles multi-line msgids and
plurals): `.venv/bin/python travelers/locale/fill.py`, then `make messages`."""

import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
PO = HERE / "ar" / "LC_MESSAGES" / "django.po"


def main() -> None:
    mapping = json.loads((HERE / "ar.json").read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ar")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
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
    with PO.open("wb") as f:
        write_po(f, catalog, width=100)
    print(f"filled; {len(missing)} without translation: {missing}")


if __name__ == "__main__":
    main()
