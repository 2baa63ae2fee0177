"""Live updates: the seeker's inbox stream (the notification service's SSE, proxied with the
cookie's token) and the unread count; staff's check-in counts, polled by the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.web.backend import Backend
from services.web.deps import BackendDep
from services.web.session import SeekerViewer, StaffViewer
from services.web.views import check_in_counts

router = APIRouter()


@router.get("/seeker/inbox/stream")
async def inbox_stream(request: Request, viewer: SeekerViewer, backend: BackendDep) -> StreamingResponse:
    async def relay(backend: Backend) -> AsyncIterator[bytes]:
        async with backend.stream("notification", "/me/inbox/stream", viewer.token) as upstream:
            async for chunk in upstream.aiter_bytes():
                if await request.is_disconnected():
                    return
                yield chunk

    return StreamingResponse(
        relay(backend),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/seeker/inbox/unread-count")
async def unread_count(viewer: SeekerViewer, backend: BackendDep) -> object:
    return await backend.call("GET", "notification", "/me/inbox/unread-count", viewer.token)


@router.get("/staff/fairs/{fair_id}/check-ins.json")
async def check_ins(fair_id: UUID, viewer: StaffViewer, backend: BackendDep) -> dict[str, int]:
    return await check_in_counts(backend, viewer.token, fair_id)
