"""The job seeker's side: profile, consent, credentials, applications, invitations. No I/O.

Protected attributes (gender, age, marital status, ethnicity, religion, household
registration) are not collected: the profile has no field for them and refuses
unknown fields.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from shared.errors import Conflict
from shared.events import catalogue as c
from shared.input import Flag, Input, Integer

Text100 = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 -]{6,20}$", examples=["+86 138 0000 0000"])]
Language = Literal["zh-CN", "en"]


def now() -> datetime:
    return datetime.now(UTC)


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


# --- profile -----------------------------------------------------------------------


class Contact(Input):
    email: EmailStr
    phone: Phone | None = None


class Job(Input):
    employer: Text100 = Field(examples=["河南安钢集团"])
    role: Text100 = Field(examples=["设备维修技师"])
    start_year: Integer = Field(ge=1950, le=2100)
    end_year: Integer | None = Field(default=None, ge=1950, le=2100, description="empty while still there")
    description: str = Field(default="", max_length=2_000)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self

    def years(self, this_year: int) -> int:
        return max((self.end_year or this_year) - self.start_year, 0)


class Availability(StrEnum):
    IMMEDIATELY = "immediately"
    WITHIN_A_MONTH = "within_a_month"
    WITHIN_THREE_MONTHS = "within_three_months"
    NOT_LOOKING = "not_looking"


class Profile(Input):
    display_name: Text100 = Field(examples=["王小明"])
    contact: Contact
    education: list[c.Education] = Field(default_factory=list, max_length=20)
    work_history: list[Job] = Field(default_factory=list, max_length=50)
    skills: list[Text100] = Field(default_factory=list, max_length=200)
    desired_roles: list[Text100] = Field(default_factory=list, max_length=20)
    desired_cities: list[Text100] = Field(default_factory=list, max_length=20)
    salary_expectation: c.SalaryRange | None = None
    talent_category: c.TalentCategory | None = None
    languages: list[Annotated[str, Field(min_length=2, max_length=35)]] = Field(
        default_factory=list, max_length=20
    )
    availability: Availability = Availability.IMMEDIATELY
    summary: str = Field(default="", max_length=5_000)
    notification_language: Language = "zh-CN"

    _distinct_lists = field_validator("skills", "desired_roles", "desired_cities", "languages")(_distinct)

    def experience_years(self, this_year: int) -> int:
        return min(sum(job.years(this_year) for job in self.work_history), 60)


class ProfileEdit(Profile):
    version: Integer = Field(ge=1, description="the version you edited; a newer stored one refuses the edit")


class ConsentChoice(Input):
    allow_matching: Flag = Field(description="employers may see you among ranked candidates")
    allow_contact: Flag = Field(description="you may be told of matches and invitations")
    personalised_recommendations: Flag = Field(description="matches computed from your profile")

    def consent(self) -> c.Consent:
        return c.Consent(**self.model_dump())


# --- the seeker aggregate ----------------------------------------------------------


class Seeker(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    version: int = 1
    profile: Profile
    consent: c.Consent = c.Consent()
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def register(cls, profile: Profile) -> Self:
        moment = now()
        return cls(id=uuid4(), profile=profile, created_at=moment, updated_at=moment)

    def edited(self, edit: ProfileEdit) -> Self:
        if edit.version != self.version:
            raise Conflict(
                f"you edited version {edit.version} but version {self.version} is stored: reload it"
            )
        profile = Profile.model_validate(edit.model_dump(exclude={"version"}))
        return self.model_copy(update={"profile": profile, "version": self.version + 1, "updated_at": now()})

    def with_consent(self, consent: c.Consent) -> Self:
        return self.model_copy(update={"consent": consent, "version": self.version + 1, "updated_at": now()})

    def state(self, kind: type[c.SeekerState]) -> c.SeekerState:
        """The matchable state other services see: contact details are not part of it."""
        profile = self.profile
        return kind(
            seeker_id=self.id, version=self.version, display_name=profile.display_name,
            education=profile.education, experience_years=profile.experience_years(self.updated_at.year),
            skills=profile.skills, desired_roles=profile.desired_roles, desired_cities=profile.desired_cities,
            salary_expectation=profile.salary_expectation, talent_category=profile.talent_category,
            languages=profile.languages, summary=profile.summary, consent=self.consent,
            notification_language=profile.notification_language,
        )  # fmt: skip

    def contact_details(self) -> c.ContactDetails:
        return c.ContactDetails(email=self.profile.contact.email, phone=self.profile.contact.phone)


class RegistrationRecord(Input):
    """A seeker already registered in person at the talent centre (real-name registration),
    imported by staff: the account exists unclaimed, without a password, until the seeker sets one."""

    record_id: str = Field(
        min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$",
        description="the centre's registration number; importing it again changes nothing",
    )  # fmt: skip
    profile: Profile
    consent: ConsentChoice = ConsentChoice(
        allow_matching=True, allow_contact=True, personalised_recommendations=True
    )

    def seeker(self) -> Seeker:
        """The seeker, with an id that follows from the record (so a repeated import is a duplicate)."""
        moment = now()
        return Seeker(
            id=uuid5(NAMESPACE_URL, f"talentfair:registration-record:{self.record_id}"),
            profile=self.profile, consent=self.consent.consent(), created_at=moment, updated_at=moment,
        )  # fmt: skip


# --- credentials -------------------------------------------------------------------


class CredentialReview(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class CredentialClaim(Input):
    kind: c.CredentialKind = c.CredentialKind.DIPLOMA
    level: c.EducationLevel
    school: Text100 = Field(examples=["郑州大学"])
    major: str = Field(default="", max_length=100)
    graduation_year: Integer = Field(ge=1950, le=2100)
    certificate_number: str = Field(min_length=4, max_length=40, pattern=r"^[0-9A-Za-z-]+$")


class Credential(CredentialClaim):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    seeker_id: UUID
    status: CredentialReview = CredentialReview.PENDING
    declared_at: AwareDatetime
    reviewed_at: AwareDatetime | None = None
    review_note: str = ""

    @classmethod
    def declare(cls, claim: CredentialClaim, seeker_id: UUID) -> Self:
        return cls(**claim.model_dump(), id=uuid4(), seeker_id=seeker_id, declared_at=now())

    def declared_event(self) -> c.CredentialDeclared:
        return c.CredentialDeclared(
            credential_id=self.id, seeker_id=self.seeker_id, kind=self.kind, level=self.level
        )

    def reviewed(self, verified: bool, note: str) -> Self:
        if self.status is not CredentialReview.PENDING:
            raise Conflict(f"the credential was already {self.status.value}")
        status = CredentialReview.VERIFIED if verified else CredentialReview.REJECTED
        return self.model_copy(update={"status": status, "reviewed_at": now(), "review_note": note})

    def reviewed_event(self, staff_id: UUID) -> c.CredentialReviewed:
        return c.CredentialReviewed(
            credential_id=self.id, seeker_id=self.seeker_id, kind=self.kind, level=self.level,
            status=c.CredentialStatus(self.status.value), reviewed_by=staff_id,
        )  # fmt: skip


# --- applications and invitations --------------------------------------------------


class ApplicationDraft(Input):
    vacancy_id: UUID
    cover_letter: str = Field(default="", max_length=5_000, examples=["您好，我有三年数控车床操作经验。"])


class OpenVacancy(BaseModel):
    """What this service knows of a vacancy, from the employer service's events."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    employer_id: UUID
    version: int
    title: str
    city: str
    remote: bool = False
    talent_category: c.TalentCategory
    salary: c.SalaryRange
    deadline: date | None = None
    open: bool = True

    def ensure_accepts_applications(self, today: date) -> None:
        if not self.open:
            raise Conflict("the vacancy is closed and takes no more applications")
        if self.deadline is not None and self.deadline < today:
            raise Conflict(f"the application deadline {self.deadline} has passed")


class Application(ApplicationDraft):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    seeker_id: UUID
    employer_id: UUID
    vacancy_title: str
    applied_at: AwareDatetime

    @classmethod
    def submit(cls, draft: ApplicationDraft, seeker: Seeker, vacancy: OpenVacancy) -> Self:
        vacancy.ensure_accepts_applications(now().date())
        return cls(
            **draft.model_dump(), id=uuid4(), seeker_id=seeker.id, employer_id=vacancy.employer_id,
            vacancy_title=vacancy.title, applied_at=now(),
        )  # fmt: skip

    def submitted_event(self, contact: c.ContactDetails) -> c.ApplicationSubmitted:
        return c.ApplicationSubmitted(
            application_id=self.id, seeker_id=self.seeker_id, vacancy_id=self.vacancy_id,
            employer_id=self.employer_id, contact=contact, cover_letter=self.cover_letter,
        )  # fmt: skip


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Answer(Input):
    accepted: Flag


class Invitation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    employer_id: UUID
    vacancy_id: UUID
    seeker_id: UUID
    message: str = ""
    interview_at: AwareDatetime | None = None
    status: InvitationStatus = InvitationStatus.PENDING
    received_at: AwareDatetime
    answered_at: AwareDatetime | None = None

    def answered(self, accepted: bool) -> Self:
        if self.status is not InvitationStatus.PENDING:
            raise Conflict(f"you already answered this invitation ({self.status.value})")
        status = InvitationStatus.ACCEPTED if accepted else InvitationStatus.DECLINED
        return self.model_copy(update={"status": status, "answered_at": now()})

    def answered_event(self, contact: c.ContactDetails) -> c.InvitationAnswered:
        """Accepting shares the seeker's contact details with the employer; declining does not."""
        accepted = self.status is InvitationStatus.ACCEPTED
        return c.InvitationAnswered(
            invitation_id=self.id, employer_id=self.employer_id, vacancy_id=self.vacancy_id,
            seeker_id=self.seeker_id, accepted=accepted, contact=contact if accepted else None,
        )  # fmt: skip
