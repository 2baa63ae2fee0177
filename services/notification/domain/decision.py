"""Whom to tell what, on which channel, and when: pure rules over a person's preferences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from services.notification.domain.preferences import Language, Mode, Preferences
from shared.events.catalogue import Channel, RecipientKind

PUSH_CHANNELS = (Channel.EMAIL, Channel.WEBHOOK)
# Notification ids derive from recipient and subject, so one subject is one notification.
NOTIFICATION_IDS = UUID("6f1d3c52-1f8e-4c1b-9a57-2f3c8e0d7a11")


class Kind(StrEnum):
    MATCH = "match"
    INVITATION = "invitation"
    APPLICATION = "application"
    INVITATION_ANSWER = "invitation_answer"
    FAIR_SCHEDULE = "fair_schedule"
    DIGEST = "digest"


class Recipient(BaseModel):
    """A person as this service knows them: from events (who, consent, profile language) and
    from their own REST calls (preferences)."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    kind: RecipientKind
    known: bool = False
    allow_contact: bool = True
    profile_language: Language = "zh-CN"
    preferences: Preferences = Preferences()
    webhook_secret: str | None = None

    @property
    def language(self) -> Language:
        return self.preferences.language or self.profile_language


@dataclass(frozen=True)
class Intent:
    """Something one person should be told, identified by its subject (``match:<vacancy>``)."""

    recipient_id: UUID
    recipient_kind: RecipientKind
    kind: Kind
    subject_key: str
    content: dict[str, Any]
    score: float | None = None

    def notification_id(self) -> UUID:
        return uuid5(NOTIFICATION_IDS, f"{self.recipient_id}:{self.subject_key}")


class Cause(Protocol):
    """The event an intent came from, as skipped and waiting records name it."""

    @property
    def event_id(self) -> UUID: ...

    @property
    def event_type(self) -> str: ...


@dataclass(frozen=True)
class StoredCause:
    event_id: UUID
    event_type: str


@dataclass(frozen=True)
class Plan:
    """Keep it in the inbox or not, push it on these channels from these times, or hold it
    for the digest due at ``digest_due`` (of the local ``digest_day``)."""

    in_inbox: bool
    deliveries: dict[Channel, datetime] = field(default_factory=dict)
    digest_day: date | None = None
    digest_due: datetime | None = None


@dataclass(frozen=True)
class Skip:
    reason: str


def decide(recipient: Recipient | None, intent: Intent, now: datetime, matches_today: int) -> Plan | Skip:
    """``matches_today``: match notifications already kept for this person on their local day."""
    if recipient is None or not recipient.known:
        return Skip("unknown recipient")
    if recipient.kind is RecipientKind.SEEKER and not recipient.allow_contact:
        return Skip("the seeker switched contact off")
    preferences = recipient.preferences
    if not preferences.channels:
        return Skip("no channel chosen")
    if intent.kind is Kind.MATCH:
        if intent.score is not None and intent.score < preferences.min_score:
            return Skip(f"score {intent.score:.2f} below the chosen minimum {preferences.min_score:.2f}")
        if matches_today >= preferences.daily_cap:
            return Skip(f"daily cap of {preferences.daily_cap} matches reached")
        if preferences.mode is Mode.DIGEST:
            day, due = preferences.digest_due(now)
            return Plan(in_inbox=False, digest_day=day, digest_due=due)
    push_at = preferences.push_at(now)
    return Plan(
        in_inbox=Channel.INBOX in preferences.channels,
        deliveries={channel: push_at for channel in PUSH_CHANNELS if channel in preferences.channels},
    )
