"""A stand-in for the remote BMIS server in the agent's pure tests (the real API is exercised by
devices/tests/test_agent.py): answers each POST from a script of statuses, and like the real API
answers a repeated event_id with 200 and the first result, storing each event once."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    def __init__(self):
        self.stored: dict[str, dict] = {}  # event_id -> body, once
        self.requests: list[tuple[str, str, str]] = []  # (path, token, event_id), every request
        self.script: list[tuple[int, dict | None, dict]] = []  # (status, body, headers) for the next requests
        self.valid_tokens: set[str] | None = None
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                status, answer, headers = server.answer(self.path, token, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, path: str, token: str, body: dict):
        with self.lock:
            event_id = body.get("event_id", "")
            self.requests.append((path, token, event_id))
            if self.script:
                status, answer, headers = self.script.pop(0)
                if status < 300:
                    self.stored.setdefault(event_id, body)
                return status, answer or {}, headers
            if self.valid_tokens is not None and token not in self.valid_tokens:
                return 401, {"error": {"code": "not_authenticated", "message": "unknown credential", "fields": {}}}, {}
            first = event_id not in self.stored
            self.stored.setdefault(event_id, body)
            return (201 if first else 200), {"event_id": event_id, "status": "accepted", "result": {}}, {}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """The URL of a port nothing listens on (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
