"""Wires the matching service: its store, the in-memory market, handlers and the market mirror."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from services.matching.adapters.mirror import MarketMirror
from services.matching.adapters.models import Models
from services.matching.adapters.repository import MatchingStore
from services.matching.api import model
from services.matching.domain.matcher import Market
from services.matching.domain.policy import EXPLORATION_SHARE
from services.matching.handlers import build_router
from services.matching.service_layer import Matching
from shared.api.app import create_api
from shared.config import ServiceSettings
from shared.service import Service

DESCRIPTION = """Ranks seekers for vacancies and vacancies for seekers, and publishes `match.found`
with the reasons that counted. Its market is rebuilt from its own store at start-up."""


def create_app(settings: ServiceSettings, *, exploration_share: float = EXPLORATION_SHARE) -> FastAPI:
    service = Service(settings, routers=[build_router(settings)])
    store = MatchingStore(service.store, service.outbox)
    matching = Matching(store, Models(service.store), Market(), service.publisher, exploration_share)
    mirror = MarketMirror(settings, matching.mirror)
    service.provide("matching", matching)
    service.in_background(matching.follow_models)

    async def prepare() -> None:
        await store.ensure_indexes()
        positions = await mirror.positions()  # before loading, so nothing falls in between
        await matching.load()
        gc.freeze()  # the loaded market lives as long as the process: spare it every full collection
        service.in_background(lambda: mirror.run(positions))

    service.on_start(prepare)
    app = create_api(service, model.router, title="Matching service", description=DESCRIPTION)
    app.state.matching = matching
    return app
