"""Every replica's market is whole, while the consumer groups spread the work over replicas.

The work (storing a change, ranking, publishing matches) is done by whichever replica the
group gives an event's partition. Every replica also follows *all* partitions of the
market's topics here, with no group and no commits, and applies each change to its own
in-memory market only; versions make applying one change twice harmless.

Where it starts, so nothing falls between the store and the log at start-up (the positions
are read before the market is loaded from the store):
- market topics: the work groups' committed offsets, since an event is committed only
  after the work stored it, so everything before them is in the store;
- the match topic: its end, since a match is stored before it is published.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from pydantic import ValidationError

from shared.config import ServiceSettings
from shared.events import PARTITIONS, Envelope, Event, Topic, parse_event, topic_name

MARKET_TOPICS = (Topic.VACANCY, Topic.SEEKER, Topic.CREDENTIAL)
# A new broker creates its offsets topic on the first coordinator lookup, and answers
# "not available" until it has.
COORDINATOR_WAIT_S = 30.0
log = logging.getLogger(__name__)


class MarketMirror:
    def __init__(self, settings: ServiceSettings, apply: Callable[[Envelope[Event]], None]) -> None:
        self._settings = settings
        self._apply = apply

    def _partitions(self, topic: Topic) -> list[TopicPartition]:
        name = topic_name(topic, self._settings.topic_prefix)
        return [TopicPartition(name, partition) for partition in range(PARTITIONS[topic])]

    async def positions(self) -> dict[TopicPartition, int]:
        """Where following starts; read before the market is loaded from the store."""
        servers = self._settings.kafka_bootstrap_servers
        positions: dict[TopicPartition, int] = {}
        admin = AIOKafkaAdminClient(bootstrap_servers=servers)
        await admin.start()
        try:
            for topic in MARKET_TOPICS:
                committed = await _committed(admin, self._settings.consumer_group(topic))
                for partition in self._partitions(topic):
                    offset = committed.get(partition)
                    positions[partition] = offset.offset if offset is not None and offset.offset >= 0 else 0
        finally:
            await admin.close()
        consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
        await consumer.start()
        try:
            positions.update(await consumer.end_offsets(self._partitions(Topic.MATCH)))
        finally:
            await consumer.stop()
        return positions

    async def run(self, positions: dict[TopicPartition, int]) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers, enable_auto_commit=False
        )
        await consumer.start()
        try:
            consumer.assign(list(positions))
            for partition, offset in positions.items():
                consumer.seek(partition, offset)
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=2_000)
                for records in batches.values():
                    for record in records:
                        self._follow(record.value)
        finally:
            await consumer.stop()

    def _follow(self, value: bytes | None) -> None:
        try:
            envelope = parse_event(value or b"")
        except (ValidationError, ValueError):
            return  # the replica doing the work dead-letters it
        try:
            self._apply(envelope)
        except Exception:
            log.exception("could not mirror %s %s; this replica's market may miss it",
                          envelope.event_type, envelope.event_id)  # fmt: skip


async def _committed(admin: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, Any]:
    deadline = time.monotonic() + COORDINATOR_WAIT_S
    while True:
        try:
            return await admin.list_consumer_group_offsets(group)  # type: ignore[no-any-return]
        except GroupCoordinatorNotAvailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
