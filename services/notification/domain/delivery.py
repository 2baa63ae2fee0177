"""One channel's delivery of one notification: attempts, exponential backoff, the dead state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, Field

Status = Literal["pending", "sent", "dead"]
MAX_HISTORY = 50


@dataclass(frozen=True)
class Backoff:
    """Attempt n failing waits ``first_s * multiplier**(n-1)``; after ``attempts`` the delivery is dead."""

    attempts: int = 5
    first_s: float = 30.0
    multiplier: float = 4.0

    def pause(self, attempt: int) -> timedelta:
        return timedelta(seconds=self.first_s * self.multiplier ** (attempt - 1))


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

    def failed(self, now: datetime, error: str, backoff: Backoff) -> Self:
        attempt = Attempt(at=now, ok=False, error=error[:2_000])
        if self.attempts + 1 >= backoff.attempts:
            return self._after(attempt, status="dead", due_at=self.due_at)
        return self._after(attempt, status="pending", due_at=now + backoff.pause(self.attempts + 1))

    def retried(self, now: datetime) -> Self:
        """Staff send a dead delivery again: a fresh round of attempts, the history kept."""
        return self.model_copy(update={"status": "pending", "due_at": now, "attempts": 0})

    def _after(self, attempt: Attempt, *, status: Status, due_at: datetime) -> Self:
        history = [*self.history, attempt][-MAX_HISTORY:]
        return self.model_copy(
            update={"status": status, "due_at": due_at, "attempts": self.attempts + 1, "history": history}
        )
