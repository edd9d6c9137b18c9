"""Every committed gettext catalogue is complete and its .mo is the compiled form of its .po.

No database: the catalogues are files. The .po is compiled in memory with Babel and compared, message
by message and plural rule by plural rule, with the committed .mo read by Python's own gettext
(the reader Django uses), so a .po edited without `make messages` fails here whatever the files'
modification times say."""

from __future__ import annotations

import gettext
import io
import json
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _locale_dirs() -> list[Path]:
    """The project's catalogue folders: the root `locale/` and each app's `locale/`."""
    dirs = [BASE_DIR / "locale"]
    dirs += sorted(d / "locale" for d in BASE_DIR.iterdir()
                   if d.is_dir() and not d.name.startswith(".") and (d / "locale").is_dir())
    return [d for d in dirs if d.is_dir()]


def _po_files() -> list[Path]:
    return sorted(p for d in _locale_dirs() for p in d.glob("*/LC_MESSAGES/django.po"))


PO_FILES = _po_files()


def _id(po: Path) -> str:
    return str(po.relative_to(BASE_DIR))


def _read(po: Path):
    with po.open("rb") as f:
        return read_po(f, locale=po.parent.parent.name)


def test_the_catalogues_are_found():
    names = {_id(p) for p in PO_FILES}
    for expected in ("locale/ar/LC_MESSAGES/django.po", "travelers/locale/ar/LC_MESSAGES/django.po",
                     "watchlists/locale/ar/LC_MESSAGES/django.po", "biometrics/locale/ar/LC_MESSAGES/django.po"):
        assert expected in names


@pytest.mark.parametrize("po", PO_FILES, ids=_id)
def test_every_message_is_translated_and_none_is_fuzzy(po):
    catalog = _read(po)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:  # the header
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{_id(po)}: {len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{_id(po)}: {len(fuzzy)} fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("po", PO_FILES, ids=_id)
def test_translations_keep_the_placeholders(po):
    """Babel's checks: python-format placeholders of every msgstr match its msgid."""
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _read(po).check() if errors]
    assert not problems, f"{_id(po)}: {problems[:10]}"


def _catalogue_of(mo_bytes: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


@pytest.mark.parametrize("po", PO_FILES, ids=_id)
def test_the_committed_mo_is_the_compiled_po(po):
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{_id(mo)} is missing: run `make messages` and commit it"
    buffer = io.BytesIO()
    write_mo(buffer, _read(po))
    expected = _catalogue_of(buffer.getvalue())
    committed = _catalogue_of(mo.read_bytes())
    # The header entry ("") is rewritten by each compiler; everything else must be identical.
    want = {k: v for k, v in expected._catalog.items() if k != ""}
    have = {k: v for k, v in committed._catalog.items() if k != ""}
    missing = sorted(str(k) for k in want.keys() - have.keys())
    extra = sorted(str(k) for k in have.keys() - want.keys())
    changed = sorted(str(k) for k in want.keys() & have.keys() if want[k] != have[k])
    assert not (missing or extra or changed), (
        f"{_id(mo)} does not match {_id(po)} (run `make messages`): "
        f"missing {missing[:5]}, extra {extra[:5]}, different {changed[:5]}"
    )
    # Same plural rule (Arabic has six forms).
    assert [committed.plural(n) for n in range(0, 250)] == [expected.plural(n) for n in range(0, 250)]


def _dictionary(po: Path) -> Path:
    """The JSON dictionary a .po is filled from: `<locale dir>/<language>.json` (ar.json, ckb.json)."""
    return po.parents[2] / f"{po.parents[1].name}.json"


@pytest.mark.parametrize("po", [p for p in PO_FILES if _dictionary(p).is_file()], ids=_id)
def test_the_po_holds_what_its_dictionary_says(po):
    """A .po filled by scripts/fill_po.py agrees with the <language>.json kept beside it (no hand edits lost)."""
    mapping = json.loads(_dictionary(po).read_text(encoding="utf-8"))
    disagree = []
    for message in _read(po):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.context:  # scripts/fill_po.py's key of a message with a context
            key = f"{message.context}\x04{key}"
        if key not in mapping:
            continue
        value = mapping[key]
        if isinstance(message.id, tuple):
            forms = value if isinstance(value, list) else [value, value]
            if set(message.string) != set(forms):
                disagree.append(key)
        elif message.string != value:
            disagree.append(key)
    assert not disagree, f"{_id(po)}: differs from {_dictionary(po).name} for {disagree[:10]} (run scripts/fill_po.py)"


# Every string marked for translation in the code is in its catalogue -------------------------------

_KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "ngettext_lazy": (1, 2),
             "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
             "npgettext_lazy": ((1, "c"), 2, 3)}


def _owner(path: Path) -> Path:
    """The catalogue folder a source file's strings go to (as makemessages decides): the nearest
    enclosing `locale/`, else the project's root `locale/`."""
    for parent in path.parents:
        if parent == BASE_DIR:
            break
        if (parent / "locale").is_dir():
            return parent / "locale"
    return BASE_DIR / "locale"


def _sources() -> list[Path]:
    skip = {".venv", "var", "bench", "node_modules", ".git"}
    files = []
    for path in BASE_DIR.rglob("*"):
        rel = path.relative_to(BASE_DIR).parts
        if rel[0] in skip or "tests" in rel or "migrations" in rel or path.name == "conftest.py":
            continue
        if path.suffix in (".py", ".html", ".txt") and path.is_file():
            files.append(path)
    return files


def _marked(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked in a Python file or a template."""
    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        if "{% load" not in text or "i18n" not in text:
            return set()
        # templatize() keeps the template's layout: only the calls matter, so indentation goes
        text = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).splitlines())
    found = set()
    for _lineno, func, message, _comments in extract_python(io.BytesIO(text.encode("utf-8")), _KEYWORDS, [], {}):
        parts = message if isinstance(message, tuple) else (message,)
        context, msgid = (parts[0], parts[1]) if func.startswith(("pgettext", "npgettext")) else (None, parts[0])
        if msgid:
            found.add((context, msgid))
    return found


def test_every_string_marked_in_the_code_is_in_its_catalogue():
    """A string marked for translation but missing from the catalogue shows in English on an Arabic
    screen: `make messages` extracts it, and the test above then asks for its translation."""
    catalogues = {}
    missing = []
    for path in _sources():
        marked = _marked(path)
        if not marked:
            continue
        owner = _owner(path)
        if owner not in catalogues:
            po = owner / "ar" / "LC_MESSAGES" / "django.po"
            catalogues[owner] = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in _read(po)}
        missing += [f"{path.relative_to(BASE_DIR)}: {ctx + '|' if ctx else ''}{msgid}"
                    for ctx, msgid in sorted(marked, key=str) if (ctx, msgid) not in catalogues[owner]]
    assert not missing, f"{len(missing)} marked strings are in no catalogue (run `make messages`): {missing[:10]}"
