"""Strict readers for configuration from the environment.

Every helper names the variable in its error, so a bad deployment stops at start-up with a
message an operator can act on. No Django imports: settings.py uses these before Django is set up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(Exception):
    """A configuration variable is missing or malformed."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    env = os.environ if environ is None else environ
    value = env.get(name)
    if value is None:
        return None
    return value.strip()


def env_str(
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    value = _raw(name, environ)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{name} is required but is not set")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(
        f"{name} must be a boolean (one of {', '.join(sorted(_TRUE | _FALSE))}), got {value!r}"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {number}")
    return number


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {number}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ConfigError(f"{name} must be a comma-separated list without empty items, got {value!r}")
    return items


def env_secret(
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (docker/k8s secrets)."""
    direct = _raw(name, environ)
    file_name = _raw(f"{name}_FILE", environ)
    if direct and file_name:
        raise ConfigError(f"set either {name} or {name}_FILE, not both")
    if file_name:
        path = Path(file_name)
        try:
            content = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE points to {file_name!r}, which cannot be read: {exc.strerror}") from None
        if not content:
            raise ConfigError(f"{name}_FILE points to {file_name!r}, which is empty")
        return content
    if direct:
        return direct
    if required:
        raise ConfigError(f"{name} (or {name}_FILE) is required but is not set")
    return default


def database_config(url: str | None, *, sqlite_path: Path, name: str = "DATABASE_URL") -> dict:
    """Django DATABASES['default'] from DATABASE_URL; no URL means the embedded SQLite file."""
    import dj_database_url

    if not url:
        return _sqlite(sqlite_path)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            f"{name} must start with postgres:// or sqlite://, got a URL with scheme {scheme or '(none)'!r}"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"{name} is malformed: {exc}") from None
    if scheme == "sqlite":
        return _sqlite(Path(config["NAME"]))
    if not config.get("NAME"):
        raise ConfigError(f"{name} must name a database (postgres://user@host:5432/DBNAME)")
    return config


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN: concurrent writers queue instead of
            # failing half-way, which keeps the audit hash chain linear.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
