"""Which model ranks, and how it did when it was promoted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.matching.service_layer import Matching

router = APIRouter(tags=["model"])


class ModelInUse(BaseModel):
    version: str
    baseline: float
    """The logit before any reason: a match's baseline + Σ its reasons' contributions = logit(score)."""
    metrics: dict[str, Any] | None
    seekers: int
    vacancies: int


@router.get("/model")
async def model_in_use(request: Request) -> ModelInUse:
    """The ranker in use (``cold-start-2`` until a retrained model is promoted), its baseline and
    the market size."""
    matching: Matching = request.app.state.matching
    stored = await matching.models.active()
    in_use = matching.market.ranker.version
    metrics = stored.metrics if stored is not None and stored.ranker.version == in_use else None
    return ModelInUse(
        version=in_use,
        baseline=matching.market.ranker.baseline,
        metrics=metrics,
        seekers=len(matching.market.seekers),
        vacancies=len(matching.market.vacancies),
    )
