"""BMIS settings: one module, every value from the environment through strict helpers.

No configuration at all gives the embedded default: a SQLite file under var/, Celery tasks run
eagerly in-process, DEBUG on and a development secret key. DATABASE_URL switches to PostgreSQL,
CELERY_BROKER_URL to real Celery workers. With DEBUG off, BMIS_SECRET_KEY (or BMIS_SECRET_KEY_FILE)
is required. The README lists every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from bmis.env import (
    ConfigError,
    database_config,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BMIS_VAR_DIR", str(BASE_DIR / "var")))

# --- core -----------------------------------------------------------------------------------
DEBUG = env_bool("BMIS_DEBUG", True)
_secret = env_secret("BMIS_SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ConfigError(
            "BMIS_SECRET_KEY (or BMIS_SECRET_KEY_FILE) is required when BMIS_DEBUG is off"
        )
    _secret = "bmis-development-only-secret-key-never-use-in-production-0123456789"
elif len(_secret) < 50 or len(set(_secret)) < 5:
    # Django's deployment check (security.W009) asks for 50 characters, 5 of them different.
    raise ConfigError("BMIS_SECRET_KEY must be at least 50 characters long, with at least 5 different characters")
SECRET_KEY = _secret

# The audit chain's HMAC key (audit/keys.py): outside the database, like the secret key. Earlier
# keys stay in BMIS_AUDIT_PREVIOUS_KEYS after a rotation; events up to BMIS_AUDIT_LEGACY_SEQ may
# carry the unkeyed SHA-256 of the chain's first version.
_audit_key = env_secret("BMIS_AUDIT_KEY")
if not _audit_key:
    if not DEBUG:
        raise ConfigError("BMIS_AUDIT_KEY (or BMIS_AUDIT_KEY_FILE) is required when BMIS_DEBUG is off")
    _audit_key = "bmis-development-only-audit-key-never-use-in-production-0123456789"
elif len(_audit_key) < 32:
    raise ConfigError("BMIS_AUDIT_KEY must be at least 32 characters long")
BMIS_AUDIT_KEY = _audit_key
BMIS_AUDIT_PREVIOUS_KEYS = [k.strip() for k in (env_secret("BMIS_AUDIT_PREVIOUS_KEYS") or "").split(",") if k.strip()]
BMIS_AUDIT_LEGACY_SEQ = env_int("BMIS_AUDIT_LEGACY_SEQ", 0, minimum=0)

ALLOWED_HOSTS = env_list(
    "BMIS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] + (["testserver"] if DEBUG else [])
)
CSRF_TRUSTED_ORIGINS = env_list("BMIS_CSRF_TRUSTED_ORIGINS", [])
BMIS_TRUST_X_FORWARDED_FOR = env_bool("BMIS_TRUST_X_FORWARDED_FOR", False)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("BMIS_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    if env_bool("BMIS_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Browsers keep to HTTPS for a year (HSTS); plain-HTTP requests through the proxy are
        # redirected, except the health check that the container runtime makes directly.
        SECURE_HSTS_SECONDS = env_int("BMIS_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
        SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BMIS_HSTS_INCLUDE_SUBDOMAINS", True)
        SECURE_HSTS_PRELOAD = env_bool("BMIS_HSTS_PRELOAD", True)
        SECURE_SSL_REDIRECT = True
        SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Where the shared test and benchmark data sets live (names, faces, fingerprints).
BMIS_SHARED_DIR = Path(env_str("BMIS_SHARED_DIR", str(BASE_DIR.parent / "shared")))

INSTALLED_APPS = [
    # Django's admin, whose site signs in through accounts' login (throttled, audited, two-factor).
    "accounts.admin_apps.BMISAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # BMIS apps: dependencies point down this list (see docs/architecture.md).
    "audit",
    "core",
    "accounts",
    "watchlists",
    "biometrics",
    "travelers",
    "devices",
    "incidents",
    "registrations",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "core.middleware.ApiJsonErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(): the session passed the second factor (accounts.views.login_otp_view).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Content-Security-Policy (django-csp) and Cache-Control: no-store on every page and API answer.
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves static files from STATIC_ROOT (collectstatic) through WhiteNoise;
    # development serves them from the apps with django.contrib.staticfiles.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Content-Security-Policy: everything from this origin only; no inline scripts or styles (the
# pages have none: htmx's own indicator style is switched off in base.html), no plugins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "bmis.urls"
WSGI_APPLICATION = "bmis.wsgi.application"
ASGI_APPLICATION = "bmis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.bmis",
            ],
        },
    },
]

DATABASES = {
    "default": database_config(env_str("DATABASE_URL"), sqlite_path=VAR_DIR / "bmis.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_cache_url = env_str("CACHE_URL")
if _cache_url:
    if not _cache_url.startswith(("redis://", "rediss://")):
        raise ConfigError(f"CACHE_URL must start with redis:// or rediss://, got {_cache_url.split('://')[0]!r}")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bmis"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
# Officers land on the checkpoint screen after choosing their booth; everyone else on LOGIN_REDIRECT_URL.
BMIS_OFFICER_LANDING_URL = "travelers:checkpoint"
LOGOUT_REDIRECT_URL = "accounts:login"
# Sign-in throttling (django-axes): after BMIS_LOGIN_FAILURE_LIMIT wrong passwords in a row for
# one username, that username is locked for BMIS_LOGIN_COOLOFF_MINUTES on every sign-in path
# (the login page; the admin's login redirects to it). A success resets the count; every attempt,
# failed, locked out or successful, is also in the audit chain (accounts.signals).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("BMIS_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BMIS_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60))
# Locked by username, not by address: officers of a post share one address (NAT), and a lockout by
# address would lock a whole post out after a few typing errors. A username lock is not bypassed by
# rotating user agents or cookies, which is what axes' warning W006 is about.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False  # no usernames or addresses in the logs: the audit trail records attempts
# Two-factor sign-in (django-otp, TOTP) for supervisors and administrators.
OTP_TOTP_ISSUER = env_str("BMIS_TOTP_ISSUER", "BMIS")
BMIS_LOGIN_OTP_MINUTES = 5  # time allowed between the password and the code

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Terminals: a session ends after BMIS_SESSION_IDLE_MINUTES without user activity (background
# polling does not count as activity), and in any case after BMIS_SESSION_MAX_HOURS.
BMIS_SESSION_IDLE_MINUTES = env_int("BMIS_SESSION_IDLE_MINUTES", 15, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = env_int("BMIS_SESSION_MAX_HOURS", 12, minimum=1, maximum=72) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = env_str("BMIS_LANGUAGE", "en")
# Kurdish Sorani (Central Kurdish, "ckb"): Arabic script, right to left (Django's LANG_INFO says bidi);
# its catalogues may be partial: a string without a Sorani translation shows in English.
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("ckb", _("Kurdish (Sorani)"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ConfigError(f"BMIS_LANGUAGE must be one of {', '.join(code for code, _name in LANGUAGES)}, "
                      f"got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("BMIS_TIME_ZONE", "Asia/Baghdad")
USE_I18N = True
# Numbers: Western digits and "." before decimals in every language (bmis/formats/ar overrides
# Django's Arabic "," decimal separator; bmis/formats/ckb states the same for Sorani). No thousands separator by default: ids, years and
# document numbers must print as typed; counts that want grouping ask for it (core.numbers).
FORMAT_MODULE_PATH = ["bmis.formats"]
USE_THOUSAND_SEPARATOR = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("BMIS_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads: a capture is a few MB at most; anything bigger is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("BMIS_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# API request bodies (DRF's JSON parser reads them whole, and DATA_UPLOAD_MAX_MEMORY_SIZE does
# not apply to it): a larger Content-Length is answered 413 before the body is read. The default
# holds ten fingerprint images at the API's per-image limit (28 MB of base64 each) plus the rest.
BMIS_API_MAX_BODY_BYTES = env_int("BMIS_API_MAX_BODY_BYTES", 290 * 1024 * 1024, minimum=1024 * 1024)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.ScopedPermission"],
    "DEFAULT_SCHEMA_CLASS": "accounts.schema.BMISAutoSchema",
    "EXCEPTION_HANDLER": "core.api.common.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.common.Pagination",
    "PAGE_SIZE": 50,
    # JSON bodies nested deeper than BMIS_API_MAX_JSON_DEPTH are a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BMIS API",
    "DESCRIPTION": (
        "Border management information system: screening, movements, watchlists, hits, "
        "biometrics and statistics for border officers and partner agencies. Partner agencies "
        "authenticate with `Authorization: Bearer <token>`; every operation states the scopes it "
        "requires. Errors use one body: `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
BMIS_API_MAX_JSON_DEPTH = env_int("BMIS_API_MAX_JSON_DEPTH", 64, minimum=8, maximum=200)
BMIS_API_TOKEN_DEFAULT_DAYS = env_int("BMIS_API_TOKEN_DEFAULT_DAYS", 90, minimum=1, maximum=730)

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "amqp://")):
    raise ConfigError("CELERY_BROKER_URL must start with redis://, rediss:// or amqp://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
# Without a broker, tasks run eagerly in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "biometrics.*": {"queue": "biometrics"},
    "devices.*": {"queue": "devices"},
    "watchlists.import_*": {"queue": "imports"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A request must never hang because the broker is down: publish fails fast and the caller
# records the work as pending (core.tasks.enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("BMIS_BROKER_TIMEOUT_SECONDS", 2.0, minimum=0.1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "audit-verify-chain": {"task": "audit.verify_chain", "schedule": crontab(hour=2, minute=30)},
}
# The head of the audit chain is anchored outside the database (an append-only file of anchors,
# each MACed with the audit key) at this interval; the nightly check verifies against the last one.
BMIS_AUDIT_ANCHOR_FILE = Path(env_str("BMIS_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl")))
BMIS_AUDIT_ANCHOR_MINUTES = env_int("BMIS_AUDIT_ANCHOR_MINUTES", 60, minimum=1, maximum=24 * 60)
CELERY_BEAT_SCHEDULE["audit-anchor-head"] = {"task": "audit.anchor_head", "schedule": BMIS_AUDIT_ANCHOR_MINUTES * 60.0}

# --- logging: no personal data; request ids only ----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "audit.middleware.RequestIdLogFilter"},
        # Tracebacks and exception messages can carry personal data: class and location only.
        "safe_exceptions": {"()": "core.logsafe.SafeExceptionFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id", "safe_exceptions"]}
    },
    "root": {"handlers": ["console"], "level": env_str("BMIS_LOG_LEVEL", "INFO")},
    # Django logs request paths with query strings on 4xx/5xx; keep those at WARNING+ only.
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "ERROR"}},
}

# --- accounts and audit -------------------------------------------------------------------------
BMIS_DEMO_ALLOWED = env_bool("BMIS_DEMO_ALLOWED", DEBUG)

# --- travelers ----------------------------------------------------------------------------------
# Codes accepted as issuing states and nationalities besides Doc 9303's table, e.g. "UTO" (the
# Utopia of ICAO's specimens) on a training system. Empty in production.
TRAVELERS_EXTRA_CODES = frozenset(env_list("BMIS_MRZ_EXTRA_CODES", []))
# Holders of this nationality are nationals: they enter as of right, with no limit of stay.
TRAVELERS_HOME_NATIONALITY = env_str("BMIS_HOME_NATIONALITY", "IRQ")
# The daily scan that lists persons whose permitted stay ended without an exit.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "TravelDirectionEnum": "travelers.models.inspection.TRAVEL_DIRECTIONS",
    "InspectionDecisionEnum": "travelers.models.inspection.Decision",
    "MovementDecisionEnum": "travelers.models.inspection.MovementDecision",
    "AbandonReasonEnum": "travelers.models.inspection.AbandonReason",
    "InspectionStatusEnum": "travelers.models.inspection.InspectionStatus",
    "SecondaryOutcomeEnum": "travelers.models.inspection.SecondaryOutcome",
    "ImportStatusEnum": "watchlists.models.ImportStatus",
    "HitStatusEnum": "watchlists.models.HitStatus",
    "DocumentStatusEnum": "watchlists.models.DocumentStatus",
    "DismissReasonEnum": "watchlists.models.DismissReason",
    # One name per choice set (drf-spectacular's deployment check warns otherwise).
    # travelers' sex and watchlists' gender are one choice set (M, F, X): one enum.
    "SexEnum": "travelers.models.person.Sex",
    "FingerprintSearchKindEnum": "biometrics.models.fingerprint.SearchKind",
    "WatchlistKindEnum": "watchlists.models.ListKind",
    "BorderPostKindEnum": "core.models.PostKind",
    "BoothKindEnum": "core.models.BoothKind",
    "DocumentKindEnum": "travelers.models.person.DocumentKind",
})
CELERY_BEAT_SCHEDULE["travelers-overstay-scan"] = {
    "task": "travelers.overstay_scan",
    "schedule": crontab(hour=1, minute=15),
}

# Civil registry (travelers.civil_registry): unset URL = no lookup (the inspection says so). The
# adapter is a class taking (url, token, timeout); the reference one speaks registry_service's
# HTTP/JSON protocol. Answers are kept CACHE_SECONDS; a lookup the registry did not answer within
# TIMEOUT_SECONDS is "registry not checked" and retried every RETRY_MINUTES, MAX_ATTEMPTS times.
BMIS_CIVIL_REGISTRY_URL = env_str("BMIS_CIVIL_REGISTRY_URL", "")
BMIS_CIVIL_REGISTRY_TOKEN = env_secret("BMIS_CIVIL_REGISTRY_TOKEN") or ""
if BMIS_CIVIL_REGISTRY_URL and not BMIS_CIVIL_REGISTRY_URL.startswith(("http://", "https://")):
    raise ConfigError("BMIS_CIVIL_REGISTRY_URL must start with http:// or https://")
if BMIS_CIVIL_REGISTRY_URL and not BMIS_CIVIL_REGISTRY_TOKEN:
    raise ConfigError("BMIS_CIVIL_REGISTRY_TOKEN (or BMIS_CIVIL_REGISTRY_TOKEN_FILE) is required with BMIS_CIVIL_REGISTRY_URL")
BMIS_CIVIL_REGISTRY_ADAPTER = env_str("BMIS_CIVIL_REGISTRY_ADAPTER", "travelers.civil_registry.http.HttpRegistry")
BMIS_CIVIL_REGISTRY_TIMEOUT_SECONDS = env_float("BMIS_CIVIL_REGISTRY_TIMEOUT_SECONDS", 3.0, minimum=0.1)
BMIS_CIVIL_REGISTRY_CACHE_SECONDS = env_int("BMIS_CIVIL_REGISTRY_CACHE_SECONDS", 24 * 3600, minimum=0)
BMIS_CIVIL_REGISTRY_RETRY_MINUTES = env_int("BMIS_CIVIL_REGISTRY_RETRY_MINUTES", 5, minimum=1, maximum=24 * 60)
BMIS_CIVIL_REGISTRY_MAX_ATTEMPTS = env_int("BMIS_CIVIL_REGISTRY_MAX_ATTEMPTS", 12, minimum=1, maximum=1000)

# --- identities and deduplication (travelers/services/dedupe.py, travelers/fusion.py) ----------------
# A pair becomes a candidate for the supervisors' queue at this fused log-likelihood ratio;
# automatic merges follow the calibrated line in travelers/fusion_calibration.json (face and two
# fingers above every different-person score seen), are reversible, and can be switched off.
BMIS_DEDUPE_REVIEW_LLR = env_float("BMIS_DEDUPE_REVIEW_LLR", 3.0, minimum=0.0)
BMIS_DEDUPE_AUTO_MERGE = env_bool("BMIS_DEDUPE_AUTO_MERGE", True)
# Estimated ages: the name index looks this many years either side of the year they imply.
BMIS_DEDUPE_AGE_WINDOW = env_int("BMIS_DEDUPE_AGE_WINDOW", 5, minimum=0, maximum=30)
BMIS_PERSON_INDEX_REFRESH_SECONDS = env_float("BMIS_PERSON_INDEX_REFRESH_SECONDS", 1.0, minimum=0.0)
# Fingerprint 1:N during deduplication: full comparisons per probe finger, then 1:1 against the
# name and face candidates the 1:N did not score (bench/README.md: "The faster dedupe path").
BMIS_DEDUPE_FINGER_SHORTLIST = env_int("BMIS_DEDUPE_FINGER_SHORTLIST", 100, minimum=1, maximum=5000)
BMIS_DEDUPE_FINGER_VERIFY = env_bool("BMIS_DEDUPE_FINGER_VERIFY", True)
# Dedupe when a traveler's face or fingers are enrolled at a checkpoint: on by default with a
# broker (a background task); off in the embedded default, where tasks run in the request.
BMIS_DEDUPE_ON_ENROLMENT = env_bool("BMIS_DEDUPE_ON_ENROLMENT", not CELERY_TASK_ALWAYS_EAGER)
CELERY_BEAT_SCHEDULE["travelers-civil-registry-retry"] = {
    "task": "travelers.civil_registry_retry_pending",
    "schedule": BMIS_CIVIL_REGISTRY_RETRY_MINUTES * 60.0,
}
CELERY_BEAT_SCHEDULE["travelers-civil-registry-purge"] = {
    "task": "travelers.civil_registry_purge_expired",
    "schedule": crontab(hour=2, minute=45),
}


# --- watchlists ---------------------------------------------------------------------------------
# Recent travelers re-screened when a person entry is added or changed (days).
WATCHLISTS_RESCREEN_DAYS = env_int("WATCHLISTS_RESCREEN_DAYS", 30)
# The per-process name index refreshes from the database at most this often (seconds), re-reading
# entries changed within the overlap, and rebuilds a list aside when more entries changed at once.
WATCHLISTS_INDEX_REFRESH_SECONDS = env_float("WATCHLISTS_INDEX_REFRESH_SECONDS", 1.0)
WATCHLISTS_INDEX_OVERLAP_SECONDS = env_int("WATCHLISTS_INDEX_OVERLAP_SECONDS", 5)
WATCHLISTS_INDEX_REBUILD_AT = env_int("WATCHLISTS_INDEX_REBUILD_AT", 50000)
# A name index of at least this many entries is moved out of the garbage collector's reach once
# built (gc.freeze): its containers and the caches its build filled would otherwise be walked by
# every full collection (~150 ms at 1,000,000 entries; watchlists/search.py).
WATCHLISTS_INDEX_GC_FREEZE_AT = env_int("WATCHLISTS_INDEX_GC_FREEZE_AT", 100000)


# --- biometrics: face ---------------------------------------------------------------------------
# Embedding model of new templates (biometrics.face.embedding); templates keep their model.
BMIS_FACE_MODEL = env_str("BMIS_FACE_MODEL", "dlib-resnet-v1")
# Search back-end per gallery: "exact" (numpy), "hnsw" (FAISS) or "auto" (exact below
# BMIS_FACE_HNSW_MIN_TEMPLATES templates, HNSW above).
BMIS_FACE_SEARCH_BACKEND = env_str("BMIS_FACE_SEARCH_BACKEND", "auto")
if BMIS_FACE_SEARCH_BACKEND not in ("auto", "exact", "hnsw"):
    raise ConfigError("BMIS_FACE_SEARCH_BACKEND must be auto, exact or hnsw")
BMIS_FACE_HNSW_MIN_TEMPLATES = env_int("BMIS_FACE_HNSW_MIN_TEMPLATES", 50_000, minimum=0)
# HNSW search breadth: recall against latency (bench/face_search.py sweeps it).
BMIS_FACE_HNSW_EF_SEARCH = env_int("BMIS_FACE_HNSW_EF_SEARCH", 384, minimum=16, maximum=4096)
# Saved indexes (shorter worker start); the database stays the source of truth.
BMIS_FACE_INDEX_DIR = Path(env_str("BMIS_FACE_INDEX_DIR", str(VAR_DIR / "face-index")))
# Distance thresholds (see bench/README.md for the figures behind the defaults).
BMIS_FACE_VERIFY_THRESHOLD = env_float("BMIS_FACE_VERIFY_THRESHOLD", 0.55, minimum=0.1)
BMIS_FACE_WATCHLIST_THRESHOLD = env_float("BMIS_FACE_WATCHLIST_THRESHOLD", 0.50, minimum=0.1)
BMIS_FACE_PERSONS_THRESHOLD = env_float("BMIS_FACE_PERSONS_THRESHOLD", 0.45, minimum=0.1)
BMIS_FACE_MAX_CANDIDATES = env_int("BMIS_FACE_MAX_CANDIDATES", 10, minimum=1, maximum=100)
# Retention of face images and their templates, in days, per purpose (watchlist photos are
# kept while their entry exists).
BMIS_FACE_RETENTION_DAYS = {
    "live": env_int("BMIS_FACE_RETENTION_LIVE_DAYS", 90, minimum=1),
    "document": env_int("BMIS_FACE_RETENTION_DOCUMENT_DAYS", 90, minimum=1),
    "enrolment": env_int("BMIS_FACE_RETENTION_ENROLMENT_DAYS", 3650, minimum=1),
}
# How long the API waits for a queued 1:1 or 1:N result before answering 202.
BMIS_FACE_API_WAIT_SECONDS = env_float("BMIS_FACE_API_WAIT_SECONDS", 10.0, minimum=0.0)
# Pending requests older than this are sent to the queue again (broker was down).
BMIS_FACE_REQUEUE_AFTER_SECONDS = env_int("BMIS_FACE_REQUEUE_AFTER_SECONDS", 60, minimum=5)
CELERY_BEAT_SCHEDULE.update({
    "biometrics-face-purge": {"task": "biometrics.face_purge_expired", "schedule": crontab(hour=3, minute=15)},
    "biometrics-face-requeue": {"task": "biometrics.face_requeue_pending", "schedule": 60.0},
    "biometrics-face-watchlist-photos": {"task": "biometrics.face_sync_watchlist_photos", "schedule": 300.0},
})


# --- biometrics: fingerprint --------------------------------------------------------------------
# MCC scores are in [0, 1]. Measured on FVC2002 B (all four databases, 11,520 impostor pairs):
# 0.025 gives a false match rate of 0.1 % (false non-match 9 %); 0.045 gave no false match at all
# (false non-match 21 %). Identification against many records needs the stricter threshold.
BMIS_FINGERPRINT_VERIFY_THRESHOLD = env_float("BMIS_FINGERPRINT_VERIFY_THRESHOLD", 0.025, minimum=0.0)
BMIS_FINGERPRINT_IDENTIFY_THRESHOLD = env_float("BMIS_FINGERPRINT_IDENTIFY_THRESHOLD", 0.045, minimum=0.0)
# Retention of enrolled fingerprints, by purpose (days); expired ones are purged daily.
BMIS_FINGERPRINT_RETENTION_DAYS = {
    "border_control": env_int("BMIS_FINGERPRINT_RETENTION_DAYS_BORDER", 3650, minimum=1),
    "watchlist": env_int("BMIS_FINGERPRINT_RETENTION_DAYS_WATCHLIST", 3650, minimum=1),
}
CELERY_BEAT_SCHEDULE["biometrics-fingerprint-purge"] = {
    "task": "biometrics.fingerprint_purge_expired",
    "schedule": crontab(hour=3, minute=15),
}

# --- biometrics: the biometric contract (biometrics.abis) ---------------------------------------
# "local" (the face and fingerprint engines of this app) or the dotted path of a class with the
# methods of biometrics.abis.Abis (an external ABIS). Read through biometrics.abis.abis().
BMIS_ABIS_BACKEND = env_str("BMIS_ABIS_BACKEND", "local")


# --- devices ------------------------------------------------------------------------------------
# An event whose device clock differs from the server's by more than this is accepted and flagged
# (the server's time is kept beside the device's and used).
DEVICES_MAX_CLOCK_SKEW_SECONDS = env_int("BMIS_DEVICES_MAX_CLOCK_SKEW_SECONDS", 120, minimum=1)
# An event without sent_at whose time is older than this is taken for a wrong clock (flagged, the
# server's time used); younger ones may have waited in the agent's queue during an outage.
DEVICES_MAX_EVENT_AGE_SECONDS = env_int("BMIS_DEVICES_MAX_EVENT_AGE_SECONDS", 7 * 24 * 3600, minimum=60)
# Largest image or data group one event may carry (bytes, after base64 decoding).
DEVICES_MAX_FILE_BYTES = env_int("BMIS_DEVICES_MAX_FILE_BYTES", 5 * 1024 * 1024, minimum=1024)
# How often devices are checked for missed heartbeats (three missed: offline, with an alert).
DEVICES_CHECK_SECONDS = env_int("BMIS_DEVICES_CHECK_SECONDS", 15, minimum=1)
# Events stored but not acted on after this long (broker down) are queued again.
DEVICES_REQUEUE_AFTER_SECONDS = env_int("BMIS_DEVICES_REQUEUE_AFTER_SECONDS", 120, minimum=10)
# Heartbeats are telemetry: kept this many days.
DEVICES_HEARTBEAT_RETENTION_DAYS = env_int("BMIS_DEVICES_HEARTBEAT_RETENTION_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE["devices-check-offline"] = {"task": "devices.check_offline", "schedule": float(DEVICES_CHECK_SECONDS)}
CELERY_BEAT_SCHEDULE["devices-requeue-accepted"] = {"task": "devices.requeue_accepted", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["devices-purge-heartbeats"] = {"task": "devices.purge_heartbeats", "schedule": crontab(hour=3, minute=10)}


# --- incidents ----------------------------------------------------------------------------------
# Detections become one incident when they follow within this window (seconds after the
# incident's last detection): the same camera's track id, or the same sector within
# INCIDENTS_MERGE_DISTANCE_M of the incident's last position.
INCIDENTS_WINDOW_SECONDS = env_int("BMIS_INCIDENTS_WINDOW_SECONDS", 600, minimum=10)
INCIDENTS_MERGE_DISTANCE_M = env_int("BMIS_INCIDENTS_MERGE_DISTANCE_M", 1500, minimum=0)
# A dispatched patrol's first position within this distance of the incident is its contact.
INCIDENTS_CONTACT_RADIUS_M = env_int("BMIS_INCIDENTS_CONTACT_RADIUS_M", 200, minimum=1)
# How often the supervisor's map asks for news (seconds).
INCIDENTS_MAP_REFRESH_SECONDS = env_int("BMIS_INCIDENTS_MAP_REFRESH_SECONDS", 5, minimum=1)
# One enum name for the detection classes (devices' `class`, incidents' `object_class`).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ObjectClassEnum"] = "devices.models.ObjectClass"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PatrolOutcomeEnum"] = "devices.models.PATROL_OUTCOMES"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["IncidentOutcomeEnum"] = "incidents.models.Outcome"


os.makedirs(VAR_DIR, exist_ok=True)

# --- travelers: booth routing (a read on the booth's reader opens on the officer's screen) --------
# A read that no officer at the booth opens within this many seconds expires (audited, logged).
TRAVELERS_BOOTH_READ_SECONDS = env_int("BMIS_BOOTH_READ_SECONDS", 60, minimum=5, maximum=3600)
# How often the checkpoint screen asks for a read held for its booth (and the devices' status): the
# longest wait before a read shows (target: read to screen within 1 s at p95, bench/booth_routing.py).
# An empty poll costs one indexed query and answers 204.
TRAVELERS_BOOTH_POLL_MS = env_int("BMIS_BOOTH_POLL_MS", 500, minimum=200, maximum=10000)
# A capture from the booth's camera or scanner lands on the booth's open inspection only if it was
# opened within this many minutes (never on a traveler whose inspection was left open long ago).
TRAVELERS_BOOTH_CAPTURE_MINUTES = env_int("BMIS_BOOTH_CAPTURE_MINUTES", 30, minimum=1, maximum=24 * 60)
# How long the booth's device status is cached between polls (seconds).
TRAVELERS_BOOTH_DEVICES_CACHE_SECONDS = env_int("BMIS_BOOTH_DEVICES_CACHE_SECONDS", 5, minimum=0, maximum=300)
CELERY_BEAT_SCHEDULE["travelers-booth-reads-expire"] = {
    "task": "travelers.booth_reads_expire",
    "schedule": 30.0,
}

# --- analytics: live operations, trends, statistics, risk rules, flow anomalies -----------------
BMIS_LIVE_REFRESH_SECONDS = env_int("BMIS_LIVE_REFRESH_SECONDS", 10, minimum=2, maximum=300)
BMIS_LIVE_HOURS = env_int("BMIS_LIVE_HOURS", 8, minimum=1, maximum=72)
BMIS_LIVE_STAFFED_MINUTES = env_int("BMIS_LIVE_STAFFED_MINUTES", 15, minimum=1, maximum=240)
BMIS_ANALYTICS_MAX_DAYS = env_int("BMIS_ANALYTICS_MAX_DAYS", 731, minimum=31, maximum=3660)
# Published statistics: counts below this are withheld, with the cells that would reveal them.
BMIS_STATISTICS_MIN_CELL = env_int("BMIS_STATISTICS_MIN_CELL", 5, minimum=1, maximum=1000)
BMIS_STATISTICS_EXPORT_MAX_CELLS = env_int("BMIS_STATISTICS_EXPORT_MAX_CELLS", 50_000, minimum=100)
BMIS_STATISTICS_DOCUMENT_SCAN_MAX = env_int("BMIS_STATISTICS_DOCUMENT_SCAN_MAX", 2_000_000, minimum=0)
# Flow anomalies: the same hour of the week over the last weeks; an alert beyond LEVEL spreads.
BMIS_ANOMALY_LEVEL = env_float("BMIS_ANOMALY_LEVEL", 3.0, minimum=0.5)
BMIS_ANOMALY_WEEKS = env_int("BMIS_ANOMALY_WEEKS", 8, minimum=2, maximum=52)
BMIS_ANOMALY_MIN_WEEKS = env_int("BMIS_ANOMALY_MIN_WEEKS", 3, minimum=1, maximum=52)
BMIS_ANOMALY_MIN_SPREAD = env_float("BMIS_ANOMALY_MIN_SPREAD", 2.0, minimum=0.0)
BMIS_RISK_BACKTEST_WORK_MEM = env_str("BMIS_RISK_BACKTEST_WORK_MEM", "256MB")
CELERY_BEAT_SCHEDULE["analytics-anomalies-check"] = {"task": "analytics.anomalies_check", "schedule": crontab(minute=5)}
