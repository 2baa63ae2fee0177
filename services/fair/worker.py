"""The scheduler's solve in a worker process, so the event loop keeps answering meanwhile.

Each solve gets its own process (spawned: nothing of the service's loop, sockets or
threads is inherited) and answers through a pipe; cancelling terminates the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection

from services.fair.domain.scheduling import Problem
from services.fair.domain.solver import Solution, solve
from shared.errors import Conflict, DomainError


class Cancelled(Exception):
    """The solve was cancelled before it answered."""


class WorkerSolve:
    def __init__(self, problem: Problem, seconds: float, seed: int = 0) -> None:
        context = multiprocessing.get_context("spawn")
        self._answers, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_work, args=(sending, problem, seconds, seed), name="fair-schedule", daemon=True
        )
        self._sending = sending
        self._cancelled = False

    async def result(self) -> Solution:
        """Start the solve and wait (off the loop) for its answer."""
        if self._cancelled:
            raise Cancelled
        self._process.start()
        self._sending.close()  # the worker holds the only sending end: its exit ends the pipe
        try:
            kind, answer = await asyncio.to_thread(self._answers.recv)
        except EOFError as error:
            if self._cancelled:
                raise Cancelled from error
            raise RuntimeError(
                f"the scheduling worker ended with exit code {self._process.exitcode}"
            ) from error
        finally:
            await asyncio.to_thread(self._process.join)
            self._answers.close()
        if kind == "refused":
            raise Conflict(str(answer))
        if kind == "failed":
            raise RuntimeError(f"the scheduling worker failed: {answer}")
        assert isinstance(answer, Solution)
        return answer

    def cancel(self) -> None:
        self._cancelled = True
        if self._process.is_alive():
            self._process.terminate()


def _work(answers: Connection, problem: Problem, seconds: float, seed: int) -> None:
    try:
        answers.send(("solved", solve(problem, seconds=seconds, seed=seed, wall_seconds=seconds)))
    except DomainError as error:
        answers.send(("refused", error.message))
    except Exception as error:  # noqa: BLE001 - the parent reports it; the worker has no log of its own
        answers.send(("failed", repr(error)))
    finally:
        answers.close()
