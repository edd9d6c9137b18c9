"""The supervisors' watchlist pages in Arabic: right-to-left, translated (explanations included),
numbers and dates kept left-to-right; and the translated explanation says what the pure one says."""

import pytest
from django.utils import translation

from watchlists.explain import explanation_lines
from watchlists.models import DocumentEntry, Hit
from watchlists.names import score as pure_score
from watchlists.services import person_entry_create, screen_person

pytestmark = pytest.mark.django_db


def in_arabic(client):
    """Switch the session's language the way the language menu does (Django's set_language)."""
    r = client.post("/i18n/setlang/", {"language": "ar", "next": "/watchlists/"})
    assert r.status_code == 302
    return client


def assert_rtl(html):
    assert 'lang="ar"' in html and 'dir="rtl"' in html


@pytest.fixture
def hit(wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"], date_of_birth="1980",
                        nationalities=["IRQ"])
    screen_person(names=["Layth Karim"], date_of_birth="1980", nationality="IRQ")
    return Hit.objects.get()


def test_hit_queue_in_arabic(login, supervisor, hit):
    c = in_arabic(login(supervisor))
    html = c.get("/watchlists/hits/").content.decode()
    assert_rtl(html)
    assert "التطابقات" in html  # "Hits"
    assert "تسجيل القرار" in html  # "Record decision"
    assert "نسبة التطابقات الخاطئة لكل قائمة" in html  # "False-positive rate per list"
    assert "قيد الانتظار" in html  # the "Pending" status
    assert "تأكيد" in html and "رفض" in html  # Confirm / Dismiss
    # The explanation, written in English by the pure matcher, is shown in Arabic.
    assert "طابق" in html and "سنة الميلاد نفسها" in html and "جنسية مشتركة" in html
    assert "Laith Kareem" in html  # names stay as written
    for english in ("Record decision", "False-positive rate", "Compare the samples", "matched", "same year of birth"):
        assert english not in html
    assert '<time dir="ltr"' in html  # dates stay left-to-right


def test_adjudication_message_in_arabic(login, supervisor, hit):
    c = in_arabic(login(supervisor))
    r = c.post(f"/watchlists/hits/{hit.pk}/adjudicate/", {"decision": "confirmed", "next": "/watchlists/hits/"},
               follow=True)
    html = r.content.decode()
    assert f"التطابق {hit.pk}: مؤكَّد." in html
    r = c.post(f"/watchlists/hits/{hit.pk}/adjudicate/", {"decision": "maybe"}, follow=True)
    assert r.status_code == 400
    html = r.content.decode()
    card = html[html.index(f'id="hit-{hit.pk}"'):]
    card = card[:card.index("</article>")]
    # On the hit's card, under its Arabic label, in Arabic.
    assert "لم يُبتّ في هذا التطابق" in card and "<legend>القرار</legend>" in card and 'class="errorlist' in card


def test_hit_queue_follows_the_browser_language(client, login, supervisor, hit):
    """Without a language chosen in the menu, Accept-Language decides (LocaleMiddleware)."""
    login(supervisor)
    html = client.get("/watchlists/hits/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert_rtl(html)
    assert "تسجيل القرار" in html and "Record decision" not in html
    html = client.get("/watchlists/hits/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'dir="ltr"' in html and "Record decision" in html


def test_watchlist_list_in_arabic(login, supervisor, wanted, stolen_docs):
    c = in_arabic(login(supervisor))
    html = c.get("/watchlists/").content.decode()
    assert_rtl(html)
    assert "قوائم المراقبة" in html and "قائمة مراقبة جديدة" in html and "قائمة انتظار التطابقات" in html
    assert "القبض" in html  # the list's action on a hit
    assert "WANTED" in html and "Wanted persons" in html  # codes and names as entered
    for english in ("New watchlist", "Hits queue", "False-positive rate", "Arrest"):
        assert english not in html


def test_watchlist_detail_in_arabic(login, supervisor, wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Sinan Thamer Al-Lami", "سنان ثامر اللامي"],
                        date_of_birth="1981-03-01", nationalities=["IRQ"])
    DocumentEntry.objects.create(watchlist=wanted, number="A1234567", issuing_state="IRQ", status="stolen")
    c = in_arabic(login(supervisor))
    html = c.get("/watchlists/WANTED/").content.decode()
    assert_rtl(html)
    assert "الأشخاص" in html and "تعديل القائمة" in html and "أسماء مشابهة" in html and "مسروقة" in html
    assert '<td dir="ltr">A1234567</td>' in html  # document numbers stay left-to-right
    assert '<td dir="ltr">1981-03-01</td>' in html  # so do dates
    assert '<span dir="ltr">Sinan Thamer Al-Lami</span>' in html and 'lang="ar" dir="rtl">سنان' in html
    for english in ("Edit list", "New document", "Import a file", "No person entries", "Stolen"):
        assert english not in html


def test_entry_form_in_arabic(login, supervisor, wanted):
    c = in_arabic(login(supervisor))
    html = c.get("/watchlists/WANTED/persons/new/").content.decode()
    assert_rtl(html)
    assert "إضافة قيد شخص" in html and "اسم واحد في كل سطر" in html
    assert "One name per line" not in html
    r = c.post("/watchlists/WANTED/persons/new/", {"names": "Sinan Thamer", "date_of_birth": "1981-13-01"})
    html = r.content.decode()
    assert r.status_code == 200 and "الشهر خارج النطاق: 13" in html and "month out of range" not in html


def _explanations():
    """Real explanations from the pure scorer: notes, part matches, evidence of every kind."""
    P = pure_score.Person
    pairs = [
        (P(names=("Layth Karim",), date_of_birth="1980", nationalities=("IRQ",), gender="M"),
         P(names=("Laith Kareem",), date_of_birth="1980", nationalities=("IRQ",), gender="M")),
        (P(names=("Abd al-Rahman bin Khalid",), date_of_birth="1975-04-03", nationalities=("SYR",)),
         P(names=("عبد الرحمن بن خالد",), date_of_birth="1975-03-04", nationalities=("IRQ",))),
        (P(names=("Mohammed",), date_of_birth="1990", gender="F"),
         P(names=("Mohammed Ali Hassan",), date_of_birth="1983", gender="M")),
    ]
    return [pure_score.score_person(q, e).explanation for q, e in pairs]


def test_translated_explanation_says_in_english_what_the_pure_one_says():
    """watchlists.explain must follow watchlists.names.score.explanation_lines word for word in English."""
    with translation.override("en"):
        for ex in _explanations():
            assert explanation_lines(ex) == pure_score.explanation_lines(ex)


def test_explanation_phrases_are_all_known_in_arabic():
    """Every phrase the pure scorer wrote for these explanations has an Arabic rendering."""
    with translation.override("ar"):
        for ex in _explanations():
            lines = explanation_lines(ex)
            text = " ".join(lines)
            for phrase in [f["finding"] for f in ex["evidence"]] + ex["name_notes"] + [
                    h for p in ex["name_parts"] for h in p["how"]]:
                assert phrase not in text, (phrase, lines)
