"""Read-side answers assembled from the store: statistics, talent demand, CSV, exhibitors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from services.fair.adapters.repository import FairStore
from services.fair.domain.model import Fair, FairStatus, stored_time
from services.fair.domain.statistics import Demand, Figures, OfferedVacancy, demand, figures
from shared.events import catalogue as c

Status = c.RegistrationStatus


class FairFigures(BaseModel):
    fair_id: str
    title: str
    starts_at: datetime
    figures: Figures


class Cumulative(BaseModel):
    total: Figures
    fairs: list[FairFigures]


async def offered_vacancies(store: FairStore, fair: Fair) -> tuple[int, list[OfferedVacancy]]:
    """How many employers came, and the vacancies they brought."""
    attending = [
        r
        for r in await store.registrations(fair.id, c.ParticipantKind.EMPLOYER, Status.APPROVED)
        if r.checked_in_at is not None
    ]
    employer_ids = [str(r.participant_id) for r in attending]
    industries = {
        d["_id"]: d.get("industry", "") async for d in store["employers"].find({"_id": {"$in": employer_ids}})
    }
    vacancy_ids = [str(v) for r in attending for v in r.vacancy_ids]
    vacancies = [
        OfferedVacancy(
            talent_category=d.get("talent_category", ""),
            skills=tuple(d.get("skills", [])),
            industry=industries.get(d["employer_id"], ""),
            headcount=int(d.get("headcount", 1)),
        )
        async for d in store["vacancies"].find({"_id": {"$in": vacancy_ids}})
    ]
    return len(attending), vacancies


async def fair_figures(store: FairStore, fair: Fair) -> FairFigures:
    attending, vacancies = await offered_vacancies(store, fair)
    present = {
        d["participant_id"]
        async for d in store["registrations"].find(
            {"fair_id": str(fair.id), "checked_in_at": {"$ne": None}}, {"participant_id": 1}
        )
    }
    visitors = await store["registrations"].count_documents(
        {
            "fair_id": str(fair.id),
            "participant_kind": c.ParticipantKind.SEEKER.value,
            "checked_in_at": {"$ne": None},
        }
    )
    held = sum(
        1
        for interview in await store.interviews(fair, status="scheduled")
        if interview["employer_id"] in present and interview["seeker_id"] in present
    )
    outcomes = [
        c.Outcome(d["outcome"])
        async for d in store["outcomes"].find({"fair_id": str(fair.id)}, {"outcome": 1})
    ]
    return FairFigures(
        fair_id=str(fair.id),
        title=fair.title,
        starts_at=fair.starts_at,
        figures=figures(
            employers_attending=attending,
            vacancies=vacancies,
            visitors=int(visitors),
            interviews_held=held,
            outcomes=outcomes,
        ),
    )


async def cumulative(store: FairStore, now: datetime) -> Cumulative:
    """Every fair that has begun and was not cancelled, and their sum."""
    query = {"status": {"$ne": FairStatus.CANCELLED.value}, "starts_at": {"$lte": stored_time(now)}}
    fairs = [
        Fair.model_validate({**d, "id": d["_id"]})
        async for d in store["fairs"].find(query).sort("starts_at", 1)
    ]
    rows = [await fair_figures(store, fair) for fair in fairs]
    return Cumulative(total=sum((row.figures for row in rows), Figures()), fairs=rows)


async def talent_demand(store: FairStore, fair: Fair) -> list[Demand]:
    return demand((await offered_vacancies(store, fair))[1])


def as_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def figures_csv(rows: Sequence[FairFigures], total: Figures | None = None) -> str:
    names = list(Figures.model_fields)
    lines: list[list[object]] = [
        [row.fair_id, row.title, row.starts_at.isoformat(), *(getattr(row.figures, n) for n in names)]
        for row in rows
    ]
    if total is not None:
        lines.append(["total", "", "", *(getattr(total, n) for n in names)])
    return as_csv(["fair_id", "title", "starts_at", *names], lines)


def demand_csv(rows: Sequence[Demand]) -> str:
    return as_csv(
        ["dimension", "value", "vacancies", "posts"],
        ([r.dimension, r.value, r.vacancies, r.posts] for r in rows),
    )


class Exhibitor(BaseModel):
    employer_id: UUID
    name: str


async def exhibitors(store: FairStore, fair: Fair) -> list[Exhibitor]:
    """The employers taking part (approved, or registered and not yet decided), by name: what a
    seeker ranks as wishes."""
    taking_part = await store.registrations(
        fair.id, c.ParticipantKind.EMPLOYER, Status.APPROVED, Status.REGISTERED
    )
    ids = [str(registration.participant_id) for registration in taking_part]
    names = {d["_id"]: d.get("name") or "" async for d in store["employers"].find({"_id": {"$in": ids}})}
    return sorted((Exhibitor(employer_id=UUID(i), name=names.get(i, "")) for i in ids), key=lambda e: e.name)
