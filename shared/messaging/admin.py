"""Topic creation with explicit partition counts; the broker never auto-creates topics."""

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
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created them at the same moment
        return [topic.name for topic in missing]
    finally:
        await admin.close()
