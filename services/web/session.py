"""Who is signed in (their bearer token in an HttpOnly cookie), the session, and the CSRF check.

The web process cannot verify tokens (the APIs do, with the shared secret): it only reads
their claims to pick the pages to offer. A forged cookie gets nothing from any API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

import jwt
from fastapi import Depends, Form, Request, Response

from services.web.core.config import Settings

TOKEN_COOKIE = "talent_token"
SESSION_COOKIE = "talent_session"


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
    token = request.cookies.get(cookie_name(TOKEN_COOKIE, _settings(request)))
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


def cookie_name(name: str, settings: Settings) -> str:
    """Secure cookies are ``__Host-`` cookies: no other host (a sibling subdomain) can plant one."""
    return f"__Host-{name}" if settings.secure_cookies else name


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        cookie_name(name, settings), value, max_age=max_age, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )  # fmt: skip


def sign_in(response: Response, settings: Settings, token: str, expires_in: int) -> None:
    """Keep the token, in a new session: forms served before it no longer pass the CSRF check."""
    _set_cookie(response, settings, TOKEN_COOKIE, token, expires_in)
    _set_cookie(response, settings, SESSION_COOKIE, secrets.token_urlsafe(32), None)


def sign_out(response: Response, settings: Settings) -> None:
    for name in (TOKEN_COOKIE, SESSION_COOKIE):
        response.delete_cookie(
            cookie_name(name, settings), path="/", secure=settings.secure_cookies, httponly=True
        )


@dataclass(frozen=True)
class Session:
    """This browser's session id (random, in an HttpOnly cookie, also before sign-in)."""

    id: str
    new: bool

    def csrf(self, settings: Settings) -> str:
        """The forms' CSRF token: an HMAC of the session id, so only this session's token passes."""
        key = settings.csrf_secret.get_secret_value().encode()
        digest = hmac.new(key, self.id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_of(request: Request) -> Session:
    existing = request.cookies.get(cookie_name(SESSION_COOKIE, _settings(request)))
    return Session(existing, new=False) if existing else Session(secrets.token_urlsafe(32), new=True)


def keep_session(response: Response, session: Session, settings: Settings) -> None:
    if session.new:
        _set_cookie(response, settings, SESSION_COOKIE, session.id, None)


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """The form's token must be this session's, and the form must come from this site: a sibling
    site (same-site) is refused too, since it could have planted its own session cookie."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise CsrfRejected
    session = session_of(request)
    expected = session.csrf(_settings(request)).encode()
    if session.new or not hmac.compare_digest(expected, csrf.encode("utf-8", "replace")):
        raise CsrfRejected


CsrfChecked = Depends(check_csrf)
