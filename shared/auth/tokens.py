"""Signed, expiring bearer tokens (JWT, HS256) that every service can check on its own.

The services share one secret, so a token issued by the employer or seeker service
is accepted by the others without a call between them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import jwt
from pydantic import BaseModel, ConfigDict

ISSUER = "talentfair"
ALGORITHM = "HS256"


class Role(StrEnum):
    EMPLOYER = "employer"
    SEEKER = "seeker"
    STAFF = "staff"


class Principal(BaseModel):
    """Who is calling: the account, its role and, for an employer user, its organisation."""

    model_config = ConfigDict(frozen=True)

    account_id: UUID
    role: Role
    organisation_id: UUID | None = None


class InvalidToken(Exception):
    """The token is missing, malformed, forged or expired."""


class TokenIssuer:
    def __init__(self, secret: str, ttl: timedelta) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self.ttl = ttl

    def issue(self, principal: Principal) -> str:
        now = datetime.now(UTC)
        claims: dict[str, object] = {
            "iss": ISSUER,
            "sub": str(principal.account_id),
            "role": principal.role.value,
            "iat": now,
            "exp": now + self.ttl,
        }
        if principal.organisation_id is not None:
            claims["org"] = str(principal.organisation_id)
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "sub"]},
            )
            organisation = claims.get("org")
            return Principal(
                account_id=UUID(claims["sub"]),
                role=Role(claims["role"]),
                organisation_id=UUID(organisation) if organisation else None,
            )
        except (jwt.PyJWTError, KeyError, ValueError) as error:
            raise InvalidToken(str(error)) from error
