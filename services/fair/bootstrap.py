"""Wires the fair service: store, read-model handlers, outbox relay, planner and REST API."""

from __future__ import annotations

from fastapi import FastAPI

from services.fair.adapters.repository import OUTBOX_COLLECTIONS, FairStore
from services.fair.api.routes import day, fairs, registrations, series
from services.fair.handlers import build_router
from services.fair.planner import Clock, Planner, system_clock
from services.fair.schedule_runs import ScheduleRuns
from shared.api.app import create_api
from shared.config import ServiceSettings
from shared.service import Service

DESCRIPTION = """Weekly fair series, registrations, booth and interview schedules, check-in,
outcomes and the published statistics.

Staff create a series; the service creates its fairs, takes registrations until the
cutoff, then assigns booths and builds every seeker's interview itinerary."""


def create_app(
    settings: ServiceSettings,
    *,
    clock: Clock = system_clock,
    planner_interval_s: float = 60.0,
    solver_seconds: float = 0.0,
) -> FastAPI:
    service = Service(settings, routers=[build_router(settings)], outbox_collections=OUTBOX_COLLECTIONS)
    store = FairStore(service.store, service.outbox)
    runs = ScheduleRuns(store, clock, solver_seconds)
    planner = Planner(store, clock, planner_interval_s, runs)
    service.provide("fair_store", store)
    service.on_start(store.ensure_indexes)
    service.in_background(planner.run)
    service.in_background(runs.run)
    app = create_api(
        service, series.router, fairs.router, registrations.router, day.router,
        title="Fair service", description=DESCRIPTION,
    )  # fmt: skip
    app.state.fair_store = store
    app.state.clock = clock
    app.state.planner = planner
    app.state.schedule_runs = runs
    return app
