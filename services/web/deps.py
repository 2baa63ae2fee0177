"""Typed dependencies of the routes: the API client and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from services.web.backend import Backend
from services.web.core.config import Settings


def backend_of(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


BackendDep = Annotated[Backend, Depends(backend_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]


def see_other(url: str) -> RedirectResponse:
    """After a form: show ``url`` (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303)
