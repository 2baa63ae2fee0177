"""Fairs: anyone signed in lists them; staff cancel, move, resize, close and schedule them."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.fair.api.deps import FairDep, Now, RunsDep, StoreDep
from services.fair.domain.model import Fair, FairStatus, Move, stored_time
from services.fair.registrations import change_capacity
from shared.api.errors import AUTH_ERRORS, Responses
from shared.api.pagination import Page, Paging, paged
from shared.api.security import Caller, Staff
from shared.errors import Conflict, NotFound
from shared.events import catalogue as c
from shared.input import Input, Integer
from shared.store.mongo import from_document

router = APIRouter(tags=["fairs"], responses=AUTH_ERRORS)
CHANGED: Responses = {404: {}, 409: {"description": "cancelled, or changed meanwhile"}}


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, examples=["场馆检修，本周暂停"])


class Capacity(Input):
    booths: Integer = Field(ge=0, le=10_000)


@router.get("/fairs")
async def list_fairs(
    caller: Caller,
    store: StoreDep,
    paging: Paging,
    series_id: UUID | None = None,
    status: Annotated[FairStatus | None, Query()] = None,
) -> Page[Fair]:
    query = {
        **({"series_id": str(series_id)} if series_id else {}),
        **({"status": status.value} if status else {}),
    }
    return await paged(
        store["fairs"],
        query,
        paging,
        lambda d: Fair.model_validate(from_document(d)),
        sort=[("starts_at", 1)],
    )


@router.get("/fairs/{fair_id}", responses={404: {}})
async def get_fair(caller: Caller, fair: FairDep) -> Fair:
    return fair


@router.post("/staff/fairs/{fair_id}/cancel", responses=CHANGED)
async def cancel(cancellation: Cancellation, staff: Staff, fair: FairDep, store: StoreDep) -> Fair:
    fair.ensure_active()
    event = c.FairCancelled(fair_id=fair.id, reason=cancellation.reason)
    return await store.change_fair(fair, {"status": FairStatus.CANCELLED.value}, event)


@router.post("/staff/fairs/{fair_id}/move", responses=CHANGED)
async def move(target: Move, staff: Staff, fair: FairDep, store: StoreDep) -> Fair:
    """Another date or time for this fair only; the series keeps its rule."""
    fair.ensure_active()
    if fair.status == FairStatus.SCHEDULED:
        raise Conflict("the schedule is published: cancel this fair instead of moving it")
    times = {name: value.astimezone(UTC) for name, value in target.model_dump().items()}
    fields = {name: stored_time(value) for name, value in times.items()}
    return await store.change_fair(fair, fields, c.FairMoved(fair_id=fair.id, **times))


@router.put("/staff/fairs/{fair_id}/capacity", responses={**CHANGED, 422: {}})
async def set_capacity(capacity: Capacity, staff: Staff, fair: FairDep, store: StoreDep) -> Fair:
    """Booths offered to employers; more booths move the waitlist up."""
    return await change_capacity(store, fair, capacity.booths)


@router.post("/staff/fairs/{fair_id}/close-registration", responses=CHANGED)
async def close_registration(staff: Staff, fair: FairDep, store: StoreDep, now: Now) -> Fair:
    """Close registration before the cutoff; the cutoff stays as the time the schedule runs."""
    fair.ensure_registration_open(now)
    return await store.change_fair(fair, {"status": FairStatus.CLOSED.value})


@router.post(
    "/staff/fairs/{fair_id}/schedule",
    status_code=202,
    responses={**CHANGED, 409: {"description": "cannot schedule, or a run is already running"}},
)
async def schedule(staff: Staff, fair: FairDep, runs: RunsDep) -> dict[str, Any]:
    """Start assigning booths and building the interview itineraries; answers at once. The
    new schedule version is published as ``fair.schedule_published`` and shows in
    ``GET /staff/fairs/{id}/schedule`` when the run ends."""
    return await runs.start(fair)


@router.delete("/staff/fairs/{fair_id}/schedule/run", responses={404: {"description": "no run is running"}})
async def cancel_schedule_run(staff: Staff, fair_id: UUID, runs: RunsDep) -> dict[str, Any]:
    """Cancel the running schedule run; nothing of it is published."""
    return await runs.cancel(fair_id)


@router.get("/staff/fairs/{fair_id}/schedule", responses={404: {}})
async def schedule_summary(staff: Staff, fair_id: UUID, store: StoreDep) -> dict[str, Any]:
    """The current schedule's summary, the last run's error and the run now running, if any."""
    document = await store["fairs"].find_one(
        {"_id": str(fair_id)}, {"schedule_summary": 1, "schedule_error": 1, "schedule_run": 1}
    )
    if document is None:
        raise NotFound(f"no fair {fair_id}")
    return {key: value for key, value in document.items() if key != "_id"}
