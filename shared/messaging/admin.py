"""Topic creation with explicit partition counts; the broker never auto-creates topics."""

import asyncio
import contextlib
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events.topics import DEAD_LETTER_PARTITIONS, PARTITIONS, Topic, dead_letter_topic, topic_name


def topic_plan(prefix: str, families: Iterable[Topic] = tuple(Topic)) -> dict[str, int]:
    """Every topic to create and its partition count: each family and its dead-letter topic."""
    plan: dict[str, int] = {}
    for family in families:
        name = topic_name(family, prefix)
        plan[name] = PARTITIONS[family]
        plan[dead_letter_topic(name)] = DEAD_LETTER_PARTITIONS
    return plan


async def ensure_topics(bootstrap_servers: str, plan: dict[str, int]) -> list[str]:
    """Create the topics of ``plan`` that do not exist yet; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, count, 1) for name, count in plan.items() if name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service was quicker
                await admin.create_topics(missing)
            await _wait_for_leaders(admin, [topic.name for topic in missing])
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def delete_topics(bootstrap_servers: str, prefix: str) -> list[str]:
    """Delete every topic whose name starts with ``prefix`` (a test's or a benchmark's own)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        ours = [topic for topic in await admin.list_topics() if topic.startswith(prefix)]
        if ours:
            await admin.delete_topics(ours)
        return ours
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout_s: float = 30.0) -> None:
    """A new topic takes a moment to elect its partition leaders; publishing before fails."""
    deadline = time.monotonic() + timeout_s
    while True:
        described = await admin.describe_topics(names)
        if all(
            topic["error_code"] == 0
            and topic["partitions"]
            and all(p["leader"] >= 0 for p in topic["partitions"])
            for topic in described
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics {names} have no partition leaders after {timeout_s:.0f} s")
        await asyncio.sleep(0.1)
