"""The one FastAPI app factory: the service's broker runs in the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from shared.api import errors
from shared.api.limits import BodySizeLimit
from shared.service import Service


def create_api(service: Service, *routers: APIRouter, title: str, description: str = "") -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(title=title, description=description, version="1", lifespan=lifespan)
    app.state.service = service
    app.state.tokens = service.tokens
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=service.settings.max_body_bytes)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"service": service.settings.service_name, "status": "alive"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Connected to Kafka and the store",
        responses={503: {"description": "not ready"}},
    )
    async def readyz() -> JSONResponse:
        checks = await service.readiness()
        ready = all(checks.values())
        body = {"service": service.settings.service_name, "ready": ready, "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    for router in routers:
        app.include_router(router)
    return app
