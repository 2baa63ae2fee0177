"""A state change and its events in one document write; a relay publishes them after.

The store has single-document atomicity only, so the events a change causes are
written into the changed document itself, under ``_outbox.<event_id>``, in the same
insert or update, as the exact record to publish (topic, key, headers, body). The relay
publishes what is pending and then removes exactly the entries it published (``$unset``
of their keys; FerretDB v1 ignores ``$pull`` with a condition), holding the document's
``Store.lock`` like every other update of an outbox document. An empty ``_outbox`` is
left in place: removing it would need a filter on more than the id, which FerretDB
answers by reading the whole collection.

A crash after the write and before the publish leaves the entries in place, and the
relay's sweep publishes them: a full sweep at start-up and every ``full_sweep_interval_s``
(for another replica's crash), and every ``sweep_interval_s`` a retry of the documents
whose flush failed here. A full sweep reads every document of a collection on FerretDB,
which filters only by id in the store, so it is kept rare. A crash after the publish and
before the removal publishes them again, which consumers absorb by event id.

Events of one document are published in the order they were staged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict
from itertools import count
from typing import Any

from shared.events.envelope import Envelope
from shared.events.topics import Topic
from shared.messaging.publisher import EventPublisher, Record
from shared.observability.metrics import ServiceMetrics
from shared.store.mongo import Document, Store

OUTBOX = "_outbox"
PENDING = {OUTBOX: {"$exists": True, "$ne": {}}}
log = logging.getLogger(__name__)
_sequence = count()


def _entry(envelope: Envelope[Any]) -> Document:
    """The record exactly as it will be published, so the relay never re-parses it."""
    record = Record.of(envelope)
    # Clock, then a process-wide counter: the staging order, even within one clock tick.
    return {"seq": [time.time_ns(), next(_sequence)], **asdict(record), "topic": record.topic.value}


def outbox(*envelopes: Envelope[Any]) -> Document:
    """The ``_outbox`` field of a document being inserted or replaced."""
    return {OUTBOX: {str(envelope.event_id): _entry(envelope) for envelope in envelopes}}


def staged(*envelopes: Envelope[Any]) -> Document:
    """``$set`` fields that stage events in an update of an existing document."""
    return {f"{OUTBOX}.{envelope.event_id}": _entry(envelope) for envelope in envelopes}


class OutboxRelay:
    """Publishes staged events of the given collections and clears them."""

    def __init__(
        self,
        store: Store,
        publisher: EventPublisher,
        collections: Sequence[str],
        *,
        sweep_interval_s: float = 5.0,
        full_sweep_interval_s: float = 300.0,
        batch_size: int = 500,
        publish_timeout_s: float = 10.0,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self.collections = tuple(collections)
        self._interval = sweep_interval_s
        self._full_interval = full_sweep_interval_s
        self._batch_size = batch_size
        self._publish_timeout_s = publish_timeout_s
        self._unflushed: set[tuple[str, Any]] = set()
        metrics = metrics or ServiceMetrics()
        self._published = metrics.outbox_published
        metrics.outbox_unflushed.set_function(lambda: len(self._unflushed))

    async def flush(self, collection: str, document_id: Any) -> int:
        """Publish one document's pending events now (the fast path after a write)."""
        return await self.flush_many(collection, [document_id])

    async def flush_many(self, collection: str, document_ids: Sequence[Any]) -> int:
        """Publish the pending events of documents just written, in one batch.

        A failure, or the broker not confirming within ``publish_timeout_s``, is logged and the
        documents are retried at the next tick: the changes themselves are already stored, so
        the request that made them answers at once instead of waiting out a broker outage.
        """
        try:
            published = await self._drain_many(collection, document_ids)
        except Exception:
            log.exception("outbox flush of %d documents in %s failed; retrying in %.1f s",
                          len(document_ids), collection, self._interval)  # fmt: skip
            self._unflushed.update((collection, document_id) for document_id in document_ids)
            return 0
        self._published.labels("flush").inc(published)
        return published

    async def retry_unflushed(self) -> int:
        """Publish what failed to flush in this process; what fails again stays for the next try."""
        published = 0
        for collection, document_id in list(self._unflushed):
            published += await self._drain(collection, document_id, path="retry")
            self._unflushed.discard((collection, document_id))
        return published

    async def sweep(self) -> int:
        """Publish everything pending in every collection; returns how many events went out."""
        published = 0
        for collection in self.collections:
            while True:
                pending = (
                    await self._store.database()[collection]
                    .find(PENDING, {"_id": 1})
                    .limit(self._batch_size)
                    .to_list()
                )
                for document in pending:
                    published += await self._drain(collection, document["_id"], path="sweep")
                if len(pending) < self._batch_size:
                    break
        return published

    async def run(self) -> None:
        """Sweep fully now and then rarely, retry failed flushes on every tick, forever;
        a failure is logged and tried again on the next tick."""
        last_full_sweep = -math.inf
        while True:
            try:
                if time.monotonic() - last_full_sweep >= self._full_interval:
                    started = time.monotonic()
                    published = await self.sweep()
                    last_full_sweep = started
                else:
                    published = await self.retry_unflushed()
                if published:
                    log.info("outbox relay published %d pending events", published)
            except Exception:
                log.exception("outbox relay failed; retrying in %.1f s", self._interval)
            await asyncio.sleep(self._interval)

    async def _drain(self, collection: str, document_id: Any, *, path: str) -> int:
        published = await self._drain_many(collection, [document_id])
        self._published.labels(path).inc(published)
        return published

    async def _drain_many(self, collection: str, document_ids: Sequence[Any]) -> int:
        """Publish and clear the documents' entries, holding their locks: a flush and a sweep
        of the same document take turns instead of both publishing it."""
        if not document_ids:
            return 0
        table = self._store.database()[collection]
        async with contextlib.AsyncExitStack() as locks:
            for document_id in sorted(set(document_ids), key=str):  # one order, so no deadlock
                await locks.enter_async_context(self._store.lock(collection, document_id))
            # One query: on FerretDB a read by id costs up to a read of the collection, so one
            # per document would read it once per document just written.
            wanted = {"_id": {"$in": list(set(document_ids))}}
            documents = await table.find(wanted, {OUTBOX: 1}).to_list()
            pending = {
                document["_id"]: sorted(document[OUTBOX].items(), key=lambda item: item[1]["seq"])
                for document in documents
                if document and document.get(OUTBOX)
            }
            records = [_record(entry) for entries in pending.values() for _, entry in entries]
            if not records:
                return 0
            # Bounded, so an outage never holds a request (or the documents' locks) for long;
            # what the producer already took may still go out, and again later: consumers
            # absorb the repeat by event id.
            await asyncio.wait_for(self._publisher.publish_records(records), self._publish_timeout_s)
            # Exactly the published keys go (event ids: a key of one document is absent from the
            # others), in one write for the batch: an entry staged meanwhile stays, and an
            # emptied ``_outbox`` is no longer pending. On FerretDB every update reads the
            # whole collection, so one for the batch instead of one per document.
            published = {f"{OUTBOX}.{key}": "" for entries in pending.values() for key, _ in entries}
            await table.update_many({"_id": {"$in": list(pending)}}, {"$unset": published})
        return len(records)


def _record(entry: Document) -> Record:
    return Record(topic=Topic(entry["topic"]), key=entry["key"], headers=entry["headers"], body=entry["body"])
