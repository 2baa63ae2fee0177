"""The Prometheus metrics of one service instance, in a registry of its own.

Not the process-global default registry: tests build several services in one process.
"""

from __future__ import annotations

from typing import TypeVar

from faststream.kafka import KafkaBroker
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

NAMESPACE = "talentfair"
MetricT = TypeVar("MetricT", Counter, Gauge, Histogram)
# The name under which the broker's context holds the metrics, for code given only a broker.
CONTEXT_NAME = "metrics"


class ServiceMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.consumed = self._add(
            Counter, "messages_consumed",
            "Messages consumed, by topic and outcome (ok, retried, dead_lettered, skipped_duplicate, "
            "skipped_unhandled, redelivered)",
            "topic", "outcome",
        )  # fmt: skip
        self.handling_seconds = self._add(
            Histogram, "message_handling_seconds",
            "From receipt of a message (or batch) to its acknowledgement, retries included", "topic",
        )  # fmt: skip
        self.consumer_lag = self._add(
            Gauge, "consumer_lag",
            "Messages not yet consumed (high watermark minus position) on this replica's partitions", "topic",
        )  # fmt: skip
        self.dead_letters = self._add(
            Counter,
            "dead_letters",
            "Messages put on a dead-letter topic, by the topic they came from",
            "topic",
        )
        self.outbox_published = self._add(
            Counter, "outbox_published",
            "Events published from the outbox, by path (flush after a write, retry of a failed flush, sweep)",
            "path",
        )  # fmt: skip
        self.outbox_unflushed = self._add(
            Gauge, "outbox_unflushed_documents",
            "Documents whose outbox flush failed in this process, waiting for the next retry",
        )  # fmt: skip
        self.http_requests = self._add(
            Counter, "http_requests", "HTTP requests, by method, route template and status",
            "method", "route", "status",
        )  # fmt: skip
        self.http_seconds = self._add(
            Histogram, "http_request_seconds", "HTTP request latency, by method and route template",
            "method", "route",
        )  # fmt: skip

    def _add(self, kind: type[MetricT], name: str, documentation: str, *labels: str) -> MetricT:
        return kind(name, documentation, labels, namespace=NAMESPACE, registry=self.registry)

    def exposition(self) -> bytes:
        """Everything in the Prometheus text format."""
        return generate_latest(self.registry)

    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_seconds.labels(method, route).observe(seconds)

    @staticmethod
    def of(broker: KafkaBroker) -> ServiceMetrics | None:
        """The metrics of the service whose broker this is (None for a bare broker)."""
        metrics = broker.context.get(CONTEXT_NAME)
        return metrics if isinstance(metrics, ServiceMetrics) else None
