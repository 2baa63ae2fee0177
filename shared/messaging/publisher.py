"""Publishing envelopes: keyed by aggregate id, metadata mirrored into headers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker

from shared.events.envelope import Envelope
from shared.events.topics import Topic, topic_name


@dataclass(frozen=True)
class Record:
    """An envelope as it goes on the wire: its topic family, key, headers and JSON body."""

    topic: Topic
    key: str
    headers: dict[str, str]
    body: str

    @classmethod
    def of(cls, envelope: Envelope[Any]) -> Record:
        return cls(
            topic=envelope.payload.topic,
            key=envelope.payload.key,
            headers={**envelope.headers, "content-type": "application/json"},
            body=envelope.model_dump_json(),
        )


class EventPublisher:
    def __init__(self, broker: KafkaBroker, topic_prefix: str) -> None:
        self._broker = broker
        self._prefix = topic_prefix

    async def publish(self, envelope: Envelope[Any]) -> None:
        """Send one event and wait until the broker has it (acks=all)."""
        await self._send(Record.of(envelope), no_confirm=False)

    async def publish_many(self, envelopes: Iterable[Envelope[Any]]) -> int:
        """Send a batch: all go to the producer first, then are confirmed together."""
        return await self.publish_records(Record.of(envelope) for envelope in envelopes)

    async def publish_records(self, records: Iterable[Record]) -> int:
        pending = [await self._send(record, no_confirm=True) for record in records]
        await asyncio.gather(*pending)
        return len(pending)

    async def _send(self, record: Record, *, no_confirm: bool) -> Any:
        return await self._broker.publish(
            record.body.encode(),
            topic=topic_name(record.topic, self._prefix),
            key=record.key.encode(),
            headers=record.headers,
            no_confirm=no_confirm,
        )
