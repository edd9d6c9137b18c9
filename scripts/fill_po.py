r"""Fill the gettext catalogues from the JSON dictionaries kept beside them.

    .venv/bin/python scripts/fill_po.py travelers/locale      # ar.json → ar/LC_MESSAGES/django.po,
                                                              # ckb.json → ckb/LC_MESSAGES/django.po
    .venv/bin/python scripts/fill_po.py --language ckb locale  # one language only
    make messages                                              # extracts, fills, compiles every .po to .mo

`<language>.json` maps each English msgid to its translation; for a plural message the value is
[one, other]. A message with a context (pgettext, `{% translate "Open" context "verb" %}`) is keyed
"context\u0004msgid", gettext's own separator: "verb\u0004Open" and "status\u0004Open" are two
messages with two translations (the verb افتح, the state مفتوح). Handles multi-line msgids and the
plural forms of each language: Arabic's six (zero, one, two, few, many, other), Sorani's two (one,
other). Prints the msgids that have no translation yet.

Arabic catalogues must be complete (core/tests/test_catalogues.py fails on an untranslated message).
Kurdish Sorani ("ckb") may be partial: a string without a Sorani translation shows in English, so its
.po keeps only the translated messages (makemessages adds the new ones back, this script lists them
as missing and leaves them out again)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CONTEXT_SEPARATOR = "\x04"
LANGUAGES = ("ar", "ckb")
# Languages whose catalogue may lack translations (the English text shows instead).
PARTIAL = frozenset({"ckb"})


def key_of(message) -> str:
    """The dictionary key of a catalogue message: its msgid, prefixed by "context\x04" if it has one."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}{CONTEXT_SEPARATOR}{msgid}" if message.context else msgid


def plural_strings(forms: list[str], count: int) -> tuple[str, ...]:
    """The msgstr[] of a plural message from [one, other] for a language with `count` plural forms.

    Arabic (six forms: zero, one, two, few, many, other) takes "one" at index 1 and "other" for every
    other count; languages with two forms (Sorani, English: n != 1) take [one, other]."""
    strings = [forms[1]] * count
    strings[1 if count == 6 else 0] = forms[0]
    return tuple(strings)


def fill(locale_dir: Path, language: str = "ar") -> list[str]:
    """Fill `locale_dir/<language>/LC_MESSAGES/django.po` from `locale_dir/<language>.json`; returns
    the keys without a translation. A missing .po (nothing extracted yet) or, for a partial language,
    a missing dictionary means nothing to fill."""
    po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
    json_path = locale_dir / f"{language}.json"
    if not po_path.is_file():
        return []
    if json_path.is_file():
        mapping = json.loads(json_path.read_text(encoding="utf-8"))
    elif language in PARTIAL:
        mapping = {}
    else:
        return []
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=language)
    missing = []
    for message in list(catalog):
        if not message.id:
            continue
        key = key_of(message)
        if key not in mapping:
            missing.append(key)
            if language in PARTIAL:
                catalog.delete(message.id, context=message.context)
            continue
        value = mapping[key]
        if isinstance(message.id, tuple):
            forms = value if isinstance(value, list) else [value, value]
            message.string = plural_strings(forms, catalog.num_plurals)
        else:
            message.string = value
        message.flags.discard("fuzzy")
    if language in PARTIAL:
        catalog.obsolete.clear()
    with po_path.open("wb") as f:
        write_po(f, catalog, width=100)
    return missing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", choices=LANGUAGES, action="append",
                        help="fill only this language (repeatable); default: every language")
    parser.add_argument("dirs", nargs="*", default=["locale"], help="catalogue folders (default: locale)")
    args = parser.parse_args(argv)
    for arg in args.dirs:
        for language in args.language or LANGUAGES:
            po_path = Path(arg) / language / "LC_MESSAGES" / "django.po"
            if not po_path.is_file():
                continue
            missing = fill(Path(arg), language)
            shown = missing if language not in PARTIAL else missing[:5] + (["…"] if len(missing) > 5 else [])
            print(f"{arg} [{language}]: {len(missing)} without translation"
                  + (f" (English shown): {shown}" if missing and language in PARTIAL
                     else f": {shown}" if missing else ""))


if __name__ == "__main__":
    main()
