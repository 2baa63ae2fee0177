"""Fair series, fairs and registrations: the rules, without I/O."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.fair.domain.booths import Zone
from services.fair.domain.scheduling import MAX_PER_SEEKER, Rules, WorstOff
from shared.errors import Conflict, InvalidField
from shared.events import catalogue as c
from shared.input import Input, Integer, Moment, TimeOfDay

Name = Annotated[str, Field(min_length=1, max_length=200)]
BoothLabel = Annotated[str, Field(min_length=1, max_length=20)]
ISO_WEEKDAYS = "1 = Monday … 7 = Sunday"


def stored_time(moment: datetime) -> str:
    """A time as the store keeps it: ISO text in UTC, as pydantic writes it, so times compare as text."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class WeeklyRule(Input):
    """Every week on ``weekday`` from ``starts`` to ``ends`` local time; registration closes at
    the last ``cutoff_weekday`` ``cutoff_time`` before the fair begins."""

    weekday: Integer = Field(ge=1, le=7, description=ISO_WEEKDAYS, examples=[6])
    starts: TimeOfDay = Field(examples=["09:00"])
    ends: TimeOfDay = Field(examples=["12:00"])
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    cutoff_weekday: Integer = Field(ge=1, le=7, description=ISO_WEEKDAYS, examples=[4])
    cutoff_time: TimeOfDay = Field(examples=["18:00"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai"
            ) from error
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends <= self.starts:
            raise ValueError("a fair must end after it starts on the same day")
        return self

    def occurrence(self, day: date) -> tuple[datetime, datetime, datetime]:
        """Start, end and registration cutoff of the fair on ``day`` (a ``weekday``)."""
        zone = ZoneInfo(self.timezone)
        starts = datetime.combine(day, self.starts, zone)
        back = (day.isoweekday() - self.cutoff_weekday) % 7
        cutoff = datetime.combine(day - timedelta(days=back), self.cutoff_time, zone)
        if cutoff >= starts:
            cutoff -= timedelta(days=7)
        return starts, datetime.combine(day, self.ends, zone), cutoff

    def upcoming(self, now: datetime, weeks: int) -> list[date]:
        """The fair days whose fair has not started, within ``weeks`` weeks of ``now``."""
        today = now.astimezone(ZoneInfo(self.timezone)).date()
        first = today + timedelta(days=(self.weekday - today.isoweekday()) % 7)
        days = [first + timedelta(weeks=week) for week in range(weeks + 1)]
        return [day for day in days if self.occurrence(day)[0] > now][:weeks]


class ZoneDraft(Input):
    name: Name = Field(examples=["A区 信息技术"])
    industries: list[Name] = Field(default_factory=list, max_length=50, examples=[["信息技术"]])
    booths: list[BoothLabel] = Field(min_length=1, max_length=2_000, examples=[["A01", "A02"]])


class Venue(Input):
    name: Name = Field(examples=["郑州人才市场 一楼大厅"])
    zones: list[ZoneDraft] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _unique_booths(self) -> Self:
        booths = [booth for zone in self.zones for booth in zone.booths]
        if len(booths) != len(set(booths)):
            raise ValueError("a booth label appears twice in the venue")
        if len(booths) > 10_000:
            raise ValueError("a venue holds at most 10,000 booths")
        return self

    @property
    def booth_count(self) -> int:
        return sum(len(zone.booths) for zone in self.zones)

    def layout(self) -> list[Zone]:
        return [Zone(zone.name, tuple(zone.booths), tuple(zone.industries)) for zone in self.zones]


class Eligibility(Input):
    graduated_within_years: Integer | None = Field(
        default=None, ge=0, le=50, description="only seekers who graduated this many years ago or less"
    )


class Interviews(Input):
    slot_minutes: Integer = Field(default=15, ge=5, le=240)
    per_seeker: Integer = Field(default=3, ge=1, le=12, description="k: interviews per seeker")
    per_booth_slot: Integer = Field(default=1, ge=1, le=50, description="c: interviews per booth per slot")
    gap_slots: Integer = Field(default=1, ge=0, le=12, description="free slots between a seeker's interviews")
    worst_off: WorstOff = Field(
        default=WorstOff.INTERVIEWS,
        description="the scheduler's first aim, the worst-off seeker by: 'interviews' (fewest of those "
        "they could have) or 'wish' (worst-ranked wish given)",
    )
    wish_weight: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="a first wish's value beside match scores in [0, 1]; rank r: 1/r of it",
    )


class SeriesDraft(Input):
    title: Name = Field(examples=["周六综合招聘会"])
    theme: c.FairTheme = c.FairTheme.GENERAL
    rule: WeeklyRule
    venue: Venue
    eligibility: Eligibility = Eligibility()
    interviews: Interviews = Interviews()
    weeks_ahead: Integer = Field(default=4, ge=1, le=12, description="how many upcoming fairs exist at once")


class Series(SeriesDraft):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    created_by: UUID
    created_at: AwareDatetime

    def fair_on(self, day: date) -> Fair:
        """This series' fair on ``day``; its id is derived from the series and the day, so
        creating it twice (two replicas) names the same fair."""
        starts, ends, cutoff = self.rule.occurrence(day)
        return Fair(
            id=uuid5(NAMESPACE_URL, f"talentfair:fair:{self.id}:{day.isoformat()}"),
            series_id=self.id,
            title=f"{self.title} {day.isoformat()}",
            theme=self.theme,
            venue=self.venue,
            eligibility=self.eligibility,
            interviews=self.interviews,
            starts_at=starts,
            ends_at=ends,
            registration_cutoff=cutoff,
            booth_capacity=self.venue.booth_count,
        )


class FairStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # registration closed; not scheduled yet
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Fair(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    series_id: UUID
    title: str
    theme: c.FairTheme
    venue: Venue
    eligibility: Eligibility
    interviews: Interviews
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    registration_cutoff: AwareDatetime
    booth_capacity: int = Field(ge=0)
    status: FairStatus = FairStatus.OPEN
    schedule_version: int = 0

    @field_validator("starts_at", "ends_at", "registration_cutoff")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Stored as ISO text in UTC, so the store compares times as text correctly."""
        return value.astimezone(UTC)

    def scheduled_event(self) -> c.FairScheduled:
        return c.FairScheduled(
            fair_id=self.id,
            series_id=self.series_id,
            title=self.title,
            theme=self.theme,
            venue=self.venue.name,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            registration_cutoff=self.registration_cutoff,
            booth_count=self.booth_capacity,
        )

    def rules(self) -> Rules:
        minutes = (self.ends_at - self.starts_at).total_seconds() / 60
        return Rules(
            slots=int(minutes // self.interviews.slot_minutes),
            per_seeker=self.interviews.per_seeker,
            per_booth_slot=self.interviews.per_booth_slot,
            gap_slots=self.interviews.gap_slots,
            worst_off=self.interviews.worst_off,
            wish_weight=self.interviews.wish_weight,
        )

    def slot_start(self, slot: int) -> datetime:
        return self.starts_at + timedelta(minutes=slot * self.interviews.slot_minutes)

    def slots_within(self, windows: list[Window]) -> list[bool]:
        """Per slot, whether it fits whole inside one of ``windows``."""
        length = timedelta(minutes=self.interviews.slot_minutes)
        return [
            any(
                w.starts <= self.slot_start(slot) and self.slot_start(slot) + length <= w.ends
                for w in windows
            )
            for slot in range(self.rules().slots)
        ]

    def ensure_active(self) -> None:
        if self.status == FairStatus.CANCELLED:
            raise Conflict("this fair was cancelled")

    def ensure_registration_open(self, now: datetime) -> None:
        self.ensure_active()
        if self.status != FairStatus.OPEN or now >= self.registration_cutoff:
            raise Conflict(f"registration for this fair closed at {self.registration_cutoff.isoformat()}")


class Move(Input):
    starts_at: Moment
    ends_at: Moment
    registration_cutoff: Moment

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.registration_cutoff <= self.starts_at < self.ends_at:
            raise ValueError("a fair needs registration_cutoff <= starts_at < ends_at")
        return self


# --- registrations ----------------------------------------------------------------


class Window(Input):
    """A stretch of the fair day, in any offset; a slot counts as inside when it fits whole."""

    starts: Moment
    ends: Moment

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.starts < self.ends:
            raise ValueError("a window needs starts < ends")
        return self


class EmployerPlan(Input):
    """What the booth can do (all optional: defaults are the series' interview rules)."""

    interviewers: Integer | None = Field(default=None, ge=1, le=50, description="interviews held at once")
    hours: Window | None = Field(default=None, description="when the booth is staffed; default all day")
    breaks: list[Window] = Field(default_factory=list, max_length=10)
    minimum_interviews: Integer | None = Field(default=None, ge=0, le=2_000)
    maximum_interviews: Integer | None = Field(default=None, ge=0, le=2_000)

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        low, high = self.minimum_interviews, self.maximum_interviews
        if low is not None and high is not None and low > high:
            raise ValueError("minimum_interviews cannot exceed maximum_interviews")
        return self


class SeekerPlan(Input):
    """When the seeker can come and what they want (all optional)."""

    availability: list[Window] = Field(
        default_factory=list, max_length=10, description="when you can attend; empty: all day"
    )
    interviews_wanted: Integer | None = Field(default=None, ge=1, le=MAX_PER_SEEKER)
    wishes: list[UUID] = Field(
        default_factory=list, max_length=20, description="employers you most want to meet, first wish first"
    )

    @field_validator("wishes")
    @classmethod
    def _distinct(cls, wishes: list[UUID]) -> list[UUID]:
        if len(set(wishes)) != len(wishes):
            raise ValueError("each employer may be wished once")
        return wishes


class Registration(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    fair_id: UUID
    participant_kind: c.ParticipantKind
    participant_id: UUID
    status: c.RegistrationStatus
    vacancy_ids: list[UUID] = Field(default_factory=list)
    walk_in: bool = False
    code: str = Field(description="the check-in code, printed as a QR image")
    registered_at: AwareDatetime
    queued_at: AwareDatetime | None = Field(default=None, description="when it joined the waitlist")
    queue_position: int | None = Field(default=None, description="its turn on the waitlist, first is 1")
    checked_in_at: AwareDatetime | None = None
    employer_plan: EmployerPlan | None = None
    seeker_plan: SeekerPlan | None = None

    @classmethod
    def new(
        cls,
        fair_id: UUID,
        kind: c.ParticipantKind,
        participant_id: UUID,
        now: datetime,
        *,
        vacancy_ids: list[UUID] | None = None,
        walk_in: bool = False,
        employer_plan: EmployerPlan | None = None,
        seeker_plan: SeekerPlan | None = None,
    ) -> Self:
        return cls(
            id=uuid4(),
            fair_id=fair_id,
            participant_kind=kind,
            participant_id=participant_id,
            status=c.RegistrationStatus.REGISTERED,
            vacancy_ids=vacancy_ids or [],
            walk_in=walk_in,
            code=secrets.token_urlsafe(12),
            registered_at=now,
            employer_plan=employer_plan,
            seeker_plan=seeker_plan,
        )

    def event(self) -> c.FairRegistration:
        return c.FairRegistration(
            fair_id=self.fair_id,
            registration_id=self.id,
            participant_kind=self.participant_kind,
            participant_id=self.participant_id,
            status=self.status,
            vacancy_ids=self.vacancy_ids,
            walk_in=self.walk_in,
        )

    def checked_in_event(self, at: datetime) -> c.FairCheckedIn:
        return c.FairCheckedIn(
            fair_id=self.fair_id,
            registration_id=self.id,
            participant_kind=self.participant_kind,
            participant_id=self.participant_id,
            checked_in_at=at,
        )


def refusal(eligibility: Eligibility, graduation_years: list[int], today: date) -> str | None:
    """Why a seeker may not pre-register, or None when they may."""
    within = eligibility.graduated_within_years
    if within is None:
        return None
    if not graduation_years:
        return f"this fair is for graduates of the last {within} years; your profile lists no graduation"
    latest = max(graduation_years)
    if latest < today.year - within:
        return (
            f"this fair is for graduates of {today.year - within} or later; "
            f"your most recent graduation is {latest}"
        )
    if latest > today.year + 1:
        return f"this fair is for recent graduates; your graduation year {latest} is still ahead"
    return None


def check_vacancies(requested: list[UUID], open_vacancies: set[UUID]) -> None:
    """The vacancies an employer brings must be its own and open."""
    missing = [str(vacancy) for vacancy in requested if vacancy not in open_vacancies]
    if missing:
        raise InvalidField(
            ["body", "vacancy_ids"],
            f"not open vacancies of your organisation: {', '.join(missing)} "
            "(a vacancy posted moments ago reaches the fair service within seconds; try again then)",
        )
