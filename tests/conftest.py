"""Fixtures shared by the whole suite: the real local infrastructure, and isolation.

The suite starts the ``test`` infrastructure profile itself when it is not running
(a no-op when it is), and gives every test its own topic prefix and database name,
removed afterwards, so the suite can run twice in a row and beside the demo.
"""

import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from shared.messaging.admin import delete_topics
from shared.store.mongo import drop_databases

ROOT = Path(__file__).resolve().parents[1]
AUTH_SECRET = secrets.token_urlsafe(48)  # one per test run, shared by every service under test


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap_servers: str
    mongo_url: str


@dataclass(frozen=True)
class Namespace:
    """One test's private slice of the infrastructure."""

    infra: Infra
    topic_prefix: str
    database: str

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a service process started by a test."""
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap_servers,
            "MONGO_URL": self.infra.mongo_url,
            "TOPIC_PREFIX": self.topic_prefix,
            "MONGO_DATABASE": self.database,
            "AUTH_SECRET": AUTH_SECRET,
            **extra,
        }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests drive the whole platform in a real browser: integration tests, so that
    ``-m "not integration"`` selects the unit tests alone."""
    browser = ROOT / "tests" / "e2e" / "browser"
    for item in items:
        if browser in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def infra() -> Infra:
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "infra.py"), "up", "--profile", "test"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.exit(f"could not start the test infrastructure:\n{result.stdout}{result.stderr}", returncode=2)
    values = dict(
        line.split("=", 1) for line in result.stdout.splitlines() if "=" in line and "[" not in line
    )
    return Infra(values["KAFKA_BOOTSTRAP_SERVERS"], values["MONGO_URL"])


@pytest.fixture
async def namespace(infra: Infra) -> AsyncIterator[Namespace]:
    unique = f"t{uuid4().hex[:12]}"
    yield Namespace(infra, topic_prefix=f"{unique}.", database=unique)
    await drop_databases(infra.mongo_url, unique)
    await delete_topics(infra.kafka_bootstrap_servers, unique)
