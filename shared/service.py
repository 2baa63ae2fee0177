"""The one bootstrap that wires a service: store, broker, safe delivery, topics, health."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from faststream.asgi import AsgiFastStream, AsgiResponse, get
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.subscriber.usecase import DefaultSubscriber

from shared.config import ServiceSettings
from shared.events.topics import Topic, topic_name
from shared.messaging.admin import ensure_topics, topic_plan
from shared.messaging.broker import ACK_POLICY, create_broker
from shared.messaging.delivery import ReliableDelivery, RetryPolicy
from shared.messaging.publisher import EventPublisher
from shared.store.inbox import ProcessedEvents
from shared.store.mongo import Store

READINESS_TIMEOUT_S = 3.0
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


@dataclass
class Service:
    """Everything one service process holds; built once, at import of its ``app`` module."""

    settings: ServiceSettings
    routers: list[KafkaRouter] = field(default_factory=list)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        self.store = Store(self.settings.mongo_url, self.settings.mongo_database)
        self.inbox = ProcessedEvents(self.store)
        self.broker: KafkaBroker = create_broker(self.settings)
        self.broker.add_middleware(
            ReliableDelivery(
                self.broker, self.inbox, service_name=self.settings.service_name, retry=self.retry
            )
        )
        for router in self.routers:
            self.broker.include_router(router)
        self.publisher = EventPublisher(self.broker, self.settings.topic_prefix)
        self.app = AsgiFastStream(
            self.broker,
            asgi_routes=[("/healthz", get(self._alive)), ("/readyz", get(self._ready))],
        )
        self.app.on_startup(self.prepare)
        self.app.after_shutdown(self.store.close)

    async def start(self) -> None:
        """Run without the HTTP app (workers, tests): prepare, then start consuming."""
        await self.prepare()
        await self.broker.start()

    async def stop(self) -> None:
        """Finish in-flight messages, commit them, then close the store."""
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

    async def _alive(self, scope: object) -> AsgiResponse:
        return _json({"service": self.settings.service_name, "status": "alive"}, 200)

    async def _ready(self, scope: object) -> AsgiResponse:
        checks = {
            "kafka": await self.broker.ping(READINESS_TIMEOUT_S),
            "store": await self.store.ping(),
        }
        ready = all(checks.values())
        body = {"service": self.settings.service_name, "ready": ready, "checks": checks}
        return _json(body, 200 if ready else 503)


def _json(body: object, status: int) -> AsgiResponse:
    return AsgiResponse(
        json.dumps(body, ensure_ascii=False).encode(), status, headers={"content-type": "application/json"}
    )
