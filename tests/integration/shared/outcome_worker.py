"""A service process for crash tests: tallies fair outcomes, the way fair statistics do.

Run: python -m tests.integration.shared.outcome_worker (settings from the environment).
"""

import asyncio
import signal
from typing import Annotated, Any

from faststream import Depends
from faststream.kafka import KafkaRouter
from pymongo.asynchronous.database import AsyncDatabase

from shared.config import ServiceSettings
from shared.events import Envelope, Topic
from shared.events.catalogue import FairOutcomeRecorded
from shared.messaging.delivery import accepts
from shared.service import Service, subscribe
from shared.store.inbox import apply_once


class WorkerSettings(ServiceSettings):
    service_name: str = "fair"
    mongo_database: str = "talent_fair_worker"
    http_port: int = 8105


settings = WorkerSettings()
router = KafkaRouter()
service = Service(settings, routers=[router])
Database = Annotated[AsyncDatabase[Any], Depends(service.store.database)]


@subscribe(router, settings, Topic.FAIR)(filter=accepts(FairOutcomeRecorded))
async def on_outcome(event: Envelope[FairOutcomeRecorded], db: Database) -> None:
    outcome = event.payload
    await db["deliveries"].update_one({"_id": "all"}, {"$inc": {"count": 1}}, upsert=True)
    await db["outcomes"].replace_one(
        {"_id": str(outcome.outcome_id)},
        {"fair_id": str(outcome.fair_id), "outcome": outcome.outcome},
        upsert=True,
    )
    await apply_once(
        db["fair_stats"], str(outcome.fair_id), event.event_id, {"$inc": {outcome.outcome.value: 1}}
    )


async def main() -> None:
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await service.start()
    await stopping.wait()
    await service.stop()


if __name__ == "__main__":
    asyncio.run(main())
