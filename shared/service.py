"""The one bootstrap that wires a service: store, broker, safe delivery, outbox, topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.subscriber.usecase import BatchSubscriber, DefaultSubscriber

from shared.auth import TokenIssuer
from shared.config import ServiceSettings
from shared.events.topics import Topic, topic_name
from shared.messaging.admin import ensure_topics, topic_plan
from shared.messaging.broker import ACK_POLICY, create_broker
from shared.messaging.delivery import ReliableDelivery, RetryPolicy
from shared.messaging.progress import ConsumerProgress
from shared.messaging.publisher import EventPublisher
from shared.observability.correlation import Activity, acting
from shared.observability.metrics import CONTEXT_NAME, ServiceMetrics
from shared.store.inbox import ProcessedEvents
from shared.store.mongo import Store
from shared.store.outbox import OutboxRelay

T = TypeVar("T")
# A handler must finish well inside this, or the group would rebalance and replay it.
MAX_POLL_INTERVAL_MS = 300_000


def subscribe(router: KafkaRouter, settings: ServiceSettings, topic: Topic) -> DefaultSubscriber:
    """A subscriber in the service's consumer group, acknowledging only after processing."""
    return router.subscriber(
        topic_name(topic, settings.topic_prefix),
        group_id=settings.consumer_group(topic),
        ack_policy=ACK_POLICY,
        auto_offset_reset="earliest",
        max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
    )


def subscribe_batch(
    router: KafkaRouter,
    settings: ServiceSettings,
    topic: Topic,
    *,
    max_records: int = 500,
    wait_ms: int = 100,
) -> BatchSubscriber:
    """Like ``subscribe``, for a hot topic: the handler gets up to ``max_records`` messages at
    once (waiting up to ``wait_ms`` for them) and the batch is acknowledged after it returns.

    The handler hands the batch to ``shared.messaging.delivery.consume_batch``, which isolates
    a failing message; it must be idempotent per message by itself (``ReliableDelivery``
    records and skips event ids one message at a time, never a batch's).
    """
    return router.subscriber(
        topic_name(topic, settings.topic_prefix),
        group_id=settings.consumer_group(topic),
        ack_policy=ACK_POLICY,
        auto_offset_reset="earliest",
        max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=wait_ms,
    )


async def _within(probe: Awaitable[T], timeout_s: float, otherwise: T) -> T:
    try:
        return await asyncio.wait_for(probe, timeout_s)
    except TimeoutError:
        return otherwise


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, bool]
    lag: dict[str, int | None]  # per subscribed topic, informational

    @property
    def ready(self) -> bool:
        return all(self.checks.values())


@dataclass
class Service:
    """Everything one service process holds; built once per process (or per test)."""

    settings: ServiceSettings
    routers: list[KafkaRouter] = field(default_factory=list)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    outbox_collections: Sequence[str] = ()

    def __post_init__(self) -> None:
        timeout_s = self.settings.dependency_timeout_seconds
        self.store = Store(self.settings.mongo_url, self.settings.mongo_database, timeout_s=timeout_s)
        self.inbox = ProcessedEvents(self.store)
        self.metrics = ServiceMetrics()
        self.broker: KafkaBroker = create_broker(self.settings)
        self.broker.add_middleware(
            ReliableDelivery(
                self.broker,
                self.inbox,
                service_name=self.settings.service_name,
                retry=self.retry,
                metrics=self.metrics,
            )
        )
        self.provide(CONTEXT_NAME, self.metrics)
        for router in self.routers:
            self.broker.include_router(router)
        self.progress = ConsumerProgress(self.broker, self.settings.kafka_bootstrap_servers)
        self.publisher = EventPublisher(self.broker, self.settings.topic_prefix)
        self.outbox = OutboxRelay(
            self.store,
            self.publisher,
            self.outbox_collections,
            sweep_interval_s=self.settings.outbox_sweep_seconds,
            full_sweep_interval_s=self.settings.outbox_full_sweep_seconds,
            publish_timeout_s=timeout_s,
            metrics=self.metrics,
        )
        self.tokens = TokenIssuer(
            self.settings.auth_secret.get_secret_value(), timedelta(minutes=self.settings.token_ttl_minutes)
        )
        self._loops: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._start_hooks: list[Callable[[], Awaitable[None]]] = []
        self._started = False

    def in_background(self, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``loop`` as a task while the service runs (started after the broker, cancelled at stop)."""
        self._loops.append(loop)

    def on_start(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` once the store is open, before consuming (creating indexes, say)."""
        self._start_hooks.append(hook)

    def provide(self, name: str, value: object) -> None:
        """Make ``value`` available to message handlers as ``Context(name)``."""
        self.broker.context.set_global(name, value)

    async def start(self) -> None:
        """Prepare, note where the subscribed topics end, start consuming, and start the
        background loops (the outbox relay first); the consumers and loops log as this service."""
        await self.prepare()
        await self.progress.mark_start()
        with acting(Activity(self.settings.service_name)):  # tasks started here keep it
            await self.broker.start()
            loops = [self.outbox.run] if self.outbox.collections else []
            self._tasks = [asyncio.create_task(loop()) for loop in [*loops, *self._loops]]
        self._started = True

    async def stop(self) -> None:
        """Stop the loops, finish in-flight messages and commit them, then close the store."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._started = False
        await self.broker.stop()
        await self.store.close()

    async def prepare(self) -> None:
        """Open the store and create any missing topic; runs before the broker starts."""
        logging.getLogger(self.settings.service_name).setLevel(self.settings.log_level)
        await self.store.open()
        created = await ensure_topics(
            self.settings.kafka_bootstrap_servers, topic_plan(self.settings.topic_prefix)
        )
        if created:
            logging.getLogger(__name__).info("created topics: %s", ", ".join(created))
        for hook in self._start_hooks:
            await hook()

    async def readiness(self) -> Readiness:
        """Connected, started, and caught up with what its topics held at start (once caught
        up, it stays so: lag under load is reported, not a reason to refuse traffic).

        Every probe is bounded by the dependency timeout, so it answers in about that long
        whatever is down."""
        timeout_s = self.settings.dependency_timeout_seconds
        kafka, store, caught_up, lag = await asyncio.gather(
            self.broker.ping(timeout_s),
            self.store.ping(),
            _within(self.progress.caught_up(), timeout_s, False),
            _within(self.progress.lag(), timeout_s, {}),
        )
        checks = {
            "kafka": kafka,
            "store": store,
            "started": self._started,
            "caught_up": self._started and caught_up,
        }
        return Readiness(checks, lag)

    async def exposition(self) -> bytes:
        """The service's metrics in the Prometheus text format, consumer lag measured now."""
        for topic, lag in (await self.progress.lag()).items():
            if lag is not None:
                self.metrics.consumer_lag.labels(topic).set(lag)
        return self.metrics.exposition()
