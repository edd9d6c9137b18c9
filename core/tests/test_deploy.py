"""The web server's access log holds no query strings (name searches travel in them)."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

ROOT = Path(__file__).resolve().parents[2]


def _access_line(environ_extra: dict) -> str:
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", conf["access_log_format"])
    logger = Logger(cfg)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/watchlists/WANTED/?q=Ahmed+Khafaji",
        "PATH_INFO": "/watchlists/WANTED/", "QUERY_STRING": "q=Ahmed+Khafaji", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "test",
        "HTTP_REFERER": "https://bmis.example/api/v1/watchlists/WANTED/persons?q=Ahmed+Khafaji",
        **environ_extra,
    }
    resp = SimpleNamespace(status="200 OK", sent=123, headers=[("X-Request-ID", "req-12345678")])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=42))
    return cfg.access_log_format % SafeAtoms(atoms)


def test_access_log_has_the_path_but_no_query_string_or_referrer():
    line = _access_line({})
    assert '"GET /watchlists/WANTED/ HTTP/1.1" 200' in line
    assert "req-12345678" in line
    assert "Khafaji" not in line and "q=" not in line


def test_gunicorn_is_configured_in_one_place():
    for name in ("Dockerfile", "docker-compose.yml"):
        text = (ROOT / name).read_text()
        assert '"gunicorn", "-c", "gunicorn.conf.py"' in text
        assert "--access-log" not in text
