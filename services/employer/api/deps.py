"""Typed dependencies of the employer service's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.employer.adapters.repository import EmployerStore
from services.employer.domain.model import Organisation
from shared.api.security import EmployerUser
from shared.errors import NotFound


def employer_store(request: Request) -> EmployerStore:
    store: EmployerStore = request.app.state.employer_store
    return store


StoreDep = Annotated[EmployerStore, Depends(employer_store)]


async def own_organisation(user: EmployerUser, store: StoreDep) -> Organisation:
    if user.organisation_id is None:
        raise NotFound("your account has no organisation yet: register one with POST /organisations")
    return await store.organisation(user.organisation_id)


OwnOrganisation = Annotated[Organisation, Depends(own_organisation)]
