"""The week, step by step, from an empty platform to a retrained matcher; returns the summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from deploy.local.week import people
from deploy.local.week.api import Platform
from deploy.local.week.backlog import Backlog
from deploy.local.week.deployment import Deployment
from deploy.local.week.fair import FairReport, weekly_fair
from deploy.local.week.mailbox import LocalMailbox
from deploy.local.week.progress import drained
from deploy.local.week.simulation import cast
from deploy.local.week.sizes import Sizes
from deploy.local.week.state import Week
from deploy.local.week.summary import Retraining, Summary
from services.matching.retrain import NotEnoughData, retrain
from shared.synthetic import SyntheticMarket

SECONDS_PER_EVENT = 1.0
"""The deadline of a wait on the services: generous beside matching's ~2 seeker events a second."""


def deadline(events: int) -> float:
    return 120.0 + SECONDS_PER_EVENT * events


async def retrained(week: Week) -> Retraining | str:
    try:
        model = await retrain(week.deployment.settings("matching"), say=lambda line: print(line, flush=True))
    except (NotEnoughData, ValueError) as error:  # ValueError: the earlier pairs hold no success
        return str(error)
    return Retraining(model.ranker.version, model.promoted, model.metrics)


@dataclass(frozen=True)
class Played:
    week: Week
    fair: FairReport
    summary: Summary


async def play_week(
    deployment: Deployment, sizes: Sizes, seed: int, mailbox: LocalMailbox, alive: Callable[[], None]
) -> Played:
    """The week on running services (``alive`` raises when one has died) with a market of ``seed``."""
    market = SyntheticMarket(
        seed, employers=sizes.employers, vacancies=sizes.vacancies, seekers=sizes.seekers
    )
    rng = np.random.default_rng(seed)
    people = cast(rng, sizes.seekers, sizes.interactive, sizes.emailed, sizes.fair_seekers)
    platform = Platform(deployment.urls)
    backlog = Backlog(deployment.kafka_bootstrap_servers, deployment.topic_prefix, deployment.urls)
    try:
        async with backlog:
            week = Week(platform, deployment, backlog, market, sizes, people, rng, alive=alive)
            fair, summary = await play(week, mailbox)
    finally:
        await platform.close()
    return Played(week, fair, summary)


async def play(week: Week, mailbox: LocalMailbox) -> tuple[FairReport, Summary]:
    sizes = week.sizes
    with week.step("staff sign in"):
        await people.staff_signs_in(week)
    with week.step("employers sign up and are approved"):
        await people.employers_join(week)
    with week.step("employers post vacancies"):
        await people.vacancies_posted(week)
        # Seekers matched before the matcher knows the vacancies would get none of them.
        await drained(
            week.backlog, "the vacancies reach every service", deadline(sizes.vacancies), week.alive
        )
    with week.step("seekers join: staff import those registered in person, others sign up"):
        await people.seekers_join(week)
    with week.step("matches and notifications flow"):
        events = sizes.vacancies + 2 * sizes.seekers
        await drained(week.backlog, "matching and notifying", deadline(events), week.alive)
    with week.step("seekers apply to their best matches"):
        applications = await people.seekers_apply(week)
    fair = await weekly_fair(week, deadline(sizes.fair_seekers + sizes.fair_employers + applications))
    with week.step("the matcher learns of the outcomes"):
        await drained(
            week.backlog, "outcomes reach the matcher", deadline(sum(fair.recorded.values())), week.alive
        )
    with week.step("the matcher retrains"):
        retraining = await retrained(week)
    count = week.deployment.count
    summary = Summary(
        employers=len(week.employers),
        vacancies=len(week.vacancies),
        seekers=await count("seeker", "seekers"),
        signed_up=len(week.seekers),
        applications=applications,
        matches=await count("matching", "matches"),
        notifications=await count("notification", "notifications"),
        emails=mailbox.count(),
        schedule=fair.schedule,
        statistics=fair.statistics,
        retraining=retraining,
        timings=week.timings,
    )
    return fair, summary
