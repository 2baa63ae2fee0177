"""The record of erased seekers a consuming service keeps, so a late event cannot bring one back.

Only the id and the time are kept: the id arrives in every later event about the person,
and the service needs it to refuse them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shared.store.mongo import Store
from shared.store.read_model import ids_among


class Erasures:
    COLLECTION = "erasures"

    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, seeker_id: UUID, erased_at: datetime) -> None:
        await self._store.database()[self.COLLECTION].update_one(
            {"_id": str(seeker_id)}, {"$setOnInsert": {"erased_at": erased_at.isoformat()}}, upsert=True
        )

    async def among(self, seeker_ids: set[str]) -> set[str]:
        """Which of these seekers were erased (one query)."""
        return await ids_among(self._store.database()[self.COLLECTION], seeker_ids)

    async def contains(self, seeker_id: UUID) -> bool:
        return await self._store.database()[self.COLLECTION].find_one({"_id": str(seeker_id)}) is not None
