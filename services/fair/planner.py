"""The service's own schedule: the upcoming fairs of every series, and scheduling at the cutoff.

Every replica runs the planner. A fair's id is derived from its series and day, so two
replicas creating it insert the same id and the store's unique key lets one win; the
scheduling run at the cutoff is claimed by a conditional update, so one replica runs it. It
runs as a staff run does (``ScheduleRuns``): marked on the fair, solved in a worker process,
cancellable with ``DELETE /staff/fairs/{id}/schedule/run``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.fair.adapters.repository import FairStore
from shared.errors import DomainError

if TYPE_CHECKING:  # the runs take their clock's type from here
    from services.fair.schedule_runs import ScheduleRuns

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)


def system_clock() -> datetime:
    return datetime.now(UTC)


class Planner:
    def __init__(self, store: FairStore, clock: Clock, interval_s: float, runs: ScheduleRuns) -> None:
        self._store = store
        self._clock = clock
        self._interval = interval_s
        self._runs = runs

    async def tick(self) -> int:
        """Create missing upcoming fairs and start the runs of those past their cutoff; returns
        fairs created."""
        now = self._clock()
        created = 0
        for series in await self._store.all_series():
            for day in series.rule.upcoming(now, series.weeks_ahead):
                created += await self._store.add_fair_once(series.fair_on(day))
        for fair in await self._store.fairs_due(now):
            if not await self._store.claim_scheduling(fair, now):
                continue
            try:
                started = await self._runs.start(fair)
                log.info("scheduling fair %s at its cutoff: run %s", fair.id, started["run_id"])
            except DomainError as error:
                log.warning("fair %s could not be scheduled at its cutoff: %s", fair.id, error.message)
                await self._store.note_scheduling_error(fair.id, error.message)
        return created

    async def run(self) -> None:
        while True:
            try:
                if created := await self.tick():
                    log.info("created %d upcoming fairs", created)
            except Exception:
                log.exception("planner tick failed; retrying in %.1f s", self._interval)
            await asyncio.sleep(self._interval)
