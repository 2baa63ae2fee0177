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


async def seekers_join(week: Week) -> None:
    """Seekers join all week long: staff import those registered in person (in batches), while the
    interactive ones sign up online, choose how to be told (some by e-mail) and fill in their
    profile. Spreading the sign-ups over the imports spreads their matches, and so the outcomes
    the matcher later learns from, over the week's time line."""
    interactive = set(week.cast.interactive)
    registered = [index for index in range(week.sizes.seekers) if index not in interactive]
    batches = [registered[start : start + IMPORT_BATCH] for start in range(0, len(registered), IMPORT_BATCH)]
    joins: list[tuple[float, list[int] | int]] = [
        (position / len(batches), batch) for position, batch in enumerate(batches)
    ] + [(position / len(interactive), index) for position, index in enumerate(week.cast.interactive)]
    joins.sort(key=lambda join: join[0])

    async def join(who: list[int] | int) -> None:
        await (imported(week, who) if isinstance(who, list) else signed_up(week, who))

    await each(
        [who for _, who in joins], join, "seekers join (imported by staff, or signing up)",
        concurrency=4, weight=lambda who: len(who) if isinstance(who, list) else 1,
    )  # fmt: skip


async def imported(week: Week, batch: list[int]) -> None:
    records = [bodies.registration_record(week.market, index, week.today.year) for index in batch]
    await week.platform.call(
        "seeker", "POST", "/staff/seekers/import", json={"records": records}, headers=week.staff
    )


async def signed_up(week: Week, index: int) -> None:
    api, market = week.platform, week.market
    body = bodies.seeker_sign_up(market, index)
    account = await api.call("seeker", "POST", "/auth/register", json=body)
    headers = await api.sign_in("seeker", body["email"], body["password"])
    email = body["email"] if index in week.cast.emailed else None
    await api.call("notification", "PUT", "/me/preferences", json=bodies.preferences(email), headers=headers)
    profile = {**bodies.seeker_profile(market, index, week.today.year), "version": 1}
    await api.call("seeker", "PUT", "/me/profile", json=profile, headers=headers)
    week.seekers[index] = headers
    week.seeker_ids[index] = account["id"]


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
