"""What the fair service keeps from other services' events: its read models."""

from typing import Annotated

from faststream import Context
from faststream.kafka import KafkaRouter

from services.fair.adapters.repository import FairStore
from shared.config import ServiceSettings
from shared.events import Envelope, Topic
from shared.events import catalogue as c
from shared.messaging.delivery import accepts
from shared.service import subscribe

Store = Annotated[FairStore, Context("fair_store")]


async def on_employer_registered(event: Envelope[c.EmployerRegistered], store: Store) -> None:
    employer = event.payload
    await store.upsert(
        "employers", {"_id": str(employer.employer_id), "name": employer.name, "industry": employer.industry}
    )


async def on_employer_approved(event: Envelope[c.EmployerApproved], store: Store) -> None:
    await store.upsert("employers", {"_id": str(event.payload.employer_id), "approved": True})


async def on_vacancy_state(event: Envelope[c.VacancyState], store: Store) -> None:
    vacancy = event.payload
    fields = {"employer_id", "version", "title", "skills", "headcount", "talent_category"}
    document = vacancy.model_dump(mode="json", include=fields)
    await store.upsert_newer("vacancies", {"_id": str(vacancy.vacancy_id), **document, "open": True})


async def on_vacancy_closed(event: Envelope[c.VacancyClosed], store: Store) -> None:
    closed = event.payload
    await store.upsert_newer(
        "vacancies",
        {"_id": str(closed.vacancy_id), "employer_id": str(closed.employer_id), "version": closed.version,
         "open": False},
    )  # fmt: skip


async def on_seeker_state(event: Envelope[c.SeekerState], store: Store) -> None:
    """Only what eligibility needs: graduation years and the talent category."""
    seeker = event.payload
    if await store.erasures.contains(seeker.seeker_id):
        return
    await store.upsert_newer(
        "seekers",
        {
            "_id": str(seeker.seeker_id),
            "version": seeker.version,
            "graduation_years": [education.graduation_year for education in seeker.education],
            "talent_category": seeker.talent_category.value if seeker.talent_category else None,
        },
    )


async def on_seeker_deleted(event: Envelope[c.SeekerDeleted], store: Store) -> None:
    await store.erase_seeker(event.payload.seeker_id, event.occurred_at)


async def on_match_found(event: Envelope[c.MatchFound], store: Store) -> None:
    match = event.payload
    if await store.erasures.contains(match.seeker_id):
        return
    document = match.model_dump(mode="json", include={"seeker_id", "vacancy_id", "employer_id", "score"})
    await store.upsert("matches", {"_id": f"{match.vacancy_id}:{match.seeker_id}", **document})


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    employers = subscribe(router, settings, Topic.EMPLOYER)
    employers(on_employer_registered, filter=accepts(c.EmployerRegistered))
    employers(on_employer_approved, filter=accepts(c.EmployerApproved))
    vacancies = subscribe(router, settings, Topic.VACANCY)
    vacancies(on_vacancy_state, filter=accepts(c.VacancyPosted, c.VacancyUpdated, c.VacancyReopened))
    vacancies(on_vacancy_closed, filter=accepts(c.VacancyClosed))
    seekers = subscribe(router, settings, Topic.SEEKER)
    seekers(on_seeker_state, filter=accepts(c.SeekerRegistered, c.SeekerUpdated, c.SeekerConsentChanged))
    seekers(on_seeker_deleted, filter=accepts(c.SeekerDeleted))
    subscribe(router, settings, Topic.MATCH)(on_match_found, filter=accepts(c.MatchFound))
    return router
