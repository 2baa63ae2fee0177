"""Safe consumption, built once: skip what was processed, retry, dead-letter, keep flowing.

A broker middleware wraps every handler of a service:

- an event whose id the service's inbox already holds is acknowledged and skipped;
- a handler error is retried a few times with backoff; still failing, or failing on
  input that no retry can fix (not JSON, not an envelope, a schema violation), the
  message goes to ``<topic>.dlq`` with the error and its origin in headers, and is
  acknowledged so the partition keeps flowing;
- an outage of the store or broker is not the message's fault: the message is not
  acknowledged, the consumer seeks back to it and it is delivered again;
- an envelope of an event type that no handler of this service takes is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Annotated, Any, cast
from uuid import UUID

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from faststream import BaseMiddleware, Context
from faststream.exceptions import SubscriberNotFound
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.message import StreamMessage
from pydantic import ValidationError
from pymongo.errors import AutoReconnect, ConnectionFailure, ExecutionTimeout, WriteConcernError

from shared.events import catalogue as c
from shared.events.envelope import Envelope, EnvelopeHead, Event, in_runs, parse_batch
from shared.events.topics import dead_letter_topic
from shared.observability.correlation import Activity, acting, from_headers
from shared.observability.metrics import ServiceMetrics
from shared.store.inbox import ProcessedEvents

logger = logging.getLogger(__name__)

# The store or broker is unreachable: no fault of the message, so it is redelivered.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    WriteConcernError,
    KafkaConnectionError,
    KafkaTimeoutError,
)
# The message itself is bad: retrying cannot help.
INPUT_ERRORS: tuple[type[BaseException], ...] = (ValidationError, ValueError, UnicodeDecodeError)

MAX_ERROR_HEADER = 2_000


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    first_backoff_s: float = 0.1
    multiplier: float = 4.0
    outage_pause_s: float = 1.0

    def backoff(self, attempt: int) -> float:
        return self.first_backoff_s * self.multiplier ** (attempt - 1)


class ReliableDelivery:
    """Middleware factory: ``broker.add_middleware(ReliableDelivery(...))``."""

    def __init__(
        self,
        broker: KafkaBroker,
        inbox: ProcessedEvents,
        *,
        service_name: str,
        retry: RetryPolicy | None = None,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.broker = broker
        self.inbox = inbox
        self.service_name = service_name
        self.retry = retry or RetryPolicy()
        self.metrics = metrics or ServiceMetrics()

    def __call__(self, msg: Any, /, *, context: Any) -> _DeliveryScope:
        return _DeliveryScope(msg, context=context, policy=self)


class _DeliveryScope(BaseMiddleware):
    """Lives for one message (or one batch): runs it as an activity (its correlation id, event
    id and topic, for logs and the events its handler publishes), then counts and times it."""

    def __init__(self, msg: Any, /, *, context: Any, policy: ReliableDelivery) -> None:
        super().__init__(msg, context=context)
        self.policy = policy
        self.attempts = 0
        self.skipped = False
        self.activity = contextlib.ExitStack()

    async def on_receive(self) -> None:  # not called when the broker builds this scope to publish
        self.started = time.perf_counter()
        self.records: tuple[ConsumerRecord[Any, Any], ...] = (
            self.msg if isinstance(self.msg, tuple) else (self.msg,)
        )
        self.topic: str = self.records[0].topic
        name = self.policy.service_name
        if len(self.records) == 1:
            activity = from_headers(name, self.topic, self.records[0].headers or ())
        else:  # a batch has no one correlation id; its handler may act per message
            activity = Activity(name, topic=self.topic)
        self.activity.enter_context(acting(activity))

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        head = _envelope_head(await msg.decode())
        if head is not None and await self.policy.inbox.seen(head.event_id):
            logger.info("skipping %s %s: already processed", head.event_type, head.event_id)
            self.skipped = True
            return None
        result = await self._call_with_retries(call_next, msg)
        if head is not None:
            await self.policy.inbox.record(head.event_id, head.event_type, self.topic)
        return result

    async def _call_with_retries(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        retry = self.policy.retry
        while True:
            self.attempts += 1
            try:
                return await call_next(msg)
            except OUTAGE_ERRORS:
                await asyncio.sleep(retry.outage_pause_s)  # do not spin while the store is down
                raise
            except INPUT_ERRORS:
                raise
            except Exception as error:
                if self.attempts >= retry.attempts:
                    raise
                pause = retry.backoff(self.attempts)
                logger.warning("attempt %d failed (%r); retrying in %.2f s", self.attempts, error, pause)
                await asyncio.sleep(pause)

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool:
        try:
            outcome, acknowledged = await self._settle(exc_val)
        finally:
            self.activity.close()
        metrics = self.policy.metrics
        metrics.consumed.labels(self.topic, outcome).inc(len(self.records))
        metrics.handling_seconds.labels(self.topic).observe(time.perf_counter() - self.started)
        return acknowledged

    async def _settle(self, exc_val: BaseException | None) -> tuple[str, bool]:
        """What became of the message, and whether the error (if any) is dealt with here."""
        if exc_val is None:
            outcome = "skipped_duplicate" if self.skipped else "retried" if self.attempts > 1 else "ok"
            return outcome, False
        if isinstance(exc_val, (*OUTAGE_ERRORS, asyncio.CancelledError)):
            return "redelivered", False  # an outage or a shutdown: not acknowledged
        if isinstance(self.msg, tuple):  # a batch that failed as a whole, retries spent
            for record in self.records:
                await self._dead_letter(record, exc_val)
            return "dead_lettered", True
        record = _record(self.msg)
        if isinstance(exc_val, SubscriberNotFound):
            head = _envelope_head(_json_or_none(record.value))
            if head is not None:
                return "skipped_unhandled", True  # a valid event this service has no handler for
            exc_val = ValueError("not an event envelope: expected a JSON object with event_id and event_type")
        await self._dead_letter(record, exc_val)
        return "dead_lettered", True

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], error: BaseException) -> None:
        await dead_letter(
            self.policy.broker, record, error, service_name=self.policy.service_name, attempts=self.attempts
        )


async def dead_letter(
    broker: KafkaBroker,
    record: ConsumerRecord[Any, Any],
    error: BaseException,
    *,
    service_name: str,
    attempts: int = 1,
) -> None:
    """Put a message that cannot be processed on ``<topic>.dlq``, as it came, with the error
    and where it came from in headers (for batch handlers too, one message at a time)."""
    topic = dead_letter_topic(record.topic)
    headers = {name: value.decode(errors="replace") for name, value in record.headers or ()}
    headers.update(
        {
            "dlq.error_type": type(error).__name__,
            "dlq.error": str(error)[:MAX_ERROR_HEADER],
            "dlq.topic": record.topic,
            "dlq.partition": str(record.partition),
            "dlq.offset": str(record.offset),
            "dlq.service": service_name,
            "dlq.attempts": str(max(attempts, 1)),
            "dlq.failed_at": datetime.now(UTC).isoformat(),
        }
    )
    await broker.publish(record.value, topic=topic, key=record.key, headers=headers)
    if (metrics := ServiceMetrics.of(broker)) is not None:
        metrics.dead_letters.labels(record.topic).inc()
    logger.error(
        "dead-lettered %s[%d]@%d to %s: %s",
        record.topic, record.partition, record.offset, topic, headers["dlq.error"],
    )  # fmt: skip


BatchMessage = Annotated[KafkaMessage, Context("message")]
"""A batch subscriber's consumed batch, for ``consume_batch``."""
Broker = Annotated[KafkaBroker, Context("broker")]


async def consume_batch(
    bodies: list[Any],
    batch: KafkaMessage,
    broker: KafkaBroker,
    handle: Callable[[list[Envelope[Event]]], Awaitable[object]],
    *,
    service_name: str,
) -> None:
    """Hand a consumed batch's valid events to ``handle`` together, in order, and put each
    message that is not a valid event on the dead-letter topic."""
    parsed = parse_batch(bodies)
    await handle(parsed.events)
    await dead_letter_invalid(broker, batch, parsed.invalid, service_name=service_name)


async def consume_seeker_batch(
    bodies: list[Any],
    batch: KafkaMessage,
    broker: KafkaBroker,
    profiles: Callable[[list[Envelope[Any]]], Awaitable[int]],
    erase: Callable[[UUID, datetime], Awaitable[object]],
    *,
    service_name: str,
) -> None:
    """A batch from the seeker topic, in the partition's order: each run of profile events
    (registered, updated, consent changed) to ``profiles`` together, each erasure to ``erase``
    (the seeker's id, when it was erased) in its place, so no profile passes an erasure."""

    async def erasure(event: Envelope[Event]) -> None:
        if isinstance(deleted := event.payload, c.SeekerDeleted):
            await erase(deleted.seeker_id, event.occurred_at)

    async def seekers(events: list[Envelope[Event]]) -> None:
        await in_runs(events, c.SeekerState, profiles, erasure)

    await consume_batch(bodies, batch, broker, seekers, service_name=service_name)


async def dead_letter_invalid(
    broker: KafkaBroker, batch: KafkaMessage, invalid: Mapping[int, Exception], *, service_name: str
) -> None:
    """Dead-letter the messages of a consumed batch at the positions in ``invalid``."""
    records = batch.raw_message if isinstance(batch.raw_message, tuple) else (batch.raw_message,)
    for position, error in invalid.items():
        await dead_letter(broker, records[position], error, service_name=service_name)


def _record(msg: Any) -> ConsumerRecord[Any, Any]:
    return cast("ConsumerRecord[Any, Any]", msg)  # a single-message subscriber's raw message


def _json_or_none(value: bytes | None) -> Any:
    try:
        return json.loads(value or b"")
    except (ValueError, UnicodeDecodeError):
        return None


def _envelope_head(body: Any) -> EnvelopeHead | None:
    if not isinstance(body, dict):
        return None
    try:
        return EnvelopeHead.model_validate(body)
    except ValidationError:
        return None


def accepts(*event_types: type[Any]) -> Any:
    """A subscriber filter choosing the handler by the envelope's event type."""
    names = frozenset(event_type.event_type for event_type in event_types)

    async def is_wanted(message: StreamMessage[Any]) -> bool:
        body = await message.decode()
        return isinstance(body, dict) and body.get("event_type") in names

    return is_wanted
