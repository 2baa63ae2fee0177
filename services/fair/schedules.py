"""Scheduling a fair (at the cutoff or on demand) and rebooking after a no-show."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import numpy as np

from services.fair.adapters.repository import FairStore
from services.fair.domain.booths import Exhibitor, Placement, assign_booths
from services.fair.domain.model import EmployerPlan, Fair, Registration, stored_time
from services.fair.domain.rescheduling import Option, rebook
from services.fair.domain.scheduling import MAX_PER_SEEKER, Ints, Problem
from services.fair.domain.solver import Solution
from shared.errors import Conflict
from shared.events import Event
from shared.events import catalogue as c

# A full part stays well under Kafka's default 1 MB message limit (a test measures it).
INTERVIEWS_PER_PART = 2_000
BOOTHS_PER_PART = 1_000
Document = dict[str, Any]


@dataclass(frozen=True)
class Prepared:
    """A fair's scheduling input: booths, the candidate pairs (seeker, employer) with their
    best match, and the problem the solver takes."""

    placements: list[Placement]
    pairs: list[tuple[str, str]]
    best: dict[tuple[str, str], tuple[float, str]]
    problem: Problem


async def prepare(store: FairStore, fair: Fair) -> Prepared:
    """The booths and the checked problem; a 409 that says why where none can be built."""
    fair.ensure_active()
    employers = await store.registrations(fair.id, c.ParticipantKind.EMPLOYER, c.RegistrationStatus.APPROVED)
    seekers = await store.registrations(fair.id, c.ParticipantKind.SEEKER, c.RegistrationStatus.REGISTERED)
    industries = {
        d["_id"]: d.get("industry", "")
        async for d in store["employers"].find({"_id": {"$in": [str(r.participant_id) for r in employers]}})
    }
    exhibitors = [Exhibitor(r.participant_id, industries.get(str(r.participant_id), "")) for r in employers]
    placements = assign_booths(fair.venue.layout(), exhibitors)
    seeker_ids = [str(r.participant_id) for r in seekers]
    best = await _best_matches(store, seeker_ids, employers)
    employer_ids = [str(p.employer_id) for p in placements]
    seeker_index = {seeker: i for i, seeker in enumerate(seeker_ids)}
    employer_index = {employer: i for i, employer in enumerate(employer_ids)}
    pairs = sorted(best)
    by_employer = {str(r.participant_id): r for r in employers}
    problem = Problem(
        seekers=len(seeker_ids),
        employers=len(employer_ids),
        seeker=np.array([seeker_index[s] for s, _ in pairs], dtype=np.int64),
        employer=np.array([employer_index[e] for _, e in pairs], dtype=np.int64),
        score=np.array([best[pair][0] for pair in pairs], dtype=np.float64),
        rules=fair.rules(),
        rank=_wish_ranks(seekers, pairs),
        **_seeker_plans(fair, seekers),
        **_employer_plans(fair, [by_employer[e].employer_plan for e in employer_ids]),
    )
    problem.check()
    return Prepared(placements, pairs, best, problem)


def _wish_ranks(seekers: list[Registration], pairs: list[tuple[str, str]]) -> Ints:
    """Per pair, the seeker's wish rank of the employer (1 = first), 0 where not wished."""
    wishes = {
        str(r.participant_id): {str(e): rank for rank, e in enumerate(r.seeker_plan.wishes, start=1)}
        for r in seekers
        if r.seeker_plan is not None
    }
    return np.array([wishes.get(seeker, {}).get(employer, 0) for seeker, employer in pairs], dtype=np.int64)


def _seeker_plans(fair: Fair, seekers: list[Registration]) -> dict[str, Any]:
    """Availability and wanted counts; the defaults (all day, the series' k) where unsaid."""
    rules = fair.rules()
    all_day = [True] * rules.slots
    plans = [r.seeker_plan for r in seekers]
    return {
        "available": np.array(
            [fair.slots_within(p.availability) if p and p.availability else all_day for p in plans],
            dtype=np.bool_,
        ).reshape(len(seekers), rules.slots),
        "wanted": np.array(
            [p.interviews_wanted if p and p.interviews_wanted else rules.per_seeker for p in plans],
            dtype=np.int64,
        ),
    }


def _employer_plans(fair: Fair, plans: list[EmployerPlan | None]) -> dict[str, Any]:
    """Interviewers, staffed slots (hours less breaks), minimum and maximum per booth."""
    rules = fair.rules()
    unlimited = rules.slots * MAX_PER_SEEKER * 1_000

    def staffed(plan: EmployerPlan | None) -> list[bool]:
        if plan is None:
            return [True] * rules.slots
        present = fair.slots_within([plan.hours]) if plan.hours else [True] * rules.slots
        away = fair.slots_within(plan.breaks) if plan.breaks else [False] * rules.slots
        # A slot touching a break is lost too, not only one the break covers whole.
        length = timedelta(minutes=fair.interviews.slot_minutes)
        touched = [
            any(
                b.starts < fair.slot_start(slot) + length and fair.slot_start(slot) < b.ends
                for b in plan.breaks
            )
            for slot in range(rules.slots)
        ]
        return [p and not a and not t for p, a, t in zip(present, away, touched, strict=True)]

    return {
        "interviewers": np.array(
            [p.interviewers if p and p.interviewers else rules.per_booth_slot for p in plans], dtype=np.int64
        ),
        "present": np.array([staffed(p) for p in plans], dtype=np.bool_).reshape(len(plans), rules.slots),
        "minimum": np.array([(p.minimum_interviews or 0) if p else 0 for p in plans], dtype=np.int64),
        "maximum": np.array(
            [p.maximum_interviews if p and p.maximum_interviews is not None else unlimited for p in plans],
            dtype=np.int64,
        ),
    }


async def publish(store: FairStore, fair: Fair, prepared: Prepared, solution: Solution) -> Document:
    """Store the solved schedule as the fair's next version and publish it in parts."""
    fair.ensure_active()
    placements, pairs, best, problem = prepared.placements, prepared.pairs, prepared.best, prepared.problem
    version = fair.schedule_version + 1
    booth_of = {str(p.employer_id): p for p in placements}
    interviews = []
    for pair_index, slot in zip(
        solution.schedule.pair.tolist(), solution.schedule.slot.tolist(), strict=True
    ):
        seeker, employer = pairs[pair_index]
        score, vacancy = best[(seeker, employer)]
        interviews.append(
            {
                "_id": str(uuid4()),  # no seeker id in a key: erasure must reach every trace
                "fair_id": str(fair.id),
                "version": version,
                "seeker_id": seeker,
                "employer_id": employer,
                "vacancy_id": vacancy,
                "booth": booth_of[employer].booth,
                "slot": slot,
                "starts_at": stored_time(fair.slot_start(slot)),
                "score": score,
                "status": "scheduled",
            }
        )
    booths = [{"employer_id": str(p.employer_id), "booth": p.booth, "zone": p.zone} for p in placements]
    summary = {
        "version": version,
        "booths": len(booths),
        "seekers": problem.seekers,
        "interviews": len(interviews),
        "method": solution.method,
        "optimal": solution.optimal,
        "worst_off_measure": problem.rules.worst_off.value,
        "worst_off": solution.schedule.first_objective(problem),
        "fairness_level": solution.schedule.level(problem),
        "fairness_level_bound": solution.level_bound,
        "min_interviews_per_seeker": solution.schedule.worst_off(problem),
        "total_score": round(solution.schedule.total_score(problem), 6),
        "total_value": solution.schedule.total_value(problem),
        "value_bound": solution.value_bound,
        "bound_from": solution.bound_from,
        "optimality_gap": round(solution.gap(problem), 6),
        "pairs_without_slot": solution.pairs_dropped,
        "solve_seconds": round(solution.seconds, 3),
    }
    await store.save_schedule(
        fair, version, interviews, booths, schedule_parts(fair.id, version, booths, interviews), summary
    )
    return summary


async def _best_matches(
    store: FairStore, seeker_ids: list[str], employers: list[Registration]
) -> dict[tuple[str, str], tuple[float, str]]:
    """(seeker, employer) -> (score, vacancy): the pair's best match among the vacancies the
    employer brought; only these pairs may meet."""
    employer_of = {str(v): str(r.participant_id) for r in employers for v in r.vacancy_ids}
    best: dict[tuple[str, str], tuple[float, str]] = {}
    query = {"seeker_id": {"$in": seeker_ids}, "vacancy_id": {"$in": list(employer_of)}}
    async for match in store["matches"].find(query):
        key = (match["seeker_id"], employer_of[match["vacancy_id"]])
        if key not in best or match["score"] > best[key][0]:
            best[key] = (float(match["score"]), match["vacancy_id"])
    return best


def _interview(document: Document) -> c.Interview:
    return c.Interview.model_validate(document)


def schedule_parts(
    fair_id: UUID, version: int, booths: list[Document], interviews: list[Document]
) -> list[Event]:
    """The schedule as ``fair.schedule_published`` parts, each a message of bounded size."""
    count = max(1, math.ceil(len(interviews) / INTERVIEWS_PER_PART), math.ceil(len(booths) / BOOTHS_PER_PART))
    return [
        c.FairSchedulePublished(
            fair_id=fair_id,
            schedule_version=version,
            part=part + 1,
            parts=count,
            booths=[
                c.BoothAssignment.model_validate(b)
                for b in booths[part * BOOTHS_PER_PART :][:BOOTHS_PER_PART]
            ],
            interviews=[
                _interview(i) for i in interviews[part * INTERVIEWS_PER_PART :][:INTERVIEWS_PER_PART]
            ],
        )
        for part in range(count)
    ]


async def reschedule_no_show(store: FairStore, fair: Fair, employer_id: UUID, now: datetime) -> Document:
    """The employer did not come: release its interviews (see ``release_employer``)."""
    if fair.schedule_version == 0:
        raise Conflict("the fair has no schedule yet")
    registration = await store.registration_of(fair.id, c.ParticipantKind.EMPLOYER, employer_id)
    if registration.checked_in_at is not None:
        raise Conflict(f"this employer checked in at {registration.checked_in_at.isoformat()}")
    result = await release_employer(store, fair, employer_id, now, f"employer {employer_id} did not come")
    if not result["cancelled"]:
        raise Conflict("this employer has no scheduled interviews left")
    return result


async def release_employer(
    store: FairStore, fair: Fair, employer_id: UUID, now: datetime, reason: str
) -> Document:
    """Cancel the employer's interviews; rebook its seekers with the best other employer they
    match that has room in a slot not yet begun; publish the change."""
    current = await _live_interviews(store, fair)
    lost = [i for i in current if i["employer_id"] == str(employer_id)]
    if not lost:
        return {"cancelled": 0, "rebooked": 0, "not_rebooked": 0}
    rules = fair.rules()
    await store.release_booth(fair.id, employer_id)
    booths = {b["employer_id"]: b["booth"] for b in await store.booths(fair.id)}
    room = {(UUID(e), slot): rules.per_booth_slot for e in booths for slot in range(rules.slots)}
    itineraries: dict[UUID, dict[int, UUID]] = defaultdict(dict)
    for interview in current:
        if interview["employer_id"] in booths:
            room[(UUID(interview["employer_id"]), interview["slot"])] -= 1
            itineraries[UUID(interview["seeker_id"])][interview["slot"]] = UUID(interview["employer_id"])
    brought = await store.registrations(fair.id, c.ParticipantKind.EMPLOYER, c.RegistrationStatus.APPROVED)
    vacancies = [str(v) for r in brought if str(r.participant_id) in booths for v in r.vacancy_ids]
    seekers = {UUID(i["seeker_id"]) for i in lost}
    elapsed = (now - fair.starts_at).total_seconds() / 60
    rebookings = rebook(
        [(UUID(i["seeker_id"]), i["slot"]) for i in lost],
        await _options(store, [str(seeker) for seeker in seekers], vacancies),
        {seeker: itineraries[seeker] for seeker in seekers},
        room,
        rules,
        first_slot=max(0, math.ceil(elapsed / fair.interviews.slot_minutes)),
    )
    added = [
        {
            "_id": str(uuid4()),
            "fair_id": str(fair.id),
            "version": fair.schedule_version,
            "seeker_id": str(r.seeker_id),
            "employer_id": str(r.option.employer_id),
            "vacancy_id": str(r.option.vacancy_id),
            "booth": booths[str(r.option.employer_id)],
            "slot": r.slot,
            "starts_at": stored_time(fair.slot_start(r.slot)),
            "score": r.option.score,
            "status": "scheduled",
            "rebooked": True,
        }
        for r in rebookings
    ]
    await _change(store, fair, lost, added, reason)
    return {"cancelled": len(lost), "rebooked": len(added), "not_rebooked": len(lost) - len(added)}


async def cancel_seeker(store: FairStore, fair: Fair, seeker_id: UUID, reason: str) -> None:
    """Cancel a withdrawn seeker's interviews and publish the change."""
    lost = [i for i in await _live_interviews(store, fair) if i["seeker_id"] == str(seeker_id)]
    if lost:
        await _change(store, fair, lost, [], reason)


async def _live_interviews(store: FairStore, fair: Fair) -> list[Document]:
    return [i for i in await store.interviews(fair) if i["status"] == "scheduled" and not i.get("erased")]


async def _change(
    store: FairStore, fair: Fair, cancelled: list[Document], added: list[Document], reason: str
) -> None:
    await store.update_interviews([i["_id"] for i in cancelled], {"status": "cancelled", "reason": reason})
    if added:
        await store["interviews"].insert_many(added)
    event = c.FairScheduleChanged(
        fair_id=fair.id,
        schedule_version=fair.schedule_version,
        reason=reason,
        cancelled=[_interview(i) for i in cancelled],
        added=[_interview(i) for i in added],
    )
    await store.record_change(fair, f"{fair.id}:{fair.schedule_version}:change:{uuid4()}", event)


async def _options(store: FairStore, seekers: list[str], vacancies: list[str]) -> dict[UUID, list[Option]]:
    """Each seeker's best match with every other employer, among the vacancies they brought."""
    options: dict[UUID, dict[str, Option]] = defaultdict(dict)
    query = {"seeker_id": {"$in": seekers}, "vacancy_id": {"$in": vacancies}}
    async for match in store["matches"].find(query):
        seeker, employer = UUID(match["seeker_id"]), match["employer_id"]
        known = options[seeker].get(employer)
        if known is None or match["score"] > known.score:
            options[seeker][employer] = Option(
                UUID(employer), UUID(match["vacancy_id"]), float(match["score"])
            )
    return {seeker: list(by_employer.values()) for seeker, by_employer in options.items()}
