"""Open vacancies, applying, invitations and matches, seen from the seeker's side."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel

from services.seeker.api.deps import Me, StoreDep
from services.seeker.domain.model import (
    Answer,
    Application,
    ApplicationDraft,
    Invitation,
    InvitationStatus,
    OpenVacancy,
)
from shared.api.errors import AUTH_ERRORS
from shared.api.pagination import Page, Paging, containing, paged
from shared.events import catalogue as c
from shared.store.mongo import from_document

router = APIRouter(tags=["jobs"], responses=AUTH_ERRORS)


class Match(BaseModel):
    vacancy_id: UUID
    employer_id: UUID
    vacancy_title: str | None
    score: float
    rank: int
    model_version: str
    reasons: list[c.MatchReason]
    baseline: float | None = None
    """The score's logit before any reason (None for matches published before it was told)."""
    matched_at: AwareDatetime


@router.get("/vacancies")
async def open_vacancies(
    store: StoreDep,
    paging: Paging,
    city: Annotated[str | None, Query(max_length=200)] = None,
    category: c.TalentCategory | None = None,
    text: Annotated[str | None, Query(max_length=200, description="in the title")] = None,
) -> Page[OpenVacancy]:
    """Vacancies open for applications (public)."""
    query = {
        "open": True,
        **({"city": city} if city else {}),
        **({"talent_category": category.value} if category else {}),
        **containing(text, "title"),
    }
    return await paged(
        store["vacancies"], query, paging, lambda d: OpenVacancy.model_validate(from_document(d))
    )


@router.post(
    "/me/applications",
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "no such vacancy"}, 409: {"description": "closed, or already applied"}},
)
async def apply(draft: ApplicationDraft, me: Me, store: StoreDep) -> Application:
    """Apply once per vacancy; applying shares your contact details with that employer."""
    application = Application.submit(draft, me, await store.open_vacancy(draft.vacancy_id))
    await store.add_application(application, application.submitted_event(me.contact_details()))
    return application


@router.get("/me/applications")
async def my_applications(me: Me, store: StoreDep, paging: Paging) -> Page[Application]:
    return await paged(
        store["applications"], {"seeker_id": str(me.id)}, paging,
        lambda d: Application.model_validate(from_document(d)), [("applied_at", -1)],
    )  # fmt: skip


@router.get("/me/invitations")
async def my_invitations(
    me: Me, store: StoreDep, paging: Paging, status: InvitationStatus | None = None
) -> Page[Invitation]:
    query = {"seeker_id": str(me.id), **({"status": status.value} if status else {})}
    return await paged(
        store["invitations"],
        query,
        paging,
        lambda d: Invitation.model_validate(from_document(d)),
        [("received_at", -1)],
    )


@router.post(
    "/me/invitations/{invitation_id}/answer",
    responses={404: {"description": "not your invitation"}, 409: {"description": "already answered"}},
)
async def answer(invitation_id: UUID, answer: Answer, me: Me, store: StoreDep) -> Invitation:
    """Accepting shares your contact details with the employer; declining does not."""
    answered = (await store.invitation(invitation_id, me.id)).answered(answer.accepted)
    return await store.save_answer(answered, answered.answered_event(me.contact_details()))


@router.get("/me/matches")
async def my_matches(me: Me, store: StoreDep, paging: Paging) -> Page[Match]:
    """Vacancies the matcher found for you, best first, with the reasons that counted."""
    page = await paged(store["matches"], {"seeker_id": str(me.id)}, paging, lambda d: d, [("score", -1)])
    ids = [match["vacancy_id"] for match in page.items]
    titles = {
        v["_id"]: v["title"] async for v in store["vacancies"].find({"_id": {"$in": ids}}, {"title": 1})
    }

    def match(document: dict[str, Any]) -> Match:
        return Match.model_validate({**document, "vacancy_title": titles.get(document["vacancy_id"])})

    return Page[Match](
        items=[match(d) for d in page.items], total=page.total, offset=page.offset, limit=page.limit
    )
