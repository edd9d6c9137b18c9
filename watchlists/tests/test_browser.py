"""In a real browser (Debian's Chromium driven by Playwright, 1366x768, a supervisor's desk):
an import preview lists what will be deactivated before anything changes, and a hit dismissed
without a reason shows the error on its card."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import PASSWORD
from conftest import persona_totp_device, totp_code, wait_until
from watchlists.models import Hit, HitStatus, ImportJob, ImportStatus, PersonEntry, VehicleEntry
from watchlists.services import hit_raise, import_job_create, person_entry_create

FIXTURES = Path(__file__).parent / "fixtures"
# Set to a directory to keep screenshots of the pages (in English and Arabic) for a look.
SHOTS = os.environ.get("BMIS_SCREENSHOT_DIR")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, live_server, user, next_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # Supervisors confirm with a code from their authenticator (the persona's TOTP device).
    page.wait_for_url("**/accounts/login/code/")
    page.fill("input[name=token]", totp_code(persona_totp_device(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    return page


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _arabic(page):
    page.select_option("#lang-select", "ar")
    page.wait_for_selector("html[dir=rtl]")


def test_an_import_preview_lists_what_will_be_deactivated_before_anything_changes(
        browser, live_server, supervisor, wanted, tmp_path):
    job = import_job_create(actor=supervisor, watchlist=wanted, fmt="csv",
                            uploaded_file=SimpleUploadedFile("p.csv", (FIXTURES / "persons.csv").read_bytes()))
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and PersonEntry.objects.filter(is_active=True).count() == 2

    page = _sign_in(browser, live_server, supervisor, "/watchlists/WANTED/import/")
    deactivate = page.locator("input[name=deactivate_missing]")
    assert not deactivate.is_checked()  # off unless asked
    page.set_input_files("input[name=file]", str(FIXTURES / "persons_v2.csv"))
    deactivate.check()
    page.click("button[type=submit].primary")
    page.wait_for_url("**/watchlists/imports/*/")

    gone = page.locator("#preview-deactivated")
    assert gone.is_visible()
    text = gone.inner_text()
    assert "P-2" in text and "Rezan Khalil" in text and "V-1" in text and "12345 BGD" in text
    assert "Sinan Thamer Al-Lami" in page.locator("#preview-created").inner_text()
    confirm = page.locator("form[action$='/confirm/'] button[type=submit]")
    assert "deactivates 2 entries" in confirm.inner_text()
    assert confirm.is_visible() and confirm.bounding_box()["y"] + confirm.bounding_box()["height"] <= 768
    # Nothing has changed yet.
    assert PersonEntry.objects.get(external_id="P-2").is_active
    assert VehicleEntry.objects.get(external_id="V-1").is_active
    assert not PersonEntry.objects.filter(external_id="P-5").exists()
    _shot(page, "import-preview-en")
    _arabic(page)
    assert "سيُعطَّل" in page.locator("#preview-deactivated").inner_text()
    _shot(page, "import-preview-ar")

    page.locator("form[action$='/confirm/'] button[type=submit]").click()
    wait_until(page, "!document.querySelector('#preview-deactivated')")
    preview_job = ImportJob.objects.exclude(pk=job.pk).get()
    preview_job.refresh_from_db()
    assert preview_job.status == ImportStatus.SUCCEEDED, preview_job.error
    assert not PersonEntry.objects.get(external_id="P-2").is_active
    assert PersonEntry.objects.filter(external_id="P-5", is_active=True).exists()
    _shot(page, "import-applied-ar")


def test_a_dismissal_without_a_reason_shows_the_error_on_the_card(browser, live_server, supervisor, wanted):
    entry = person_entry_create(actor=None, watchlist=wanted, names=["Mahmud Hasan", "محمود حسن"],
                                date_of_birth="1974-08-12", nationalities=["JOR"], rescreen=False)
    hit, _ = hit_raise(actor=None, entry=entry, source="name", score=0.91, threshold=0.8,
                       query={"names": ["MXHMWD XHSN"], "date_of_birth": "1974-08-12", "nationality": "JOR"})
    page = _sign_in(browser, live_server, supervisor, "/watchlists/hits/")
    card = page.locator(f"#hit-{hit.pk}")
    radios = card.locator("input[type=radio][name=decision]")
    assert radios.count() == 2 and not radios.nth(0).is_checked() and not radios.nth(1).is_checked()
    _shot(page, "hit-queue-en")
    card.locator("input[value=dismissed]").check()
    card.locator("textarea[name=note]").fill("not the same man")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(f"#hit-{hit.pk} .card-errors")
    card = page.locator(f"#hit-{hit.pk}")
    assert "Choose the reason for dismissing this hit." in card.inner_text()
    assert card.locator("input[value=dismissed]").is_checked()
    assert card.locator("textarea[name=note]").input_value() == "not the same man"
    _shot(page, "hit-card-error-en")
    page.goto(f"{live_server.url}/watchlists/hits/")
    _arabic(page)
    _shot(page, "hit-queue-ar")
    assert Hit.objects.get().status == HitStatus.PENDING
