"""A seeker's own profile, consent and account."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import AwareDatetime, BaseModel

from services.seeker.api.deps import Me, StoreDep
from services.seeker.domain.model import ConsentChoice, Profile, ProfileEdit, Seeker
from shared.api.errors import AUTH_ERRORS
from shared.events import catalogue as c

router = APIRouter(prefix="/me", tags=["me"], responses=AUTH_ERRORS)


class MyProfile(BaseModel):
    id: UUID
    version: int
    profile: Profile
    consent: c.Consent
    experience_years: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


def _view(seeker: Seeker) -> MyProfile:
    return MyProfile(**dict(seeker), experience_years=seeker.profile.experience_years(datetime.now(UTC).year))


@router.get("")
async def my_profile(me: Me) -> MyProfile:
    return _view(me)


@router.put("/profile", responses={409: {"description": "changed meanwhile"}})
async def edit_profile(edit: ProfileEdit, me: Me, store: StoreDep) -> MyProfile:
    """Replace the profile; send back the ``version`` you loaded."""
    edited = me.edited(edit)
    await store.save_seeker(edited, edited.state(c.SeekerUpdated))
    return _view(edited)


@router.put("/consent")
async def change_consent(choice: ConsentChoice, me: Me, store: StoreDep) -> MyProfile:
    """Each change is an event every service acts on: matching, employer views, notifications."""
    if choice.consent() == me.consent:
        return _view(me)
    changed = me.with_consent(choice.consent())
    await store.save_seeker(changed, changed.state(c.SeekerConsentChanged))
    return _view(changed)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(me: Me, store: StoreDep) -> Response:
    """Delete the account: every service forgets you; an erasure record (id, time) remains."""
    await store.erase(me.id, datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
