"""Progress bars for the long steps, and waiting on conditions with deadlines."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from tqdm import tqdm

from deploy.local.week.backlog import Backlog

T = TypeVar("T")
POLL_S = 1.0
CONCURRENCY = 8


class StepFailed(RuntimeError):
    """A step of the week did not finish; the message says which and why."""


def bar(total: int, what: str) -> tqdm[Any]:
    return tqdm(total=total, desc=f"[week] {what}", unit="", dynamic_ncols=True, leave=True)


async def each(
    items: Iterable[T],
    act: Callable[[T], Awaitable[object]],
    what: str,
    concurrency: int = CONCURRENCY,
    weight: Callable[[T], int] = lambda _: 1,
) -> None:
    """``act`` on every item, ``concurrency`` at a time, with a progress bar counting ``weight``s."""
    pending = list(items)
    gate = asyncio.Semaphore(concurrency)
    with bar(sum(map(weight, pending)), what) as progress:

        async def one(item: T) -> None:
            async with gate:
                await act(item)
            progress.update(weight(item))

        await asyncio.gather(*(one(item) for item in pending))


async def drained(
    backlog: Backlog, what: str, timeout_s: float, alive: Callable[[], None] = lambda: None
) -> None:
    """Wait until every service has consumed every event (two readings in a row), or fail."""
    deadline = time.monotonic() + timeout_s
    with bar(0, what) as progress:
        progress.unit = " events"
        zeros = 0
        while zeros < 2:
            alive()
            lag = await backlog.by_group()
            remaining = sum(lag.values())
            progress.total = max(progress.total or 0, remaining)
            progress.n = progress.total - remaining
            progress.refresh()
            zeros = zeros + 1 if remaining == 0 else 0
            if time.monotonic() > deadline:
                behind = ", ".join(f"{group} {count}" for group, count in sorted(lag.items()) if count)
                raise StepFailed(
                    f"{what}: {remaining} events still unconsumed after {timeout_s:.0f} s ({behind})"
                )
            await asyncio.sleep(POLL_S)
