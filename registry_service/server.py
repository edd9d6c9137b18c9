"""The reference registry's HTTP/JSON protocol (stdlib ``http.server``; no Django).

Every ``/v1/`` request carries ``Authorization: Bearer <token>``; a wrong or missing token is a
401. Answers are JSON; an identity is the record of ``data/citizens.json`` without the face image
unless the caller asks for it with ``?face=1`` (the registry shares faces only on request).

- ``GET /health`` -> ``{"status": "ok", "citizens": N}`` (no token: a liveness probe)
- ``GET /v1/identities/<national_id>[?face=1]`` -> ``{"identity": {...}}``; 404 ``{"error": "not_found"}``
- ``POST /v1/search`` ``{"names": "...", "date_of_birth": "YYYY-MM-DD"?, "sex": "M|F"?}`` ->
  ``{"results": [{...}, ...]}`` (at most 20: every word of ``names`` in the person's Latin or
  Arabic names, and the date of birth and sex equal when given)
- ``POST /control/delay`` ``{"seconds": 2.5}``: only when started with ``--allow-control`` (tests
  use it to make the registry slow, then fast again); otherwise 404.

The artificial delay (``--delay`` or the control call) is applied before every ``/v1/`` answer,
to test the caller's timeouts. The log names paths and status codes only, never a number or name
(a national ID number in a path is masked).
"""

from __future__ import annotations

import hmac
import json
import re
import sys
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 64 * 1024
_IDENTITY_PATH = re.compile(r"^/v1/identities/([0-9]{1,20})$")
_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").upper()
    return [w for w in _WORD.split(text) if w]


class Registry:
    """The data set in memory, and the service's mutable settings (delay)."""

    def __init__(self, citizens: list[dict], token: str, delay: float = 0.0, allow_control: bool = False):
        self.by_number = {c["national_id"]: c for c in citizens}
        self.citizens = citizens
        self.token = token
        self.delay = delay
        self.allow_control = allow_control
        self.lock = threading.Lock()
        self._words = {c["national_id"]: set(_words(" ".join(
            c.get(k) or "" for k in ("surname_latin", "given_names_latin", "father_name_latin",
                                     "grandfather_name_latin", "name_ar")
        ))) for c in citizens}

    @classmethod
    def from_file(cls, path: Path, **kwargs) -> Registry:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["citizens"], **kwargs)

    @staticmethod
    def public(citizen: dict, face: bool) -> dict:
        record = {k: v for k, v in citizen.items() if k != "face_image"}
        record["face_shared"] = bool(citizen.get("face_image"))
        if face and citizen.get("face_image"):
            record["face_image"] = citizen["face_image"]
        return record

    def search(self, names: str, date_of_birth: str = "", sex: str = "") -> list[dict]:
        wanted = set(_words(names))
        results = []
        for citizen in self.citizens:
            if wanted and not wanted <= self._words[citizen["national_id"]]:
                continue
            if date_of_birth and citizen["date_of_birth"] != date_of_birth:
                continue
            if sex and citizen["sex"] != sex:
                continue
            results.append(self.public(citizen, face=False))
            if len(results) >= 20:
                break
        return results


class Handler(BaseHTTPRequestHandler):
    server_version = "BMISReferenceRegistry/1"
    registry: Registry  # set on the subclass made by make_server

    # Answers ----------------------------------------------------------------------------------

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token and hmac.compare_digest(token.strip(), self.registry.token):
            return True
        self._send(401, {"error": "unauthorised", "message": "a valid bearer token is required"})
        return False

    def _body(self) -> dict | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(400, {"error": "bad_request", "message": "body missing or too large"})
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, UnicodeDecodeError):
            self._send(400, {"error": "bad_request", "message": "the body is not JSON"})
            return None
        if not isinstance(body, dict):
            self._send(400, {"error": "bad_request", "message": "the body must be a JSON object"})
            return None
        return body

    def _delay(self) -> None:
        with self.registry.lock:
            delay = self.registry.delay
        if delay > 0:
            time.sleep(delay)

    # Routes -----------------------------------------------------------------------------------

    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        if url.path == "/health":
            return self._send(200, {"status": "ok", "citizens": len(self.registry.citizens)})
        match = _IDENTITY_PATH.match(url.path)
        if not match:
            return self._send(404, {"error": "not_found", "message": "no such endpoint"})
        if not self._authorised():
            return None
        self._delay()
        citizen = self.registry.by_number.get(match.group(1))
        if citizen is None:
            return self._send(404, {"error": "not_found", "message": "no citizen with this national ID number"})
        face = parse_qs(url.query).get("face", ["0"])[0] in ("1", "true")
        return self._send(200, {"identity": self.registry.public(citizen, face)})

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/control/delay" and self.registry.allow_control:
            if not self._authorised():
                return None
            body = self._body()
            if body is None:
                return None
            seconds = body.get("seconds")
            if not isinstance(seconds, int | float) or not 0 <= seconds <= 600:
                return self._send(400, {"error": "bad_request", "message": "seconds must be a number in 0..600"})
            with self.registry.lock:
                self.registry.delay = float(seconds)
            return self._send(200, {"delay": float(seconds)})
        if path != "/v1/search":
            return self._send(404, {"error": "not_found", "message": "no such endpoint"})
        if not self._authorised():
            return None
        body = self._body()
        if body is None:
            return None
        names, dob, sex = body.get("names", ""), body.get("date_of_birth") or "", body.get("sex") or ""
        if not isinstance(names, str) or not isinstance(dob, str) or not isinstance(sex, str):
            return self._send(400, {"error": "bad_request", "message": "names, date_of_birth and sex are strings"})
        if not names.strip() and not dob:
            return self._send(400, {"error": "bad_request", "message": "give names or a date of birth"})
        self._delay()
        return self._send(200, {"results": self.registry.search(names, dob, sex)})

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        # Mask national ID numbers: the log names the route and the status only.
        message = re.sub(r"[0-9]{6,}", "<number>", format % args)
        sys.stderr.write(f"registry_service: {message}\n")


def make_server(host: str, port: int, registry: Registry) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"registry": registry})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
