"""The employer domain's rules, without I/O: organisations, vacancies and invitations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from services.employer.domain.model import (
    Invitation,
    InvitationDraft,
    Organisation,
    OrganisationDraft,
    OrganisationStatus,
    Vacancy,
    VacancyDraft,
    VacancyStatus,
)
from shared.errors import Conflict, Forbidden, InvalidField
from shared.events import catalogue as c
from tests import factories

EMPLOYER = UUID("5b6b7a2e-8a54-4b1e-9d1c-3f0e2a9c1d10")
TODAY = datetime.now(UTC).date()


def draft(**overrides: Any) -> VacancyDraft:
    return VacancyDraft.model_validate(factories.vacancy(**overrides))


def posted(**overrides: Any) -> Vacancy:
    return Vacancy.post(draft(**overrides), employer_id=EMPLOYER)


def refusal(error: pytest.ExceptionInfo[InvalidField]) -> tuple[list[str | int], str]:
    return error.value.location, error.value.message


# --- drafts ------------------------------------------------------------------------


def test_a_draft_strips_and_deduplicates_skills_keeping_their_order() -> None:
    vacancy = draft(skills=["数控编程", " 数控编程 ", "AutoCAD", "autocad", "AutoCAD "])
    assert vacancy.skills == ["数控编程", "AutoCAD", "autocad"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"salary": {"min": 9000, "max": 6000}}, ("salary",)),
        ({"headcount": 0}, ("headcount",)),
        ({"title": "岗" * 201}, ("title",)),
        ({"title": "   "}, ("title",)),
        ({"min_experience_years": -1}, ("min_experience_years",)),
        ({"talent_category": "astronaut"}, ("talent_category",)),
        ({"unexpected": "字段"}, ("unexpected",)),
        ({"skills": [""]}, ("skills", 0)),
    ],
)
def test_a_draft_refuses_bad_input_naming_the_field(
    overrides: dict[str, Any], field: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as raised:
        draft(**overrides)
    assert [error["loc"] for error in raised.value.errors()] == [field]


def test_salary_min_above_max_says_which_numbers() -> None:
    with pytest.raises(ValidationError, match="salary min 9000 is greater than max 6000"):
        draft(salary={"min": 9000, "max": 6000})


# --- posting -----------------------------------------------------------------------


def test_posting_makes_version_one_open_with_the_draft_fields() -> None:
    vacancy = posted()
    assert vacancy.version == 1
    assert vacancy.status is VacancyStatus.OPEN
    assert vacancy.employer_id == EMPLOYER
    assert vacancy.posted_at == vacancy.updated_at
    assert vacancy.posted_at.tzinfo is not None
    assert vacancy.title == "数控机床操作工 CNC operator"
    assert vacancy.salary == c.SalaryRange(min=6000, max=9000)
    assert vacancy.close_reason == ""
    assert posted().id != vacancy.id


@pytest.mark.parametrize(
    ("overrides", "location", "quoted"),
    [
        ({"title": "机修工（男性优先）"}, ["body", "title"], "“男性优先” (gender)"),
        ({"title": "Receptionist, under 35"}, ["body", "title"], "“under 35” (age)"),
        (
            {"description": "要求本地户口，五险一金。"},
            ["body", "description"],
            "“要求本地户口” (household registration)",
        ),
        (
            {"description": "Must be single; no children."},
            ["body", "description"],
            "“Must be single” (marital or childbearing status); “no children”",
        ),
        ({"skills": ["数控编程", "汉族"]}, ["body", "skills", 1], "“汉族” (ethnicity)"),
        ({"skills": ["religion", "AutoCAD"]}, ["body", "skills", 0], "“religion” (religion)"),
    ],
)
def test_posting_refuses_a_protected_demand_naming_field_and_phrase(
    overrides: dict[str, Any], location: list[str | int], quoted: str
) -> None:
    with pytest.raises(InvalidField) as raised:
        posted(**overrides)
    where, message = refusal(raised)
    assert where == location
    assert message.startswith("a vacancy may not demand a protected attribute; remove ")
    assert quoted in message


def test_every_phrase_of_the_offending_field_is_quoted() -> None:
    with pytest.raises(InvalidField) as raised:
        posted(description="未婚，35岁以下，本市户籍")
    assert raised.value.message == (
        "a vacancy may not demand a protected attribute; remove "
        "“未婚” (marital or childbearing status); “35岁以下” (age); “本市户籍” (household registration)"
    )


def test_the_title_is_reported_before_the_description_and_skills() -> None:
    with pytest.raises(InvalidField) as raised:
        posted(title="前台 女士优先", description="已婚已育", skills=["hukou"])
    assert raised.value.location == ["body", "title"]
    assert "“女士优先” (gender)" in raised.value.message
    assert "已婚" not in raised.value.message


def test_a_deadline_in_the_past_is_refused() -> None:
    yesterday = TODAY - timedelta(days=1)
    with pytest.raises(InvalidField) as raised:
        posted(deadline=yesterday.isoformat())
    assert refusal(raised) == (["body", "deadline"], f"the deadline {yesterday} has already passed")


@pytest.mark.parametrize("deadline", [TODAY.isoformat(), None])
def test_a_deadline_today_or_none_is_accepted(deadline: str | None) -> None:
    assert posted(deadline=deadline).deadline == (TODAY if deadline else None)


# --- editing -----------------------------------------------------------------------


def test_an_edit_raises_the_version_and_keeps_identity() -> None:
    vacancy = posted()
    edited = vacancy.edited(draft(title="数控车床技师 CNC technician", headcount=2), seen_version=1)
    assert (edited.version, edited.title, edited.headcount) == (2, "数控车床技师 CNC technician", 2)
    assert (edited.id, edited.employer_id, edited.posted_at) == (vacancy.id, EMPLOYER, vacancy.posted_at)
    assert edited.updated_at >= vacancy.updated_at
    assert vacancy.version == 1  # the original is untouched


def test_an_edit_of_a_stale_version_is_a_conflict() -> None:
    vacancy = posted().edited(draft(), seen_version=1)
    with pytest.raises(Conflict) as raised:
        vacancy.edited(draft(title="焊工 welder"), seen_version=1)
    assert raised.value.message == "you edited version 1 but version 2 is stored: reload it"


def test_an_edit_of_a_closed_vacancy_is_a_conflict() -> None:
    vacancy = posted().closed("招满了")
    with pytest.raises(Conflict, match="the vacancy is closed: reopen it first"):
        vacancy.edited(draft(), seen_version=vacancy.version)


def test_an_edit_is_screened_like_a_posting() -> None:
    with pytest.raises(InvalidField) as raised:
        posted().edited(draft(skills=["AutoCAD", "male preferred"]), seen_version=1)
    assert raised.value.location == ["body", "skills", 1]
    assert "“male preferred” (gender)" in raised.value.message


def test_an_edit_moving_the_deadline_into_the_past_is_refused() -> None:
    past = TODAY - timedelta(days=3)
    with pytest.raises(InvalidField) as raised:
        posted().edited(draft(deadline=past.isoformat()), seen_version=1)
    assert refusal(raised) == (["body", "deadline"], f"the deadline {past} has already passed")


def test_an_edit_keeping_a_deadline_that_has_since_passed_is_accepted() -> None:
    past = TODAY - timedelta(days=3)
    vacancy = posted().model_copy(update={"deadline": past})
    edited = vacancy.edited(draft(deadline=past.isoformat(), title="电工 electrician"), seen_version=1)
    assert (edited.deadline, edited.title, edited.version) == (past, "电工 electrician", 2)


# --- closing and reopening ---------------------------------------------------------


def test_closing_records_the_reason_and_raises_the_version() -> None:
    closed = posted().closed("招满了 position filled")
    assert (closed.status, closed.close_reason, closed.version) == (
        VacancyStatus.CLOSED,
        "招满了 position filled",
        2,
    )


def test_closing_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="the vacancy is already closed"):
        posted().closed("招满了").closed("again")


def test_reopening_an_open_vacancy_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="the vacancy is already open"):
        posted().reopened(None)


def test_reopening_keeps_a_deadline_still_ahead_and_clears_the_reason() -> None:
    vacancy = posted()
    reopened = vacancy.closed("暂停招聘").reopened(None)
    assert (reopened.status, reopened.deadline, reopened.close_reason, reopened.version) == (
        VacancyStatus.OPEN,
        vacancy.deadline,
        "",
        3,
    )


def test_reopening_after_the_deadline_passed_needs_a_new_one() -> None:
    past = TODAY - timedelta(days=1)
    closed = posted().closed("过期").model_copy(update={"deadline": past})
    with pytest.raises(InvalidField) as raised:
        closed.reopened(None)
    assert refusal(raised) == (["body", "deadline"], f"the deadline {past} has passed: give a new one")
    with pytest.raises(InvalidField, match="has passed: give a new one"):
        closed.reopened(past - timedelta(days=1))

    later = TODAY + timedelta(days=60)
    reopened = closed.reopened(later)
    assert (reopened.status, reopened.deadline) == (VacancyStatus.OPEN, later)


def test_reopening_a_vacancy_without_a_deadline_needs_none() -> None:
    reopened = posted(deadline=None).closed("").reopened(None)
    assert (reopened.status, reopened.deadline) == (VacancyStatus.OPEN, None)


def test_versions_increase_by_one_with_every_change_and_events_carry_them() -> None:
    v1 = posted()
    v2 = v1.edited(draft(headcount=3), seen_version=1)
    v3 = v2.closed("招满了")
    v4 = v3.reopened(TODAY + timedelta(days=10))
    v5 = v4.edited(draft(headcount=4), seen_version=4)
    assert [v.version for v in (v1, v2, v3, v4, v5)] == [1, 2, 3, 4, 5]

    posted_event = v1.state_event(c.VacancyPosted)
    assert isinstance(posted_event, c.VacancyPosted)
    assert (posted_event.vacancy_id, posted_event.employer_id, posted_event.version) == (v1.id, EMPLOYER, 1)
    assert posted_event.title == v1.title
    assert posted_event.skills == v1.skills
    assert posted_event.key == str(v1.id)
    assert v2.state_event(c.VacancyUpdated).version == 2
    closed_event = v3.closed_event()
    assert (closed_event.version, closed_event.reason, closed_event.key) == (3, "招满了", str(v1.id))
    reopened_event = v4.state_event(c.VacancyReopened)
    assert (reopened_event.version, reopened_event.deadline) == (4, TODAY + timedelta(days=10))


# --- organisations -----------------------------------------------------------------


def organisation(status: OrganisationStatus = OrganisationStatus.PENDING) -> Organisation:
    registered = Organisation.register(OrganisationDraft.model_validate(factories.organisation()), uuid4())
    return registered.model_copy(update={"status": status})


def test_a_registered_organisation_is_pending_and_announces_itself() -> None:
    owner = uuid4()
    draft_body = factories.organisation(name="  昆明云岭软件有限公司  ", city="昆明")
    registered = Organisation.register(OrganisationDraft.model_validate(draft_body), owner)
    assert (registered.status, registered.owner_id, registered.name) == (
        OrganisationStatus.PENDING,
        owner,
        "昆明云岭软件有限公司",
    )
    event = registered.registered_event()
    assert (event.employer_id, event.name, event.city, event.credit_code) == (
        registered.id,
        "昆明云岭软件有限公司",
        "昆明",
        registered.credit_code,
    )


def test_review_gives_the_approval_or_the_rejection_with_its_reason() -> None:
    pending, staff = organisation(), uuid4()
    approved = pending.review(True, staff, reason="")
    assert isinstance(approved, c.EmployerApproved)
    assert (approved.employer_id, approved.approved_by) == (pending.id, staff)
    rejected = pending.review(False, staff, reason="营业执照与统一社会信用代码不符")
    assert isinstance(rejected, c.EmployerRejected)
    assert (rejected.employer_id, rejected.rejected_by, rejected.reason) == (
        pending.id,
        staff,
        "营业执照与统一社会信用代码不符",
    )


@pytest.mark.parametrize("status", [OrganisationStatus.APPROVED, OrganisationStatus.REJECTED])
@pytest.mark.parametrize("approve", [True, False])
def test_reviewing_a_reviewed_organisation_is_a_conflict(status: OrganisationStatus, approve: bool) -> None:
    with pytest.raises(Conflict) as raised:
        organisation(status).review(approve, uuid4(), reason="再次审核")
    assert raised.value.message == f"the organisation was already {status.value}"


@pytest.mark.parametrize("status", [OrganisationStatus.PENDING, OrganisationStatus.REJECTED])
def test_only_an_approved_organisation_may_post(status: OrganisationStatus) -> None:
    with pytest.raises(Forbidden) as raised:
        organisation(status).ensure_may_post()
    assert raised.value.message == (
        f"the organisation is {status.value}: "
        "talent-centre staff must approve it before it can post vacancies"
    )
    organisation(OrganisationStatus.APPROVED).ensure_may_post()  # an approved one may: no refusal


def test_an_organisation_draft_refuses_unknown_fields_and_bad_contacts() -> None:
    with pytest.raises(ValidationError) as raised:
        OrganisationDraft.model_validate(
            factories.organisation(
                website="https://example.cn",
                contact_person={"name": "李娜", "phone": "call me", "email": "not-an-email"},
            )
        )
    assert sorted(error["loc"] for error in raised.value.errors()) == [
        ("contact_person", "email"),
        ("contact_person", "phone"),
        ("website",),
    ]


# --- invitations -------------------------------------------------------------------


def test_an_invitation_to_an_open_vacancy_announces_itself() -> None:
    vacancy, seeker = posted(), uuid4()
    at = datetime.now(UTC) + timedelta(days=2)
    invitation = Invitation.send(
        InvitationDraft(seeker_id=seeker, message="请于周六上午十点来展位面试。", interview_at=at), vacancy
    )
    event = invitation.sent_event()
    assert (event.invitation_id, event.employer_id, event.vacancy_id, event.seeker_id) == (
        invitation.id,
        EMPLOYER,
        vacancy.id,
        seeker,
    )
    assert (event.message, event.interview_at, event.key) == (
        "请于周六上午十点来展位面试。",
        at,
        str(invitation.id),
    )
    assert invitation.status.value == "pending"


def test_an_invitation_to_a_closed_vacancy_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="reopen it before inviting"):
        Invitation.send(InvitationDraft(seeker_id=uuid4()), posted().closed("招满了"))


def test_an_interview_in_the_past_is_refused() -> None:
    with pytest.raises(ValidationError, match="interview_at is in the past"):
        InvitationDraft(seeker_id=uuid4(), interview_at=datetime.now(UTC) - timedelta(hours=1))


def test_dates_are_plain_dates() -> None:
    assert type(posted().deadline) is date  # a datetime is a date too
