"""A dependency that does not answer: a JSON 503 with ``Retry-After``, never a plain-text 500.

The store's client gives up after ``DEPENDENCY_TIMEOUT_SECONDS`` (``shared.store.mongo.Store``),
and so does a publish (``shared.store.outbox``, where a write's events then wait in its outbox
instead); the errors they raise end here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from shared.api.errors import Responses

RETRY_AFTER_S = 5
STORE = "the store"
BROKER = "the event broker (Kafka)"
OUTAGES: dict[type[Exception], str] = {
    ConnectionFailure: STORE,  # also AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
    ExecutionTimeout: STORE,
    KafkaConnectionError: BROKER,
    KafkaTimeoutError: BROKER,
}
RESPONSES: Responses = {
    503: {
        "description": "the store or Kafka is not answering; retry (a write with the same "
        "`Idempotency-Key`) after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
    }
}
log = logging.getLogger(__name__)


def outage_of(error: BaseException) -> str | None:
    """The dependency ``error`` says is down, or None for any other error."""
    return next((name for kind, name in OUTAGES.items() if isinstance(error, kind)), None)


def unavailable(dependency: str) -> JSONResponse:
    return JSONResponse(
        {"detail": f"{dependency} is not answering right now; try again in {RETRY_AFTER_S} s"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _answer(request: Request, error: Exception) -> JSONResponse:
    dependency = outage_of(error)
    assert dependency is not None
    log.warning("%s %s: %s is down (%s: %s)", request.method, request.url.path, dependency,
                type(error).__name__, error)  # fmt: skip
    return unavailable(dependency)


def install(app: FastAPI) -> None:
    """The 503 for every outage error, and in the OpenAPI document of every operation."""
    for kind in OUTAGES:
        app.add_exception_handler(kind, _answer)
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                operation["responses"].update(RESPONSES)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
