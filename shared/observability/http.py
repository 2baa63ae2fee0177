"""Every HTTP request under a correlation id, counted and timed by route template."""

from __future__ import annotations

import time
from uuid import uuid4

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability.correlation import Activity, acting, parse_id
from shared.observability.metrics import ServiceMetrics

CORRELATION_HEADER = "X-Correlation-ID"
# The route label of a request no route matched: its path would make a label per URL.
UNMATCHED = "unmatched"


class ObservedRequests:
    """Pure ASGI middleware: a request runs as an activity with the ``X-Correlation-ID`` it
    brought (when it is a UUID) or a new one, answers with that id in the same header, and is
    counted and timed by method, route template and status."""

    def __init__(self, app: ASGIApp, *, service: str, metrics: ServiceMetrics) -> None:
        self.app = app
        self.service = service
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = parse_id(Headers(scope=scope).get(CORRELATION_HEADER)) or uuid4()
        status = 500  # unless a response starts: an unhandled error

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_HEADER] = str(correlation_id)
            await send(message)

        started = time.perf_counter()
        try:
            with acting(Activity(self.service, correlation_id=correlation_id)):
                await self.app(scope, receive, send_with_id)
        finally:
            route: BaseRoute | None = scope.get("route")
            template = getattr(route, "path", UNMATCHED)
            self.metrics.observe_http(scope["method"], template, status, time.perf_counter() - started)
