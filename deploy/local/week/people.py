"""The market's people join the platform: staff, employers and their vacancies, seekers."""

from __future__ import annotations

import contextlib
import io

from deploy.local.week import bodies
from deploy.local.week.api import bearer
from deploy.local.week.progress import each
from deploy.local.week.simulation import applications
from deploy.local.week.state import Week
from services.employer.manage import create_staff

STAFF_EMAIL = f"staff@{bodies.DOMAIN}"
MATCHES_CONSIDERED = 10
IMPORT_BATCH = 100  # records of up to ~1.7 KB: a batch stays within the default 256 KiB body limit


async def staff_signs_in(week: Week) -> None:
    """A staff account made by the management command (it exists already on a repeat run)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        await create_staff(week.deployment.settings("employer"), STAFF_EMAIL, "张敏", bodies.PASSWORD)
    week.staff = await week.platform.sign_in("employer", STAFF_EMAIL, bodies.PASSWORD)


async def employers_join(week: Week) -> None:
    """Each HR user signs up and registers the organisation; staff approve it."""
    api, market = week.platform, week.market

    async def join(index: int) -> None:
        sign_up = bodies.employer_sign_up(market, index)
        await api.call("employer", "POST", "/auth/register", json=sign_up)
        user = await api.sign_in("employer", sign_up["email"], sign_up["password"])
        registered = await api.call(
            "employer", "POST", "/organisations", json=bodies.organisation(market, index), headers=user
        )
        organisation_id = registered["organisation"]["id"]
        await api.call(
            "employer", "POST", f"/staff/organisations/{organisation_id}/approve", headers=week.staff
        )
        week.employers[index] = bearer(registered["token"]["access_token"])
        week.organisations[index] = organisation_id

    await each(range(week.sizes.employers), join, "employers sign up and are approved")


async def vacancies_posted(week: Week) -> None:
    market = week.market

    async def post(index: int) -> None:
        headers = week.employers[int(market.vacancies.employer[index])]
        body = bodies.vacancy(market, index, week.today)
        posted = await week.platform.call("employer", "POST", "/vacancies", json=body, headers=headers)
        week.vacancies[index] = posted["id"]

    await each(range(week.sizes.vacancies), post, "vacancies posted")


async def seekers_imported(week: Week) -> None:
    """Staff import the seekers registered in person (all but the interactive ones), in batches."""
    interactive = set(week.cast.interactive)
    registered = [index for index in range(week.sizes.seekers) if index not in interactive]
    batches = [registered[start : start + IMPORT_BATCH] for start in range(0, len(registered), IMPORT_BATCH)]

    async def send(batch: list[int]) -> None:
        records = [bodies.registration_record(week.market, index, week.today.year) for index in batch]
        await week.platform.call(
            "seeker", "POST", "/staff/seekers/import", json={"records": records}, headers=week.staff
        )

    await each(batches, send, f"seekers imported by staff ({IMPORT_BATCH} a batch)", concurrency=4)


async def seekers_sign_up(week: Week) -> None:
    """Interactive seekers sign up, choose how to be told (some by e-mail), fill in their profile."""
    api, market, emailed = week.platform, week.market, set(week.cast.emailed)
    this_year = week.today.year

    async def sign_up(index: int) -> None:
        body = bodies.seeker_sign_up(market, index)
        account = await api.call("seeker", "POST", "/auth/register", json=body)
        headers = await api.sign_in("seeker", body["email"], body["password"])
        email = body["email"] if index in emailed else None
        await api.call(
            "notification", "PUT", "/me/preferences", json=bodies.preferences(email), headers=headers
        )
        profile = {**bodies.seeker_profile(market, index, this_year), "version": 1}
        await api.call("seeker", "PUT", "/me/profile", json=profile, headers=headers)
        week.seekers[index] = headers
        week.seeker_ids[index] = account["id"]

    await each(week.cast.interactive, sign_up, "seekers sign up")


async def seekers_apply(week: Week) -> int:
    """Each interactive seeker reads their matches and applies where the hidden fit is good."""
    vacancy_index = week.vacancy_index()
    applied = 0

    async def apply(index: int) -> None:
        nonlocal applied
        headers = week.seekers[index]
        params = {"limit": MATCHES_CONSIDERED}
        matches = (await week.platform.call("seeker", "GET", "/me/matches", headers=headers, params=params))[
            "items"
        ]
        fits = [week.market.true_fit(index, vacancy_index[m["vacancy_id"]]) for m in matches]
        for position in applications(week.rng, fits):
            body = {
                "vacancy_id": matches[position]["vacancy_id"],
                "cover_letter": "您好，我对这个岗位很感兴趣。",
            }
            await week.platform.call("seeker", "POST", "/me/applications", json=body, headers=headers)
            applied += 1

    await each(week.cast.interactive, apply, "seekers apply to their best matches")
    return applied
