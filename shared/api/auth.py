"""The token a sign-in answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from shared.api.security import Tokens
from shared.auth import Principal


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    account_id: str
    organisation_id: str | None = None


def token_for(tokens: Tokens, principal: Principal) -> Token:
    return Token(
        access_token=tokens.issue(principal),
        expires_in=int(tokens.ttl.total_seconds()),
        role=principal.role.value,
        account_id=str(principal.account_id),
        organisation_id=str(principal.organisation_id) if principal.organisation_id else None,
    )
