"""Talent-centre staff: vetting organisations and diplomas, the fair calendar, registrations,
the published schedule, live check-ins, statistics with charts, dead notifications."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response

from services.web.backend import FIRST_PAGE
from services.web.charts import Series, bar_chart
from services.web.deps import BackendDep, see_other
from services.web.i18n import language_of, translator
from services.web.session import CsrfChecked, StaffViewer
from services.web.templating import local_time, render
from services.web.views import by_booth, by_seeker, check_in_counts, organisation_names

router = APIRouter(prefix="/staff")


@router.get("/organisations")
async def organisations(
    request: Request, viewer: StaffViewer, backend: BackendDep, status: str = "pending"
) -> Response:
    params = {**FIRST_PAGE, **({"status": status} if status else {})}
    page = await backend.call("GET", "employer", "/staff/organisations", viewer.token, params=params)
    return render(request, "staff/organisations.html", organisations=page["items"], status=status)


@router.post("/organisations/{organisation_id}/approve", dependencies=[CsrfChecked])
async def approve_organisation(organisation_id: UUID, viewer: StaffViewer, backend: BackendDep) -> Response:
    await backend.call("POST", "employer", f"/staff/organisations/{organisation_id}/approve", viewer.token)
    return see_other("/staff/organisations")


@router.post("/organisations/{organisation_id}/reject", dependencies=[CsrfChecked])
async def reject_organisation(
    organisation_id: UUID, viewer: StaffViewer, backend: BackendDep, reason: Annotated[str, Form()] = ""
) -> Response:
    path = f"/staff/organisations/{organisation_id}/reject"
    await backend.call("POST", "employer", path, viewer.token, json={"reason": reason})
    return see_other("/staff/organisations")


@router.get("/credentials")
async def credentials(request: Request, viewer: StaffViewer, backend: BackendDep) -> Response:
    params = {**FIRST_PAGE, "status": "pending"}
    page = await backend.call("GET", "seeker", "/staff/credentials", viewer.token, params=params)
    return render(request, "staff/credentials.html", credentials=page["items"])


@router.post("/credentials/{credential_id}/{decision}", dependencies=[CsrfChecked])
async def review_credential(
    credential_id: UUID,
    decision: str,
    viewer: StaffViewer,
    backend: BackendDep,
    note: Annotated[str, Form()] = "",
) -> Response:
    if decision not in ("verify", "reject"):
        return see_other("/staff/credentials")
    path = f"/staff/credentials/{credential_id}/{decision}"
    await backend.call("POST", "seeker", path, viewer.token, json={"note": note})
    return see_other("/staff/credentials")


@router.get("/fairs")
async def fair_calendar(request: Request, viewer: StaffViewer, backend: BackendDep) -> Response:
    page = await backend.call("GET", "fair", "/fairs", viewer.token, params=FIRST_PAGE)
    return render(request, "staff/fairs.html", fairs=page["items"])


@router.get("/fairs/{fair_id}/registrations")
async def registrations(
    request: Request, fair_id: UUID, viewer: StaffViewer, backend: BackendDep
) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    path = f"/staff/fairs/{fair_id}/registrations"
    employers = await backend.call("GET", "fair", path, viewer.token, params={"kind": "employer"})
    seekers = await backend.call("GET", "fair", path, viewer.token, params={"kind": "seeker"})
    names = await organisation_names(backend, viewer.token)
    return render(
        request, "staff/registrations.html", fair=fair, employers=employers, seekers=seekers, names=names
    )


@router.post("/fairs/{fair_id}/registrations/{registration_id}/approve", dependencies=[CsrfChecked])
async def approve_registration(
    fair_id: UUID, registration_id: UUID, viewer: StaffViewer, backend: BackendDep
) -> Response:
    path = f"/staff/fairs/{fair_id}/registrations/{registration_id}/approve"
    await backend.call("POST", "fair", path, viewer.token)
    return see_other(f"/staff/fairs/{fair_id}/registrations")


@router.get("/fairs/{fair_id}/schedule")
async def schedule(request: Request, fair_id: UUID, viewer: StaffViewer, backend: BackendDep) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    summary = await backend.call("GET", "fair", f"/staff/fairs/{fair_id}/schedule", viewer.token)
    published = await backend.call("GET", "fair", f"/staff/fairs/{fair_id}/interviews", viewer.token)
    names = await organisation_names(backend, viewer.token)
    return render(
        request, "staff/schedule.html", fair=fair, summary=summary,
        booths=by_booth(published, names), seekers=by_seeker(published), names=names,
    )  # fmt: skip


@router.post("/fairs/{fair_id}/schedule", dependencies=[CsrfChecked])
async def run_scheduler(fair_id: UUID, viewer: StaffViewer, backend: BackendDep) -> Response:
    await backend.call("POST", "fair", f"/staff/fairs/{fair_id}/schedule", viewer.token)
    return see_other(f"/staff/fairs/{fair_id}/schedule")


@router.get("/fairs/{fair_id}/check-ins")
async def check_ins(request: Request, fair_id: UUID, viewer: StaffViewer, backend: BackendDep) -> Response:
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    counts = await check_in_counts(backend, viewer.token, fair_id)
    return render(request, "staff/check_ins.html", fair=fair, counts=counts, checked=None)


@router.post("/fairs/{fair_id}/check-ins", dependencies=[CsrfChecked])
async def check_in(
    request: Request, fair_id: UUID, viewer: StaffViewer, backend: BackendDep, code: Annotated[str, Form()]
) -> Response:
    path = f"/staff/fairs/{fair_id}/check-ins"
    checked = await backend.call("POST", "fair", path, viewer.token, json={"code": code.strip()})
    fair = await backend.call("GET", "fair", f"/fairs/{fair_id}", viewer.token)
    counts = await check_in_counts(backend, viewer.token, fair_id)
    return render(request, "staff/check_ins.html", fair=fair, counts=counts, checked=checked)


@router.get("/statistics")
async def statistics(request: Request, viewer: StaffViewer, backend: BackendDep) -> Response:
    t = translator(language_of(request))
    cumulative = await backend.call("GET", "fair", "/staff/statistics", viewer.token)
    fairs = cumulative["fairs"]
    chart = bar_chart(
        t("stats.per_fair"),
        [local_time(f["starts_at"])[:10] for f in fairs],
        [
            Series(t("figure.hiring_intentions"), [f["figures"]["hiring_intentions"] for f in fairs]),
            Series(t("figure.hires"), [f["figures"]["hires"] for f in fairs]),
        ],
    )
    return render(request, "staff/statistics.html", total=cumulative["total"], fairs=fairs, chart=chart)


@router.get("/fairs/{fair_id}/statistics")
async def fair_statistics(
    request: Request, fair_id: UUID, viewer: StaffViewer, backend: BackendDep
) -> Response:
    t = translator(language_of(request))
    result = await backend.call("GET", "fair", f"/staff/fairs/{fair_id}/statistics", viewer.token)
    demand = await backend.call("GET", "fair", f"/staff/fairs/{fair_id}/talent-demand", viewer.token)
    figures = result["figures"]
    shown = ("visitors", "interviews_held", "hiring_intentions", "hires")
    outcome_chart = bar_chart(
        t("stats.this_fair"),
        [t(f"figure.{name}") for name in shown],
        [Series(t("stats.count"), [figures[n] for n in shown])],
    )
    categories = [row for row in demand if row["dimension"] == "talent_category"]
    demand_chart = bar_chart(
        t("stats.demand_by_category"),
        [t(f"category.{row['value']}") for row in categories],
        [Series(t("stats.vacancies"), [row["vacancies"] for row in categories]),
         Series(t("stats.posts"), [row["posts"] for row in categories])],
    )  # fmt: skip
    return render(
        request, "staff/fair_statistics.html", result=result, figures=figures,
        outcome_chart=outcome_chart, demand_chart=demand_chart,
    )  # fmt: skip


@router.get("/notifications/dead")
async def dead_notifications(request: Request, viewer: StaffViewer, backend: BackendDep) -> Response:
    page = await backend.call(
        "GET", "notification", "/staff/deliveries/dead", viewer.token, params=FIRST_PAGE
    )
    return render(request, "staff/dead.html", deliveries=page["items"])


@router.post("/notifications/{notification_id}/{channel}/retry", dependencies=[CsrfChecked])
async def retry_notification(
    notification_id: UUID, channel: str, viewer: StaffViewer, backend: BackendDep
) -> Response:
    path = f"/staff/deliveries/{notification_id}/{channel}/retry"
    await backend.call("POST", "notification", path, viewer.token)
    return see_other("/staff/notifications/dead")
