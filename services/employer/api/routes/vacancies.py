"""An approved organisation posts, edits, closes and reopens its own vacancies."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from services.employer.api.deps import OwnOrganisation, StoreDep
from services.employer.domain.model import Vacancy, VacancyDraft, VacancyStatus
from shared.api.errors import AUTH_ERRORS, Responses
from shared.api.pagination import Page, Paging, containing, paged
from shared.events import catalogue as c
from shared.input import Day, Input, Integer
from shared.store.mongo import from_document

router = APIRouter(prefix="/vacancies", tags=["vacancies"], responses=AUTH_ERRORS)
NOT_FOUND: Responses = {404: {"description": "not one of your organisation's vacancies"}}
REFUSED: Responses = {422: {"description": "invalid, or demands a protected attribute (the phrase is named)"}}


class VacancyEdit(VacancyDraft):
    version: Integer = Field(ge=1, description="the version you edited; a newer stored one refuses the edit")


class Reopening(Input):
    deadline: Day | None = Field(default=None, description="a new deadline, needed when the old one passed")


class Closing(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=500, examples=["招满了"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={403: {"description": "not approved"}, **REFUSED}
)
async def post_vacancy(draft: VacancyDraft, organisation: OwnOrganisation, store: StoreDep) -> Vacancy:
    organisation.ensure_may_post()
    vacancy = Vacancy.post(draft, employer_id=organisation.id)
    await store.add_vacancy(vacancy, vacancy.state_event(c.VacancyPosted))
    return vacancy


@router.get("")
async def my_vacancies(
    organisation: OwnOrganisation,
    store: StoreDep,
    paging: Paging,
    status: VacancyStatus | None = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    category: c.TalentCategory | None = None,
    text: Annotated[str | None, Query(max_length=200, description="in title, description or skills")] = None,
) -> Page[Vacancy]:
    query = {
        "employer_id": str(organisation.id),
        **({"status": status.value} if status else {}),
        **({"city": city} if city else {}),
        **({"talent_category": category.value} if category else {}),
        **containing(text, "title", "description", "skills"),
    }
    return await paged(
        store["vacancies"],
        query,
        paging,
        lambda d: Vacancy.model_validate(from_document(d)),
        sort=[("posted_at", -1)],
    )


@router.get("/{vacancy_id}", responses=NOT_FOUND)
async def vacancy(vacancy_id: UUID, organisation: OwnOrganisation, store: StoreDep) -> Vacancy:
    return await store.vacancy(vacancy_id, organisation.id)


@router.put(
    "/{vacancy_id}", responses={**NOT_FOUND, **REFUSED, 409: {"description": "closed, or changed meanwhile"}}
)
async def edit_vacancy(
    vacancy_id: UUID, edit: VacancyEdit, organisation: OwnOrganisation, store: StoreDep
) -> Vacancy:
    current = await store.vacancy(vacancy_id, organisation.id)
    edited = current.edited(VacancyDraft.model_validate(edit.model_dump(exclude={"version"})), edit.version)
    await store.save_vacancy(edited, edited.state_event(c.VacancyUpdated))
    return edited


@router.post("/{vacancy_id}/close", responses={**NOT_FOUND, 409: {"description": "already closed"}})
async def close_vacancy(
    vacancy_id: UUID, closing: Closing, organisation: OwnOrganisation, store: StoreDep
) -> Vacancy:
    closed = (await store.vacancy(vacancy_id, organisation.id)).closed(closing.reason)
    await store.save_vacancy(closed, closed.closed_event())
    return closed


@router.post("/{vacancy_id}/reopen", responses={**NOT_FOUND, 409: {"description": "already open"}, **REFUSED})
async def reopen_vacancy(
    vacancy_id: UUID, reopening: Reopening, organisation: OwnOrganisation, store: StoreDep
) -> Vacancy:
    reopened = (await store.vacancy(vacancy_id, organisation.id)).reopened(reopening.deadline)
    await store.save_vacancy(reopened, reopened.state_event(c.VacancyReopened))
    return reopened
