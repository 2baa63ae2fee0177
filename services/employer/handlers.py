"""What the employer service keeps from other services' events: its read models."""

from typing import Annotated, Any

from faststream import Context
from faststream.kafka import KafkaRouter

from services.employer.adapters.repository import EmployerStore
from shared.config import ServiceSettings
from shared.events import Envelope, Event, Topic, of_type
from shared.events import catalogue as c
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch, consume_seeker_batch
from shared.service import subscribe, subscribe_batch
from shared.store.read_model import match_document

Store = Annotated[EmployerStore, Context("employer_store")]
SERVICE_NAME = "employer"


async def on_seekers(bodies: list[Any], store: Store, batch: BatchMessage, broker: Broker) -> None:
    """Profiles employers may see (no contact details travel on this topic), in batches: each
    run of registrations and edits in one read and one write, an erasure in its place."""

    async def profiles(events: list[Envelope[Any]]) -> int:
        erased = await store.erased_among({str(event.payload.seeker_id) for event in events})
        documents = [
            {
                "_id": str(seeker.seeker_id),
                **seeker.model_dump(mode="json", exclude={"seeker_id", "notification_language"}),
            }
            for seeker in (event.payload for event in events)
            if str(seeker.seeker_id) not in erased
        ]
        await store.upsert_seekers(documents)
        return len(documents)

    await consume_seeker_batch(bodies, batch, broker, profiles, store.erase_seeker, service_name=SERVICE_NAME)


async def on_matches(bodies: list[Any], store: Store, batch: BatchMessage, broker: Broker) -> None:
    """Matches come in batches: one read of the erasures and one write of the candidates each."""

    async def candidates(events: list[Envelope[Event]]) -> None:
        matches = of_type(events, c.MatchFound)
        erased = await store.erased_among({str(event.payload.seeker_id) for event in matches})
        await store.upsert_candidates(
            [match_document(event) for event in matches if str(event.payload.seeker_id) not in erased]
        )

    await consume_batch(bodies, batch, broker, candidates, service_name=SERVICE_NAME)


async def on_application(event: Envelope[c.ApplicationSubmitted], store: Store) -> None:
    application = event.payload
    if await store.is_erased(application.seeker_id):
        return
    document = application.model_dump(mode="json", exclude={"application_id"})
    await store.add_application(
        {"_id": str(application.application_id), **document, "applied_at": event.occurred_at.isoformat()}
    )


async def on_invitation_answered(event: Envelope[c.InvitationAnswered], store: Store) -> None:
    answer = event.payload
    contact = answer.contact.model_dump(mode="json") if answer.accepted and answer.contact else None
    await store.record_answer(answer.invitation_id, answer.employer_id, answer.accepted, contact)


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    subscribe_batch(router, settings, Topic.SEEKER)(on_seekers)
    subscribe_batch(router, settings, Topic.MATCH)(on_matches)
    subscribe(router, settings, Topic.APPLICATION)(on_application, filter=accepts(c.ApplicationSubmitted))
    subscribe(router, settings, Topic.INVITATION)(
        on_invitation_answered, filter=accepts(c.InvitationAnswered)
    )
    return router
