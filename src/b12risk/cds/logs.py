"""Structured logs: one JSON object a line, with a request id; never patient data or tokens.

A request's line names the method, path, status, duration, service and ``hookInstance``;
an error's line also names the exception type (the traceback goes to the log at debug
level only). No field of the patient, no token and no body is ever logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback

__all__ = ["JsonFormatter", "configure", "logger"]

logger = logging.getLogger("b12risk.cds")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and logger.isEnabledFor(logging.DEBUG):
            out["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(out, default=str, ensure_ascii=False)


def configure(level: int = logging.INFO, stream=None) -> None:
    """Send the service's logs (and uvicorn's) to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("b12risk.cds", "uvicorn", "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(level)
        log.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # the service logs each request itself, as JSON
