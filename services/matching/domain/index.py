"""One side of the market held in memory for ranking, updated one entity at a time.

Encoded rows live in blocks of at most ``BLOCK_ROWS``. A new or changed entity is encoded
with the others pending at the next query (or as soon as ``ENCODE_BATCH`` are pending) into
a small block at the end; small neighbours are merged like a binary counter, so an update
copies a few small blocks, never the whole side. The old row of a changed or removed entity
is marked dead, and a block is compacted when a quarter of its rows are dead.

The side keeps, per entity, only what ``keep`` extracts from its state (a vacancy's state,
a seeker's fingerprint), not the state itself: a million seekers fit in memory. Nothing
here is the source of truth: the service rebuilds it from its store at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from services.matching.domain.encoding import Columns, reweighted, sketched, stack, take

State = TypeVar("State")
Kept = TypeVar("Kept")
BLOCK_ROWS = 65_536
ENCODE_BATCH = 16_384
COMPACT_AT = 0.25
Weights = npt.NDArray[np.float32]


class Block:
    """Encoded rows of one side, with which of them are alive."""

    def __init__(self, columns: Columns) -> None:
        self._hold(columns)

    def _hold(self, columns: Columns) -> None:
        self.columns = columns
        self.alive: npt.NDArray[np.bool_] = np.ones(len(columns), np.bool_)
        self.rows = {entity_id: row for row, entity_id in enumerate(columns.ids)}
        self._by_city: sp.csc_matrix | None = None

    def __len__(self) -> int:
        return len(self.columns)

    def kill(self, entity_id: str) -> None:
        self.alive[self.rows.pop(entity_id)] = False

    def compact(self) -> None:
        if not self.alive.all():
            self._hold(take(self.columns, np.flatnonzero(self.alive)))

    def wanting(self, city: int) -> npt.NDArray[np.bool_]:
        """Rows that list ``city`` among their cities (a column of the city sets)."""
        if self._by_city is None:
            self._by_city = sp.csc_matrix(self.columns.cities)
        wanting = np.zeros(len(self), np.bool_)
        start, end = self._by_city.indptr[city], self._by_city.indptr[city + 1]
        wanting[self._by_city.indices[start:end]] = True
        return wanting


class Side(Generic[State, Kept]):
    def __init__(
        self,
        encode: Callable[[list[State]], Columns],
        keep: Callable[[State], Kept],
        block_rows: int = BLOCK_ROWS,
    ) -> None:
        self._encode = encode
        self._keep = keep
        self._block_rows = block_rows
        self.blocks: list[Block] = []
        self.kept: dict[str, Kept] = {}
        self._where: dict[str, Block] = {}
        self._pending: dict[str, State] = {}

    def __len__(self) -> int:
        return len(self.kept)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.kept

    def upsert(self, entity_id: str, state: State) -> None:
        self.kept[entity_id] = self._keep(state)
        self._pending[entity_id] = state
        if len(self._pending) >= min(ENCODE_BATCH, self._block_rows):
            self.refresh()

    def remove(self, entity_id: str) -> None:
        self.kept.pop(entity_id, None)
        self._pending.pop(entity_id, None)
        if (block := self._where.pop(entity_id, None)) is not None:
            block.kill(entity_id)

    def locate(self, entity_id: str) -> tuple[Block, int] | None:
        self.refresh()
        if (block := self._where.get(entity_id)) is None:
            return None
        return block, block.rows[entity_id]

    def set_flag(self, entity_id: str, name: str, value: bool) -> None:
        """Change one boolean column of an encoded entity (a newly verified diploma, say)."""
        if (found := self.locate(entity_id)) is not None:
            block, row = found
            getattr(block.columns, name)[row] = value

    def reweight(self, old_idf: Weights | None, new_idf: Weights | None) -> None:
        """A new model brings new IDF weights: re-weight the encoded text, no state needed."""
        for block in self.blocks:
            block.columns.text = reweighted(block.columns.text, old_idf, new_idf)
            block.columns.sketch, block.columns.sketch_scale = sketched(block.columns.text)

    def alive_blocks(self) -> Iterator[Block]:
        self.refresh()
        return (block for block in self.blocks if block.rows)

    def refresh(self) -> None:
        """Encode what changed since the last query; merge small blocks; compact dead rows."""
        if self._pending:
            for entity_id in self._pending:
                if (block := self._where.pop(entity_id, None)) is not None:
                    block.kill(entity_id)
            self._append(Block(self._encode(list(self._pending.values()))))
            self._pending.clear()
        for block in self.blocks:
            if len(block) and 1 - len(block.rows) / len(block) > COMPACT_AT:
                block.compact()
        self.blocks = [block for block in self.blocks if len(block)]

    def _append(self, block: Block) -> None:
        self.blocks.append(block)
        while len(self.blocks) >= 2:
            older, newer = self.blocks[-2], self.blocks[-1]
            if len(older) > 2 * len(newer) or len(older) + len(newer) > self._block_rows:
                break
            older.compact()
            newer.compact()
            self.blocks[-2:] = [Block(stack([older.columns, newer.columns]))]
        for entity_id in self.blocks[-1].rows:
            self._where[entity_id] = self.blocks[-1]
