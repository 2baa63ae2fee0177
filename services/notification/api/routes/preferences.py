"""Each person's own notification preferences, including where to reach them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.notification.api.deps import Me, NotificationsDep, StoreDep
from services.notification.domain.preferences import Preferences
from services.notification.domain.webhook_policy import RefusedURL
from shared.api.errors import AUTH_ERRORS
from shared.errors import InvalidField, Unauthorized

router = APIRouter(prefix="/me/preferences", tags=["preferences"], responses=AUTH_ERRORS)


class MyPreferences(BaseModel):
    preferences: Preferences
    webhook_secret: str | None = Field(
        description="signs every webhook POST (HMAC-SHA256 of '<timestamp>.<body>'); shown only to you"
    )


@router.get("")
async def my_preferences(me: Me, store: StoreDep) -> MyPreferences:
    """Your preferences, or the defaults until you change them."""
    recipient = await store.recipient(me.id)
    if recipient is None:
        return MyPreferences(preferences=Preferences(), webhook_secret=None)
    return MyPreferences(preferences=recipient.preferences, webhook_secret=recipient.webhook_secret)


@router.put("")
async def change_preferences(
    chosen: Preferences, me: Me, store: StoreDep, notifications: NotificationsDep
) -> MyPreferences:
    """Replace your preferences. The email address and webhook URL you give stay in this
    service: they are never put on the bus and are erased with your account. A webhook URL
    must name a public https receiver: internal names and addresses, a user name or password
    in the URL and other schemes are refused (422)."""
    if chosen.webhook_url is not None:
        try:
            notifications.webhook.policy.target(str(chosen.webhook_url))
        except RefusedURL as refused:
            raise InvalidField(["body", "webhook_url"], refused.message) from refused
    recipient = await store.save_preferences(me.id, me.kind, chosen)
    if recipient is None:
        raise Unauthorized("this account was deleted")
    return MyPreferences(preferences=recipient.preferences, webhook_secret=recipient.webhook_secret)
