"""The employer side's domain: organisations, vacancies and invitations. No I/O here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from services.employer.domain.fairness import protected_phrases
from shared.credit_code import credit_code_problem
from shared.errors import Conflict, Forbidden, InvalidField
from shared.events import catalogue as c
from shared.input import Day, Flag, Input, Integer, Moment

Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 -]{6,20}$", examples=["+86 371 5555 0101"])]


def now() -> datetime:
    return datetime.now(UTC)


# --- organisations -----------------------------------------------------------------


class OrganisationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ContactPerson(Input):
    name: Name
    phone: Phone
    email: EmailStr


class OrganisationDraft(Input):
    name: Name = Field(examples=["安阳精密机械有限公司"])
    credit_code: str = Field(
        min_length=18, max_length=18, description="统一社会信用代码", examples=["91410500MA44XK2P3Q"]
    )
    industry: Name = Field(examples=["制造业"])
    city: Name = Field(examples=["安阳"])
    contact_person: ContactPerson

    @field_validator("credit_code", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("credit_code")
    @classmethod
    def _checksum(cls, value: str) -> str:
        if problem := credit_code_problem(value):
            raise ValueError(f"not a valid unified social credit code: {problem}")
        return value


class Organisation(OrganisationDraft):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    owner_id: UUID
    status: OrganisationStatus = OrganisationStatus.PENDING
    registered_at: AwareDatetime
    reviewed_at: AwareDatetime | None = None
    review_note: str = ""

    @classmethod
    def register(cls, draft: OrganisationDraft, owner_id: UUID) -> Self:
        return cls(**draft.model_dump(), id=uuid4(), owner_id=owner_id, registered_at=now())

    def registered_event(self) -> c.EmployerRegistered:
        return c.EmployerRegistered(
            employer_id=self.id, name=self.name, credit_code=self.credit_code, industry=self.industry,
            city=self.city,
        )  # fmt: skip

    def review(self, approve: bool, staff_id: UUID, reason: str) -> c.EmployerApproved | c.EmployerRejected:
        if self.status is not OrganisationStatus.PENDING:
            raise Conflict(f"the organisation was already {self.status.value}")
        if approve:
            return c.EmployerApproved(employer_id=self.id, approved_by=staff_id)
        return c.EmployerRejected(employer_id=self.id, rejected_by=staff_id, reason=reason)

    def ensure_may_post(self) -> None:
        if self.status is not OrganisationStatus.APPROVED:
            raise Forbidden(
                f"the organisation is {self.status.value}: "
                "talent-centre staff must approve it before it can post vacancies"
            )


# --- vacancies ---------------------------------------------------------------------

SCREENED_FIELDS = ("title", "description", "skills")


class VacancyDraft(Input):
    title: Name = Field(examples=["数控机床操作工"])
    description: str = Field(min_length=1, max_length=20_000)
    skills: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=100
    )
    education_level: c.EducationLevel = c.EducationLevel.NONE
    min_experience_years: Integer = Field(default=0, ge=0, le=60)
    salary: c.SalaryRange
    city: Name
    remote: Flag = False
    headcount: Integer = Field(default=1, ge=1, le=10_000)
    talent_category: c.TalentCategory
    graduate_friendly: Flag = False
    deadline: Day | None = Field(default=None, description="last day applications are accepted")

    @field_validator("skills")
    @classmethod
    def _distinct(cls, skills: list[str]) -> list[str]:
        return list(dict.fromkeys(skill.strip() for skill in skills))

    def screen(self) -> None:
        """Refuse a vacancy that demands a protected attribute, naming the phrase and field."""
        for field in SCREENED_FIELDS:
            value = getattr(self, field)
            texts = value if isinstance(value, list) else [value]
            for index, text in enumerate(texts):
                if found := protected_phrases(text):
                    where: list[str | int] = ["body", field] if field != "skills" else ["body", field, index]
                    phrases = "; ".join(f"“{p.phrase}” ({p.attribute})" for p in found)
                    raise InvalidField(
                        where,
                        f"a vacancy may not demand a protected attribute; remove {phrases}",
                    )

    def ensure_deadline_ahead(self, today: date) -> None:
        if self.deadline is not None and self.deadline < today:
            raise InvalidField(["body", "deadline"], f"the deadline {self.deadline} has already passed")


class VacancyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Vacancy(VacancyDraft):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    employer_id: UUID
    version: int = 1
    status: VacancyStatus = VacancyStatus.OPEN
    posted_at: AwareDatetime
    updated_at: AwareDatetime
    close_reason: str = ""

    @classmethod
    def post(cls, draft: VacancyDraft, employer_id: UUID) -> Self:
        draft.screen()
        draft.ensure_deadline_ahead(now().date())
        moment = now()
        return cls(
            **draft.model_dump(), id=uuid4(), employer_id=employer_id, posted_at=moment, updated_at=moment
        )

    def edited(self, draft: VacancyDraft, seen_version: int) -> Self:
        if seen_version != self.version:
            raise Conflict(
                f"you edited version {seen_version} but version {self.version} is stored: reload it"
            )
        if self.status is VacancyStatus.CLOSED:
            raise Conflict("the vacancy is closed: reopen it first")
        draft.screen()
        if draft.deadline != self.deadline:
            draft.ensure_deadline_ahead(now().date())
        return self.model_copy(update={**dict(draft), "version": self.version + 1, "updated_at": now()})

    def closed(self, reason: str) -> Self:
        if self.status is VacancyStatus.CLOSED:
            raise Conflict("the vacancy is already closed")
        return self.model_copy(
            update={"status": VacancyStatus.CLOSED, "close_reason": reason, "version": self.version + 1,
                    "updated_at": now()}
        )  # fmt: skip

    def reopened(self, deadline: date | None) -> Self:
        """Open again, with a new deadline when the old one has passed."""
        if self.status is VacancyStatus.OPEN:
            raise Conflict("the vacancy is already open")
        deadline = deadline or self.deadline
        if deadline is not None and deadline < now().date():
            raise InvalidField(["body", "deadline"], f"the deadline {deadline} has passed: give a new one")
        return self.model_copy(
            update={"status": VacancyStatus.OPEN, "close_reason": "", "deadline": deadline,
                    "version": self.version + 1, "updated_at": now()}
        )  # fmt: skip

    def state_event(self, kind: type[c.VacancyState]) -> c.VacancyState:
        fields = self.model_dump(include=set(VacancyDraft.model_fields) | {"employer_id", "version"})
        return kind(vacancy_id=self.id, **fields)

    def closed_event(self) -> c.VacancyClosed:
        return c.VacancyClosed(
            vacancy_id=self.id, employer_id=self.employer_id, version=self.version, reason=self.close_reason
        )


# --- invitations -------------------------------------------------------------------


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class InvitationDraft(Input):
    seeker_id: UUID
    message: str = Field(default="", max_length=2_000, examples=["请于周六上午十点来展位面试。"])
    interview_at: Moment | None = None

    @model_validator(mode="after")
    def _ahead(self) -> Self:
        if self.interview_at is not None and self.interview_at < now():
            raise ValueError("interview_at is in the past")
        return self


class Invitation(BaseModel):
    id: UUID
    employer_id: UUID
    vacancy_id: UUID
    seeker_id: UUID
    message: str
    interview_at: AwareDatetime | None
    status: InvitationStatus = InvitationStatus.PENDING
    sent_at: AwareDatetime
    answered_at: AwareDatetime | None = None

    @classmethod
    def send(cls, draft: InvitationDraft, vacancy: Vacancy) -> Self:
        if vacancy.status is not VacancyStatus.OPEN:
            raise Conflict("the vacancy is closed: reopen it before inviting")
        return cls(
            id=uuid4(), employer_id=vacancy.employer_id, vacancy_id=vacancy.id, seeker_id=draft.seeker_id,
            message=draft.message, interview_at=draft.interview_at, sent_at=now(),
        )  # fmt: skip

    def sent_event(self) -> c.InvitationSent:
        return c.InvitationSent(
            invitation_id=self.id, employer_id=self.employer_id, vacancy_id=self.vacancy_id,
            seeker_id=self.seeker_id, message=self.message, interview_at=self.interview_at,
        )  # fmt: skip
