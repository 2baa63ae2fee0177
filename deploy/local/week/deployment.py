"""Where the running services and their infrastructure are, for the demo driver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pymongo import AsyncMongoClient

from shared.config import ServiceSettings


@dataclass(frozen=True)
class Deployment:
    urls: dict[str, str]
    kafka_bootstrap_servers: str
    mongo_url: str
    topic_prefix: str
    database_prefix: str
    """Each service's store is ``<database_prefix>_<service>``."""
    auth_secret: str

    def settings(self, service: str) -> ServiceSettings:
        """Settings as the service's own process has them: for its management commands."""
        return ServiceSettings(
            service_name=service,
            kafka_bootstrap_servers=self.kafka_bootstrap_servers,
            topic_prefix=self.topic_prefix,
            mongo_url=self.mongo_url,
            mongo_database=f"{self.database_prefix}_{service}",
            http_port=urlsplit(self.urls[service]).port or 80,
            auth_secret=self.auth_secret,
        )

    async def count(self, service: str, collection: str, query: dict[str, Any] | None = None) -> int:
        """Documents in a service's store, for the summary (the APIs show each person only their own)."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongo_url)
        try:
            database = client[f"{self.database_prefix}_{service}"]
            return await database[collection].count_documents(query or {})
        finally:
            await client.close()
