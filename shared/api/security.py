"""Bearer-token authentication and role checks, as typed FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import InvalidToken, Principal, Role, TokenIssuer
from shared.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="a token from POST /auth/login")


def token_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.tokens
    return issuer


Tokens = Annotated[TokenIssuer, Depends(token_issuer)]


def authenticated(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)], tokens: Tokens
) -> Principal:
    if credentials is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    try:
        return tokens.verify(credentials.credentials)
    except InvalidToken as error:
        raise Unauthorized(f"the token is not valid ({error}); sign in again") from error


def role(*allowed: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in allowed:
            names = " or ".join(r.value for r in allowed)
            raise Forbidden(f"this needs the {names} role; you are signed in as {principal.role.value}")
        return principal

    return check


Caller = Annotated[Principal, Depends(authenticated)]
Staff = Annotated[Principal, Depends(role(Role.STAFF))]
Seeker = Annotated[Principal, Depends(role(Role.SEEKER))]
EmployerUser = Annotated[Principal, Depends(role(Role.EMPLOYER))]
