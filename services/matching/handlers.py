"""The matching service's subscribers: the market's changes, erasure, and outcomes."""

from typing import Annotated, Any

from faststream import Context
from faststream.kafka import KafkaRouter

from services.matching.service_layer import Matching
from shared.config import ServiceSettings
from shared.events import Envelope, Topic
from shared.events import catalogue as c
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch
from shared.service import subscribe, subscribe_batch

Service = Annotated[Matching, Context("matching")]


SERVICE_NAME = "matching"


async def on_vacancies(bodies: list[Any], matching: Service, batch: BatchMessage, broker: Broker) -> None:
    """The market's changes come in batches, ranked together; an invalid message is dead-lettered."""
    await consume_batch(bodies, batch, broker, matching.vacancies_changed, service_name=SERVICE_NAME)


async def on_seekers(bodies: list[Any], matching: Service, batch: BatchMessage, broker: Broker) -> None:
    await consume_batch(bodies, batch, broker, matching.seekers_changed, service_name=SERVICE_NAME)


async def on_credential(event: Envelope[c.CredentialReviewed], matching: Service) -> None:
    await matching.credential_reviewed(event.payload)


async def on_application(event: Envelope[c.ApplicationSubmitted], matching: Service) -> None:
    p = event.payload
    await matching.outcome(event, p.seeker_id, p.vacancy_id, "applied")


async def on_invitation_sent(event: Envelope[c.InvitationSent], matching: Service) -> None:
    p = event.payload
    await matching.outcome(event, p.seeker_id, p.vacancy_id, "invited")


async def on_invitation_answered(event: Envelope[c.InvitationAnswered], matching: Service) -> None:
    p = event.payload
    await matching.outcome(event, p.seeker_id, p.vacancy_id, "accepted" if p.accepted else "declined")


async def on_fair_outcome(event: Envelope[c.FairOutcomeRecorded], matching: Service) -> None:
    p = event.payload
    await matching.outcome(event, p.seeker_id, p.vacancy_id, p.outcome.value)


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    subscribe_batch(router, settings, Topic.VACANCY)(on_vacancies)
    subscribe_batch(router, settings, Topic.SEEKER)(on_seekers)
    subscribe(router, settings, Topic.CREDENTIAL)(on_credential, filter=accepts(c.CredentialReviewed))
    subscribe(router, settings, Topic.APPLICATION)(on_application, filter=accepts(c.ApplicationSubmitted))
    invitations = subscribe(router, settings, Topic.INVITATION)
    invitations(on_invitation_sent, filter=accepts(c.InvitationSent))
    invitations(on_invitation_answered, filter=accepts(c.InvitationAnswered))
    subscribe(router, settings, Topic.FAIR)(on_fair_outcome, filter=accepts(c.FairOutcomeRecorded))
    return router
