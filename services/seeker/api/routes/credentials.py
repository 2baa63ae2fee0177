"""Diplomas: seekers declare them, talent-centre staff verify or reject them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from services.seeker.api.deps import Me, StoreDep
from services.seeker.domain.model import Credential, CredentialClaim, CredentialReview
from shared.api.errors import AUTH_ERRORS
from shared.api.pagination import Page, Paging, containing, paged
from shared.api.security import Staff
from shared.store.mongo import from_document

router = APIRouter(tags=["credentials"], responses=AUTH_ERRORS)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=500, examples=["学信网查无此证书编号"])


def _credential(document: dict[str, object]) -> Credential:
    return Credential.model_validate(from_document(document))


@router.post("/me/credentials", status_code=status.HTTP_201_CREATED)
async def declare(claim: CredentialClaim, me: Me, store: StoreDep) -> Credential:
    credential = Credential.declare(claim, me.id)
    await store.add_credential(credential)
    return credential


@router.get("/me/credentials")
async def my_credentials(me: Me, store: StoreDep, paging: Paging) -> Page[Credential]:
    return await paged(
        store["credentials"], {"seeker_id": str(me.id)}, paging, _credential, [("declared_at", -1)]
    )


@router.get("/staff/credentials", tags=["staff"])
async def review_queue(
    staff: Staff,
    store: StoreDep,
    paging: Paging,
    status: CredentialReview | None = None,
    text: Annotated[str | None, Query(max_length=200, description="in school or major")] = None,
) -> Page[Credential]:
    """The verification queue (``status=pending``), oldest first."""
    query = {**({"status": status.value} if status else {}), **containing(text, "school", "major")}
    return await paged(store["credentials"], query, paging, _credential, [("declared_at", 1)])


async def _review(
    credential_id: UUID, verified: bool, note: str, staff_id: UUID, store: StoreDep
) -> Credential:
    reviewed = (await store.credential(credential_id)).reviewed(verified, note)
    await store.save_review(reviewed, reviewed.reviewed_event(staff_id))
    return reviewed


@router.post("/staff/credentials/{credential_id}/verify", tags=["staff"], responses={404: {}, 409: {}})
async def verify(credential_id: UUID, review: Review, staff: Staff, store: StoreDep) -> Credential:
    return await _review(credential_id, True, review.note, staff.account_id, store)


@router.post("/staff/credentials/{credential_id}/reject", tags=["staff"], responses={404: {}, 409: {}})
async def reject(credential_id: UUID, review: Review, staff: Staff, store: StoreDep) -> Credential:
    return await _review(credential_id, False, review.note, staff.account_id, store)
