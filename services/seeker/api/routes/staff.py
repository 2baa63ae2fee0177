"""Talent-centre staff import seekers already registered in person, in batches."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.seeker.adapters.repository import wrap
from services.seeker.api.deps import StoreDep
from services.seeker.domain.model import RegistrationRecord
from shared.api.errors import AUTH_ERRORS
from shared.api.security import Staff
from shared.auth import Role
from shared.auth.accounts import Accounts
from shared.events import catalogue as c
from shared.store.mongo import as_document
from shared.store.outbox import outbox

router = APIRouter(prefix="/staff/seekers", tags=["staff"], responses=AUTH_ERRORS)
MAX_BATCH = 1_000


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[RegistrationRecord] = Field(min_length=1, max_length=MAX_BATCH)


class Imported(BaseModel):
    imported: int
    already_registered: list[str] = Field(description="record ids left out: imported before, or e-mail taken")


@router.post(
    "/import", responses={422: {"description": "a record is invalid (its index is named); nothing stored"}}
)
async def import_seekers(batch: Batch, staff: Staff, store: StoreDep) -> Imported:
    """Import up to 1,000 registration records at once: each becomes a seeker with an unclaimed
    account (no password) and a ``seeker.registered`` event, published in one batch."""
    documents, records = [], {}
    for record in batch.records:
        seeker = record.seeker()
        profile = record.profile
        account = Accounts.document(
            profile.contact.email, None, Role.SEEKER, profile.display_name, _id=str(seeker.id)
        )
        documents.append(
            {**account, **as_document(seeker), **outbox(*wrap(seeker.state(c.SeekerRegistered)))}
        )
        records[str(seeker.id)] = record.record_id
    refused = await store.add_seekers(documents)
    return Imported(
        imported=len(documents) - len(refused), already_registered=sorted(records[i] for i in refused)
    )
