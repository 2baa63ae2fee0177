"""Event contracts: the envelope, the catalogue of payloads and the topic registry."""

from shared.events import catalogue
from shared.events.envelope import (
    Envelope,
    EnvelopeHead,
    Event,
    ParsedBatch,
    in_runs,
    of_type,
    parse_batch,
    parse_event,
)
from shared.events.topics import PARTITIONS, Topic, dead_letter_topic, topic_name

__all__ = [
    "PARTITIONS",
    "Envelope",
    "EnvelopeHead",
    "Event",
    "ParsedBatch",
    "Topic",
    "catalogue",
    "dead_letter_topic",
    "in_runs",
    "of_type",
    "parse_batch",
    "parse_event",
    "topic_name",
]
