"""A repeat demo starts afresh: the previous demo's databases and topics go first."""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient

from deploy.local.week.deployment import Deployment
from shared.messaging.admin import delete_topics
from shared.store.mongo import drop_databases

TOPICS_GONE_S = 60.0


async def remove_demo_data(deployment: Deployment) -> str:
    """Drop the ``<prefix>_*`` databases and delete the ``<prefix>.*`` topics, waiting until the
    broker has really removed them (a topic re-created meanwhile would fail). Says what went."""
    databases = await drop_databases(deployment.mongo_url, f"{deployment.database_prefix}_")
    topics = await delete_topics(deployment.kafka_bootstrap_servers, deployment.topic_prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=deployment.kafka_bootstrap_servers)
    await admin.start()
    try:
        deadline = time.monotonic() + TOPICS_GONE_S
        while any(t.startswith(deployment.topic_prefix) for t in await admin.list_topics()):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the broker still lists {deployment.topic_prefix}* topics after {TOPICS_GONE_S:.0f} s"
                )
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    prefixes = f"{deployment.database_prefix}_*, {deployment.topic_prefix}*"
    return f"{len(databases)} databases and {len(topics)} topics ({prefixes})"
