"""Dead letters, redelivery and outages, against the real broker and store."""

import json
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream import Depends
from faststream.kafka import KafkaRouter
from prometheus_client.parser import text_string_to_metric_families
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect

from shared.events import Envelope, Event, Topic, dead_letter_topic, of_type, topic_name
from shared.events import catalogue as c
from shared.messaging.admin import ensure_topics, topic_plan
from shared.messaging.delivery import BatchMessage, Broker, accepts, consume_batch
from shared.service import Service, subscribe, subscribe_batch
from tests.conftest import Namespace
from tests.helpers import consumed, publish_envelopes, read_all, running, send_raw, settings_for, wait_for
from tests.samples import samples

pytestmark = pytest.mark.integration

VACANCY_ID = uuid4()
KEY = str(VACANCY_ID).encode()  # every message of a test on one partition, behind each other


class Vacancies:
    """A consumer of vacancy events whose behaviour each test steers by the vacancy title."""

    def __init__(self, namespace: Namespace) -> None:
        self.settings = settings_for(namespace, "matching")
        self.service: Service | None = None
        self.calls: dict[str, int] = {}
        self.router = KafkaRouter()
        subscriber = subscribe(self.router, self.settings, Topic.VACANCY)

        async def on_posted(
            event: Envelope[c.VacancyPosted], db: AsyncDatabase[Any] = Depends(self.db)
        ) -> None:
            await self.apply(event, db)

        subscriber(on_posted, filter=accepts(c.VacancyPosted))

    def db(self) -> AsyncDatabase[Any]:
        assert self.service is not None
        return self.service.store.database()

    async def apply(self, event: Envelope[c.VacancyPosted], db: AsyncDatabase[Any]) -> None:
        title = event.payload.title
        self.calls[title] = self.calls.get(title, 0) + 1
        if title.startswith("always fails"):
            raise RuntimeError(f"cannot handle {title}")
        if title.startswith("store blips") and self.calls[title] == 1:
            raise AutoReconnect("connection reset by the store")
        # Deliberately not idempotent: only the inbox stops a replay from counting twice.
        await db["vacancies"].update_one({"_id": title}, {"$inc": {"applied": 1}}, upsert=True)


def vacancy(title: str) -> Envelope[c.VacancyPosted]:
    payload = samples()[2].model_copy(update={"title": title, "vacancy_id": VACANCY_ID})
    assert isinstance(payload, c.VacancyPosted)
    return Envelope.wrap(payload, producer="employer")


async def applied(app: Vacancies, title: str) -> int:
    document = await app.db()["vacancies"].find_one({"_id": title})
    return int(document["applied"]) if document else 0


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_partition_keeps_flowing(
    namespace: Namespace,
) -> None:
    app = Vacancies(namespace)
    topic = topic_name(Topic.VACANCY, namespace.topic_prefix)
    wrong_schema = json.loads(vacancy("缺少字段").model_dump_json())
    del wrong_schema["payload"]["salary"]

    async with running(app.settings, app.router) as service:
        app.service = service
        await send_raw(namespace, topic, b"\xff\xfe not json at all", key=KEY)
        json_header = [("content-type", b"application/json")]
        await send_raw(namespace, topic, b'{"truncated": ', key=KEY, headers=json_header)
        await send_raw(namespace, topic, json.dumps(wrong_schema).encode(), key=KEY)
        await service.publisher.publish(vacancy("always fails: 解析失败"))
        await service.publisher.publish(vacancy("数据分析师"))

        await wait_for(lambda: applied(app, "数据分析师"), until=lambda n: n == 1, what="the good message")
        dead = await read_all(namespace, dead_letter_topic(topic), 4)

    assert len(dead) == 4
    headers = [{k: v.decode() for k, v in record.headers} for record in dead]
    assert [h["dlq.error_type"] for h in headers] == [
        "ValueError",
        "JSONDecodeError",
        "ValidationError",
        "RuntimeError",
    ]
    assert "not an event envelope" in headers[0]["dlq.error"]
    assert "salary" in headers[2]["dlq.error"]
    assert headers[3]["dlq.error"] == "cannot handle always fails: 解析失败"
    assert headers[3]["dlq.attempts"] == "3"
    assert app.calls["always fails: 解析失败"] == 3
    assert [h["dlq.offset"] for h in headers] == ["0", "1", "2", "3"]  # one partition, in order
    assert all(h["dlq.topic"] == topic and h["dlq.service"] == "matching" for h in headers)
    assert dead[0].value == b"\xff\xfe not json at all"
    assert dead[0].key == KEY
    assert headers[3]["event_type"] == "vacancy.posted"  # original headers are kept


async def test_a_redelivered_event_is_applied_once(namespace: Namespace) -> None:
    app = Vacancies(namespace)
    event = vacancy("重复投递")
    async with running(app.settings, app.router) as service:
        app.service = service
        await service.publisher.publish(event)
        await service.publisher.publish(event)  # the same event_id again, as after a producer retry
        await service.publisher.publish(vacancy("marker"))
        await wait_for(lambda: applied(app, "marker"), until=lambda n: n == 1, what="the marker")

        assert await applied(app, "重复投递") == 1
        assert app.calls["重复投递"] == 1  # the second copy was skipped before the handler


async def test_a_store_outage_redelivers_the_message_instead_of_dropping_it(namespace: Namespace) -> None:
    app = Vacancies(namespace)
    async with running(app.settings, app.router) as service:
        app.service = service
        await service.publisher.publish(vacancy("store blips"))
        await wait_for(lambda: applied(app, "store blips"), until=lambda n: n == 1, what="the retried event")

        assert app.calls["store blips"] == 2
        assert await app.db()["vacancies"].count_documents({}) == 1


async def test_an_event_type_without_a_handler_is_skipped_not_dead_lettered(namespace: Namespace) -> None:
    app = Vacancies(namespace)
    closed = samples()[4]
    async with running(app.settings, app.router) as service:
        app.service = service
        await service.publisher.publish(Envelope.wrap(closed, producer="employer"))
        await service.publisher.publish(vacancy("after the closed event"))
        await wait_for(
            lambda: applied(app, "after the closed event"), until=lambda n: n == 1, what="the next event"
        )
        dlq = dead_letter_topic(topic_name(Topic.VACANCY, namespace.topic_prefix))
        consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
        await consumer.start()
        try:
            end = await consumer.end_offsets([TopicPartition(dlq, 0)])
        finally:
            await consumer.stop()
    assert list(end.values()) == [0]


class BatchOfVacancies:
    """A batch consumer of vacancy events, steered by title like ``Vacancies``; its writes are
    idempotent, as a batch handler's must be."""

    def __init__(self, namespace: Namespace) -> None:
        self.settings = settings_for(namespace, "matching")
        self.service: Service | None = None
        self.calls: list[list[str]] = []
        self.router = KafkaRouter()

        async def on_vacancies(bodies: list[Any], batch: BatchMessage, broker: Broker) -> None:
            await consume_batch(bodies, batch, broker, self.apply, service_name="matching")

        subscribe_batch(self.router, self.settings, Topic.VACANCY)(on_vacancies)

    async def apply(self, events: list[Envelope[Event]]) -> None:
        titles = [event.payload.title for event in of_type(events, c.VacancyState)]
        self.calls.append(titles)
        assert self.service is not None
        for title in titles:
            if title.startswith("always fails"):
                raise RuntimeError(f"cannot handle {title}")
            if title.startswith("store blips") and len(self.calls) == 1:
                raise AutoReconnect("connection reset by the store")
            await self.service.store.database()["vacancies"].update_one(
                {"_id": title}, {"$set": {"applied": True}}, upsert=True
            )


@pytest.mark.security
async def test_a_batch_isolates_its_failing_event_and_counts_each_outcome(namespace: Namespace) -> None:
    app = BatchOfVacancies(namespace)
    topic = topic_name(Topic.VACANCY, namespace.topic_prefix)
    newer = vacancy("newer schema").model_copy(update={"schema_version": 2})
    unknown = vacancy("unknown type").model_dump_json().replace("vacancy.posted", "vacancy.promoted", 1)
    await ensure_topics(namespace.infra.kafka_bootstrap_servers, topic_plan(namespace.topic_prefix))
    await publish_envelopes(namespace, vacancy("第一"), vacancy("always fails"), vacancy("第三"), newer)
    await send_raw(namespace, topic, unknown.encode(), key=KEY)
    await publish_envelopes(namespace, vacancy("第五"))

    async with running(app.settings, app.router) as service:  # the six come as one batch
        app.service = service
        await wait_for(lambda: consumed(namespace, "matching", Topic.VACANCY), until=bool, what="the batch")
        samples = service.metrics.exposition().decode()
        titles = [document["_id"] async for document in service.store.database()["vacancies"].find()]

    assert sorted(titles) == ["第一", "第三", "第五"]
    assert app.calls == [
        *[["第一", "always fails", "第三", "第五"]] * 3,  # the batch, with its retries
        ["第一", "always fails"],  # its first half fails
        ["第一"],
        *[["always fails"]] * 3,  # alone, with its retries, then dead-lettered
        ["第三", "第五"],  # the second half, in the partition's order
    ]
    dead = await read_all(namespace, dead_letter_topic(topic), 2)
    assert sorted(dict(record.headers)["dlq.offset"] for record in dead) == [b"1", b"3"]
    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(samples)
        for sample in family.samples
        if sample.name == "talentfair_messages_consumed_total" and sample.labels["topic"] == topic
    }
    assert counted == {"retried": 3, "dead_lettered": 2, "skipped_unhandled": 1}


@pytest.mark.security
async def test_an_outage_in_a_batch_redelivers_the_whole_batch(namespace: Namespace) -> None:
    app = BatchOfVacancies(namespace)
    await ensure_topics(namespace.infra.kafka_bootstrap_servers, topic_plan(namespace.topic_prefix))
    await publish_envelopes(namespace, vacancy("第一"), vacancy("store blips"), vacancy("第三"))

    async with running(app.settings, app.router) as service:
        app.service = service
        await wait_for(lambda: consumed(namespace, "matching", Topic.VACANCY), until=bool, what="the batch")
        titles = [document["_id"] async for document in service.store.database()["vacancies"].find()]
        dlq = dead_letter_topic(topic_name(Topic.VACANCY, namespace.topic_prefix))
        consumer = AIOKafkaConsumer(bootstrap_servers=namespace.infra.kafka_bootstrap_servers)
        await consumer.start()
        try:
            end = await consumer.end_offsets([TopicPartition(dlq, 0)])
        finally:
            await consumer.stop()

    assert sorted(titles) == ["store blips", "第一", "第三"]
    assert app.calls == [["第一", "store blips", "第三"]] * 2  # redelivered whole, not split
    assert list(end.values()) == [0]
