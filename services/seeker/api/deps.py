"""Typed dependencies of the seeker service's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.seeker.adapters.repository import SeekerStore
from services.seeker.domain.model import Seeker
from shared.api.security import Seeker as SeekerPrincipal
from shared.errors import Unauthorized


def seeker_store(request: Request) -> SeekerStore:
    store: SeekerStore = request.app.state.seeker_store
    return store


StoreDep = Annotated[SeekerStore, Depends(seeker_store)]


async def current_seeker(principal: SeekerPrincipal, store: StoreDep) -> Seeker:
    if not await store.is_known(principal.account_id):
        raise Unauthorized("this account was deleted")
    return await store.seeker(principal.account_id)


Me = Annotated[Seeker, Depends(current_seeker)]
