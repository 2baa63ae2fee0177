"""The seeker's domain rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.seeker.domain.model import (
    Application,
    ApplicationDraft,
    Contact,
    Credential,
    CredentialClaim,
    Invitation,
    Job,
    OpenVacancy,
    Profile,
    ProfileEdit,
    Seeker,
)
from shared.errors import Conflict
from shared.events import catalogue as c


def seeker(**profile: object) -> Seeker:
    base = {"display_name": "王小明", "contact": Contact(email="xm@example.cn", phone="+86 138 0000 0000")}
    return Seeker.register(Profile.model_validate({**base, **profile}))


def test_experience_counts_each_job_and_an_open_one_up_to_this_year() -> None:
    jobs = [
        Job(employer="安钢", role="技师", start_year=2015, end_year=2019),
        Job(employer="宇通", role="工程师", start_year=2022),
    ]
    assert (
        Profile(display_name="李", contact=Contact(email="l@example.cn"), work_history=jobs).experience_years(
            2026
        )
        == 8
    )


def test_the_published_state_holds_no_contact_details() -> None:
    state = seeker(skills=["焊接", "焊接", " welding "]).state(c.SeekerRegistered)
    dumped = state.model_dump_json()
    assert "xm@example.cn" not in dumped
    assert "138" not in dumped
    assert state.skills == ["焊接", "welding"]


@pytest.mark.parametrize(
    "field", ["gender", "age", "marital_status", "ethnicity", "religion", "household_registration"]
)
def test_protected_attributes_cannot_be_given(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Profile.model_validate({"display_name": "王", "contact": {"email": "w@example.cn"}, field: "x"})


def test_edits_are_versioned() -> None:
    me = seeker()
    body = {**me.profile.model_dump(), "summary": "更新", "version": 1}
    edited = me.edited(ProfileEdit.model_validate(body))
    assert (edited.version, edited.profile.summary) == (2, "更新")
    with pytest.raises(Conflict, match="version 1 but version 2"):
        edited.edited(ProfileEdit.model_validate(body))


def vacancy(**overrides: object) -> OpenVacancy:
    fields = {"id": uuid4(), "employer_id": uuid4(), "version": 1, "title": "焊工", "city": "安阳",
              "talent_category": "high_skill", "salary": {"min": 5000, "max": 8000}}  # fmt: skip
    return OpenVacancy.model_validate({**fields, **overrides})


def test_applications_need_an_open_vacancy_before_its_deadline() -> None:
    me = seeker()
    draft = ApplicationDraft(vacancy_id=uuid4())
    with pytest.raises(Conflict, match="closed"):
        Application.submit(draft, me, vacancy(open=False))
    with pytest.raises(Conflict, match="deadline"):
        Application.submit(draft, me, vacancy(deadline=datetime.now(UTC).date() - timedelta(days=1)))
    application = Application.submit(draft, me, vacancy())
    event = application.submitted_event(me.contact_details())
    assert event.contact.email == "xm@example.cn"


def test_an_invitation_is_answered_once_and_only_acceptance_shares_contact() -> None:
    me = seeker()
    invitation = Invitation(id=uuid4(), employer_id=uuid4(), vacancy_id=uuid4(), seeker_id=me.id,
                            received_at=datetime.now(UTC))  # fmt: skip
    declined = invitation.answered(False)
    assert declined.answered_event(me.contact_details()).contact is None
    accepted = invitation.answered(True)
    assert accepted.answered_event(me.contact_details()).contact == me.contact_details()
    with pytest.raises(Conflict, match="already answered"):
        accepted.answered(False)


def test_a_credential_is_reviewed_once() -> None:
    claim = CredentialClaim(level=c.EducationLevel.BACHELOR, school="郑州大学", graduation_year=2024,
                            certificate_number="1045912024")  # fmt: skip
    credential = Credential.declare(claim, uuid4())
    verified = credential.reviewed(True, "")
    assert verified.reviewed_event(uuid4()).status is c.CredentialStatus.VERIFIED
    with pytest.raises(Conflict, match="already verified"):
        verified.reviewed(False, "假证")
