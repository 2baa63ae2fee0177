"""Home, language switch, sign-up, sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response

from services.web.backend import ApiError, Problem, ServiceName
from services.web.deps import BackendDep, SettingsDep, see_other
from services.web.i18n import LANGUAGE_COOKIE, Language, language_of, translator
from services.web.session import CsrfChecked, MaybeViewer, sign_in, sign_out
from services.web.templating import render

router = APIRouter()
HOMES = {"staff": "/staff/organisations", "employer": "/employer", "seeker": "/seeker/matches"}
Side = Literal["seeker", "employer"]


def safe_next(target: str) -> str:
    """Only a path on this site (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/")
async def home(request: Request, viewer: MaybeViewer) -> Response:
    if viewer is not None and viewer.role in HOMES:
        return see_other(HOMES[viewer.role])
    return render(request, "home.html")


@router.get("/lang/{language}")
async def switch_language(language: Language, next: str = "/") -> Response:
    response = see_other(safe_next(next))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "") -> Response:
    return render(request, "login.html", next=next, side="seeker", email="", messages=[])


def refusal(request: Request, error: ApiError) -> list[Problem]:
    """What to tell a person whose sign-in an API refused."""
    if error.status == 429:
        minutes = max(1, -(-(error.retry_after_s or 60) // 60))
        return [Problem(translator(language_of(request))("login.throttled", minutes=minutes))]
    return error.messages


async def signed_in(
    request: Request,
    backend: BackendDep,
    settings: SettingsDep,
    side: ServiceName,
    email: str,
    password: str,
    next: str,
) -> Response:
    """Sign in at the side's API, which throttles by the browser's address (forwarded here)."""
    forwarded = {"X-Forwarded-For": request.client.host} if request.client else {}
    credentials = {"email": email, "password": password}
    token = await backend.call("POST", side, "/auth/login", json=credentials, headers=forwarded)
    target = safe_next(next) if next else HOMES.get(token["role"], "/")
    response = see_other(target)
    sign_in(response, settings, token["access_token"], token["expires_in"])
    return response


@router.post("/login", dependencies=[CsrfChecked])
async def login(
    request: Request,
    backend: BackendDep,
    settings: SettingsDep,
    side: Annotated[Side, Form()],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        return await signed_in(request, backend, settings, side, email, password, next)
    except ApiError as error:
        messages = refusal(request, error)
        return render(
            request, "login.html", error.status, next=next, side=side, email=email, messages=messages
        )


@router.post("/logout", dependencies=[CsrfChecked])
async def logout(settings: SettingsDep) -> Response:
    response = see_other("/")
    sign_out(response, settings)
    return response


@router.get("/signup/{side}")
async def signup_form(request: Request, side: Side) -> Response:
    return render(request, "signup.html", side=side, form={}, messages=[])


@router.post("/signup/{side}", dependencies=[CsrfChecked])
async def signup(
    request: Request,
    backend: BackendDep,
    settings: SettingsDep,
    side: Side,
    display_name: Annotated[str, Form()],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    phone: Annotated[str, Form()] = "",
) -> Response:
    body = {"display_name": display_name, "email": email, "password": password}
    if side == "seeker" and phone:
        body["phone"] = phone
    if side == "seeker":
        body["notification_language"] = "en" if language_of(request) == "en" else "zh-CN"
    try:
        await backend.call("POST", side, "/auth/register", json=body)
        return await signed_in(request, backend, settings, side, email, password, "")
    except ApiError as error:
        form = {"display_name": display_name, "email": email, "phone": phone}
        return render(request, "signup.html", error.status, side=side, form=form, messages=error.messages)
