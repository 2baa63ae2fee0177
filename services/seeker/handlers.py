"""What the seeker service keeps from other services' events, and erasure's completion."""

from typing import Annotated, Any

from faststream import Context
from faststream.kafka import KafkaRouter

from services.seeker.adapters.repository import SeekerStore
from services.seeker.domain.model import Invitation
from shared.config import ServiceSettings
from shared.events import Envelope, Event, Topic, of_type
from shared.events import catalogue as c
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch
from shared.service import subscribe, subscribe_batch
from shared.store.read_model import match_document

Store = Annotated[SeekerStore, Context("seeker_store")]
SERVICE_NAME = "seeker"
VACANCY_FIELDS = {"employer_id", "title", "city", "remote", "talent_category", "salary", "deadline"}


async def on_vacancy_open(event: Envelope[c.VacancyState], store: Store) -> None:
    vacancy = event.payload
    fields = {**vacancy.model_dump(mode="json", include=VACANCY_FIELDS), "open": True}
    await store.apply_vacancy(vacancy.vacancy_id, vacancy.version, fields, insert=True)


async def on_vacancy_closed(event: Envelope[c.VacancyClosed], store: Store) -> None:
    closed = event.payload
    await store.apply_vacancy(closed.vacancy_id, closed.version, {"open": False}, insert=False)


async def on_invitation_sent(event: Envelope[c.InvitationSent], store: Store) -> None:
    sent = event.payload
    if not await store.is_known(sent.seeker_id):
        return  # erased, or never here: nobody to tell
    invitation = Invitation(
        id=sent.invitation_id, employer_id=sent.employer_id, vacancy_id=sent.vacancy_id,
        seeker_id=sent.seeker_id, message=sent.message, interview_at=sent.interview_at,
        received_at=event.occurred_at,
    )  # fmt: skip
    await store.add_invitation(invitation)


async def on_matches(bodies: list[Any], store: Store, batch: BatchMessage, broker: Broker) -> None:
    """Matches come in batches: one read of who is known and one write of the matches each."""

    async def matches(events: list[Envelope[Event]]) -> None:
        found = of_type(events, c.MatchFound)
        known = await store.known_among({str(event.payload.seeker_id) for event in found})
        await store.upsert_matches([match_document(e) for e in found if str(e.payload.seeker_id) in known])

    await consume_batch(bodies, batch, broker, matches, service_name=SERVICE_NAME)


async def on_seeker_deleted(event: Envelope[c.SeekerDeleted], store: Store) -> None:
    """Finish an erasure that a crash interrupted (and harmlessly repeat a finished one)."""
    await store.forget(event.payload.seeker_id)


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    vacancies = subscribe(router, settings, Topic.VACANCY)
    vacancies(on_vacancy_open, filter=accepts(c.VacancyPosted, c.VacancyUpdated, c.VacancyReopened))
    vacancies(on_vacancy_closed, filter=accepts(c.VacancyClosed))
    subscribe(router, settings, Topic.INVITATION)(on_invitation_sent, filter=accepts(c.InvitationSent))
    subscribe_batch(router, settings, Topic.MATCH)(on_matches)
    subscribe(router, settings, Topic.SEEKER)(on_seeker_deleted, filter=accepts(c.SeekerDeleted))
    return router
