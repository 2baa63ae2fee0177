"""Who is signed in (their bearer token in an HttpOnly cookie) and the CSRF check of forms.

The web process cannot verify tokens (the APIs do, with the shared secret): it only reads
their claims to pick the pages to offer. A forged cookie gets nothing from any API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

import jwt
from fastapi import Depends, Form, Request, Response

from services.web.core.config import Settings

TOKEN_COOKIE = "talent_token"
CSRF_COOKIE = "talent_csrf"


@dataclass(frozen=True)
class Viewer:
    token: str
    role: str  # staff, employer or seeker
    account_id: UUID
    organisation_id: UUID | None


class LoginRequired(Exception):
    """No valid sign-in for a page that needs one (or another role's page)."""


class CsrfRejected(Exception):
    """A form came without the token this browser was given."""


def viewer_of(request: Request) -> Viewer | None:
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": True})
        return Viewer(
            token=token,
            role=str(claims["role"]),
            account_id=UUID(str(claims["sub"])),
            organisation_id=UUID(str(claims["org"])) if claims.get("org") else None,
        )
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


def _role(role: str) -> object:
    def signed_in(request: Request) -> Viewer:
        viewer = viewer_of(request)
        if viewer is None or viewer.role != role:
            raise LoginRequired
        return viewer

    return Depends(signed_in)


StaffViewer = Annotated[Viewer, _role("staff")]
EmployerViewer = Annotated[Viewer, _role("employer")]
SeekerViewer = Annotated[Viewer, _role("seeker")]
MaybeViewer = Annotated[Viewer | None, Depends(viewer_of)]


def sign_in(response: Response, settings: Settings, token: str, expires_in: int) -> None:
    response.set_cookie(
        TOKEN_COOKIE, token, max_age=expires_in, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )  # fmt: skip


def sign_out(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/")


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (double-submit: the cookie and every form's hidden field)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def keep_csrf_cookie(request: Request, response: Response, token: str, settings: Settings) -> None:
    """Give the browser the page's token as its cookie when it has none yet."""
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
        )


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie.encode(), csrf.encode()):
        raise CsrfRejected


CsrfChecked = Depends(check_csrf)
