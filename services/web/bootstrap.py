"""The web app: routes by audience, static files, and errors shown as pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from services.web.backend import SERVICES, ApiError, Backend
from services.web.core.config import Settings
from services.web.deps import see_other
from services.web.i18n import language_of, translator
from services.web.idempotency import read_form_key
from services.web.routes import employer, live, public, seeker, staff
from services.web.session import CsrfRejected, LoginRequired, sign_out
from services.web.templating import render
from shared.api import input as checked_input
from shared.api.headers import SecurityHeaders

# Scripts and styles from /static only (no inline code, no other origin), never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages hold personal data and the session's CSRF token
}


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backend = Backend(settings.service_urls(), settings.api_timeout_seconds)
        try:
            yield
        finally:
            await app.state.backend.close()

    app = FastAPI(
        title="talentfair web", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
        dependencies=[Depends(read_form_key)],
    )  # fmt: skip
    app.state.settings = settings
    checked_input.install(app)
    app.add_middleware(SecurityHeaders, headers=PAGE_HEADERS, cacheable=("/static/",))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, _: Exception) -> Response:
        return see_other(f"/login?next={request.url.path}")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _: Exception) -> Response:
        t = translator(language_of(request))
        return render(request, "error.html", 403, status=403, messages=[t("error.csrf")])

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        if error.status == 401:
            response: Response = see_other(f"/login?next={request.url.path}")
            sign_out(response, settings)
            return response
        return render(request, "error.html", error.status, status=error.status, messages=error.messages)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"service": "web", "status": "alive"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "an API does not answer"}})
    async def readyz(request: Request) -> JSONResponse:
        backend: Backend = request.app.state.backend
        checks = {name: await backend.ready(name) for name in SERVICES}
        ready = all(checks.values())
        return JSONResponse(
            {"service": "web", "ready": ready, "checks": checks}, status_code=200 if ready else 503
        )

    for module in (public, staff, employer, seeker, live):
        app.include_router(module.router)
    return app
