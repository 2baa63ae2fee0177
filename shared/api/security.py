"""Bearer-token authentication and role checks, as typed FastAPI dependencies.

A token stays valid until it expires, but not its seeker's erasure: every service records
erased seekers (``erasures``, from ``seeker.deleted``; the seeker service before it deletes),
and a seeker's token is checked against that record (one read by id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import InvalidToken, Principal, Role, TokenIssuer
from shared.errors import Forbidden, Unauthorized
from shared.service import Service
from shared.store.erasures import Erasures

_bearer = HTTPBearer(auto_error=False, description="a token from POST /auth/login")


def token_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.tokens
    return issuer


Tokens = Annotated[TokenIssuer, Depends(token_issuer)]


async def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    tokens: Tokens,
) -> Principal:
    if credentials is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>'")
    try:
        principal = tokens.verify(credentials.credentials)
    except InvalidToken as error:
        raise Unauthorized(f"the token is not valid ({error}); sign in again") from error
    service: Service = request.app.state.service
    if principal.role is Role.SEEKER and await Erasures(service.store).contains(principal.account_id):
        raise Unauthorized("this account was deleted")
    return principal


@dataclass(frozen=True)
class RoleCheck:
    """A route's declaration of who may call it: a dependency refusing every other role.

    Its ``allowed`` roles can be read back from the app's route table (the role test does).
    """

    allowed: frozenset[Role]

    def __call__(self, principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if principal.role not in self.allowed:
            names = " or ".join(sorted(r.value for r in self.allowed))
            raise Forbidden(f"this needs the {names} role; you are signed in as {principal.role.value}")
        return principal


def role(*allowed: Role) -> RoleCheck:
    return RoleCheck(frozenset(allowed))


Caller = Annotated[Principal, Depends(role(*Role))]
"""Any signed-in account, whatever its role."""
Staff = Annotated[Principal, Depends(role(Role.STAFF))]
Seeker = Annotated[Principal, Depends(role(Role.SEEKER))]
EmployerUser = Annotated[Principal, Depends(role(Role.EMPLOYER))]
Participant = Annotated[Principal, Depends(role(Role.SEEKER, Role.EMPLOYER))]
"""A seeker or an employer user: someone who takes part in fairs and is told of matches."""
