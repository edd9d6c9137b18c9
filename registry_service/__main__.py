"""``python -m registry_service --port 8010 [--data FILE] [--token T | --token-file F] [--delay S]``.

The token may also come from REGISTRY_SERVICE_TOKEN (or REGISTRY_SERVICE_TOKEN_FILE). The port 0
picks a free one; the first line on stdout is then ``listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from registry_service.generate import DEFAULT_PATH
from registry_service.server import Registry, make_server


def _token(args) -> str:
    if args.token:
        return args.token
    if args.token_file:
        return Path(args.token_file).read_text(encoding="utf-8").strip()
    if os.environ.get("REGISTRY_SERVICE_TOKEN_FILE"):
        return Path(os.environ["REGISTRY_SERVICE_TOKEN_FILE"]).read_text(encoding="utf-8").strip()
    return os.environ.get("REGISTRY_SERVICE_TOKEN", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry_service", description="BMIS reference civil registry")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--token", default="")
    parser.add_argument("--token-file", default="")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before every answer")
    parser.add_argument("--allow-control", action="store_true", help="accept POST /control/delay (tests)")
    args = parser.parse_args(argv)
    token = _token(args)
    if len(token) < 16:
        parser.error("a token of at least 16 characters is required (--token, --token-file or REGISTRY_SERVICE_TOKEN)")
    registry = Registry.from_file(args.data, token=token, delay=args.delay, allow_control=args.allow_control)
    server = make_server(args.host, args.port, registry)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
