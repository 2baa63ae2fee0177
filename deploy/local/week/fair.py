"""The weekly fair: created, registered for, scheduled and published, held, its outcomes recorded."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deploy.local.week import bodies
from deploy.local.week.progress import POLL_S, StepFailed, drained, each
from deploy.local.week.simulation import interview_outcome, shows_up
from deploy.local.week.state import Week

VACANCIES_BROUGHT = 10
SCHEDULE_TIMEOUT_S = 300.0


@dataclass
class FairReport:
    fair_id: str = ""
    employers: list[int] = field(default_factory=list)
    """Market indices of the employers with a booth."""
    schedule: dict[str, Any] = field(default_factory=dict)
    """The scheduler's summary, as the fair service stored it."""
    interviews: list[dict[str, Any]] = field(default_factory=list)
    booths: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    """Participant id → check-in code."""
    checked_in: set[str] = field(default_factory=set)
    recorded: Counter[str] = field(default_factory=Counter)
    statistics: dict[str, Any] = field(default_factory=dict)


async def fair_is_created(week: Week, report: FairReport) -> None:
    """Staff create the weekly series; its first fair still open for registration is this week's."""
    api = week.platform
    body = bodies.fair_series(week.sizes.fair_employers)
    series = await api.call("fair", "POST", "/staff/series", json=body, headers=week.staff)
    params = {"series_id": series["id"], "status": "open"}
    now = datetime.now(UTC)
    fairs = await api.every("fair", "/fairs", headers=week.staff, params=params)
    fair = next(f for f in fairs if datetime.fromisoformat(f["registration_cutoff"]) > now)
    report.fair_id = fair["id"]


def exhibitors(week: Week) -> list[int]:
    """The employers with the most vacancies come (as many as there are booths)."""
    posted = Counter(int(week.market.vacancies.employer[index]) for index in week.vacancies)
    return sorted(index for index, _ in posted.most_common(week.sizes.fair_employers))


async def participants_register(week: Week, report: FairReport) -> None:
    api, fair = week.platform, report.fair_id
    report.employers = exhibitors(week)
    brought: dict[int, list[str]] = {}
    for vacancy, vacancy_id in week.vacancies.items():
        brought.setdefault(int(week.market.vacancies.employer[vacancy]), []).append(vacancy_id)

    async def employer(index: int) -> None:
        body = {"vacancy_ids": brought[index][:VACANCIES_BROUGHT]}
        headers = week.employers[index]
        registration = await api.call(
            "fair", "POST", f"/fairs/{fair}/employer-registration", json=body, headers=headers
        )
        url = f"/staff/fairs/{fair}/registrations/{registration['id']}/approve"
        await api.call("fair", "POST", url, headers=week.staff)
        report.codes[week.organisations[index]] = registration["code"]

    async def seeker(index: int) -> None:
        url = f"/fairs/{fair}/seeker-registration"
        registration = await api.call("fair", "POST", url, headers=week.seekers[index])
        report.codes[week.seeker_ids[index]] = registration["code"]

    await each(report.employers, employer, "employers register for the fair")
    await each(week.cast.fair, seeker, "seekers register for the fair")


async def schedule_is_published(week: Week, report: FairReport) -> None:
    """Staff run the scheduler; each employer reads its booth and interview list."""
    api, fair = week.platform, report.fair_id
    await api.call("fair", "POST", f"/staff/fairs/{fair}/schedule", headers=week.staff, expect=(202,))
    deadline = time.monotonic() + SCHEDULE_TIMEOUT_S
    while True:  # the run solves in a worker; its summary shows once published
        state = await api.call("fair", "GET", f"/staff/fairs/{fair}/schedule", headers=week.staff)
        if state.get("schedule_summary") and state.get("schedule_run") is None:
            report.schedule = state["schedule_summary"]
            break
        if state.get("schedule_error") or time.monotonic() > deadline:
            raise StepFailed(f"the scheduling run did not publish: {state}")
        await asyncio.sleep(POLL_S)

    async def itinerary(index: int) -> None:
        mine = await api.call("fair", "GET", f"/fairs/{fair}/itinerary", headers=week.employers[index])
        report.booths.append(mine["booth"])
        report.interviews.extend(mine["interviews"])

    await each(report.employers, itinerary, "employers read their interview lists")


async def fair_is_held(week: Week, report: FairReport) -> None:
    """Every employer and most seekers check in; each interview held ends as the hidden fit has it."""
    api, fair = week.platform, report.fair_id
    seekers = [week.seeker_ids[index] for index in week.cast.fair]
    coming = [week.organisations[index] for index in report.employers] + [
        seeker for seeker, came in zip(seekers, shows_up(week.rng, len(seekers)), strict=True) if came
    ]

    async def check_in(participant: str) -> None:
        body = {"code": report.codes[participant]}
        await api.call("fair", "POST", f"/staff/fairs/{fair}/check-ins", json=body, headers=week.staff)
        report.checked_in.add(participant)

    await each(coming, check_in, "participants check in")
    seeker_index, vacancy_index = week.seeker_index(), week.vacancy_index()
    pairs = {
        (i["seeker_id"], i["employer_id"]): i
        for i in report.interviews
        if i["seeker_id"] in report.checked_in
    }
    held = list(pairs.values())  # one outcome per seeker and employer
    outcomes = [
        interview_outcome(
            week.rng, week.market.true_fit(seeker_index[i["seeker_id"]], vacancy_index[i["vacancy_id"]])
        )
        for i in held
    ]

    async def record(pair: tuple[dict[str, Any], str]) -> None:
        interview, outcome = pair
        body = {key: interview[key] for key in ("seeker_id", "employer_id", "vacancy_id")} | {
            "outcome": outcome
        }
        await api.call("fair", "POST", f"/staff/fairs/{fair}/outcomes", json=body, headers=week.staff)
        report.recorded[outcome] += 1

    await each(zip(held, outcomes, strict=True), record, "interview outcomes recorded")
    report.statistics = await api.call("fair", "GET", f"/staff/fairs/{fair}/statistics", headers=week.staff)


async def weekly_fair(week: Week, timeout_s: float) -> FairReport:
    report = FairReport()
    with week.step("the weekly fair is created"):
        await fair_is_created(week, report)
    with week.step("employers and seekers register for the fair"):
        await participants_register(week, report)
        await drained(week.backlog, "the fair learns of its registrations", timeout_s, week.alive)
    with week.step("the schedule is optimised and published"):
        await schedule_is_published(week, report)
    with week.step("the fair is held: check-ins and outcomes"):
        await fair_is_held(week, report)
    return report
