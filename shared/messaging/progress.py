"""How far a service's subscribers have read: lag per topic, and the first catch-up.

At start the service records where each partition of its subscribed topics ends. It has
caught up once every partition was read up to there: by this replica's consumer (its
position) for the partitions it holds, by the group (its committed offset) for the others.
Caught up is latched: later lag is load, reported but no reason to take the replica out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import IllegalStateError, KafkaError
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import LogicSubscriber

# A consumer waits for a position it does not know yet (after a rebalance); a probe should not.
POSITION_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Bounds:
    """A partition's first and next offsets when the service started."""

    start: int
    end: int


class ConsumerProgress:
    def __init__(self, broker: KafkaBroker, bootstrap_servers: str) -> None:
        self._broker = broker
        self._bootstrap_servers = bootstrap_servers
        self._targets: dict[TopicPartition, Bounds] | None = None
        self._caught_up = False

    def topics(self) -> list[str]:
        return sorted({name for subscriber in self._subscribers() for name in subscriber.topic_names})

    async def mark_start(self) -> None:
        """Record where every subscribed partition ends now: catching up means reading to here."""
        self._targets = await _bounds(self._bootstrap_servers, self.topics())
        self._caught_up = False

    async def caught_up(self) -> bool:
        """Every partition read up to where it ended at start (then true for good)."""
        if not self._caught_up and self._targets is not None:
            reached = [self._reached(tp, bounds) for tp, bounds in self._targets.items()]
            self._caught_up = all(await asyncio.gather(*reached))
        return self._caught_up

    async def lag(self) -> dict[str, int | None]:
        """Per topic: messages not yet consumed on this replica's partitions (None: it holds none)."""
        lag: dict[str, int | None] = dict.fromkeys(self.topics())
        partitions = [(consumer, tp) for consumer in self._consumers() for tp in consumer.assignment()]
        for tp, behind in await asyncio.gather(*(_lag(consumer, tp) for consumer, tp in partitions)):
            if behind is not None:
                lag[tp.topic] = (lag[tp.topic] or 0) + behind
        return lag

    def _subscribers(self) -> list[LogicSubscriber[Any]]:
        return [sub for sub in self._broker.subscribers if isinstance(sub, LogicSubscriber)]

    def _consumers(self) -> list[AIOKafkaConsumer]:
        return [sub.consumer for sub in self._subscribers() if sub.consumer is not None]

    async def _reached(self, tp: TopicPartition, bounds: Bounds) -> bool:
        if bounds.end <= bounds.start:
            return True  # nothing to read
        for consumer in self._consumers():
            if tp.topic not in consumer.subscription():
                continue
            if tp in consumer.assignment():
                read = await _position(consumer, tp)
            else:
                try:
                    read = await consumer.committed(tp)
                except KafkaError:  # the group's coordinator is not reachable now
                    return False
            return read is not None and read >= bounds.end
        return False


async def _lag(consumer: AIOKafkaConsumer, tp: TopicPartition) -> tuple[TopicPartition, int | None]:
    position = await _position(consumer, tp)
    if position is None or tp not in consumer.assignment():  # revoked while waiting
        return tp, None
    highwater = consumer.highwater(tp)  # known once the partition was fetched from
    return tp, None if highwater is None else max(highwater - position, 0)


async def _position(consumer: AIOKafkaConsumer, tp: TopicPartition) -> int | None:
    try:
        position: int = await asyncio.wait_for(consumer.position(tp), POSITION_TIMEOUT_S)
    except (IllegalStateError, KafkaError, TimeoutError):  # revoked meanwhile, or not known yet
        return None
    return position


async def _bounds(bootstrap_servers: str, topics: list[str]) -> dict[TopicPartition, Bounds]:
    if not topics:
        return {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {tp: Bounds(starts[tp], ends[tp]) for tp in partitions}
