"""Logging failures without personal data.

An exception's message and a full traceback can carry the data being
processed: PostgreSQL's IntegrityError names the key values (document
numbers), a ValueError repeats the bad input, a traceback shows local source
lines with names in them.  The logs keep only what locates the fault: the
exception class, the code location where it was raised (``file:line`` of the
last frame, inside the project when there is one) and the ids the caller
gives (request id, job id).

    log_failure(logger, "import %s failed", job.pk, exc=exc)
    exception_summary(exc) -> "IntegrityError at watchlists/services/imports.py:123"

:class:`SafeExceptionFilter` (installed on the console handler by the
settings) does the same for records logged elsewhere with ``exc_info``
(``logger.exception`` in any module, Django's ``django.request`` 500s, Celery's
task failures: bmis/celery.py adds it to the worker's handlers): the traceback
is dropped, the exception's text removed from the message's arguments, and the
summary appended.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _location(tb) -> str:
    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return "?"
    # The deepest frame of our own code tells where to look; fall back to the very last one.
    own = [f for f in frames if _inside_project(f.filename)]
    frame = (own or frames)[-1]
    return f"{_short(frame.filename)}:{frame.lineno}"


def _inside_project(filename: str) -> bool:
    path = Path(filename)
    try:
        rel = path.resolve().relative_to(_ROOT)
    except (ValueError, OSError):
        return False
    return not rel.parts or rel.parts[0] not in (".venv", "venv")


def _short(filename: str) -> str:
    path = Path(filename)
    try:
        return path.resolve().relative_to(_ROOT).as_posix()
    except (ValueError, OSError):
        return "/".join(path.parts[-2:])


def exception_summary(exc: BaseException | None = None) -> str:
    """``ClassName at file:line`` for ``exc`` (default: the exception being handled)."""
    if exc is None:
        exc = sys.exc_info()[1]
    if exc is None:
        return "no exception"
    return f"{type(exc).__qualname__} at {_location(exc.__traceback__)}"


def log_failure(logger: logging.Logger, msg: str, *args, exc: BaseException | None = None,
                level: int = logging.ERROR) -> None:
    """Log ``msg % args`` with the exception's class and location, never its message or traceback."""
    logger.log(level, msg + ": %s", *args, exception_summary(exc))


def _scrub(value, exc: BaseException, texts: tuple[str, ...]):
    if value is exc or (isinstance(value, str) and any(t in value for t in texts)):
        return type(exc).__qualname__
    return value


class SafeExceptionFilter(logging.Filter):
    """Replace a record's traceback by the exception summary (class and location only), and the
    exception's text where the message repeats it (Celery's "Task ... raised: %(exc)s")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            texts = tuple(t for t in {str(exc), repr(exc)} if t)
            if isinstance(record.args, Mapping):
                record.args = {k: _scrub(v, exc, texts) for k, v in record.args.items()}
            elif record.args:
                record.args = tuple(_scrub(v, exc, texts) for v in record.args)
            summary = exception_summary(exc)
            record.msg = f"{record.getMessage()}: {summary}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        if record.stack_info:
            record.stack_info = None
        return True
