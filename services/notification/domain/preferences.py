"""What each person chose: channels, thresholds, timing, language, and where to reach them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, EmailStr, Field, field_validator, model_validator

from shared.events.catalogue import Channel
from shared.input import Input, Integer, TimeOfDay

Language = Literal["zh-CN", "en"]
DEFAULT_TIME_ZONE = "Asia/Shanghai"
# The cold-start ranker's score at which a pair is about as likely a good fit as not, measured on
# generated markets (benchmarks/notify_threshold.py, docs/notification.md): pushed from here up.
DEFAULT_MIN_SCORE = 0.6


class Mode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"


class QuietHours(Input):
    """A daily window, in the person's time zone, when nothing is pushed; may span midnight."""

    start: TimeOfDay = Field(default=time(22, 0), examples=["22:00"])
    end: TimeOfDay = Field(default=time(8, 0), examples=["08:00"])

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("quiet hours need start and end to differ")
        return self

    def ends_after(self, local: datetime) -> datetime | None:
        """The end of the quiet window ``local`` falls in (same zone), or None outside it."""
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= now < self.end
            end_day = local.date()
        else:
            inside = now >= self.start or now < self.end
            end_day = local.date() + timedelta(days=1) if now >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(end_day, self.end, tzinfo=local.tzinfo)


class Preferences(Input):
    """Defaults: the in-app inbox only, matches scored 0.6 or more, instant, quiet 22:00–08:00
    Asia/Shanghai, 20 matches a day."""

    channels: list[Channel] = Field(default=[Channel.INBOX], max_length=3)
    min_score: float = Field(
        default=DEFAULT_MIN_SCORE, ge=0, le=1, description="matches scored below this are listed, not pushed"
    )
    mode: Mode = Field(default=Mode.INSTANT, description="each match at once, or one digest a day")
    digest_at: TimeOfDay = Field(default=time(18, 0), description="local time of the daily digest")
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=64, examples=["Asia/Shanghai"])
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours, description="null: never quiet")
    daily_cap: Integer = Field(default=20, ge=1, le=1_000, description="match notifications a day at most")
    language: Language | None = Field(default=None, description="null: the language of your profile")
    email: EmailStr | None = Field(default=None, description="kept here only, never put on the bus")
    webhook_url: Annotated[AnyHttpUrl, Field(max_length=2_000)] | None = None

    @field_validator("channels")
    @classmethod
    def _distinct(cls, channels: list[Channel]) -> list[Channel]:
        return list(dict.fromkeys(channels))

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai") from error
        return name

    @model_validator(mode="after")
    def _addresses_for_channels(self) -> Self:
        if Channel.EMAIL in self.channels and self.email is None:
            raise ValueError("the email channel needs an email address")
        if Channel.WEBHOOK in self.channels and self.webhook_url is None:
            raise ValueError("the webhook channel needs a webhook_url")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def push_at(self, moment: datetime) -> datetime:
        """When a push channel may deliver something decided at ``moment``: after quiet hours."""
        end = self.quiet_hours.ends_after(self.local(moment)) if self.quiet_hours else None
        return moment if end is None else end

    def digest_due(self, moment: datetime) -> tuple[date, datetime]:
        """The digest a match decided at ``moment`` joins: its local day and when it is due."""
        local = self.local(moment)
        day = (
            local.date()
            if local.time().replace(tzinfo=None) < self.digest_at
            else local.date() + timedelta(1)
        )
        return day, datetime.combine(day, self.digest_at, tzinfo=self.zone)
