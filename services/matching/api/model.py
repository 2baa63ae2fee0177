"""Which model ranks, and how it did when it was promoted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.matching.service_layer import Matching

router = APIRouter(tags=["model"])


class ModelInUse(BaseModel):
    version: str
    metrics: dict[str, Any] | None
    seekers: int
    vacancies: int


@router.get("/model")
async def model_in_use(request: Request) -> ModelInUse:
    """The ranker in use (``cold-start-2`` until a retrained model is promoted) and the market size."""
    matching: Matching = request.app.state.matching
    stored = await matching.models.active()
    in_use = matching.market.ranker.version
    metrics = stored.metrics if stored is not None and stored.ranker.version == in_use else None
    return ModelInUse(
        version=in_use,
        metrics=metrics,
        seekers=len(matching.market.seekers),
        vacancies=len(matching.market.vacancies),
    )
