"""How many events the services have yet to consume: the lag of their Kafka consumer groups.

Every subscriber's group is ``<topic prefix><service>.<topic>`` (``ServiceSettings.consumer_group``);
its lag on a partition is the end offset less its committed offset (nothing committed: all of it).
Zero lag everywhere means every event published so far has been handled.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.events import PARTITIONS, Topic, topic_name


class Backlog:
    def __init__(self, bootstrap_servers: str, topic_prefix: str, services: Iterable[str]) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.prefix = topic_prefix
        self.groups = {
            f"{topic_prefix}{service}.{topic.value}": topic for service in services for topic in Topic
        }
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)

    async def __aenter__(self) -> Self:
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def by_group(self) -> dict[str, int]:
        """Unconsumed events per consumer group that exists (and whose topic does)."""
        topics = await self._consumer.topics()
        existing = {group for group, _ in await self._admin.list_consumer_groups()}
        lag = {}
        for group, topic in self.groups.items():
            name = topic_name(topic, self.prefix)
            if group not in existing or name not in topics:
                continue
            partitions = [TopicPartition(name, p) for p in range(PARTITIONS[topic])]
            ends = await self._consumer.end_offsets(partitions)
            committed = await self._admin.list_consumer_group_offsets(group, partitions=partitions)
            lag[group] = sum(end - _position(committed.get(tp)) for tp, end in ends.items())
        return lag

    async def total(self) -> int:
        return sum((await self.by_group()).values())


def _position(committed: object) -> int:
    offset = getattr(committed, "offset", -1)
    return offset if isinstance(offset, int) and offset >= 0 else 0
