"""Ranked candidates and applicants for one of the organisation's vacancies; invitations."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from services.employer import views
from services.employer.api.deps import OwnOrganisation, StoreDep
from services.employer.domain.model import Invitation, InvitationDraft, InvitationStatus
from shared.api.errors import AUTH_ERRORS, Responses
from shared.api.pagination import Page, Paging
from shared.errors import Conflict, NotFound

router = APIRouter(tags=["candidates"], responses=AUTH_ERRORS)
NOT_FOUND: Responses = {404: {"description": "not one of your organisation's vacancies"}}


@router.get("/vacancies/{vacancy_id}/candidates", responses=NOT_FOUND)
async def candidates(
    vacancy_id: UUID, organisation: OwnOrganisation, store: StoreDep, paging: Paging
) -> Page[views.Candidate]:
    """Seekers the matcher ranked for this vacancy, with score and reasons; contact once shared."""
    return await views.candidates(store, await store.vacancy(vacancy_id, organisation.id), paging)


@router.get("/vacancies/{vacancy_id}/applications", responses=NOT_FOUND)
async def applications(
    vacancy_id: UUID, organisation: OwnOrganisation, store: StoreDep, paging: Paging
) -> Page[views.Applicant]:
    return await views.applicants(store, await store.vacancy(vacancy_id, organisation.id), paging)


@router.post(
    "/vacancies/{vacancy_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 409: {"description": "closed vacancy, or already invited"}},
)
async def invite(
    vacancy_id: UUID, draft: InvitationDraft, organisation: OwnOrganisation, store: StoreDep
) -> Invitation:
    """Invite an applicant of this vacancy, or a matched candidate who allows being contacted."""
    vacancy = await store.vacancy(vacancy_id, organisation.id)
    seeker = str(draft.seeker_id)
    applied = await store["applications"].find_one({"vacancy_id": str(vacancy.id), "seeker_id": seeker})
    matched = await store["candidates"].find_one({"vacancy_id": str(vacancy.id), "seeker_id": seeker})
    reachable = await store["seekers"].find_one(
        {"_id": seeker, "consent.allow_matching": True, "consent.allow_contact": True}
    )
    if not (applied or (matched and reachable)):
        raise NotFound(f"seeker {draft.seeker_id} is neither a candidate nor an applicant for this vacancy")
    if await store["invitations"].find_one({"vacancy_id": str(vacancy.id), "seeker_id": seeker}):
        raise Conflict("this seeker was already invited to this vacancy")
    invitation = Invitation.send(draft, vacancy)
    await store.add_invitation(invitation)
    return invitation


@router.get("/invitations")
async def invitations(
    organisation: OwnOrganisation,
    store: StoreDep,
    paging: Paging,
    status: InvitationStatus | None = None,
    vacancy_id: UUID | None = None,
) -> Page[views.InvitationView]:
    """The organisation's invitations and their answers (contact shown once accepted)."""
    return await views.invitations(store, organisation.id, paging, status, vacancy_id)
