""""Open" the verb (a button or link that opens an item) and "Open" the state (an open inspection)
are two messages, told apart by their context, so that Arabic says افتح for the one and مفتوح for
the other (one msgid would get one translation, and the button said "open" as in "not closed").
Kurdish Sorani likewise: کردنەوە (opening: the verb) and کراوە (open: the state)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.tests.test_catalogues import PO_FILES, _id, _read

BASE_DIR = Path(settings.BASE_DIR)
VERB, STATE = "افتح", "مفتوح"
# Per language: how a verb "Open…" begins (Sorani: "کردنەوەی ڕووداوەکە", opening the incident) and the state.
WORDS = {"ar": (VERB, STATE), "ckb": ("کردنەوە", "کراوە")}


def _language(po: Path) -> str:
    return po.parent.parent.name


@pytest.mark.parametrize("po", PO_FILES, ids=_id)
def test_open_the_verb_is_never_translated_as_the_state(po):
    verb, state = WORDS[_language(po)]
    wrong = []
    for message in _read(po):
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if not msgid or not re.match(r"Open\b", msgid) or message.context == "status":
            continue
        if msgid == "Open" and not message.context:
            continue  # the ambiguous message of old (see the test below)
        text = message.string if isinstance(message.string, str) else message.string[0]
        if state in text or not text.startswith(verb):
            wrong.append((message.context, msgid, text))
    assert not wrong, f"{_id(po)}: a verb 'Open' must be translated {verb}: {wrong}"


@pytest.mark.parametrize("language", sorted({_language(po) for po in PO_FILES}))
def test_the_verb_and_the_state_have_two_translations(language):
    contexts = {}
    for po in PO_FILES:
        if _language(po) != language:
            continue
        for message in _read(po):
            if message.id == "Open" and message.context in ("verb", "status"):
                contexts[message.context] = message.string
    verb, state = WORDS[language]
    assert contexts == {"verb": verb, "status": state}


def test_templates_render_the_verb_and_the_state_apart():
    with translation.override("ar"):
        verb = Template('{% load i18n %}{% translate "Open" context "verb" %}').render(Context())
        state = Template('{% load i18n %}{% translate "Open" context "status" %}').render(Context())
    assert (verb, state) == (VERB, STATE)


def _sources():
    for path in BASE_DIR.rglob("*"):
        parts = path.relative_to(BASE_DIR).parts
        if parts[0].startswith(".") or "tests" in parts or parts[0] in ("bench", "scripts", "docs", "var"):
            continue
        if path.suffix in (".html", ".py") and path.is_file():
            yield path


def test_no_source_uses_open_without_a_context():
    template = re.compile(r"""\{%\s*(?:translate|trans)\s+["']Open["']\s*(?:%\}|as\b|noop\b)""")
    python = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*["']Open["']\s*\)""")
    found = []
    for path in _sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = template if path.suffix == ".html" else python
        found += [f"{path.relative_to(BASE_DIR)}:{text.count(chr(10), 0, m.start()) + 1}" for m in pattern.finditer(text)]
    assert not found, f"'Open' without a context (verb or status): {found}"
