"""Log lines as JSON objects (or plain text), with the service, correlation id and event."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from shared.observability.correlation import current_activity

LogFormat = Literal["json", "text"]
HANDLER_NAME = "talentfair"
# Loggers their libraries gave handlers of their own (uvicorn's before loading the app,
# FastStream's at import), which would write in another format, or to stdout.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream")


def _activity_fields(default_service: str) -> dict[str, str]:
    activity = current_activity()
    if activity is None:
        return {"service": default_service}
    fields = {
        "service": activity.service,
        "correlation_id": activity.correlation_id,
        "event_id": activity.event_id,
        "topic": activity.topic,
    }
    return {name: str(value) for name, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, service, logger, message, the activity's ids, exception."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_activity_fields(self.service),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a terminal: the usual line, with the correlation id when there is one."""

    def __init__(self, service: str) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.service = service

    def formatMessage(self, record: logging.LogRecord) -> str:
        fields = _activity_fields(self.service)
        correlation = f" [{fields['correlation_id']}]" if "correlation_id" in fields else ""
        return f"{fields['service']}{correlation} {super().formatMessage(record)}"


def configure_logging(service: str, level: str, log_format: LogFormat = "json") -> None:
    """Send the root logger's lines, uvicorn's and FastStream's included, to stderr in ``log_format``.

    Idempotent: a second call (another app built in the same process) replaces the handler.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter(service) if log_format == "json" else TextFormatter(service))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
