"""The day of the fair and after: check-in, no-shows, outcomes, statistics (staff only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from services.fair.api.deps import FairDep, Now, StoreDep
from services.fair.domain.model import Registration, stored_time
from services.fair.domain.statistics import Demand
from services.fair.registrations import check_in
from services.fair.schedules import reschedule_no_show
from services.fair.views import (
    Cumulative,
    FairFigures,
    cumulative,
    demand_csv,
    fair_figures,
    figures_csv,
    talent_demand,
)
from shared.api.errors import AUTH_ERRORS, Responses
from shared.api.security import Staff
from shared.errors import InvalidField
from shared.events import catalogue as c

router = APIRouter(prefix="/staff", tags=["staff: the day"], responses=AUTH_ERRORS)
CSV: Responses = {200: {"content": {"text/csv": {}}}}


class Scan(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=100)


class CheckIn(BaseModel):
    already_checked_in: bool
    checked_in_at: datetime
    registration: Registration


class OutcomeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seeker_id: UUID
    employer_id: UUID
    vacancy_id: UUID | None = None
    outcome: c.Outcome


@router.post("/fairs/{fair_id}/check-ins", responses={404: {}, 409: {}})
async def scan(body: Scan, staff: Staff, fair: FairDep, store: StoreDep, now: Now) -> CheckIn:
    """Scan a code; a second scan answers that it was checked in already, and when."""
    registration, already = await check_in(store, fair, body.code, now)
    assert registration.checked_in_at is not None
    return CheckIn(
        already_checked_in=already, checked_in_at=registration.checked_in_at, registration=registration
    )


@router.post("/fairs/{fair_id}/employers/{employer_id}/no-show", responses={404: {}, 409: {}})
async def no_show(
    employer_id: UUID, staff: Staff, fair: FairDep, store: StoreDep, now: Now
) -> dict[str, Any]:
    """The employer did not come: its interviews are cancelled and its seekers rebooked where
    another matching booth has room later in the day; the change is published."""
    async with store.lock("schedule", fair.id):
        return await reschedule_no_show(store, await store.fair(fair.id), employer_id, now)


@router.post("/fairs/{fair_id}/outcomes", responses={404: {}, 422: {}})
async def record_outcome(
    body: OutcomeInput, staff: Staff, fair: FairDep, store: StoreDep, now: Now
) -> dict[str, Any]:
    """The outcome of one interview or pair; a later outcome of the pair replaces the earlier one."""
    fair.ensure_active()
    seeker = await store.registration_of(fair.id, c.ParticipantKind.SEEKER, body.seeker_id)
    employer = await store.registration_of(fair.id, c.ParticipantKind.EMPLOYER, body.employer_id)
    if body.vacancy_id is not None and body.vacancy_id not in employer.vacancy_ids:
        raise InvalidField(["body", "vacancy_id"], "the employer did not bring this vacancy to the fair")
    outcome_id = uuid5(
        NAMESPACE_URL, f"talentfair:outcome:{fair.id}:{seeker.participant_id}:{employer.participant_id}"
    )
    event = c.FairOutcomeRecorded(
        fair_id=fair.id,
        outcome_id=outcome_id,
        seeker_id=body.seeker_id,
        employer_id=body.employer_id,
        vacancy_id=body.vacancy_id,
        outcome=body.outcome,
        recorded_by=staff.account_id,
    )
    document = {
        **event.model_dump(mode="json", exclude={"outcome_id"}),
        "_id": str(outcome_id),
        "at": stored_time(now),
    }
    await store.record_outcome(document, event)
    return {key: value for key, value in document.items() if key != "_id"} | {"outcome_id": str(outcome_id)}


@router.get("/fairs/{fair_id}/statistics", responses={404: {}})
async def statistics(staff: Staff, fair: FairDep, store: StoreDep) -> FairFigures:
    return await fair_figures(store, fair)


@router.get("/fairs/{fair_id}/statistics.csv", responses={404: {}, **CSV}, response_class=Response)
async def statistics_csv(staff: Staff, fair: FairDep, store: StoreDep) -> Response:
    return Response(figures_csv([await fair_figures(store, fair)]), media_type="text/csv; charset=utf-8")


@router.get("/fairs/{fair_id}/talent-demand", responses={404: {}})
async def demand(staff: Staff, fair: FairDep, store: StoreDep) -> list[Demand]:
    """Vacancies and posts the attending employers brought, by talent category, skill and industry."""
    return await talent_demand(store, fair)


@router.get("/fairs/{fair_id}/talent-demand.csv", responses={404: {}, **CSV}, response_class=Response)
async def demand_as_csv(staff: Staff, fair: FairDep, store: StoreDep) -> Response:
    return Response(demand_csv(await talent_demand(store, fair)), media_type="text/csv; charset=utf-8")


@router.get("/statistics")
async def all_statistics(staff: Staff, store: StoreDep, now: Now) -> Cumulative:
    """Every fair held so far and their sum."""
    return await cumulative(store, now)


@router.get("/statistics.csv", responses=CSV, response_class=Response)
async def all_statistics_csv(staff: Staff, store: StoreDep, now: Now) -> Response:
    result = await cumulative(store, now)
    return Response(figures_csv(result.fairs, result.total), media_type="text/csv; charset=utf-8")
