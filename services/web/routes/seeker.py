"""A job seeker's pages: matches with reasons, vacancies and applications, inbox, profile and
consent, fairs with the itinerary and the check-in QR code."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response

from services.web.backend import FIRST_PAGE, ApiError
from services.web.deps import BackendDep, SettingsDep, see_other
from services.web.forms import joined, optional_int, seeker_plan, split_list
from services.web.session import CsrfChecked, SeekerViewer, sign_out
from services.web.templating import render

router = APIRouter(prefix="/seeker")
WISH_PLACES = 5  # ranked wishes the registration form offers


@router.get("/matches")
async def matches(request: Request, viewer: SeekerViewer, backend: BackendDep) -> Response:
    page = await backend.call("GET", "seeker", "/me/matches", viewer.token, params=FIRST_PAGE)
    return render(request, "seeker/matches.html", matches=page["items"])


@router.get("/vacancies")
async def vacancies(request: Request, viewer: SeekerViewer, backend: BackendDep, text: str = "") -> Response:
    params = {**FIRST_PAGE, **({"text": text} if text else {})}
    page = await backend.call("GET", "seeker", "/vacancies", viewer.token, params=params)
    return render(request, "seeker/vacancies.html", vacancies=page["items"], text=text)


@router.post("/applications", dependencies=[CsrfChecked])
async def apply(
    viewer: SeekerViewer,
    backend: BackendDep,
    vacancy_id: Annotated[UUID, Form()],
    cover_letter: Annotated[str, Form()] = "",
) -> Response:
    body = {"vacancy_id": str(vacancy_id), "cover_letter": cover_letter}
    await backend.call("POST", "seeker", "/me/applications", viewer.token, json=body)
    return see_other("/seeker/applications?applied=1")


@router.get("/applications")
async def applications(
    request: Request, viewer: SeekerViewer, backend: BackendDep, applied: bool = False
) -> Response:
    page = await backend.call("GET", "seeker", "/me/applications", viewer.token, params=FIRST_PAGE)
    return render(request, "seeker/applications.html", applications=page["items"], applied=applied)


@router.get("/inbox")
async def inbox(request: Request, viewer: SeekerViewer, backend: BackendDep) -> Response:
    page = await backend.call("GET", "notification", "/me/inbox", viewer.token, params=FIRST_PAGE)
    return render(request, "seeker/inbox.html", items=page["items"])


@router.post("/inbox/{notification_id}/read", dependencies=[CsrfChecked])
async def mark_read(notification_id: UUID, viewer: SeekerViewer, backend: BackendDep) -> Response:
    await backend.call("POST", "notification", f"/me/inbox/{notification_id}/read", viewer.token)
    return see_other("/seeker/inbox")


async def _profile_page(
    request: Request, viewer: SeekerViewer, backend: BackendDep, status_code: int = 200, **context: Any
) -> Response:
    me = await backend.call("GET", "seeker", "/me", viewer.token)
    return render(request, "seeker/profile.html", status_code, me=me, joined=joined, **context)


@router.get("/profile")
async def profile(request: Request, viewer: SeekerViewer, backend: BackendDep, saved: str = "") -> Response:
    return await _profile_page(request, viewer, backend, saved=saved, messages=[])


@router.post("/profile", dependencies=[CsrfChecked])
async def save_profile(
    request: Request,
    viewer: SeekerViewer,
    backend: BackendDep,
    version: Annotated[int, Form()],
    display_name: Annotated[str, Form()],
    skills: Annotated[str, Form()] = "",
    desired_roles: Annotated[str, Form()] = "",
    desired_cities: Annotated[str, Form()] = "",
    talent_category: Annotated[str, Form()] = "",
    salary_min: Annotated[str, Form()] = "",
    salary_max: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    current = (await backend.call("GET", "seeker", "/me", viewer.token))["profile"]
    low, high = optional_int(salary_min), optional_int(salary_max)
    edited = {
        **current,
        "display_name": display_name,
        "skills": split_list(skills),
        "desired_roles": split_list(desired_roles),
        "desired_cities": split_list(desired_cities),
        "talent_category": talent_category or None,
        "salary_expectation": {"min": low, "max": high} if low is not None and high is not None else None,
        "summary": summary,
        "version": version,
    }
    try:
        await backend.call("PUT", "seeker", "/me/profile", viewer.token, json=edited)
    except ApiError as error:
        return await _profile_page(request, viewer, backend, error.status, saved="", messages=error.messages)
    return see_other("/seeker/profile?saved=profile")


@router.post("/consent", dependencies=[CsrfChecked])
async def save_consent(
    viewer: SeekerViewer,
    backend: BackendDep,
    allow_matching: Annotated[bool, Form()] = False,
    allow_contact: Annotated[bool, Form()] = False,
    personalised_recommendations: Annotated[bool, Form()] = False,
) -> Response:
    choice = {
        "allow_matching": allow_matching,
        "allow_contact": allow_contact,
        "personalised_recommendations": personalised_recommendations,
    }
    await backend.call("PUT", "seeker", "/me/consent", viewer.token, json=choice)
    return see_other("/seeker/profile?saved=consent")


@router.post("/delete", dependencies=[CsrfChecked])
async def delete_account(
    request: Request,
    viewer: SeekerViewer,
    backend: BackendDep,
    settings: SettingsDep,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if not confirm:
        return await _profile_page(request, viewer, backend, 422, saved="", messages=[], confirm_missing=True)
    await backend.call("DELETE", "seeker", "/me", viewer.token)
    response = render(request, "seeker/deleted.html")
    sign_out(response, settings)
    return response


@router.get("/fairs")
async def fairs(request: Request, viewer: SeekerViewer, backend: BackendDep) -> Response:
    page = await backend.call("GET", "fair", "/fairs", viewer.token, params=FIRST_PAGE)
    return render(request, "seeker/fairs.html", fairs=page["items"])


@router.get("/fairs/{fair_id}/register")
async def registration_form(
    request: Request, fair_id: UUID, viewer: SeekerViewer, backend: BackendDep
) -> Response:
    """When the seeker can come, how many interviews they want, and their wishes ranked among
    the fair's employers (those they have matches with first)."""
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    employers = await backend.call("GET", "fair", f"/fairs/{fair_id}/employers", viewer.token)
    matches = await backend.call("GET", "seeker", "/me/matches", viewer.token, params=FIRST_PAGE)
    matched = {m.get("employer_id") for m in matches["items"]}
    employers.sort(key=lambda e: e["employer_id"] not in matched)
    return render(
        request, "seeker/fair_registration.html", fair=fair, employers=employers, matched=matched,
        wish_places=min(WISH_PLACES, len(employers)),
    )  # fmt: skip


@router.post("/fairs/{fair_id}/register", dependencies=[CsrfChecked])
async def register_for_fair(
    fair_id: UUID,
    viewer: SeekerViewer,
    backend: BackendDep,
    availability: Annotated[str, Form()] = "",
    interviews_wanted: Annotated[str, Form()] = "",
    wishes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    plan = seeker_plan(fair, availability, interviews_wanted, wishes or [])
    await backend.call("POST", "fair", f"/fairs/{fair_id}/seeker-registration", viewer.token, json=plan)
    return see_other(f"/seeker/fairs/{fair_id}")


@router.get("/fairs/{fair_id}")
async def itinerary(request: Request, fair_id: UUID, viewer: SeekerViewer, backend: BackendDep) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    registration = await backend.call("GET", "fair", f"/fairs/{fair_id}/registration", viewer.token)
    plan = await backend.call("GET", "fair", f"/fairs/{fair_id}/itinerary", viewer.token)
    return render(request, "seeker/itinerary.html", fair=fair, registration=registration, plan=plan)


@router.get("/fairs/{fair_id}/qr.png")
async def check_in_code(fair_id: UUID, viewer: SeekerViewer, backend: BackendDep) -> Response:
    answer = await backend.raw("GET", "fair", f"/fairs/{fair_id}/registration/qr.png", viewer.token)
    return Response(answer.content, media_type="image/png", headers={"Cache-Control": "private, no-store"})
