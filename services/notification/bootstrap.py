"""Wires the notification service: store, handlers, delivery loop, outbox relay and REST API."""

from __future__ import annotations

from fastapi import FastAPI

from services.notification.adapters.channels import EmailSender, WebhookSender
from services.notification.adapters.repository import OUTBOX_COLLECTIONS, NotificationStore
from services.notification.api.routes import inbox, preferences, staff
from services.notification.core.config import Settings
from services.notification.handlers import build_router
from services.notification.service_layer import Clock, Notifications, system_clock
from shared.api.app import create_api
from shared.messaging.delivery import RetryPolicy
from shared.service import Service

DESCRIPTION = """Tells each person once, on the channels they chose, in their language: matches,
invitations, applications, answers and fair schedules, by in-app inbox, email and webhook.

The email address and webhook URL a person gives here stay here; deleting a seeker's
account erases them with the inbox."""


def create_app(settings: Settings, clock: Clock = system_clock) -> FastAPI:
    service = Service(settings, routers=[build_router(settings)], outbox_collections=OUTBOX_COLLECTIONS)
    store = NotificationStore(service.store, service.outbox)
    notifications = Notifications(
        store,
        email=EmailSender(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_timeout_seconds
        ),
        webhook=WebhookSender(settings.webhook_timeout_seconds, settings.webhook_policy()),
        retry_policy=RetryPolicy(
            settings.delivery_attempts, settings.retry_first_seconds, settings.retry_multiplier
        ),
        clock=clock,
    )
    service.provide("notifications", notifications)
    service.on_start(store.ensure_indexes)

    async def deliver() -> None:
        await notifications.run(settings.delivery_poll_seconds)

    service.in_background(deliver)
    app = create_api(
        service,
        preferences.router,
        inbox.router,
        staff.router,
        title="Notification service",
        description=DESCRIPTION,
    )
    app.state.notifications = notifications
    return app
