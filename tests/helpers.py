"""Waiting on conditions with deadlines (never fixed sleeps), and test service wiring."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from faststream.kafka import KafkaRouter

from shared.config import ServiceSettings
from shared.messaging.delivery import RetryPolicy
from shared.service import Service
from tests.conftest import Namespace

T = TypeVar("T")
POLL_S = 0.05


async def wait_for(
    probe: Callable[[], Awaitable[T]], *, until: Callable[[T], bool], timeout: float = 30.0, what: str
) -> T:
    """Poll ``probe`` until ``until(value)`` holds; fail with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last value: {value!r}")
        await asyncio.sleep(POLL_S)


def settings_for(namespace: Namespace, name: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        kafka_bootstrap_servers=namespace.infra.kafka_bootstrap_servers,
        topic_prefix=namespace.topic_prefix,
        mongo_url=namespace.infra.mongo_url,
        mongo_database=f"{namespace.database}_{name}",
        http_port=8000,
    )


FAST_RETRY = RetryPolicy(attempts=3, first_backoff_s=0.01, multiplier=2.0, outage_pause_s=0.05)


@asynccontextmanager
async def running(
    settings: ServiceSettings, *routers: KafkaRouter, retry: RetryPolicy = FAST_RETRY
) -> AsyncIterator[Service]:
    """A service built by the real bootstrap, consuming from the real broker, in this process."""
    service = Service(settings, routers=list(routers), retry=retry)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
