"""Every event type travels from one app to another through the real Kafka broker."""

from typing import Any

import pytest
from faststream import Depends
from faststream.kafka import KafkaRouter
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import Envelope, Event, Topic
from shared.messaging.delivery import accepts
from shared.service import Service, subscribe
from tests.conftest import Namespace
from tests.helpers import running, settings_for, wait_for
from tests.samples import samples

pytestmark = pytest.mark.integration


def recording_router(service_db: Any, settings: Any) -> KafkaRouter:
    """A typed handler for every event type, storing exactly what it validated."""
    router = KafkaRouter()
    for topic in Topic:
        subscriber = subscribe(router, settings, topic)
        for model in (m for m in Event.registry.values() if m.topic is topic):

            def handler_for(model: type[Event]) -> Any:
                async def record(
                    event: Envelope[model],  # type: ignore[valid-type]
                    db: AsyncDatabase[Any] = Depends(service_db),
                ) -> None:
                    await db["received"].replace_one(
                        {"_id": str(event.event_id)},
                        {"model": type(event.payload).__name__, "event": event.model_dump(mode="json")},
                        upsert=True,
                    )

                return record

            subscriber(handler_for(model), filter=accepts(model))
    return router


async def test_every_event_type_round_trips_between_two_apps(namespace: Namespace) -> None:
    consumer_settings = settings_for(namespace, "consumer")
    holder: dict[str, Service] = {}
    router = recording_router(lambda: holder["consumer"].store.database(), consumer_settings)
    sent = [Envelope.wrap(payload, producer="roundtrip-test") for payload in samples()]

    async with (
        running(settings_for(namespace, "producer")) as producer,
        running(consumer_settings, router) as consumer,
    ):
        holder["consumer"] = consumer
        assert await producer.publisher.publish_many(sent) == len(sent)
        received = consumer.store.database()["received"]
        await wait_for(
            lambda: received.count_documents({}), until=lambda n: n == len(sent), what="all events received"
        )

        for envelope in sent:
            stored = await received.find_one({"_id": str(envelope.event_id)})
            assert stored is not None, envelope.event_type
            assert stored["model"] == type(envelope.payload).__name__
            assert stored["event"] == envelope.model_dump(mode="json")
        assert [await consumer.inbox.seen(envelope.event_id) for envelope in sent] == [True] * len(sent)
