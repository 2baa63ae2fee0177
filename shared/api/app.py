"""The one FastAPI app factory: the service's broker runs in the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response

from shared.api import errors, idempotency, outages
from shared.api import input as checked_input
from shared.api.headers import API_HEADERS, SecurityHeaders
from shared.api.limits import BodySizeLimit
from shared.observability.http import ObservedRequests
from shared.observability.logs import configure_logging
from shared.service import Service


def create_api(service: Service, *routers: APIRouter, title: str, description: str = "") -> FastAPI:
    settings = service.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title=title,
        description=description,
        version="1",
        lifespan=lifespan,
        responses=checked_input.REQUEST_ERRORS,
    )
    app.state.service = service
    app.state.tokens = service.tokens
    errors.install(app)
    outages.install(app)
    idempotency.install(app, service)  # inside the body limit: it reads the body
    checked_input.install(app)  # outside the idempotency keys: refused input is never kept
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, headers=API_HEADERS)
    app.add_middleware(ObservedRequests, service=settings.service_name, metrics=service.metrics)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"service": settings.service_name, "status": "alive"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Connected to Kafka and the store, started, and caught up with its topics",
        responses={503: {"description": "not ready"}},
    )
    async def readyz() -> JSONResponse:
        readiness = await service.readiness()
        body = {
            "service": settings.service_name,
            "ready": readiness.ready,
            "checks": readiness.checks,
            "lag": readiness.lag,
        }
        return JSONResponse(body, status_code=200 if readiness.ready else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(await service.exposition(), media_type=service.metrics.content_type)

    for router in routers:
        app.include_router(router)
    return app
