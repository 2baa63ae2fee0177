"""Wires the employer service: store, read-model handlers, outbox relay and REST API."""

from __future__ import annotations

from fastapi import FastAPI

from services.employer.adapters.repository import OUTBOX_COLLECTIONS, EmployerStore
from services.employer.api.routes import auth, candidates, organisations, staff, vacancies
from services.employer.handlers import build_router
from shared.api.app import create_api
from shared.auth.throttle import LoginThrottle
from shared.config import ServiceSettings
from shared.service import Service

DESCRIPTION = """Organisations, vacancies and interview invitations.

Employer users sign up, register their organisation (vetted by talent-centre staff),
post vacancies, see the candidates the matcher ranked, and invite them. Every change
is published as an event."""


def create_app(settings: ServiceSettings) -> FastAPI:
    service = Service(settings, routers=[build_router(settings)], outbox_collections=OUTBOX_COLLECTIONS)
    store = EmployerStore(service.store, service.outbox)
    service.provide("employer_store", store)
    throttle = LoginThrottle(service.store)
    service.on_start(store.ensure_indexes)
    service.on_start(throttle.ensure_indexes)
    app = create_api(
        service,
        auth.router, organisations.router, vacancies.router, candidates.router, staff.router,
        title="Employer service", description=DESCRIPTION,
    )  # fmt: skip
    app.state.employer_store = store
    app.state.login_throttle = throttle
    return app
