"""Logging set-up: text or JSON lines, with every known secret masked as a last defence.

Secrets are already kept out of messages by design (the Secret type, error messages
that never quote bodies or headers); the redacting filter catches what a library
might still print.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from exporter.secret import MASK, Secret

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")


class RedactingFilter(logging.Filter):
    """Replaces the plain text of current secrets in each record's final message."""

    def __init__(self, secrets: Callable[[], Iterable[Secret]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = record.exc_text or ""
        for secret in self._secrets():
            value = secret.reveal()
            if len(value) >= 4:  # masking tiny strings would garble ordinary text
                message = message.replace(value, MASK)
                exc_text = exc_text.replace(value, MASK)
        record.msg, record.args = message, None
        record.exc_text = exc_text or None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: str, fmt: str, secrets: Callable[[], Iterable[Secret]] = tuple
) -> logging.Handler:
    """Send logs to stderr; returns the handler so tests can remove it."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # urllib3 at debug prints request lines with query strings; keep it one notch down.
    logging.getLogger("urllib3").setLevel(max(root.level, logging.INFO))
    return handler
