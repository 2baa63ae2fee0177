"""Talent-centre staff vet the organisations that want to recruit."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.employer.api.deps import StoreDep
from services.employer.domain.model import Organisation, OrganisationStatus
from shared.api.errors import AUTH_ERRORS
from shared.api.pagination import Page, Paging, containing, paged
from shared.api.security import Staff
from shared.store.mongo import from_document

router = APIRouter(prefix="/staff/organisations", tags=["staff"], responses=AUTH_ERRORS)
Text = Annotated[str | None, Query(max_length=200, description="in the name or industry")]


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, examples=["营业执照与统一社会信用代码不符"])


@router.get("")
async def organisations(
    staff: Staff,
    store: StoreDep,
    paging: Paging,
    status: OrganisationStatus | None = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    text: Text = None,
) -> Page[Organisation]:
    """The vetting queue (``status=pending``) and every other organisation, oldest first."""
    query = {
        **({"status": status.value} if status else {}),
        **({"city": city} if city else {}),
        **containing(text, "name", "industry"),
    }
    return await paged(
        store["organisations"], query, paging, lambda d: Organisation.model_validate(from_document(d)),
        sort=[("registered_at", 1)],
    )  # fmt: skip


@router.post("/{organisation_id}/approve", responses={404: {}, 409: {"description": "already reviewed"}})
async def approve(organisation_id: UUID, staff: Staff, store: StoreDep) -> Organisation:
    organisation = await store.organisation(organisation_id)
    event = organisation.review(True, staff.account_id, reason="")
    return await store.review_organisation(organisation, event, note="")


@router.post("/{organisation_id}/reject", responses={404: {}, 409: {"description": "already reviewed"}})
async def reject(organisation_id: UUID, rejection: Rejection, staff: Staff, store: StoreDep) -> Organisation:
    organisation = await store.organisation(organisation_id)
    event = organisation.review(False, staff.account_id, reason=rejection.reason)
    return await store.review_organisation(organisation, event, note=rejection.reason)
