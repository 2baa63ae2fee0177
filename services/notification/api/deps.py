"""Typed dependencies of the notification service's routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from services.notification.adapters.repository import NotificationStore
from services.notification.core.config import Settings
from services.notification.service_layer import Notifications
from shared.api.security import Participant
from shared.auth import Role
from shared.errors import Forbidden
from shared.events.catalogue import RecipientKind


def notifications(request: Request) -> Notifications:
    service: Notifications = request.app.state.notifications
    return service


def settings(request: Request) -> Settings:
    configured: Settings = request.app.state.service.settings
    return configured


NotificationsDep = Annotated[Notifications, Depends(notifications)]
SettingsDep = Annotated[Settings, Depends(settings)]


def notification_store(service: NotificationsDep) -> NotificationStore:
    return service.store


StoreDep = Annotated[NotificationStore, Depends(notification_store)]


@dataclass(frozen=True)
class Person:
    """Who is told: a seeker is told as themself, an employer user as their organisation."""

    id: UUID
    kind: RecipientKind


def current_person(principal: Participant) -> Person:
    if principal.role is Role.SEEKER:
        return Person(principal.account_id, RecipientKind.SEEKER)
    if principal.organisation_id is None:
        raise Forbidden("register your organisation first; notifications go to the organisation")
    return Person(principal.organisation_id, RecipientKind.EMPLOYER)


Me = Annotated[Person, Depends(current_person)]
