"""HTTP to the BMIS device API with the standard library (no third-party client needed on the booth PC)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass, field

# Event kind -> path of its endpoint under the server's URL.
ENDPOINTS = {
    "heartbeat": "/api/v1/devices/heartbeat",
    "document": "/api/v1/devices/documents",
    "capture": "/api/v1/devices/captures",
    "detection": "/api/v1/devices/detections",
    "position": "/api/v1/devices/positions",
}

USER_AGENT = "bmis-booth-agent/0.1"


class NetworkError(Exception):
    """The server could not be reached or did not answer (connection refused, reset, timeout, DNS)."""


@dataclass
class Response:
    status: int
    body: str
    headers: dict = field(default_factory=dict)

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None


def post_json(url: str, token: str, body: bytes, *, timeout: float = 10.0) -> Response:
    """POST `body` (JSON) with the device's bearer credential; any HTTP status is a Response, any
    failure to get one is a NetworkError."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 (http(s) only, above)
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
        "User-Agent": USER_AGENT,
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (the configured server URL)
            return Response(answer.status, answer.read().decode("utf-8", "replace"),
                            {k.lower(): v for k, v in answer.headers.items()})
    except urllib.error.HTTPError as error:
        try:
            text = error.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        return Response(error.code, text, {k.lower(): v for k, v in (error.headers or {}).items()})
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise NetworkError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from error
