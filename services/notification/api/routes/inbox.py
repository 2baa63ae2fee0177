"""The in-app inbox: unread first, mark read, unread count, and live delivery over SSE."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel

from services.notification.api.deps import Me, Person, SettingsDep, StoreDep
from services.notification.domain.decision import Kind, Recipient
from services.notification.domain.messages import render
from services.notification.domain.preferences import Preferences
from shared.api.errors import AUTH_ERRORS
from shared.api.pagination import Page, Paging, paged
from shared.errors import NotFound

router = APIRouter(prefix="/me/inbox", tags=["inbox"], responses=AUTH_ERRORS)
UNREAD_FIRST = [("read", 1), ("created_at", -1)]


class InboxItem(BaseModel):
    id: UUID
    kind: Kind
    subject_key: str
    subject: str
    text: str
    read: bool
    created_at: AwareDatetime


class UnreadCount(BaseModel):
    unread: int


def _item(recipient: Recipient | None, document: dict[str, Any]) -> InboxItem:
    """Worded in the reader's language and time zone as they are now."""
    preferences = recipient.preferences if recipient else Preferences()
    language = recipient.language if recipient else "zh-CN"
    message = render(Kind(document["kind"]), language, document["content"], preferences.zone)
    return InboxItem(
        id=document["_id"], kind=document["kind"], subject_key=document["subject_key"],
        subject=message.subject, text=message.text, read=document["read"], created_at=document["created_at"],
    )  # fmt: skip


def _mine(me: Person) -> dict[str, Any]:
    return {"recipient_id": str(me.id), "in_inbox": True}


@router.get("")
async def inbox(me: Me, store: StoreDep, paging: Paging) -> Page[InboxItem]:
    """Your notifications: unread first, newest first within each."""
    recipient = await store.recipient(me.id)
    return await paged(
        store["notifications"], _mine(me), paging, lambda d: _item(recipient, d), sort=UNREAD_FIRST
    )


@router.get("/unread-count")
async def unread_count(me: Me, store: StoreDep) -> UnreadCount:
    return UnreadCount(unread=await store["notifications"].count_documents({**_mine(me), "read": False}))


@router.post("/{notification_id}/read", responses={404: {"description": "not in your inbox"}})
async def mark_read(notification_id: UUID, me: Me, store: StoreDep) -> InboxItem:
    document = await store.mark_read(notification_id, me.id)
    if document is None:
        raise NotFound(f"no notification {notification_id} in your inbox")
    return _item(await store.recipient(me.id), document)


@router.get(
    "/stream", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}}
)
async def stream(request: Request, me: Me, store: StoreDep, settings: SettingsDep) -> StreamingResponse:
    """Server-Sent Events: each notification that reaches your inbox from now on, as
    ``event: notification`` with the item as JSON; a comment line keeps the connection alive."""
    since: datetime = request.app.state.notifications.clock()

    async def events() -> AsyncIterator[str]:
        cursor, seen = since, set[str]()
        yield ": connected\n\n"
        while not await request.is_disconnected():
            query = {**_mine(me), "created_at": {"$gte": cursor}}
            documents = (
                await store["notifications"].find(query).sort([("created_at", 1), ("_id", 1)]).to_list()
            )
            fresh = [d for d in documents if d["_id"] not in seen]
            if fresh:
                recipient = await store.recipient(me.id)
                for document in fresh:
                    item = _item(recipient, document)
                    data = json.dumps(item.model_dump(mode="json"), ensure_ascii=False)
                    yield f"id: {item.id}\nevent: notification\ndata: {data}\n\n"
                newest = max(d["created_at"] for d in documents)
                seen = {d["_id"] for d in documents if d["created_at"] == newest}
                cursor = newest
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(settings.sse_poll_seconds)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
