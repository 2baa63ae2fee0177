"""Talent-centre staff see deliveries that failed every attempt, and send them again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel

from services.notification.api.deps import NotificationsDep, StoreDep
from services.notification.domain.decision import Kind
from services.notification.domain.delivery import Delivery
from shared.api.errors import AUTH_ERRORS
from shared.api.pagination import Page, Paging, paged
from shared.api.security import Staff
from shared.errors import NotFound
from shared.events.catalogue import Channel, RecipientKind

router = APIRouter(prefix="/staff/deliveries", tags=["staff"], responses=AUTH_ERRORS)


class DeliveryRecord(BaseModel):
    """A notification's push deliveries with every attempt; no content, no address."""

    notification_id: UUID
    recipient_id: UUID
    recipient_kind: RecipientKind
    kind: Kind
    subject_key: str
    created_at: AwareDatetime
    deliveries: dict[Channel, Delivery]


def _record(document: dict[str, Any]) -> DeliveryRecord:
    return DeliveryRecord(notification_id=document["_id"], **document)


@router.get("/dead")
async def dead_deliveries(
    staff: Staff, store: StoreDep, paging: Paging, channel: Channel | None = None
) -> Page[DeliveryRecord]:
    """Deliveries parked after their last attempt failed, oldest first."""
    channels = [channel.value] if channel else [Channel.EMAIL.value, Channel.WEBHOOK.value]
    query = {"dead_channels": {"$in": channels}}
    return await paged(store["deliveries"], query, paging, _record, sort=[("created_at", 1)])


@router.post("/{notification_id}/{channel}/retry", responses={404: {"description": "no such dead delivery"}})
async def retry(
    notification_id: UUID, channel: Channel, staff: Staff, notifications: NotificationsDep
) -> DeliveryRecord:
    """Send it again now: a fresh round of attempts; the earlier ones stay in its history."""
    if not await notifications.retry(notification_id, channel):
        raise NotFound(f"no dead {channel.value} delivery of notification {notification_id}")
    document = await notifications.store.deliveries(notification_id)
    if document is None:
        raise NotFound(f"no notification {notification_id}")
    return _record(document)
