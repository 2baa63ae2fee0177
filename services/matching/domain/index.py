"""One side of the market held in memory for ranking, updated one entity at a time.

Encoded rows live in one stacked block. A new or changed entity is encoded in a batch
with the others pending at the next query and appended; its old row is marked dead.
When a quarter of the rows are dead the block is compacted. Nothing here is the source
of truth: the service rebuilds it from its store at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from services.matching.domain.encoding import Columns, concat, take

State = TypeVar("State")
COMPACT_AT = 0.25


class Side(Generic[State]):
    def __init__(self, encode: Callable[[list[State]], Columns]) -> None:
        self._encode = encode
        self.columns = Columns()
        self.alive: npt.NDArray[np.bool_] = np.zeros(0, np.bool_)
        self.states: dict[str, State] = {}
        self._row: dict[str, int] = {}
        self._pending: dict[str, State] = {}

    def __len__(self) -> int:
        return len(self.states)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.states

    def upsert(self, entity_id: str, state: State) -> None:
        self.states[entity_id] = state
        self._pending[entity_id] = state

    def remove(self, entity_id: str) -> None:
        self.states.pop(entity_id, None)
        self._pending.pop(entity_id, None)
        if (row := self._row.pop(entity_id, None)) is not None:
            self.alive[row] = False

    def reencode_all(self) -> None:
        """Encode every entity again at the next query (a new model brings new IDF weights)."""
        self._pending = dict(self.states)

    def row(self, entity_id: str) -> int | None:
        self.refresh()
        return self._row.get(entity_id)

    def refresh(self) -> None:
        """Encode what changed since the last query; compact when many rows are dead."""
        if self._pending:
            for entity_id in self._pending:
                if (row := self._row.get(entity_id)) is not None:
                    self.alive[row] = False
            start = len(self.columns)
            self.columns = concat(self.columns, self._encode(list(self._pending.values())))
            self.alive = np.concatenate([self.alive, np.ones(len(self._pending), np.bool_)])
            self._row.update({entity_id: start + i for i, entity_id in enumerate(self._pending)})
            self._pending.clear()
        if len(self.alive) and 1 - self.alive.mean() > COMPACT_AT:
            keep = np.flatnonzero(self.alive)
            self.columns = take(self.columns, keep)
            self.alive = np.ones(len(keep), np.bool_)
            self._row = {entity_id: row for row, entity_id in enumerate(self.columns.ids)}
