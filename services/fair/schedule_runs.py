"""Staff scheduling runs: answered at once (202), solved in a worker process, published
through the usual events and read model.

A run is marked on the fair (``schedule_run``) by a conditional update, so a second request
on any replica is refused (409) while one runs; a mark past its expiry (a replica that
died mid-run) no longer blocks. Cancelling clears the mark and, on the replica running it,
terminates the worker; a run whose mark is gone publishes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from services.fair.adapters.repository import FairStore
from services.fair.domain.model import Fair, stored_time
from services.fair.planner import Clock
from services.fair.schedules import Prepared, prepare, publish
from services.fair.worker import Cancelled, WorkerSolve
from shared.errors import Conflict, DomainError, NotFound

log = logging.getLogger(__name__)
Document = dict[str, Any]
# A run's mark outlives the solver budget by this much before another run may take over.
GRACE = timedelta(minutes=10)


@dataclass
class _Run:
    id: str
    worker: WorkerSolve
    task: asyncio.Task[None] | None = None


class ScheduleRuns:
    def __init__(self, store: FairStore, clock: Clock, seconds: float) -> None:
        self._store, self._clock, self._seconds = store, clock, seconds
        self._runs: dict[UUID, _Run] = {}

    async def start(self, fair: Fair) -> Document:
        """Check the input (a 409 says what is missing), mark the run and start solving."""
        prepared = await prepare(self._store, fair)
        now = self._clock()
        mark = {
            "id": str(uuid4()),
            "started_at": stored_time(now),
            "expires_at": stored_time(now + timedelta(seconds=self._seconds) + GRACE),
        }
        if not await self._store.claim_run(fair.id, mark, stored_time(now)):
            running = await self._store.run_of(fair.id)
            since = running["started_at"] if running else "a moment ago"
            raise Conflict(
                f"a schedule run for this fair has been running since {since}: wait for it, "
                f"or cancel it with DELETE /staff/fairs/{fair.id}/schedule/run"
            )
        run = _Run(mark["id"], WorkerSolve(prepared.problem, self._seconds))
        run.task = asyncio.create_task(self._finish(fair.id, run, prepared))
        self._runs[fair.id] = run
        return {"run_id": mark["id"], "status": "running", "started_at": mark["started_at"]}

    async def cancel(self, fair_id: UUID) -> Document:
        running = await self._store.run_of(fair_id)
        if running is None:
            raise NotFound("no schedule run of this fair is running")
        await self._store.end_run(fair_id, running["id"])
        run = self._runs.get(fair_id)
        if run is not None and run.id == running["id"]:
            run.worker.cancel()
        return {"run_id": running["id"], "status": "cancelled"}

    async def run(self) -> None:
        """Held while the service runs; at stop, this replica's workers are ended and their
        runs wound up while the store is still open."""
        try:
            await asyncio.Event().wait()
        finally:
            runs = list(self._runs.values())
            for run in runs:
                run.worker.cancel()
            await asyncio.gather(*(run.task for run in runs if run.task), return_exceptions=True)

    async def _finish(self, fair_id: UUID, run: _Run, prepared: Prepared) -> None:
        try:
            solution = await run.worker.result()
            async with self._store.lock("schedule", fair_id):
                if await self._store.run_is(fair_id, run.id):
                    summary = await publish(self._store, await self._store.fair(fair_id), prepared, solution)
                    log.info("scheduled fair %s on request: %s", fair_id, summary)
        except Cancelled:
            log.info("the schedule run of fair %s was cancelled", fair_id)
        except DomainError as error:
            await self._store.note_scheduling_error(fair_id, error.message)
        except Exception:
            log.exception("the schedule run of fair %s failed", fair_id)
            await self._store.note_scheduling_error(fair_id, "the scheduling run failed; see the service log")
        finally:
            await self._store.end_run(fair_id, run.id)
            if self._runs.get(fair_id) is run:
                del self._runs[fair_id]
