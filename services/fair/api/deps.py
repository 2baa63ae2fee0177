"""Typed dependencies of the fair service's routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from services.fair.adapters.repository import FairStore
from services.fair.domain.model import Fair
from services.fair.planner import Clock
from services.fair.schedule_runs import ScheduleRuns


def fair_store(request: Request) -> FairStore:
    store: FairStore = request.app.state.fair_store
    return store


def current_time(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    return clock()


def schedule_runs(request: Request) -> ScheduleRuns:
    runs: ScheduleRuns = request.app.state.schedule_runs
    return runs


StoreDep = Annotated[FairStore, Depends(fair_store)]
RunsDep = Annotated[ScheduleRuns, Depends(schedule_runs)]
Now = Annotated[datetime, Depends(current_time)]


async def the_fair(fair_id: UUID, store: StoreDep) -> Fair:
    return await store.fair(fair_id)


FairDep = Annotated[Fair, Depends(the_fair)]
