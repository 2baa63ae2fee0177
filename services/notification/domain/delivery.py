"""One channel's delivery of one notification: attempts, exponential backoff, the dead state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, Field

from shared.messaging.delivery import RetryPolicy

Status = Literal["pending", "sent", "dead"]
MAX_HISTORY = 50


class Attempt(BaseModel):
    at: AwareDatetime
    ok: bool
    error: str = Field(default="", max_length=2_000)


class Delivery(BaseModel):
    status: Status = "pending"
    due_at: AwareDatetime
    attempts: int = Field(default=0, description="attempts since it was planned or retried by staff")
    history: list[Attempt] = Field(default_factory=list, description="every attempt, newest last")

    def succeeded(self, now: datetime) -> Self:
        return self._after(Attempt(at=now, ok=True), status="sent", due_at=self.due_at)

    def failed(self, now: datetime, error: str, retry: RetryPolicy, *, final: bool = False) -> Self:
        """Attempt n failing waits ``retry.backoff(n)``; after ``retry.attempts`` it is dead, and
        at once when the failure is ``final`` (trying again cannot help)."""
        attempt = Attempt(at=now, ok=False, error=error[:2_000])
        if final or self.attempts + 1 >= retry.attempts:
            return self._after(attempt, status="dead", due_at=self.due_at)
        pause = timedelta(seconds=retry.backoff(self.attempts + 1))
        return self._after(attempt, status="pending", due_at=now + pause)

    def retried(self, now: datetime) -> Self:
        """Staff send a dead delivery again: a fresh round of attempts, the history kept."""
        return self.model_copy(update={"status": "pending", "due_at": now, "attempts": 0})

    def _after(self, attempt: Attempt, *, status: Status, due_at: datetime) -> Self:
        history = [*self.history, attempt][-MAX_HISTORY:]
        return self.model_copy(
            update={"status": status, "due_at": due_at, "attempts": self.attempts + 1, "history": history}
        )
