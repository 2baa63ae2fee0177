"""Employers and seekers register for a fair; staff approve employers and add walk-ins."""

from __future__ import annotations

import io
from typing import Annotated, Any
from uuid import UUID

import segno
from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.fair.api.deps import FairDep, Now, StoreDep
from services.fair.domain.model import EmployerPlan, Registration, SeekerPlan
from services.fair.registrations import approve_employer, register_employer, register_seeker, withdraw
from services.fair.views import Exhibitor, exhibitors
from shared.api.errors import AUTH_ERRORS, Responses
from shared.api.security import Caller, EmployerUser, Participant, Seeker, Staff
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.events import catalogue as c

router = APIRouter(tags=["registrations"], responses={**AUTH_ERRORS, 404: {"description": "no such fair"}})
REFUSED: Responses = {403: {"description": "not approved, or not eligible (the reason is given)"}}
INTERVIEW_FIELDS = ("seeker_id", "employer_id", "vacancy_id", "booth", "slot", "starts_at", "score", "status")
CLOSED: Responses = {409: {"description": "registration closed, already registered, or changed meanwhile"}}


class EmployerSignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vacancy_ids: list[UUID] = Field(min_length=1, max_length=500, description="your open vacancies to bring")
    plan: EmployerPlan | None = Field(
        default=None, description="interviewers, hours, breaks, minimum and maximum interviews"
    )


class WalkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seeker_id: UUID


def participant(caller: Principal) -> tuple[c.ParticipantKind, UUID]:
    if caller.role == Role.SEEKER:
        return c.ParticipantKind.SEEKER, caller.account_id
    if caller.role == Role.EMPLOYER and caller.organisation_id is not None:
        return c.ParticipantKind.EMPLOYER, caller.organisation_id
    raise Forbidden("only seekers and employers with an organisation register for fairs")


@router.post(
    "/fairs/{fair_id}/employer-registration",
    status_code=status.HTTP_201_CREATED,
    responses={**REFUSED, **CLOSED, 422: {}},
)
async def register_as_employer(
    body: EmployerSignUp, user: EmployerUser, fair: FairDep, store: StoreDep, now: Now
) -> Registration:
    """Register your organisation with the vacancies it brings; staff then approve it into a booth."""
    if user.organisation_id is None:
        raise Forbidden("your account has no organisation yet")
    return await register_employer(store, fair, user.organisation_id, body.vacancy_ids, now, body.plan)


@router.post(
    "/fairs/{fair_id}/seeker-registration",
    status_code=status.HTTP_201_CREATED,
    responses={**REFUSED, **CLOSED, 422: {}},
)
async def register_as_seeker(
    seeker: Seeker, fair: FairDep, store: StoreDep, now: Now, plan: SeekerPlan | None = None
) -> Registration:
    """Pre-register, optionally with when you can attend, how many interviews you want and
    the employers you most want to meet; the fair's eligibility rules are checked against
    your profile."""
    return await register_seeker(store, fair, seeker.account_id, now, plan=plan)


@router.get("/fairs/{fair_id}/employers")
async def employers_taking_part(caller: Caller, fair: FairDep, store: StoreDep) -> list[Exhibitor]:
    """The employers registered for the fair (approved or awaiting review), by name: the
    choices of a seeker's wish list."""
    return await exhibitors(store, fair)


@router.get("/fairs/{fair_id}/registration", responses={404: {}})
async def my_registration(caller: Participant, fair: FairDep, store: StoreDep) -> Registration:
    """Your registration, with its check-in code."""
    return await store.registration_of(fair.id, *participant(caller))


@router.get(
    "/fairs/{fair_id}/registration/qr.png",
    responses={404: {}, 200: {"content": {"image/png": {}}}},
    response_class=Response,
)
async def my_code(caller: Participant, fair: FairDep, store: StoreDep) -> Response:
    """Your check-in code as a QR image, to print or show at the entrance."""
    registration = await store.registration_of(fair.id, *participant(caller))
    image = io.BytesIO()
    segno.make(registration.code, error="m").save(image, kind="png", scale=6)
    return Response(image.getvalue(), media_type="image/png")


@router.delete("/fairs/{fair_id}/registration", responses={404: {}, 409: {}})
async def withdraw_mine(caller: Participant, fair: FairDep, store: StoreDep, now: Now) -> Registration:
    """Withdraw; a booth you give up goes to the first employer on the waitlist, and your
    interviews in a published schedule are cancelled (an employer's seekers are rebooked)."""
    return await withdraw(store, fair, await store.registration_of(fair.id, *participant(caller)), now)


@router.get("/fairs/{fair_id}/itinerary", responses={404: {}})
async def itinerary(caller: Participant, fair: FairDep, store: StoreDep) -> dict[str, Any]:
    """A seeker's interviews, or an employer's booth and interview list, in the current schedule."""
    kind, participant_id = participant(caller)
    await store.registration_of(fair.id, kind, participant_id)
    key = "seeker_id" if kind == c.ParticipantKind.SEEKER else "employer_id"
    interviews = await store.interviews(fair, **{key: str(participant_id)})
    booth = next((b for b in await store.booths(fair.id) if b["employer_id"] == str(participant_id)), None)
    return {
        "schedule_version": fair.schedule_version,
        "booth": booth,
        "interviews": [_interview(interview) for interview in interviews],
    }


def _interview(document: dict[str, Any]) -> dict[str, Any]:
    return {field: document.get(field) for field in INTERVIEW_FIELDS}


# --- staff ---------------------------------------------------------------------------


@router.get("/staff/fairs/{fair_id}/registrations", tags=["staff: registrations"])
async def registrations(
    staff: Staff,
    fair: FairDep,
    store: StoreDep,
    kind: c.ParticipantKind,
    status: Annotated[c.RegistrationStatus | None, Query()] = None,
) -> list[Registration]:
    """Registrations of one kind, in waitlist order (first come first served)."""
    return await store.registrations(fair.id, kind, *([status] if status else []))


@router.get("/staff/fairs/{fair_id}/interviews", tags=["staff: registrations"], responses={404: {}})
async def published_schedule(staff: Staff, fair: FairDep, store: StoreDep) -> dict[str, Any]:
    """The current schedule in full (for the staff pages): its booths and every interview."""
    return {
        "schedule_version": fair.schedule_version,
        "booths": await store.booths(fair.id),
        "interviews": [_interview(interview) for interview in await store.interviews(fair)],
    }


@router.post(
    "/staff/fairs/{fair_id}/registrations/{registration_id}/approve",
    tags=["staff: registrations"],
    responses={404: {}, 409: {}, 422: {}},
)
async def approve(
    registration_id: UUID, staff: Staff, fair: FairDep, store: StoreDep, now: Now
) -> Registration:
    """Approve an employer into a booth, or onto the waitlist when the booths are taken."""
    return await approve_employer(store, fair, registration_id, now)


@router.post(
    "/staff/fairs/{fair_id}/walk-ins",
    tags=["staff: registrations"],
    status_code=status.HTTP_201_CREATED,
    responses={**REFUSED, **CLOSED},
)
async def walk_in(body: WalkIn, staff: Staff, fair: FairDep, store: StoreDep, now: Now) -> Registration:
    """A seeker registered at the door: eligibility checked, checked in at once."""
    return await register_seeker(store, fair, body.seeker_id, now, walk_in=True)
