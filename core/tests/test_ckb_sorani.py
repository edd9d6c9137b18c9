"""Kurdish Sorani (Central Kurdish, "ckb"), the third UI language: its dictionaries (`*/locale/ckb.json`)
keep every placeholder of their msgids and Sorani's spelling, the catalogues compile with Sorani's two
plural forms, the shared layout and the field officers' pages are wholly Sorani, a page in Sorani
is right to left, and a string without a Sorani translation falls back to English (not Arabic)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

BASE_DIR = Path(settings.BASE_DIR)
CONTEXT_SEPARATOR = "\x04"

# What officers and field officers see: the shared layout, sign-in and error pages (root `locale/`),
# the checkpoint (travelers), face and fingerprint capture (biometrics), the field pages (incidents,
# registrations). These catalogues must be complete in Sorani; the others (devices, watchlists:
# supervisors' pages) are complete today but may lag behind, their new strings showing in English.
COMPLETE_IN_SORANI = ["locale", "travelers/locale", "biometrics/locale", "incidents/locale", "registrations/locale"]


def _dictionaries() -> list[Path]:
    found = [BASE_DIR / "locale" / "ckb.json"] if (BASE_DIR / "locale" / "ckb.json").is_file() else []
    return found + sorted(BASE_DIR.glob("*/locale/ckb.json"))


DICTIONARIES = _dictionaries()


def _rel(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


# %(name)s, %(n)d, %s, %d, %%, and str.format's {0} / {name}: the same ones, as many times, in msgid and msgstr.
_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{[^{}\s]*\}")
# Arabic letters Sorani writes otherwise: ي (Sorani ی), ك (ک), ة (ە/ەت), ى (ی), Arabic's short vowels;
# and no tatweel (ـ) to hang a suffix on a placeholder: the sentence is turned instead.
_NOT_SORANI = re.compile("[\u064a\u0643\u0629\u0649\u064b-\u0652\u0640]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def test_the_sorani_dictionaries_are_found():
    names = {_rel(p) for p in DICTIONARIES}
    assert {"locale/ckb.json", "incidents/locale/ckb.json"} <= names


@pytest.mark.parametrize("path", DICTIONARIES, ids=_rel)
def test_every_sorani_entry_keeps_the_placeholders_of_its_msgid(path):
    mapping = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for key, value in mapping.items():
        msgid = key.split(CONTEXT_SEPARATOR, 1)[-1]
        forms = value if isinstance(value, list) else [value]
        if isinstance(value, list) and len(value) != 2:
            problems.append(f"{key!r}: Sorani has two plural forms [one, other], not {len(value)}")
        for form in forms:
            if not isinstance(form, str) or not form.strip():
                problems.append(f"{key!r}: empty translation")
            elif _placeholders(form) != _placeholders(msgid):
                problems.append(f"{key!r}: {_placeholders(msgid)} in the msgid, {_placeholders(form)} in {form!r}")
    assert not problems, f"{_rel(path)}: {problems[:10]}"


@pytest.mark.parametrize("path", DICTIONARIES, ids=_rel)
def test_sorani_entries_are_written_in_sorani_spelling(path):
    """Arabic script as Sorani writes it (ی ک ە, not Arabic's ي ك ة; no short-vowel marks): a string
    copied from the Arabic catalogue, or typed on an Arabic keyboard, shows here."""
    mapping = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for key, value in mapping.items():
        for form in value if isinstance(value, list) else [value]:
            if _NOT_SORANI.search(form):
                problems.append(f"{key!r}: {form!r}")
            elif not _ARABIC_SCRIPT.search(form) and form != key.split(CONTEXT_SEPARATOR, 1)[-1]:
                problems.append(f"{key!r}: {form!r} is neither Sorani nor the msgid as it is")
    assert not problems, f"{_rel(path)}: {problems[:10]}"


def _read(po: Path):
    with po.open("rb") as f:
        return read_po(f, locale=po.parent.parent.name)


def _key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}{CONTEXT_SEPARATOR}{msgid}" if message.context else msgid


SORANI_PO = sorted(p for d in [BASE_DIR / "locale", *BASE_DIR.glob("*/locale")]
                   for p in d.glob("ckb/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", SORANI_PO, ids=_rel)
def test_the_sorani_catalogues_compile_with_two_plural_forms(po):
    catalog = _read(po)
    assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    import gettext

    compiled = gettext.GNUTranslations(io.BytesIO(buffer.getvalue()))
    assert [compiled.plural(n) for n in (0, 1, 2, 11, 101)] == [1, 0, 1, 1, 1]
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == 2 and all(message.string), message.id


@pytest.mark.parametrize("folder", [f for f in COMPLETE_IN_SORANI if (BASE_DIR / f / "ar.json").is_file()])
def test_the_layout_and_the_field_pages_are_wholly_sorani(folder):
    """Every message of these catalogues (the Arabic one lists them all) has its Sorani translation."""
    arabic = {_key(m) for m in _read(BASE_DIR / folder / "ar" / "LC_MESSAGES" / "django.po") if m.id}
    sorani_po = BASE_DIR / folder / "ckb" / "LC_MESSAGES" / "django.po"
    assert sorani_po.is_file(), f"{folder}: no Sorani catalogue (add ckb.json, run `make messages`)"
    sorani = {_key(m) for m in _read(sorani_po) if m.id and all(m.string if isinstance(m.string, tuple)
                                                                   else [m.string])}
    missing = sorted(arabic - sorani)
    assert not missing, f"{folder}: {len(missing)} messages without Sorani: {missing[:10]}"


def test_django_speaks_sorani_from_the_compiled_catalogues():
    # The msgids are passed as variables: written inside gettext() here, makemessages would extract
    # them again into the root catalogue (this file is under core/, which has no catalogue of its own).
    from django.utils import translation as t

    sign_in, border_map, open_, one, other = ("Sign in", "Border map", "Open (not closed)", "%(n)s open incident",
                                              "%(n)s open incidents")
    english = "Watchlist screening is not available on this system yet: no name or document checks were made."
    with t.override("ckb"):
        assert t.get_language_bidi()
        assert t.gettext(sign_in) == "چوونەژوورەوە"
        assert t.gettext(border_map) == "نەخشەی سنوور"
        assert t.pgettext("status", open_) == "کراوە (دانەخراو)"
        assert t.ngettext(one, other, 3) % {"n": 3} == "3 ڕووداوی کراوە"
        # A string with no Sorani translation shows in English, never in Arabic.
        assert t.gettext(english) == english


def test_sorani_pages_write_numbers_as_the_others():
    template = Template("{{ score|floatformat:2 }} {{ year }} {{ pk }}")
    with translation.override("ckb"):
        assert template.render(Context({"score": 0.915, "year": 2026, "pk": 1234567})) == "0.92 2026 1234567"
        from core.numbers import grouped

        assert grouped(1_000_000) == "1,000,000"


def test_a_wrong_default_language_names_the_three():
    env = {**os.environ, "BMIS_LANGUAGE": "ku"}
    result = subprocess.run([sys.executable, "-c", "import django; from django.conf import settings; "
                             "settings.LANGUAGES"], env=env, cwd=BASE_DIR, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "BMIS_LANGUAGE must be one of en, ar, ckb, got 'ku'" in result.stderr


@pytest.mark.django_db
def test_the_sign_in_page_in_sorani_is_right_to_left(client):
    response = client.post("/i18n/setlang/", {"language": "ckb", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ckb"' in html
    assert "چوونەژوورەوە" in html  # "Sign in"
    # The language switcher offers the three, each in its own name, Sorani chosen.
    assert '<option value="ckb" selected>کوردی</option>' in html
    assert '<option value="en" >English</option>' in html and '<option value="ar" >' in html


@pytest.mark.django_db
def test_the_choice_persists_and_english_comes_back(client):
    client.post("/i18n/setlang/", {"language": "ckb", "next": "/accounts/login/"})
    assert 'lang="ckb"' in client.get("/accounts/login/").content.decode()
    assert 'lang="ckb"' in client.get("/accounts/login/").content.decode()  # the cookie keeps it
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert 'dir="ltr"' in html and "Sign in" in html


@pytest.mark.django_db
def test_the_field_pages_in_sorani(client, login, supervisor_a, post_a):
    from core.tests.factories import SectorFactory
    from devices.tests.factories import make_device
    from incidents.services import incident_attach_detection
    from incidents.tests.factories import make_detection

    sector = SectorFactory(post=post_a, code="SA1", name="Sector A1", name_local="کەرتی A1")
    camera, _raw = make_device("thermal_camera", post=post_a, sector=sector, code="CAM-A1", latitude=33.50,
                               longitude=46.00)
    incident, _ = incident_attach_detection(detection=make_detection(camera, at=timezone.now() - timedelta(minutes=3),
                                                                     track_id="T1", count=4))
    login(supervisor_a)
    client.post("/i18n/setlang/", {"language": "ckb", "next": "/incidents/"})
    page = client.get("/incidents/").content.decode()
    assert 'dir="rtl"' in page and "نەخشەی سنوور" in page and "دەرچوون" in page  # map, "Sign out"
    detail = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "ناردنی پاترۆڵ" in detail  # "Dispatch a patrol"
    data = client.get("/incidents/map.json").json()
    assert data["incidents"][0]["status_label"] == "نوێ"


@pytest.mark.django_db
def test_the_error_pages_in_sorani(client):
    client.post("/i18n/setlang/", {"language": "ckb", "next": "/"})
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and 'dir="rtl"' in html
    assert "نەدۆزرایەوە" in html and "لاپەڕەکە یان تۆمارەکە بوونی نییە" in html


def test_a_msgid_in_several_catalogues_has_one_sorani_translation():
    """Django merges the apps' catalogues, the first app's translation winning: a msgid given two
    Sorani translations in two apps would show the other app's on some pages."""
    seen: dict[str, dict[str, object]] = {}
    for path in DICTIONARIES:
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            seen.setdefault(key, {})[_rel(path)] = value
    differ = {key: where for key, where in seen.items()
              if len({json.dumps(v, ensure_ascii=False) for v in where.values()}) > 1}
    assert not differ, differ
