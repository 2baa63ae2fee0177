"""Safe consumption, built once: skip what was processed, retry, dead-letter, keep flowing.

A broker middleware wraps every handler of a service:

- an event whose id the service's inbox already holds is acknowledged and skipped;
- a handler error is retried a few times with backoff; still failing, or failing on
  input that no retry can fix (not JSON, not an envelope, a schema violation), the
  message goes to ``<topic>.dlq`` with the error and its origin in headers, and is
  acknowledged so the partition keeps flowing;
- an outage of the store or broker is not the message's fault: the message is not
  acknowledged, the consumer seeks back to it and it is delivered again;
- an envelope of an event type that no handler of this service takes is skipped;
- a batch (``consume_batch``) that still fails is split until the failing message is alone:
  the others are applied, that one is retried and dead-lettered by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Annotated, Any, TypeVar, cast
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
# The name under which the broker's context holds the service's ``ReliableDelivery``.
CONTEXT_NAME = "delivery"
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    first_backoff_s: float = 0.1
    multiplier: float = 4.0
    outage_pause_s: float = 1.0

    def backoff(self, attempt: int) -> float:
        return self.first_backoff_s * self.multiplier ** (attempt - 1)


@dataclass
class Tries:
    count: int = 0


async def retried(call: Callable[[], Awaitable[T]], policy: RetryPolicy, tries: Tries) -> T:
    """``call``, again after a pause while it fails with an error a retry may fix, up to the
    policy's attempts; an outage or bad input is raised at once."""
    while True:
        tries.count += 1
        try:
            return await call()
        except (*OUTAGE_ERRORS, *INPUT_ERRORS):
            raise
        except Exception as error:
            if tries.count >= policy.attempts:
                raise
            pause = policy.backoff(tries.count)
            logger.warning("attempt %d failed (%r); retrying in %.2f s", tries.count, error, pause)
            await asyncio.sleep(pause)


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
        broker.context.set_global(CONTEXT_NAME, self)

    def __call__(self, msg: Any, /, *, context: Any) -> _DeliveryScope:
        return _DeliveryScope(msg, context=context, policy=self)

    @staticmethod
    def of(broker: KafkaBroker) -> ReliableDelivery:
        """The delivery policy of the service whose broker this is."""
        delivery = broker.context.get(CONTEXT_NAME)
        if not isinstance(delivery, ReliableDelivery):
            raise LookupError("this broker has no ReliableDelivery middleware")
        return delivery


class _DeliveryScope(BaseMiddleware):
    """Lives for one message (or one batch): runs it as an activity (its correlation id, event
    id and topic, for logs and the events its handler publishes), then counts and times it."""

    def __init__(self, msg: Any, /, *, context: Any, policy: ReliableDelivery) -> None:
        super().__init__(msg, context=context)
        self.policy = policy
        self.tries = Tries()
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
        try:
            if isinstance(self.msg, tuple):  # a batch: consume_batch retries and isolates its events
                self.tries.count = 1
                return await call_next(msg)
            return await retried(lambda: call_next(msg), self.policy.retry, self.tries)
        except OUTAGE_ERRORS:
            await asyncio.sleep(self.policy.retry.outage_pause_s)  # do not spin while the store is down
            raise

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
        if outcome is not None:
            metrics.consumed.labels(self.topic, outcome).inc(len(self.records))
        metrics.handling_seconds.labels(self.topic).observe(time.perf_counter() - self.started)
        return acknowledged

    async def _settle(self, exc_val: BaseException | None) -> tuple[str | None, bool]:
        """What became of the message (None: a batch whose messages consume_batch counted), and
        whether the error (if any) is dealt with here."""
        if exc_val is None:
            if isinstance(self.msg, tuple):
                return None, False
            outcome = "skipped_duplicate" if self.skipped else "retried" if self.tries.count > 1 else "ok"
            return outcome, False
        if isinstance(exc_val, (*OUTAGE_ERRORS, asyncio.CancelledError)):
            return "redelivered", False  # an outage or a shutdown: not acknowledged
        if isinstance(self.msg, tuple):  # a batch whose handler fails outside consume_batch's care
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
            self.policy.broker,
            record,
            error,
            service_name=self.policy.service_name,
            attempts=self.tries.count,
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
    """Hand a consumed batch's valid events to ``handle`` together, in order; put each message
    that is not a valid event (a newer major schema version included) on the dead-letter topic,
    and skip the envelopes of event types this code does not know.

    If ``handle`` still fails after its retries (not an outage), the batch is split in halves,
    each applied in order, a failing half split again, until the failing message is alone: it
    is retried and dead-lettered by itself, and every other event is applied. ``handle`` must
    be idempotent: an event a failed attempt wrote is applied again. An outage raises, and the
    whole batch is delivered again."""
    delivery = ReliableDelivery.of(broker)
    records = batch.raw_message if isinstance(batch.raw_message, tuple) else (batch.raw_message,)
    parsed = parse_batch(bodies)
    run = _BatchRun(broker, records, handle, delivery.retry, service_name)
    await run.apply(parsed.events)
    for position, error in parsed.invalid.items():
        await run.dead_letter(position, error, attempts=1)
    run.outcomes["skipped_unhandled"] += len(parsed.unknown)
    for outcome, count in run.outcomes.items():
        delivery.metrics.consumed.labels(records[0].topic, outcome).inc(count)


@dataclass
class _BatchRun:
    broker: KafkaBroker
    records: tuple[ConsumerRecord[Any, Any], ...]
    handle: Callable[[list[Envelope[Event]]], Awaitable[object]]
    retry: RetryPolicy
    service_name: str
    outcomes: Counter[str] = field(default_factory=Counter)

    async def apply(self, events: list[tuple[int, Envelope[Event]]], *, outcome: str = "ok") -> None:
        """Apply ``events`` together (``outcome`` counts them if the first attempt does)."""
        if not events:
            return
        tries = Tries()
        try:
            await retried(lambda: self.handle([event for _, event in events]), self.retry, tries)
        except OUTAGE_ERRORS:
            raise
        except Exception as error:  # noqa: BLE001 - any failure but an outage is one event's fault
            if len(events) == 1:
                await self.dead_letter(events[0][0], error, attempts=tries.count)
                return
            logger.warning("a batch of %d events failed (%r); isolating the failing one", len(events), error)
            await self._isolate(events)
        else:
            self.outcomes["retried" if tries.count > 1 else outcome] += len(events)

    async def _isolate(self, events: list[tuple[int, Envelope[Event]]]) -> None:
        """``events`` failed together: apply each half in turn, splitting a failing one again."""
        middle = len(events) // 2
        for half in (events[:middle], events[middle:]):
            if len(half) == 1:
                await self.apply(half, outcome="retried")
                continue
            try:
                await self.handle([event for _, event in half])
            except OUTAGE_ERRORS:
                raise
            except Exception:  # noqa: BLE001 - as in apply
                await self._isolate(half)
            else:
                self.outcomes["retried"] += len(half)

    async def dead_letter(self, position: int, error: BaseException, *, attempts: int) -> None:
        record = self.records[position]
        await dead_letter(self.broker, record, error, service_name=self.service_name, attempts=attempts)
        self.outcomes["dead_lettered"] += 1


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
