"""Signing in: the throttled password check, and the token it answers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel

from shared.api.errors import Responses
from shared.api.security import Tokens
from shared.auth import Principal
from shared.auth.accounts import Account, Accounts, Credentials
from shared.auth.throttle import LoginThrottle, TooManyAttempts

LOGIN_ERRORS: Responses = {
    401: {"description": "wrong e-mail or password"},
    429: {"description": "too many failed sign-ins for this account or address; see Retry-After"},
}


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


class SignIn:
    """The password check of one request, throttled by the caller's address and the account."""

    def __init__(self, request: Request) -> None:
        self._throttle: LoginThrottle = request.app.state.login_throttle
        self._address = request.client.host if request.client else "unknown"

    async def __call__(self, accounts: Accounts, credentials: Credentials) -> Account:
        try:
            async with self._throttle.attempt(credentials.email, self._address):
                return await accounts.authenticate(credentials)
        except TooManyAttempts as refused:
            raise HTTPException(
                429, detail=str(refused), headers={"Retry-After": str(refused.retry_after_s)}
            ) from refused


Authenticate = Annotated[SignIn, Depends()]
