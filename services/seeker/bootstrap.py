"""Wires the seeker service: store, handlers, outbox relay and REST API."""

from __future__ import annotations

from fastapi import FastAPI

from services.seeker.adapters.repository import OUTBOX_COLLECTIONS, SeekerStore
from services.seeker.api.routes import auth, credentials, jobs, me, staff
from services.seeker.handlers import build_router
from shared.api.app import create_api
from shared.auth.throttle import LoginThrottle
from shared.config import ServiceSettings
from shared.service import Service

DESCRIPTION = """Job seekers' profiles, consent, credentials, applications and invitation answers.

Contact details leave this service only when the seeker applies or accepts an
invitation. Deleting the account erases the seeker from every service."""


def create_app(settings: ServiceSettings) -> FastAPI:
    service = Service(settings, routers=[build_router(settings)], outbox_collections=OUTBOX_COLLECTIONS)
    store = SeekerStore(service.store, service.outbox)
    service.provide("seeker_store", store)
    throttle = LoginThrottle(service.store)
    service.on_start(store.ensure_indexes)
    service.on_start(throttle.ensure_indexes)
    app = create_api(
        service, auth.router, me.router, credentials.router, jobs.router, staff.router,
        title="Seeker service", description=DESCRIPTION,
    )  # fmt: skip
    app.state.seeker_store = store
    app.state.login_throttle = throttle
    return app
