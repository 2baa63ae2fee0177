"""Operations on real services: the correlation id end to end, /metrics, and /readyz."""

import asyncio
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import httpx
import pytest
from faststream.kafka import KafkaRouter
from prometheus_client.parser import text_string_to_metric_families

from services.matching.bootstrap import create_app as create_matching_app
from services.seeker.bootstrap import create_app as create_seeker_app
from shared.api.app import create_api
from shared.events import Envelope, Topic, dead_letter_topic, topic_name
from shared.events import catalogue as c
from shared.messaging.admin import ensure_topics, topic_plan
from shared.messaging.delivery import accepts
from shared.observability.logs import JsonFormatter
from shared.service import Service, subscribe
from tests import factories
from tests.conftest import Namespace
from tests.helpers import (
    events_of,
    publish,
    publish_envelopes,
    read_all,
    send_raw,
    serving,
    settings_for,
    wait_for,
)
from tests.integration.services.test_matching import stored_seekers
from tests.samples import samples

pytestmark = pytest.mark.integration


@contextmanager
def json_log_lines() -> Iterator[list[dict[str, Any]]]:
    """The root logger's lines as the services' JSON formatter writes them, while the block runs."""
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.setFormatter(JsonFormatter("test"))
    logging.getLogger().addHandler(handler)
    try:
        yield lines
    finally:
        logging.getLogger().removeHandler(handler)


def vacancy_with(correlation_id: Any) -> tuple[c.VacancyState, Envelope[Any]]:
    job = factories.vacancy_state(skills=["数控编程", "阅读机械图纸"], education_level="vocational")
    envelope = Envelope.wrap(job, producer="employer").model_copy(update={"correlation_id": correlation_id})
    return job, envelope


def application_with(correlation_id: Any) -> Envelope[Any]:
    applied = next(event for event in samples() if isinstance(event, c.ApplicationSubmitted))
    return Envelope.wrap(applied, producer="seeker").model_copy(update={"correlation_id": correlation_id})


async def test_an_event_s_correlation_id_reaches_the_events_and_log_lines_its_handling_causes(
    namespace: Namespace,
) -> None:
    correlation_id = uuid4()
    seeker = factories.seeker_state(uuid4(), skills=["数控编程", "AutoCAD", "阅读机械图纸"])
    job, envelope = vacancy_with(correlation_id)
    application = Envelope.wrap(
        next(e for e in samples() if isinstance(e, c.ApplicationSubmitted)), producer="seeker"
    )
    application = application.model_copy(update={"correlation_id": correlation_id})

    with json_log_lines() as lines:
        async with serving(create_matching_app(settings_for(namespace, "matching"))):
            await publish(namespace, seeker, producer="seeker")
            await wait_for(stored_seekers(namespace), until=lambda n: n == 1, what="the seeker stored")
            await publish_envelopes(namespace, envelope)  # the vacancy topic comes in batches
            matches = await events_of(namespace, Topic.MATCH, "match.found")
            await publish_envelopes(namespace, application, application)  # one at a time; a redelivery
            skipped = await wait_for(
                lambda: asyncio.sleep(0, [line for line in lines if "already processed" in line["message"]]),
                until=bool,
                what="the log line of the skipped redelivery",
            )

    assert matches[0]["payload"]["vacancy_id"] == str(job.vacancy_id)
    assert matches[0]["correlation_id"] == str(correlation_id)
    assert matches[0]["causation_id"] == str(envelope.event_id)
    assert skipped[0]["correlation_id"] == str(correlation_id)
    assert skipped[0]["event_id"] == str(application.event_id)
    assert skipped[0]["topic"] == topic_name(Topic.APPLICATION, namespace.topic_prefix)
    assert skipped[0]["service"] == "matching"


async def test_a_request_s_correlation_id_is_answered_and_carried_by_the_events_it_causes(
    namespace: Namespace,
) -> None:
    given = uuid4()
    async with serving(create_seeker_app(settings_for(namespace, "seeker"))) as client:
        body = factories.sign_up(f"seeker-{uuid4().hex[:8]}@example.cn")
        response = await client.post("/auth/register", json=body, headers={"X-Correlation-ID": str(given)})
        invalid = await client.get("/healthz", headers={"X-Correlation-ID": "<script>"})
        registered = await events_of(namespace, Topic.SEEKER, "seeker.registered")

    assert response.status_code == 201, response.text
    assert response.headers["X-Correlation-ID"] == str(given)
    assert registered[0]["correlation_id"] == str(given)
    assert registered[0]["causation_id"] is None
    assert invalid.headers["X-Correlation-ID"] not in ("", "<script>")  # replaced by a new one


async def metric_samples(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((f"talentfair_{name}", frozenset(labels.items())), 0.0)


async def test_metrics_count_outcomes_latency_dead_letters_and_requests(namespace: Namespace) -> None:
    topic = topic_name(Topic.APPLICATION, namespace.topic_prefix)  # consumed one message at a time
    envelope = application_with(uuid4())
    async with serving(create_matching_app(settings_for(namespace, "matching"))) as client:
        await publish_envelopes(namespace, envelope, envelope)
        await send_raw(namespace, topic, "不是 JSON".encode(), key=b"k")
        await read_all(namespace, dead_letter_topic(topic), 1)
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/no/such/route")).status_code == 404

        def counted(samples: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> bool:
            return (
                value(samples, "messages_consumed_total", topic=topic, outcome="ok") == 1
                and value(samples, "messages_consumed_total", topic=topic, outcome="skipped_duplicate") == 1
                and value(samples, "messages_consumed_total", topic=topic, outcome="dead_lettered") == 1
            )

        samples = await wait_for(lambda: metric_samples(client), until=counted, what="three outcomes counted")

    assert value(samples, "message_handling_seconds_count", topic=topic) == 3
    assert value(samples, "dead_letters_total", topic=topic) == 1
    assert value(samples, "http_requests_total", method="GET", route="/healthz", status="200") == 1
    assert value(samples, "http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert value(samples, "http_request_seconds_count", method="GET", route="/healthz") == 1
    assert ("talentfair_consumer_lag", frozenset({("topic", topic)})) in samples
    assert ("talentfair_outbox_unflushed_documents", frozenset()) in samples


class Gated:
    """A service whose vacancy handler waits at a gate the test opens and closes."""

    def __init__(self, namespace: Namespace) -> None:
        self.settings = settings_for(namespace, "probe")
        self.gate = asyncio.Event()
        self.handled = 0
        router = KafkaRouter()

        async def on_posted(_: Envelope[c.VacancyPosted]) -> None:
            await self.gate.wait()
            self.handled += 1

        subscribe(router, self.settings, Topic.VACANCY)(on_posted, filter=accepts(c.VacancyPosted))
        self.app = create_api(Service(self.settings, routers=[router]), title="probe")


async def readyz(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/readyz")


async def test_ready_once_caught_up_with_the_backlog_and_then_not_taken_out_by_lag(
    namespace: Namespace,
) -> None:
    topic = topic_name(Topic.VACANCY, namespace.topic_prefix)
    await ensure_topics(namespace.infra.kafka_bootstrap_servers, topic_plan(namespace.topic_prefix))
    backlog = [samples()[2].model_copy(update={"vacancy_id": uuid4()}) for _ in range(3)]
    await publish(namespace, *backlog, producer="employer")
    probe = Gated(namespace)

    async with serving(probe.app) as client:
        try:
            behind = await readyz(client)  # the handler holds the first message: the rest is unread
            probe.gate.set()
            ready = await wait_for(lambda: readyz(client), until=lambda r: r.status_code == 200, what="ready")
            assert probe.handled >= 2

            probe.gate.clear()
            more = [samples()[2].model_copy(update={"vacancy_id": uuid4()}) for _ in range(5)]
            await publish(namespace, *more, producer="employer")
            lagging = await wait_for(
                lambda: readyz(client), until=lambda r: (r.json()["lag"][topic] or 0) > 0, what="lag reported"
            )
        finally:
            probe.gate.set()

    assert behind.status_code == 503
    assert behind.json()["checks"]["caught_up"] is False
    assert behind.json()["checks"]["kafka"] is True
    assert ready.json()["checks"] == {"kafka": True, "store": True, "started": True, "caught_up": True}
    assert set(ready.json()["lag"]) == {topic}
    assert lagging.status_code == 200
    assert lagging.json()["ready"] is True
