"""An employer user registers its organisation, which staff then vet."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel

from services.employer.api.deps import OwnOrganisation, StoreDep
from services.employer.domain.model import Organisation, OrganisationDraft
from shared.api.auth import Token, token_for
from shared.api.errors import AUTH_ERRORS
from shared.api.security import EmployerUser, Tokens
from shared.auth import Principal

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=AUTH_ERRORS)


class Registered(BaseModel):
    organisation: Organisation
    token: Token  # carries the new organisation; use it from now on


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={409: {"description": "already registered one"}}
)
async def register_organisation(
    draft: OrganisationDraft, user: EmployerUser, store: StoreDep, tokens: Tokens
) -> Registered:
    organisation = Organisation.register(draft, owner_id=user.account_id)
    await store.add_organisation(organisation)
    principal = Principal(account_id=user.account_id, role=user.role, organisation_id=organisation.id)
    return Registered(organisation=organisation, token=token_for(tokens, principal))


@router.get("/mine", responses={404: {"description": "no organisation registered yet"}})
async def my_organisation(organisation: OwnOrganisation) -> Organisation:
    return organisation
