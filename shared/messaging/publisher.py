"""Publishing envelopes: keyed by aggregate id, metadata mirrored into headers."""

import asyncio
from collections.abc import Iterable
from typing import Any

from faststream.kafka import KafkaBroker

from shared.events.envelope import Envelope
from shared.events.topics import topic_name


class EventPublisher:
    def __init__(self, broker: KafkaBroker, topic_prefix: str) -> None:
        self._broker = broker
        self._prefix = topic_prefix

    async def publish(self, envelope: Envelope[Any]) -> None:
        """Send one event and wait until the broker has it (acks=all)."""
        await self._send(envelope, no_confirm=False)

    async def publish_many(self, envelopes: Iterable[Envelope[Any]]) -> int:
        """Send a batch: all go to the producer first, then are confirmed together."""
        pending = [await self._send(envelope, no_confirm=True) for envelope in envelopes]
        await asyncio.gather(*pending)
        return len(pending)

    async def _send(self, envelope: Envelope[Any], *, no_confirm: bool) -> Any:
        return await self._broker.publish(
            envelope.model_dump_json().encode(),
            topic=topic_name(envelope.payload.topic, self._prefix),
            key=envelope.payload.key.encode(),
            headers={**envelope.headers, "content-type": "application/json"},
            no_confirm=no_confirm,
        )
