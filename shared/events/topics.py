"""The topic registry: one topic per aggregate family, created with explicit partitions."""

from enum import StrEnum


class Topic(StrEnum):
    """Topic families; one per aggregate, keyed by its id, so its events stay in order."""

    EMPLOYER = "employer"
    VACANCY = "vacancy"
    SEEKER = "seeker"
    CREDENTIAL = "credential"
    APPLICATION = "application"
    INVITATION = "invitation"
    MATCH = "match"
    NOTIFICATION = "notification"
    FAIR = "fair"


# Partitions are the unit of parallelism: the busiest families get the most.
PARTITIONS: dict[Topic, int] = {
    Topic.EMPLOYER: 3,
    Topic.VACANCY: 6,
    Topic.SEEKER: 6,
    Topic.CREDENTIAL: 3,
    Topic.APPLICATION: 6,
    Topic.INVITATION: 3,
    Topic.MATCH: 12,
    Topic.NOTIFICATION: 6,
    Topic.FAIR: 6,
}
DEAD_LETTER_PARTITIONS = 1
DEAD_LETTER_SUFFIX = ".dlq"


def topic_name(topic: Topic, prefix: str) -> str:
    return f"{prefix}{topic.value}"


def dead_letter_topic(name: str) -> str:
    return f"{name}{DEAD_LETTER_SUFFIX}"
