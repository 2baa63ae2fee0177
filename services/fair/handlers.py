"""What the fair service keeps from other services' events: its read models."""

from typing import Annotated, Any

from faststream import Context
from faststream.kafka import KafkaRouter

from services.fair.adapters.repository import FairStore
from shared.config import ServiceSettings
from shared.events import Envelope, Event, Topic, of_type
from shared.events import catalogue as c
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch, consume_seeker_batch
from shared.service import subscribe, subscribe_batch
from shared.store.read_model import upsert_many

Store = Annotated[FairStore, Context("fair_store")]
SERVICE_NAME = "fair"


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


async def on_seekers(bodies: list[Any], store: Store, batch: BatchMessage, broker: Broker) -> None:
    """Only what eligibility needs (graduation years, the talent category), in batches: each
    run of registrations and edits in one read and one write, an erasure in its place."""

    async def profiles(events: list[Envelope[Any]]) -> int:
        erased = await store.erasures.among({str(event.payload.seeker_id) for event in events})
        documents = [
            {
                "_id": str(seeker.seeker_id),
                "version": seeker.version,
                "graduation_years": [education.graduation_year for education in seeker.education],
                "talent_category": seeker.talent_category.value if seeker.talent_category else None,
            }
            for seeker in (event.payload for event in events)
            if str(seeker.seeker_id) not in erased
        ]
        await store.upsert_newer_many("seekers", documents)
        return len(documents)

    await consume_seeker_batch(bodies, batch, broker, profiles, store.erase_seeker, service_name=SERVICE_NAME)


async def on_matches(bodies: list[Any], store: Store, batch: BatchMessage, broker: Broker) -> None:
    """Matches come in batches: one read of the erasures and one write of the matches each."""

    async def matches(events: list[Envelope[Event]]) -> None:
        found = of_type(events, c.MatchFound)
        erased = await store.erasures.among({str(event.payload.seeker_id) for event in found})
        fields = {"seeker_id", "vacancy_id", "employer_id", "score"}
        documents = [
            {"_id": f"{match.vacancy_id}:{match.seeker_id}", **match.model_dump(mode="json", include=fields)}
            for match in (event.payload for event in found)
            if str(match.seeker_id) not in erased
        ]
        await upsert_many(store["matches"], documents)

    await consume_batch(bodies, batch, broker, matches, service_name=SERVICE_NAME)


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    employers = subscribe(router, settings, Topic.EMPLOYER)
    employers(on_employer_registered, filter=accepts(c.EmployerRegistered))
    employers(on_employer_approved, filter=accepts(c.EmployerApproved))
    vacancies = subscribe(router, settings, Topic.VACANCY)
    vacancies(on_vacancy_state, filter=accepts(c.VacancyPosted, c.VacancyUpdated, c.VacancyReopened))
    vacancies(on_vacancy_closed, filter=accepts(c.VacancyClosed))
    subscribe_batch(router, settings, Topic.SEEKER)(on_seekers)
    subscribe_batch(router, settings, Topic.MATCH)(on_matches)
    return router
