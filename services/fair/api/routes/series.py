"""Talent-centre staff create fair series; the planner then creates their fairs."""

from __future__ import annotations

from uuid import UUID, uuid4

from fastapi import APIRouter, Request, status

from services.fair.api.deps import Now, StoreDep
from services.fair.domain.model import Series, SeriesDraft
from shared.api.errors import AUTH_ERRORS
from shared.api.security import Staff

router = APIRouter(prefix="/staff/series", tags=["staff: series"], responses=AUTH_ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_series(
    draft: SeriesDraft, staff: Staff, store: StoreDep, now: Now, request: Request
) -> Series:
    """A weekly fair series; its upcoming fairs are created at once and then on the planner's schedule."""
    series = Series(**draft.model_dump(), id=uuid4(), created_by=staff.account_id, created_at=now)
    await store.add_series(series)
    await request.app.state.planner.tick()
    return series


@router.get("")
async def list_series(staff: Staff, store: StoreDep) -> list[Series]:
    return await store.all_series()


@router.get("/{series_id}", responses={404: {}})
async def get_series(series_id: UUID, staff: Staff, store: StoreDep) -> Series:
    return await store.series(series_id)
