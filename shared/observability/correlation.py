"""The work in hand (a consumed event or an HTTP request), carried by a context variable.

A handler runs with the correlation id of the event it handles (from its Kafka headers),
an HTTP request with its ``X-Correlation-ID`` (or a new one). ``Envelope.wrap`` reads it
when it builds an envelope without ``caused_by``, so every event the work publishes,
directly or through the outbox (which stores the finished envelope), carries it on; the
log formatter adds it to every line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Activity:
    service: str
    correlation_id: UUID | None = None
    # The event being handled: the cause of the events its handler publishes.
    event_id: UUID | None = None
    topic: str | None = None


_current: ContextVar[Activity | None] = ContextVar("talentfair_activity", default=None)


def current_activity() -> Activity | None:
    return _current.get()


@contextmanager
def acting(activity: Activity) -> Iterator[Activity]:
    """Run the block (and the tasks it starts) as ``activity``."""
    token = _current.set(activity)
    try:
        yield activity
    finally:
        _current.reset(token)


def parse_id(value: str | bytes | None) -> UUID | None:
    """A correlation or event id from a header, or None when absent or not a UUID."""
    if value is None:
        return None
    try:
        return UUID(value.decode() if isinstance(value, bytes) else value)
    except (ValueError, UnicodeDecodeError):
        return None


def from_headers(service: str, topic: str, headers: Iterable[tuple[str, bytes]]) -> Activity:
    """Handling a message: the envelope's ids as its Kafka headers mirror them."""
    values = dict(headers)
    return Activity(
        service,
        correlation_id=parse_id(values.get("correlation_id")),
        event_id=parse_id(values.get("event_id")),
        topic=topic,
    )
