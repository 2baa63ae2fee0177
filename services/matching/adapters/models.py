"""Versioned models in the matching store; the newest promoted one is the one in use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import Binary

from services.matching.domain.features import FEATURES_VERSION
from services.matching.domain.ranker import LinearRanker
from shared.store.mongo import Store


@dataclass(frozen=True)
class StoredModel:
    ranker: LinearRanker
    idf: npt.NDArray[np.float32] | None
    metrics: dict[str, Any]
    trained_at: datetime
    promoted: bool


# A model trained on features that meant something else is never used again.
IN_USE = {"promoted": True, "features_version": FEATURES_VERSION}


class Models:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _table(self) -> Any:
        return self._store.database()["models"]

    async def save(self, model: StoredModel) -> None:
        ranker = model.ranker
        await self._table().insert_one(
            {
                "_id": ranker.version,
                "features_version": FEATURES_VERSION,
                "intercept": ranker.intercept,
                "weights": ranker.weights.tolist(),
                "means": ranker.means.tolist(),
                "scales": ranker.scales.tolist(),
                "idf": Binary(model.idf.astype(np.float32).tobytes()) if model.idf is not None else None,
                "metrics": model.metrics,
                "trained_at": model.trained_at.isoformat(),
                "promoted": model.promoted,
                "promoted_at": datetime.now(UTC).isoformat() if model.promoted else None,
            }
        )

    async def active(self) -> StoredModel | None:
        """The newest promoted model of these features, or None while the cold-start ranker is in use."""
        documents = await self._table().find(IN_USE).sort("promoted_at", -1).limit(1).to_list()
        return _loaded(documents[0]) if documents else None

    async def active_version(self) -> str | None:
        documents = await self._table().find(IN_USE, {"_id": 1}).sort("promoted_at", -1).limit(1).to_list()
        return str(documents[0]["_id"]) if documents else None

    async def count(self) -> int:
        return int(await self._table().count_documents({}))


def _loaded(document: dict[str, Any]) -> StoredModel:
    idf = np.frombuffer(document["idf"], np.float32).copy() if document.get("idf") is not None else None
    ranker = LinearRanker(
        str(document["_id"]),
        float(document["intercept"]),
        np.array(document["weights"]),
        np.array(document["means"]),
        np.array(document["scales"]),
    )
    trained_at = datetime.fromisoformat(document["trained_at"])
    return StoredModel(ranker, idf, document["metrics"], trained_at, bool(document["promoted"]))
