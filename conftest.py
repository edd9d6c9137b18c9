"""Shared test fixtures: named personas (officer at post A, officer at post B, supervisors,
administrator, partner agency), API clients, the Celery mode of each test, and the one way to
reach what a test needs from outside the repository (the shared data sets, Debian's chromium).

Under `CI=true` such a missing requirement fails the test, naming what is missing; elsewhere the
test is skipped with a message saying how to get it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.permissions import Role
from accounts.tests.factories import PASSWORD, AgencyFactory, UserFactory
from core.tests.factories import BoothFactory, BorderPostFactory


def in_ci() -> bool:
    """True when the suite runs as CI (`CI=true`, as .ci/run and CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_requirement(message: str, how: str):
    """Fail under CI (nothing a test needs may silently vanish there), skip elsewhere with `how`."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing requirement is an error, not a skip)", pytrace=False)
    pytest.skip(f"{message}: {how}")


def shared_data_root() -> Path:
    """Where the third-party data sets live: BMIS_SHARED_DIR, else ../shared beside the checkout."""
    return Path(os.environ.get("BMIS_SHARED_DIR") or django_settings.BMIS_SHARED_DIR)


SHARED_DATA_HOW = ("set BMIS_SHARED_DIR to the shared data folder, or place the repository beside "
                   "shared/ (it is read as ../shared)")


def shared_data(*parts: str) -> Path:
    """The path of a file or folder in the shared data sets; the calling test fails under CI, or is
    skipped elsewhere, when it is missing. For helpers that read data files directly: the data
    tests themselves request the `shared_dir` fixture or carry the `shared_data` marker."""
    path = shared_data_root().joinpath(*parts)
    if not path.exists():
        missing_requirement(f"shared data set not found: {path}", SHARED_DATA_HOW)
    return path


def pytest_collection_modifyitems(config, items):
    vendor = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass of .ci/run (DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres") and vendor != "postgresql":
            item.add_marker(skip_pg)
        # A test that reads the shared data sets is a `shared_data` test (`-m "not shared_data"`).
        if "shared_dir" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("shared_data"):
            item.add_marker(pytest.mark.shared_data)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: the test client's requests activate the
    session's language (LocaleMiddleware) in this thread, and an Arabic page test must not leave
    the services called directly by the next test speaking Arabic."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain's head in its own file (never the developer's var/)."""
    settings.BMIS_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tests run tasks eagerly unless marked `broker`: those use the real broker and a worker."""
    from bmis.celery import app

    before = app.conf.task_always_eager
    if request.node.get_closest_marker("broker"):
        if not django_settings.CELERY_BROKER_URL:
            pytest.skip("needs a real broker: runs in the Redis pass of .ci/run (CELERY_BROKER_URL)")
        app.conf.task_always_eager = False
    else:
        app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _fresh_search_indexes(settings, tmp_path):
    """Per-process search indexes (watchlist names, face and fingerprint galleries) start empty in every test:
    test databases reuse primary keys, which production never does."""
    from biometrics.services.face_index import reset_registries
    from biometrics.services.fingerprint import fingerprint_gallery_reset
    from watchlists.search import registry

    settings.WATCHLISTS_INDEX_REFRESH_SECONDS = 0
    settings.BMIS_FACE_INDEX_DIR = tmp_path / "face-index"
    registry().clear()
    reset_registries()
    fingerprint_gallery_reset()
    yield
    registry().clear()
    reset_registries()
    fingerprint_gallery_reset()


@pytest.fixture
def celery_live_worker():
    """A real Celery worker (in a thread) consuming every queue from the configured broker.
    Use with `@pytest.mark.broker` and `@pytest.mark.django_db(transaction=True)`."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from bmis.celery import app

    def close_thread_connections(**_kwargs):
        # The worker thread's own database connections, so that none outlives the test.
        connections.close_all()

    task_postrun.connect(close_thread_connections, weak=False)
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["default", "biometrics", "imports"],
                          loglevel="WARNING", shutdown_timeout=30) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_thread_connections)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The folder of the shared data sets (names, faces, fingerprints): BMIS_SHARED_DIR, else
    ../shared. Missing: the test fails under CI=true (naming the folder), elsewhere it is skipped
    with how to get the data."""
    path = shared_data_root()
    if not path.is_dir():
        missing_requirement(f"shared data sets folder not found: {path}", SHARED_DATA_HOW)
    return path


@pytest.fixture(autouse=True)
def _shared_data_marker(request):
    """`@pytest.mark.shared_data("faces/deepface", ...)`: the test needs the shared data folder and
    these data sets inside it; each is checked (fail under CI, skip elsewhere) before the test runs."""
    marker = request.node.get_closest_marker("shared_data")
    if marker is not None:
        root = request.getfixturevalue("shared_dir")
        for part in marker.args:
            shared_data(part)
        return root
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium (found on PATH) for the Playwright browser tests."""
    path = shutil.which("chromium")
    if not path:
        missing_requirement("chromium is not installed", "apt-get install -y chromium (.ci/run installs it)")
    return path


# Debian's chromium, headless, no network of its own (STYLE.md): the flags of every browser test.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser(chromium):
    """A Playwright Chromium (Debian's) for a live-server test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # (fixtures, assertions) are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            yield instance
            instance.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression from here until it is true. Playwright's own
    `wait_for_function` evaluates a still-false predicate with eval() inside the page, which the
    pages' Content-Security-Policy (no 'unsafe-eval') rightly refuses; `page.evaluate` is not
    subject to it."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true within {timeout} s: {expression}"
        page.wait_for_timeout(50)


@pytest.fixture
def post_a(db):
    return BorderPostFactory(code="PA", name="Post A")


@pytest.fixture
def post_b(db):
    return BorderPostFactory(code="PB", name="Post B", neighbour_country="IRN")


@pytest.fixture
def booth_a(post_a):
    return BoothFactory(post=post_a, code="A1")


@pytest.fixture
def booth_b(post_b):
    return BoothFactory(post=post_b, code="B1")


@pytest.fixture
def border_agency(db):
    return AgencyFactory(code="BPD", name="Border Ports Directorate", kind="border")


@pytest.fixture
def police_agency(db):
    return AgencyFactory(code="POLICE", name="National Police", kind="police")


@pytest.fixture
def officer_a(post_a, border_agency):
    return UserFactory(username="officer.a", role=Role.OFFICER, agency=border_agency, posts=[post_a])


@pytest.fixture
def officer_b(post_b, border_agency):
    return UserFactory(username="officer.b", role=Role.OFFICER, agency=border_agency, posts=[post_b])


@pytest.fixture
def supervisor_a(post_a, border_agency):
    return UserFactory(username="supervisor.a", role=Role.SUPERVISOR, agency=border_agency, posts=[post_a])


@pytest.fixture
def supervisor(border_agency):
    """A supervisor with a national remit (every post)."""
    return UserFactory(username="supervisor.nat", role=Role.SUPERVISOR, agency=border_agency, is_national=True)


@pytest.fixture
def admin_user(border_agency):
    return UserFactory(username="admin", role=Role.ADMIN, agency=border_agency, is_national=True,
                       is_staff=True, is_superuser=True)


@pytest.fixture
def make_partner(police_agency):
    """make_partner(scopes, days=30, posts=()) -> (ApiClient, raw token); `posts`: where the client
    may open inspections."""
    from accounts.services import api_client_create, api_token_issue

    counter = {"n": 0}

    def make(scopes, *, agency=None, days=30, posts=()):
        counter["n"] += 1
        client = api_client_create(actor=None, agency=agency or police_agency,
                                   name=f"client{counter['n']}", scopes=scopes, posts=posts)
        _token, raw = api_token_issue(actor=None, client=client, days=days)
        return client, raw

    return make


@pytest.fixture
def api():
    return APIClient()


def totp_code(device) -> str:
    """The TOTP code `device` accepts now, computed from its key as an authenticator app would."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def persona_totp_device(user):
    """The persona's confirmed TOTP device (its authenticator app), created on first use.

    Tests sign the same persona in more than once per 30-second step; TOTP refuses a code already
    used (the replay guard, `last_t`), so the guard is reset here, for the persona's device only:
    the code under test still checks it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="persona authenticator", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device


@pytest.fixture
def login(client):
    """login(user, booth=None): sign `user` in through the real login form; supervisors and
    administrators also pass the second step with a real TOTP code from their persona's device,
    so their session is verified (`user.is_verified()`), as in production.

    Sessions made with `client.force_login(user)` (or DRF's `force_authenticate`) skip the login
    flow: they are password-less, unverified sessions. BMIS enforces the second factor in the login
    flow (accounts.views.login_view / login_otp_view), the only way a real session is made, and the
    admin site additionally requires a verified session (accounts.admin_site); other pages and the
    API accept an authenticated session as it is, which is what such tests rely on."""

    def do(user, booth=None):
        data = {"username": user.username, "password": PASSWORD}
        if booth is not None:
            data["booth"] = booth.pk
        response = client.post("/accounts/login/", data)
        assert response.status_code == 302, response.content.decode()[:500]
        if response.url.startswith("/accounts/login/code/"):
            device = persona_totp_device(user)
            response = client.post("/accounts/login/code/", {"token": totp_code(device)})
            assert response.status_code == 302, response.content.decode()[:500]
        return client

    return do


# --- the reference civil registry (registry_service) -------------------------------------------


class RegistryServer:
    """A running `python -m registry_service` process: its URL and token, its data set, and its
    artificial delay (set through its control endpoint)."""

    def __init__(self, url: str, token: str, citizens: list[dict]):
        self.url, self.token, self.citizens = url, token, citizens

    def set_delay(self, seconds: float) -> None:
        import json
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}/control/delay", data=json.dumps({"seconds": seconds}).encode(), method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def citizen(self, *, face: bool | None = None, status: str = "alive") -> dict:
        return next(c for c in self.citizens if c["status"] == status
                    and (face is None or bool(c.get("face_image")) == face))


@pytest.fixture(scope="session")
def registry_server(tmp_path_factory):
    """The reference civil registry started as a real process on a free port (session-wide; the
    function-scoped `civil_registry` fixture resets its delay and points the settings at it)."""
    import json
    import secrets
    import subprocess
    import sys

    root = Path(__file__).resolve().parent
    data = root / "registry_service" / "data" / "citizens.json"
    token = secrets.token_urlsafe(24)
    log = tmp_path_factory.mktemp("registry") / "registry.log"
    env = {**os.environ, "REGISTRY_SERVICE_TOKEN": token}
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "registry_service", "--port", "0", "--data", str(data), "--allow-control"],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=err,
        )
    first = process.stdout.readline().decode().strip()
    if not first.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"registry_service did not start: {first!r} {log.read_text()[-500:]}")
    server = RegistryServer(first.removeprefix("listening on "), token,
                            json.loads(data.read_text(encoding="utf-8"))["citizens"])
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def civil_registry(registry_server, settings):
    """BMIS configured to use the reference registry (short timeout, no delay)."""
    registry_server.set_delay(0)
    settings.BMIS_CIVIL_REGISTRY_URL = registry_server.url
    settings.BMIS_CIVIL_REGISTRY_TOKEN = registry_server.token
    settings.BMIS_CIVIL_REGISTRY_TIMEOUT_SECONDS = 0.5
    yield registry_server
    registry_server.set_delay(0)
