import os
import subprocess
import sys
from pathlib import Path

import pytest

from bmis.env import ConfigError, database_config, env_bool, env_int, env_list, env_secret, env_str

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("YES", True), ("on", True),
                                          ("0", False), ("False", False), ("no", False), ("off", False)])
def test_env_bool_accepts_known_values(raw, expected):
    assert env_bool("X", not expected, environ={"X": raw}) is expected


def test_env_bool_rejects_unknown_values_naming_the_variable():
    with pytest.raises(ConfigError, match="BMIS_DEBUG must be a boolean.*'maybe'"):
        env_bool("BMIS_DEBUG", True, environ={"BMIS_DEBUG": "maybe"})


def test_env_bool_default_when_unset_or_empty():
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={"X": ""}) is False


def test_env_int_bounds_and_garbage():
    assert env_int("N", 5, environ={"N": "7"}) == 7
    with pytest.raises(ConfigError, match="N must be an integer"):
        env_int("N", 5, environ={"N": "seven"})
    with pytest.raises(ConfigError, match="N must be at least 1"):
        env_int("N", 5, minimum=1, environ={"N": "0"})


def test_env_list_rejects_empty_items():
    assert env_list("H", [], environ={"H": "a, b"}) == ["a", "b"]
    with pytest.raises(ConfigError, match="H must be a comma-separated list"):
        env_list("H", [], environ={"H": "a,,b"})


def test_env_str_required():
    with pytest.raises(ConfigError, match="NEEDED is required"):
        env_str("NEEDED", required=True, environ={})


def test_secret_from_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cr3t-from-file\n")
    assert env_secret("KEY", environ={"KEY_FILE": str(secret_file)}) == "s3cr3t-from-file"


def test_secret_file_missing_or_empty_or_both(tmp_path):
    with pytest.raises(ConfigError, match="KEY_FILE points to .* cannot be read"):
        env_secret("KEY", environ={"KEY_FILE": str(tmp_path / "nope")})
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    with pytest.raises(ConfigError, match="KEY_FILE points to .* is empty"):
        env_secret("KEY", environ={"KEY_FILE": str(empty)})
    with pytest.raises(ConfigError, match="set either KEY or KEY_FILE"):
        env_secret("KEY", environ={"KEY": "x", "KEY_FILE": str(empty)})


def test_database_config(tmp_path):
    sqlite = database_config(None, sqlite_path=tmp_path / "db.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    pg = database_config("postgres://u:p@db.example:5432/bmis", sqlite_path=tmp_path / "x")
    assert pg["ENGINE"] == "django.db.backends.postgresql" and pg["NAME"] == "bmis" and pg["HOST"] == "db.example"
    with pytest.raises(ConfigError, match="DATABASE_URL must start with postgres://"):
        database_config("mysql://u@h/db", sqlite_path=tmp_path / "x")
    with pytest.raises(ConfigError, match="DATABASE_URL must name a database"):
        database_config("postgres://u@h:5432/", sqlite_path=tmp_path / "x")


def _manage_check(tmp_path: Path, env_overrides: dict) -> subprocess.CompletedProcess:
    """`manage.py check` started in this test's own temporary folder, its local data there too (never
    the repository's var/ or the current directory, nor a folder shared with other runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMIS_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env.update(env_overrides)
    env["BMIS_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_startup_refuses_without_secret_when_debug_is_off(tmp_path):
    result = _manage_check(tmp_path, {"BMIS_DEBUG": "false"})
    assert result.returncode == 2
    assert "BMIS_SECRET_KEY (or BMIS_SECRET_KEY_FILE) is required when BMIS_DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr


def test_startup_names_a_malformed_variable(tmp_path):
    result = _manage_check(tmp_path, {"BMIS_DEBUG": "perhaps"})
    assert result.returncode == 2
    assert "BMIS_DEBUG must be a boolean" in result.stderr


def test_startup_with_secret_and_debug_off_succeeds(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("production-like-secret-key-0123456789-abcdefghijklmnop")
    audit_key = tmp_path / "audit_key"
    audit_key.write_text("a" * 50)
    result = _manage_check(tmp_path, {"BMIS_DEBUG": "false", "BMIS_SECRET_KEY_FILE": str(secret),
                            "BMIS_AUDIT_KEY_FILE": str(audit_key)})
    assert result.returncode == 0, result.stderr


def test_startup_refuses_without_the_audit_key_when_debug_is_off(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("production-like-secret-key-0123456789-abcdefghijklmnop")
    result = _manage_check(tmp_path, {"BMIS_DEBUG": "false", "BMIS_SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 2
    assert "BMIS_AUDIT_KEY (or BMIS_AUDIT_KEY_FILE) is required when BMIS_DEBUG is off" in result.stderr
    result = _manage_check(tmp_path, {"BMIS_DEBUG": "false", "BMIS_SECRET_KEY_FILE": str(secret), "BMIS_AUDIT_KEY": "short"})
    assert result.returncode == 2 and "BMIS_AUDIT_KEY must be at least 32 characters" in result.stderr


def test_embedded_default_is_sqlite_eager_debug():
    from bmis import settings  # the module itself: pytest-django turns DEBUG off on django.conf.settings

    if os.environ.get("DATABASE_URL") or os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("this pass is configured with external services")
    assert settings.DEBUG is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
