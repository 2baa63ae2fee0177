"""The event catalogue: every payload the services exchange.

Each class names its event type, its topic family and the field whose value is the
message key (the aggregate's id). Vacancy and seeker events carry the aggregate's
full state, so a consumer's read model is one upsert per event.

Protected attributes (gender, age, marital status, ethnicity, religion, household
registration) appear in no payload: what is not on the bus cannot feed the matcher.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator

from shared.events.envelope import Event
from shared.events.topics import Topic
from shared.input import Integer

ShortText = Field(min_length=1, max_length=200)


class TalentCategory(StrEnum):
    """The six national talent categories (国家中长期人才发展规划纲要)."""

    PARTY_GOVERNMENT = "party_government"
    ENTERPRISE_MANAGEMENT = "enterprise_management"
    PROFESSIONAL_TECHNICAL = "professional_technical"
    HIGH_SKILL = "high_skill"
    SOCIAL_WORK = "social_work"
    RURAL_PRACTICAL = "rural_practical"


class EducationLevel(StrEnum):
    NONE = "none"
    SECONDARY = "secondary"
    VOCATIONAL = "vocational"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SalaryRange(Frozen):
    """Monthly salary in CNY."""

    min: Integer = Field(ge=0, le=10_000_000)
    max: Integer = Field(ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"salary min {self.min} is greater than max {self.max}")
        return self


class Education(Frozen):
    level: EducationLevel
    school: str = ShortText
    major: str = Field(default="", max_length=200)
    graduation_year: Integer = Field(ge=1950, le=2100)


class ContactDetails(Frozen):
    """A seeker's contact details: on the bus only where the seeker has applied or accepted."""

    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{6,20}$")


class Consent(Frozen):
    allow_matching: bool = True
    allow_contact: bool = True
    personalised_recommendations: bool = True


# --- employer service -------------------------------------------------------------


class EmployerEvent(Event):
    topic: ClassVar[Topic] = Topic.EMPLOYER
    key_field: ClassVar[str] = "employer_id"

    employer_id: UUID


class EmployerRegistered(EmployerEvent):
    event_type: ClassVar[str] = "employer.registered"

    name: str = ShortText
    credit_code: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    industry: str = ShortText
    city: str = ShortText


class EmployerApproved(EmployerEvent):
    event_type: ClassVar[str] = "employer.approved"

    approved_by: UUID


class EmployerRejected(EmployerEvent):
    event_type: ClassVar[str] = "employer.rejected"

    rejected_by: UUID
    reason: str = Field(min_length=1, max_length=500)


class VacancyState(Event):
    """The full state of a vacancy; shared by its posted and updated events."""

    key_field: ClassVar[str] = "vacancy_id"
    topic: ClassVar[Topic] = Topic.VACANCY

    vacancy_id: UUID
    employer_id: UUID
    version: int = Field(ge=1)
    title: str = ShortText
    description: str = Field(min_length=1, max_length=20_000)
    skills: list[str] = Field(default_factory=list, max_length=100)
    education_level: EducationLevel = EducationLevel.NONE
    min_experience_years: int = Field(default=0, ge=0, le=60)
    salary: SalaryRange
    city: str = ShortText
    remote: bool = False
    headcount: int = Field(default=1, ge=1, le=10_000)
    talent_category: TalentCategory
    graduate_friendly: bool = False
    deadline: date | None = None


class VacancyPosted(VacancyState):
    event_type: ClassVar[str] = "vacancy.posted"


class VacancyUpdated(VacancyState):
    event_type: ClassVar[str] = "vacancy.updated"


class VacancyReopened(VacancyState):
    event_type: ClassVar[str] = "vacancy.reopened"


class VacancyClosed(Event):
    event_type: ClassVar[str] = "vacancy.closed"
    topic: ClassVar[Topic] = Topic.VACANCY
    key_field: ClassVar[str] = "vacancy_id"

    vacancy_id: UUID
    employer_id: UUID
    version: int = Field(ge=1)
    reason: str = Field(default="", max_length=500)


class InvitationEvent(Event):
    topic: ClassVar[Topic] = Topic.INVITATION
    key_field: ClassVar[str] = "invitation_id"

    invitation_id: UUID
    employer_id: UUID
    vacancy_id: UUID
    seeker_id: UUID


class InvitationSent(InvitationEvent):
    event_type: ClassVar[str] = "invitation.sent"

    message: str = Field(default="", max_length=2_000)
    interview_at: AwareDatetime | None = None


class InvitationAnswered(InvitationEvent):
    event_type: ClassVar[str] = "invitation.answered"

    accepted: bool
    contact: ContactDetails | None = Field(default=None, description="present only when accepted")


# --- seeker service ---------------------------------------------------------------


class SeekerState(Event):
    """The full matchable state of a seeker's profile; shared by registered and updated."""

    key_field: ClassVar[str] = "seeker_id"
    topic: ClassVar[Topic] = Topic.SEEKER

    seeker_id: UUID
    version: int = Field(ge=1)
    display_name: str = ShortText
    education: list[Education] = Field(default_factory=list, max_length=20)
    experience_years: int = Field(default=0, ge=0, le=60)
    skills: list[str] = Field(default_factory=list, max_length=200)
    desired_roles: list[str] = Field(default_factory=list, max_length=20)
    desired_cities: list[str] = Field(default_factory=list, max_length=20)
    salary_expectation: SalaryRange | None = None
    talent_category: TalentCategory | None = None
    languages: list[str] = Field(default_factory=list, max_length=20)
    summary: str = Field(default="", max_length=5_000)
    consent: Consent = Consent()
    notification_language: str = Field(default="zh-CN", pattern=r"^(zh-CN|en)$")


class SeekerRegistered(SeekerState):
    event_type: ClassVar[str] = "seeker.registered"


class SeekerUpdated(SeekerState):
    event_type: ClassVar[str] = "seeker.updated"


class SeekerConsentChanged(SeekerState):
    """Only the consent changed; the full state rides along so consumers keep one upsert."""

    event_type: ClassVar[str] = "seeker.consent_changed"


class SeekerDeleted(Event):
    """Erasure: every service drops this person's data. Carries no personal data."""

    event_type: ClassVar[str] = "seeker.deleted"
    topic: ClassVar[Topic] = Topic.SEEKER
    key_field: ClassVar[str] = "seeker_id"

    seeker_id: UUID


class CredentialStatus(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"


class CredentialKind(StrEnum):
    DIPLOMA = "diploma"
    DEGREE = "degree"
    VOCATIONAL_CERTIFICATE = "vocational_certificate"


class CredentialEvent(Event):
    topic: ClassVar[Topic] = Topic.CREDENTIAL
    key_field: ClassVar[str] = "seeker_id"

    credential_id: UUID
    seeker_id: UUID
    kind: CredentialKind = CredentialKind.DIPLOMA


class CredentialDeclared(CredentialEvent):
    """A seeker declared a credential; staff have yet to check it."""

    event_type: ClassVar[str] = "credential.declared"

    level: EducationLevel


class CredentialReviewed(CredentialEvent):
    event_type: ClassVar[str] = "credential.reviewed"

    level: EducationLevel
    status: CredentialStatus
    reviewed_by: UUID


class ApplicationSubmitted(Event):
    event_type: ClassVar[str] = "application.submitted"
    topic: ClassVar[Topic] = Topic.APPLICATION
    key_field: ClassVar[str] = "vacancy_id"

    application_id: UUID
    seeker_id: UUID
    vacancy_id: UUID
    employer_id: UUID
    contact: ContactDetails = Field(description="shared with the employer because the seeker applied")
    cover_letter: str = Field(default="", max_length=5_000)


# --- matching service -------------------------------------------------------------


class ReasonSkill(Frozen):
    """A skill a reason is about: its canonical id (None for a skill the vocabulary does not
    know) and how a Chinese and an English reader call it."""

    id: str | None = Field(default=None, max_length=100)
    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)


class MatchReason(Frozen):
    """One factor that really counted toward a pair's score, with its contribution: a code and
    structured values (numbers, codes, a skill) that a reader's language renders."""

    code: str = Field(min_length=1, max_length=50)
    contribution: float
    detail: str = Field(default="", max_length=500)
    """Free text of reasons published before ``values``; no longer filled."""
    skill: ReasonSkill | None = None
    values: dict[str, bool | int | float | str] = Field(default_factory=dict, max_length=10)


class MatchFound(Event):
    event_type: ClassVar[str] = "match.found"
    topic: ClassVar[Topic] = Topic.MATCH
    key_field: ClassVar[str] = "seeker_id"

    seeker_id: UUID
    vacancy_id: UUID
    employer_id: UUID
    score: float = Field(ge=0, le=1)
    rank: int = Field(ge=1)
    model_version: str = Field(min_length=1, max_length=100)
    reasons: list[MatchReason] = Field(default_factory=list, max_length=50)
    baseline: float | None = None
    """The score's logit before any reason: baseline + Σ reasons' contributions = logit(score)."""
    notify: bool = Field(
        default=True,
        description="whether the seeker may be pushed this match (within the day's cap); all are listed",
    )


# --- notification service ---------------------------------------------------------


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class RecipientKind(StrEnum):
    SEEKER = "seeker"
    EMPLOYER = "employer"


class NotificationEvent(Event):
    topic: ClassVar[Topic] = Topic.NOTIFICATION
    key_field: ClassVar[str] = "recipient_id"

    notification_id: UUID
    recipient_id: UUID
    recipient_kind: RecipientKind
    channel: Channel
    subject_key: str = Field(min_length=1, max_length=300)


class NotificationSent(NotificationEvent):
    event_type: ClassVar[str] = "notification.sent"


class NotificationFailed(NotificationEvent):
    event_type: ClassVar[str] = "notification.failed"

    attempts: int = Field(ge=1)
    error: str = Field(max_length=2_000)


# --- fair service -----------------------------------------------------------------


class FairTheme(StrEnum):
    GENERAL = "general"
    GRADUATES = "graduates"
    HIGH_SKILL = "high_skill"


class FairEvent(Event):
    """Every fair event is keyed by its fair, so one fair's events stay in order."""

    topic: ClassVar[Topic] = Topic.FAIR
    key_field: ClassVar[str] = "fair_id"

    fair_id: UUID


class FairScheduled(FairEvent):
    event_type: ClassVar[str] = "fair.scheduled"

    series_id: UUID
    title: str = ShortText
    theme: FairTheme
    venue: str = ShortText
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    registration_cutoff: AwareDatetime
    booth_count: int = Field(ge=0, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.registration_cutoff <= self.starts_at < self.ends_at:
            raise ValueError("a fair needs registration_cutoff <= starts_at < ends_at")
        return self


class ParticipantKind(StrEnum):
    EMPLOYER = "employer"
    SEEKER = "seeker"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class FairRegistration(FairEvent):
    """A registration was created or changed status."""

    event_type: ClassVar[str] = "fair.registration"

    registration_id: UUID
    participant_kind: ParticipantKind
    participant_id: UUID
    status: RegistrationStatus
    vacancy_ids: list[UUID] = Field(default_factory=list, max_length=500)
    walk_in: bool = False


class BoothAssignment(Frozen):
    employer_id: UUID
    booth: str = Field(min_length=1, max_length=20)
    zone: str = Field(default="", max_length=100)


class Interview(Frozen):
    seeker_id: UUID
    employer_id: UUID
    vacancy_id: UUID
    booth: str = Field(min_length=1, max_length=20)
    starts_at: AwareDatetime
    score: float = Field(ge=0, le=1)


class FairSchedulePublished(FairEvent):
    """One part of a published schedule; large fairs span several parts (same version)."""

    event_type: ClassVar[str] = "fair.schedule_published"

    schedule_version: int = Field(ge=1)
    part: int = Field(ge=1)
    parts: int = Field(ge=1)
    booths: list[BoothAssignment] = Field(default_factory=list, max_length=2_000)
    interviews: list[Interview] = Field(default_factory=list, max_length=5_000)

    @model_validator(mode="after")
    def _part_in_range(self) -> Self:
        if self.part > self.parts:
            raise ValueError(f"part {self.part} of {self.parts}")
        return self


class FairCheckedIn(FairEvent):
    event_type: ClassVar[str] = "fair.checked_in"

    registration_id: UUID
    participant_kind: ParticipantKind
    participant_id: UUID
    checked_in_at: AwareDatetime


class Outcome(StrEnum):
    HIRING_INTENTION = "hiring_intention"
    HIRED = "hired"
    NOT_SUITABLE = "not_suitable"


class FairOutcomeRecorded(FairEvent):
    event_type: ClassVar[str] = "fair.outcome_recorded"

    outcome_id: UUID
    seeker_id: UUID
    employer_id: UUID
    vacancy_id: UUID | None = None
    outcome: Outcome
    recorded_by: UUID


class FairCancelled(FairEvent):
    event_type: ClassVar[str] = "fair.cancelled"

    reason: str = Field(min_length=1, max_length=500)


class FairMoved(FairEvent):
    """The fair takes place at another time; registrations stay."""

    event_type: ClassVar[str] = "fair.moved"

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    registration_cutoff: AwareDatetime


class FairScheduleChanged(FairEvent):
    """Interviews of a published schedule were cancelled or added (a no-show employer, say)."""

    event_type: ClassVar[str] = "fair.schedule_changed"

    schedule_version: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=500)
    cancelled: list[Interview] = Field(default_factory=list, max_length=5_000)
    added: list[Interview] = Field(default_factory=list, max_length=5_000)
