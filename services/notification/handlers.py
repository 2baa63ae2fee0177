"""The notification service's subscribers: who people are, what happened to them, erasure."""

from typing import Annotated, Any

from faststream import Context
from faststream.kafka import KafkaRouter

from services.notification.service_layer import Notifications
from shared.config import ServiceSettings
from shared.events import Envelope, Topic
from shared.events import catalogue as c
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch
from shared.service import subscribe, subscribe_batch

Service = Annotated[Notifications, Context("notifications")]
SERVICE_NAME = "notification"


async def on_seekers(bodies: list[Any], notifications: Service, batch: BatchMessage, broker: Broker) -> None:
    """Who seekers are and whether they may be contacted, in batches; erasure in its place."""
    await consume_batch(bodies, batch, broker, notifications.seekers_changed, service_name=SERVICE_NAME)


async def on_employer(event: Envelope[c.EmployerRegistered], notifications: Service) -> None:
    await notifications.employer_known(event.payload)


async def on_vacancy(event: Envelope[c.VacancyState], notifications: Service) -> None:
    vacancy = event.payload
    fields = {"title": vacancy.title, "employer_id": str(vacancy.employer_id)}
    await notifications.store.vacancy_state(vacancy.vacancy_id, vacancy.version, fields)


async def on_matches(bodies: list[Any], notifications: Service, batch: BatchMessage, broker: Broker) -> None:
    """The busiest topic comes in batches: one decision pass and one store write for each.
    A message that is not a valid event goes to the dead-letter topic, the rest are told."""
    await consume_batch(bodies, batch, broker, notifications.matches_found, service_name=SERVICE_NAME)


async def on_invitation_sent(event: Envelope[c.InvitationSent], notifications: Service) -> None:
    await notifications.invitation_sent(event)


async def on_invitation_answered(event: Envelope[c.InvitationAnswered], notifications: Service) -> None:
    await notifications.invitation_answered(event)


async def on_application(event: Envelope[c.ApplicationSubmitted], notifications: Service) -> None:
    await notifications.application_submitted(event)


async def on_fair_scheduled(event: Envelope[c.FairScheduled], notifications: Service) -> None:
    await notifications.store.fair_scheduled(event.payload)


async def on_schedule(event: Envelope[c.FairSchedulePublished], notifications: Service) -> None:
    await notifications.schedule_published(event)


def build_router(settings: ServiceSettings) -> KafkaRouter:
    router = KafkaRouter()
    subscribe_batch(router, settings, Topic.SEEKER)(on_seekers)
    subscribe(router, settings, Topic.EMPLOYER)(on_employer, filter=accepts(c.EmployerRegistered))
    vacancies = subscribe(router, settings, Topic.VACANCY)
    vacancies(on_vacancy, filter=accepts(c.VacancyPosted, c.VacancyUpdated, c.VacancyReopened))
    subscribe_batch(router, settings, Topic.MATCH)(on_matches)
    invitations = subscribe(router, settings, Topic.INVITATION)
    invitations(on_invitation_sent, filter=accepts(c.InvitationSent))
    invitations(on_invitation_answered, filter=accepts(c.InvitationAnswered))
    subscribe(router, settings, Topic.APPLICATION)(on_application, filter=accepts(c.ApplicationSubmitted))
    fairs = subscribe(router, settings, Topic.FAIR)
    fairs(on_fair_scheduled, filter=accepts(c.FairScheduled))
    fairs(on_schedule, filter=accepts(c.FairSchedulePublished))
    return router
