"""The reference adapter: a civil registry that speaks the HTTP/JSON protocol of
``registry_service`` (bearer token; GET /v1/identities/<number>, POST /v1/search).

Pure Python (stdlib urllib, no Django): the settings are passed in by
``travelers.services.civil_registry.registry_from_settings``.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from datetime import date
from urllib.parse import quote

from .base import RegisteredIdentity, RegistryUnavailable

MAX_ANSWER_BYTES = 2 * 1024 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other (not followed): the token goes to the base URL only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class HttpRegistry:
    """``HttpRegistry(base_url, token, timeout=3.0)``; follows no redirect (the token goes to the base URL only)."""

    def __init__(self, base_url: str, token: str, timeout: float = 3.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the civil registry URL must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.base_url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                     **({"Content-Type": "application/json"} if data is not None else {})},
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read(MAX_ANSWER_BYTES + 1)
        except TimeoutError:
            raise RegistryUnavailable("timeout", f"the civil registry did not answer within {self.timeout} s")
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise RegistryUnavailable("timeout", f"the civil registry did not answer within {self.timeout} s")
            raise RegistryUnavailable("unreachable", "the civil registry cannot be reached")
        except (ConnectionError, OSError):
            raise RegistryUnavailable("unreachable", "the civil registry cannot be reached")
        if status == 401 or status == 403:
            raise RegistryUnavailable("unauthorised", "the civil registry refused BMIS's credentials")
        if status >= 500 or 300 <= status < 400:
            raise RegistryUnavailable(f"http_{status}", f"the civil registry answered {status}")
        if len(raw) > MAX_ANSWER_BYTES:
            raise RegistryUnavailable("bad_answer", "the civil registry's answer is too large")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            raise RegistryUnavailable("bad_answer", "the civil registry's answer is not JSON")
        if not isinstance(answer, dict):
            raise RegistryUnavailable("bad_answer", "the civil registry's answer is not a JSON object")
        return status, answer

    @staticmethod
    def _identity(data) -> RegisteredIdentity:
        if not isinstance(data, dict) or not data.get("national_id"):
            raise RegistryUnavailable("bad_answer", "the civil registry's answer has no identity")
        face = None
        if data.get("face_image"):
            try:
                face = base64.b64decode(data["face_image"], validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise RegistryUnavailable("bad_answer", "the civil registry's face image is not base64")
        try:
            return RegisteredIdentity.from_dict(data, face_image=face)
        except (KeyError, ValueError, TypeError):
            raise RegistryUnavailable("bad_answer", "the civil registry's identity is malformed")

    def lookup_by_national_id(self, number: str, *, with_face: bool = True) -> RegisteredIdentity | None:
        path = f"/v1/identities/{quote(number, safe='')}" + ("?face=1" if with_face else "")
        status, answer = self._request("GET", path)
        if status == 404:
            return None
        if status != 200:
            raise RegistryUnavailable(f"http_{status}", f"the civil registry answered {status}")
        return self._identity(answer.get("identity"))

    def search(self, *, names: str, date_of_birth: date | None = None, sex: str = "") -> list[RegisteredIdentity]:
        body = {"names": names, "date_of_birth": date_of_birth.isoformat() if date_of_birth else "", "sex": sex}
        status, answer = self._request("POST", "/v1/search", body)
        if status != 200 or not isinstance(answer.get("results"), list):
            raise RegistryUnavailable(f"http_{status}", f"the civil registry answered {status}")
        return [self._identity(item) for item in answer["results"]]
