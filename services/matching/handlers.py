"""The matching service's subscribers: the market's changes, erasure, and outcomes."""

from typing import Annotated

from faststream import Context
from faststream.kafka import KafkaRouter

from services.matching.service_layer import Matching
from shared.config import ServiceSettings
from shared.events import Envelope, Topic
from shared.events import catalogue as c
from shared.messaging.delivery import accepts
from shared.service import subscribe

Service = Annotated[Matching, Context("matching")]


async def on_vacancy(event: Envelope[c.VacancyState], matching: Service) -> None:
    await matching.vacancy_changed(event.payload)


async def on_vacancy_closed(event: Envelope[c.VacancyClosed], matching: Service) -> None:
    await matching.vacancy_closed(event.payload)


async def on_seeker(event: Envelope[c.SeekerState], matching: Service) -> None:
    await matching.seeker_changed(event.payload)


async def on_seeker_deleted(event: Envelope[c.SeekerDeleted], matching: Service) -> None:
    await matching.seeker_deleted(event)


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
    vacancies = subscribe(router, settings, Topic.VACANCY)
    vacancies(on_vacancy, filter=accepts(c.VacancyPosted, c.VacancyUpdated, c.VacancyReopened))
    vacancies(on_vacancy_closed, filter=accepts(c.VacancyClosed))
    seekers = subscribe(router, settings, Topic.SEEKER)
    seekers(on_seeker, filter=accepts(c.SeekerRegistered, c.SeekerUpdated, c.SeekerConsentChanged))
    seekers(on_seeker_deleted, filter=accepts(c.SeekerDeleted))
    subscribe(router, settings, Topic.CREDENTIAL)(on_credential, filter=accepts(c.CredentialReviewed))
    subscribe(router, settings, Topic.APPLICATION)(on_application, filter=accepts(c.ApplicationSubmitted))
    invitations = subscribe(router, settings, Topic.INVITATION)
    invitations(on_invitation_sent, filter=accepts(c.InvitationSent))
    invitations(on_invitation_answered, filter=accepts(c.InvitationAnswered))
    subscribe(router, settings, Topic.FAIR)(on_fair_outcome, filter=accepts(c.FairOutcomeRecorded))
    return router
