"""Log formatting: JSON lines with the request id in production; no forged log lines."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def escape_line_breaks(text: str) -> str:
    """User text in a log message cannot start a new, fake log line."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class SafeFormatter(logging.Formatter):
    """Plain-text logs with CR/LF in the message escaped (tracebacks keep their lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_line_breaks(record.message)
        return super().formatMessage(record)


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line; JSON encoding already escapes CR/LF."""
