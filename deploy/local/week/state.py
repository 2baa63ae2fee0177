"""What the driver knows while the week runs: who is who on the platform, and step times."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from deploy.local.week.api import Headers, Platform
from deploy.local.week.backlog import Backlog
from deploy.local.week.deployment import Deployment
from deploy.local.week.progress import StepFailed
from deploy.local.week.simulation import Cast
from deploy.local.week.sizes import Sizes
from shared.synthetic import SyntheticMarket


def _nothing() -> None:
    """No process to watch (the services run elsewhere)."""


@dataclass
class Week:
    platform: Platform
    deployment: Deployment
    backlog: Backlog
    market: SyntheticMarket
    sizes: Sizes
    cast: Cast
    rng: np.random.Generator
    alive: Callable[[], None] = _nothing
    """Raises when a service process has died (``ServiceProcesses.check_alive``)."""
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    staff: Headers = field(default_factory=dict)
    employers: dict[int, Headers] = field(default_factory=dict)
    """Market employer index → headers of its HR user (with the organisation)."""
    organisations: dict[int, str] = field(default_factory=dict)
    vacancies: dict[int, str] = field(default_factory=dict)
    """Market vacancy index → vacancy id on the platform."""
    seekers: dict[int, Headers] = field(default_factory=dict)
    """Market seeker index → headers of an interactive seeker."""
    seeker_ids: dict[int, str] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one step of the week; a failure names the step."""
        print(f"[week] {name}", flush=True)
        started = time.perf_counter()
        try:
            yield
        except StepFailed:
            raise
        except Exception as error:
            raise StepFailed(f"{name}: {error}") from error
        self.timings.append((name, time.perf_counter() - started))

    def seeker_index(self) -> dict[str, int]:
        return {seeker_id: index for index, seeker_id in self.seeker_ids.items()}

    def vacancy_index(self) -> dict[str, int]:
        return {vacancy_id: index for index, vacancy_id in self.vacancies.items()}
