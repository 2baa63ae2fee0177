"""An employer user: the organisation, vacancies (with the protected-attribute refusal shown
in the form), ranked candidates with reasons, invitations and fair registration."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response

from services.web.backend import FIRST_PAGE, ApiError
from services.web.deps import BackendDep, SettingsDep, see_other
from services.web.forms import employer_plan, joined, optional_int, split_list
from services.web.session import CsrfChecked, EmployerViewer, sign_in
from services.web.templating import render

router = APIRouter(prefix="/employer")
PROTECTED = "protected attribute"  # how the employer API words the fairness refusal
VACANCY_FIELDS = ("title", "description", "skills", "city", "talent_category", "education_level",
                  "min_experience_years", "salary_min", "salary_max", "headcount", "deadline")  # fmt: skip


@router.get("")
async def dashboard(request: Request, viewer: EmployerViewer, backend: BackendDep) -> Response:
    try:
        organisation = await backend.call("GET", "employer", "/organisations/mine", viewer.token)
    except ApiError as error:
        if error.status != 404:
            raise
        return render(request, "employer/organisation.html", form={}, messages=[])
    page = await backend.call("GET", "employer", "/vacancies", viewer.token, params=FIRST_PAGE)
    return render(request, "employer/dashboard.html", organisation=organisation, vacancies=page["items"])


@router.post("/organisation", dependencies=[CsrfChecked])
async def register_organisation(
    request: Request,
    viewer: EmployerViewer,
    backend: BackendDep,
    settings: SettingsDep,
    name: Annotated[str, Form()],
    credit_code: Annotated[str, Form()],
    industry: Annotated[str, Form()],
    city: Annotated[str, Form()],
    contact_name: Annotated[str, Form()],
    contact_phone: Annotated[str, Form()],
    contact_email: Annotated[str, Form()],
) -> Response:
    organisation = {"name": name, "credit_code": credit_code, "industry": industry, "city": city}
    contact = {"name": contact_name, "phone": contact_phone, "email": contact_email}
    form = {**organisation, **{f"contact_{key}": value for key, value in contact.items()}}
    body = {**organisation, "contact_person": contact}
    try:
        registered = await backend.call("POST", "employer", "/organisations", viewer.token, json=body)
    except ApiError as error:
        return render(request, "employer/organisation.html", error.status, form=form, messages=error.messages)
    response = see_other("/employer")
    sign_in(response, settings, registered["token"]["access_token"], registered["token"]["expires_in"])
    return response


def vacancy_form(vacancy: dict[str, Any]) -> dict[str, Any]:
    """A stored vacancy as the form's text fields."""
    salary = vacancy.get("salary") or {}
    return {
        **{name: vacancy.get(name, "") for name in VACANCY_FIELDS},
        "skills": joined(vacancy.get("skills", [])),
        "salary_min": salary.get("min", ""),
        "salary_max": salary.get("max", ""),
        "deadline": vacancy.get("deadline") or "",
    }


def vacancy_body(form: dict[str, str]) -> dict[str, Any]:
    """The form's text as the API's vacancy draft (the API validates every field)."""
    return {
        "title": form["title"],
        "description": form["description"],
        "skills": split_list(form["skills"]),
        "city": form["city"],
        "talent_category": form["talent_category"],
        "education_level": form["education_level"] or "none",
        "min_experience_years": optional_int(form["min_experience_years"]) or 0,
        "salary": {"min": optional_int(form["salary_min"]), "max": optional_int(form["salary_max"])},
        "headcount": optional_int(form["headcount"]) or 1,
        "deadline": form["deadline"] or None,
    }


async def _vacancy_form(request: Request) -> dict[str, str]:
    submitted = await request.form()
    return {name: str(submitted.get(name, "")) for name in (*VACANCY_FIELDS, "version")}


@router.get("/vacancies/new")
async def new_vacancy(request: Request, viewer: EmployerViewer) -> Response:
    return render(request, "employer/vacancy_form.html", form={"headcount": 1}, vacancy_id=None, messages=[])


@router.get("/vacancies/{vacancy_id}/edit")
async def edit_vacancy(
    request: Request, vacancy_id: UUID, viewer: EmployerViewer, backend: BackendDep
) -> Response:
    vacancy = await backend.call("GET", "employer", f"/vacancies/{vacancy_id}", viewer.token)
    form = {**vacancy_form(vacancy), "version": vacancy["version"]}
    return render(request, "employer/vacancy_form.html", form=form, vacancy_id=vacancy_id, messages=[])


@router.post("/vacancies", dependencies=[CsrfChecked])
async def post_vacancy(request: Request, viewer: EmployerViewer, backend: BackendDep) -> Response:
    return await _save_vacancy(request, viewer, backend, None)


@router.post("/vacancies/{vacancy_id}", dependencies=[CsrfChecked])
async def save_vacancy(
    request: Request, vacancy_id: UUID, viewer: EmployerViewer, backend: BackendDep
) -> Response:
    return await _save_vacancy(request, viewer, backend, vacancy_id)


async def _save_vacancy(
    request: Request, viewer: EmployerViewer, backend: BackendDep, vacancy_id: UUID | None
) -> Response:
    form = await _vacancy_form(request)
    try:
        if vacancy_id is None:
            await backend.call("POST", "employer", "/vacancies", viewer.token, json=vacancy_body(form))
        else:
            body = {**vacancy_body(form), "version": optional_int(form["version"]) or 1}
            await backend.call("PUT", "employer", f"/vacancies/{vacancy_id}", viewer.token, json=body)
    except ApiError as error:
        return render(
            request, "employer/vacancy_form.html", error.status, form=form, vacancy_id=vacancy_id,
            messages=error.messages, refused=any(PROTECTED in problem.text for problem in error.messages),
        )  # fmt: skip
    return see_other("/employer?saved=1")


@router.get("/vacancies/{vacancy_id}/candidates")
async def candidates(
    request: Request, vacancy_id: UUID, viewer: EmployerViewer, backend: BackendDep, invited: bool = False
) -> Response:
    vacancy = await backend.call("GET", "employer", f"/vacancies/{vacancy_id}", viewer.token)
    ranked = await backend.call(
        "GET", "employer", f"/vacancies/{vacancy_id}/candidates", viewer.token, params=FIRST_PAGE
    )
    return render(
        request, "employer/candidates.html", vacancy=vacancy, candidates=ranked["items"], invited=invited
    )


@router.post("/vacancies/{vacancy_id}/invitations", dependencies=[CsrfChecked])
async def invite(
    vacancy_id: UUID,
    viewer: EmployerViewer,
    backend: BackendDep,
    seeker_id: Annotated[UUID, Form()],
    message: Annotated[str, Form()] = "",
) -> Response:
    body = {"seeker_id": str(seeker_id), "message": message}
    await backend.call("POST", "employer", f"/vacancies/{vacancy_id}/invitations", viewer.token, json=body)
    return see_other(f"/employer/vacancies/{vacancy_id}/candidates?invited=1")


@router.get("/fairs")
async def fairs(
    request: Request, viewer: EmployerViewer, backend: BackendDep, registered: bool = False
) -> Response:
    listed = await backend.call("GET", "fair", "/fairs", viewer.token, params=FIRST_PAGE)
    vacancies = await backend.call(
        "GET", "employer", "/vacancies", viewer.token, params={**FIRST_PAGE, "status": "open"}
    )
    return render(
        request,
        "employer/fairs.html",
        fairs=listed["items"],
        vacancies=vacancies["items"],
        registered=registered,
    )


@router.post("/fairs/{fair_id}/register", dependencies=[CsrfChecked])
async def register_for_fair(
    fair_id: UUID,
    viewer: EmployerViewer,
    backend: BackendDep,
    vacancy_ids: Annotated[list[UUID], Form()],
    interviewers: Annotated[str, Form()] = "",
    hours: Annotated[str, Form()] = "",
    breaks: Annotated[str, Form()] = "",
    minimum_interviews: Annotated[str, Form()] = "",
    maximum_interviews: Annotated[str, Form()] = "",
) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    plan = employer_plan(fair, interviewers, hours, breaks, minimum_interviews, maximum_interviews)
    body = {"vacancy_ids": [str(v) for v in vacancy_ids], "plan": plan}
    await backend.call("POST", "fair", f"/fairs/{fair_id}/employer-registration", viewer.token, json=body)
    return see_other("/employer/fairs?registered=1")
