"""One valid, realistic sample of every event in the catalogue (Chinese text included)."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from shared.events import Event
from shared.events import catalogue as c
from tests import factories

SATURDAY = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def _vacancy(vacancy_id: UUID, employer_id: UUID, version: int) -> dict[str, object]:
    return {
        "vacancy_id": vacancy_id,
        "employer_id": employer_id,
        "version": version,
        "title": "数控机床操作工 (CNC operator)",
        "description": "负责数控车床的编程与操作，能看懂机械图纸。Reads technical drawings.",
        "skills": ["数控编程", "operate CNC machine", "阅读机械图纸"],
        "education_level": c.EducationLevel.VOCATIONAL,
        "min_experience_years": 2,
        "salary": c.SalaryRange(min=6000, max=9000),
        "city": "安阳",
        "headcount": 5,
        "talent_category": c.TalentCategory.HIGH_SKILL,
        "deadline": date(2026, 12, 31),
    }


def _seeker(seeker_id: UUID, version: int) -> dict[str, object]:
    return {
        "seeker_id": seeker_id,
        "version": version,
        "display_name": "王小明",
        "education": [
            c.Education(
                level=c.EducationLevel.BACHELOR, school="昆明理工大学", major="机械工程", graduation_year=2025
            )
        ],
        "experience_years": 1,
        "skills": ["数控编程", "AutoCAD"],
        "desired_roles": ["机械工程师"],
        "desired_cities": ["昆明", "安阳"],
        "salary_expectation": c.SalaryRange(min=5000, max=8000),
        "talent_category": c.TalentCategory.PROFESSIONAL_TECHNICAL,
        "languages": ["zh", "en"],
        "consent": c.Consent(personalised_recommendations=False),
    }


def samples() -> list[Event]:
    employer, vacancy, seeker, fair, staff, credential = uuid4(), uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    contact = c.ContactDetails(email="xiaoming.wang@example.cn", phone="+86 138 0000 0000")
    return [
        c.EmployerRegistered(
            employer_id=employer, name="安阳精密机械有限公司", credit_code="91410500MA44XK2P3B",
            industry="制造业", city="安阳",
        ),
        c.EmployerApproved(employer_id=employer, approved_by=staff),
        c.VacancyPosted(**_vacancy(vacancy, employer, 1)),
        c.VacancyUpdated(**_vacancy(vacancy, employer, 2)),
        c.VacancyClosed(vacancy_id=vacancy, employer_id=employer, version=3, reason="招满了"),
        c.SeekerRegistered(**_seeker(seeker, 1)),
        c.SeekerUpdated(**_seeker(seeker, 2)),
        c.SeekerDeleted(seeker_id=seeker),
        c.CredentialReviewed(
            credential_id=credential, seeker_id=seeker, level=c.EducationLevel.BACHELOR,
            status=c.CredentialStatus.VERIFIED, reviewed_by=staff,
        ),
        c.ApplicationSubmitted(
            application_id=uuid4(), seeker_id=seeker, vacancy_id=vacancy, employer_id=employer,
            contact=contact, cover_letter="您好，我对这个岗位很感兴趣。",
        ),
        c.InvitationSent(
            invitation_id=uuid4(), employer_id=employer, vacancy_id=vacancy, seeker_id=seeker,
            message="请于周六上午来展位面试", interview_at=SATURDAY,
        ),
        c.InvitationAnswered(
            invitation_id=uuid4(), employer_id=employer, vacancy_id=vacancy, seeker_id=seeker,
            accepted=True, contact=contact,
        ),
        c.MatchFound(
            seeker_id=seeker, vacancy_id=vacancy, employer_id=employer, score=0.83, rank=1,
            model_version="cold-start-1",
            reasons=[
                c.MatchReason(code="skill_held", contribution=0.41, skill=factories.CNC_PROGRAMMING),
                c.MatchReason(code="salary_fit", contribution=0.12, values={"min": 6000, "max": 9000}),
            ],
            baseline=-2.5,
        ),
        c.NotificationSent(
            notification_id=uuid4(), recipient_id=seeker, recipient_kind=c.RecipientKind.SEEKER,
            channel=c.Channel.EMAIL, subject_key=f"match:{seeker}:{vacancy}",
        ),
        c.NotificationFailed(
            notification_id=uuid4(), recipient_id=seeker, recipient_kind=c.RecipientKind.SEEKER,
            channel=c.Channel.WEBHOOK, subject_key=f"match:{seeker}:{vacancy}", attempts=5,
            error="HTTP 502 from receiver",
        ),
        c.FairScheduled(
            fair_id=fair, series_id=uuid4(), title="安阳市周六综合招聘会", theme=c.FairTheme.GENERAL,
            venue="安阳市人才市场一楼大厅", starts_at=SATURDAY, ends_at=SATURDAY + timedelta(hours=3),
            registration_cutoff=SATURDAY - timedelta(hours=39), booth_count=600,
        ),
        c.FairRegistration(
            fair_id=fair, registration_id=uuid4(), participant_kind=c.ParticipantKind.EMPLOYER,
            participant_id=employer, status=c.RegistrationStatus.APPROVED, vacancy_ids=[vacancy],
        ),
        c.FairSchedulePublished(
            fair_id=fair, schedule_version=1, part=1, parts=1,
            booths=[c.BoothAssignment(employer_id=employer, booth="A-017", zone="制造业")],
            interviews=[
                c.Interview(
                    seeker_id=seeker, employer_id=employer, vacancy_id=vacancy, booth="A-017",
                    starts_at=SATURDAY + timedelta(minutes=30), score=0.83,
                )
            ],
        ),
        c.FairCheckedIn(
            fair_id=fair, registration_id=uuid4(), participant_kind=c.ParticipantKind.SEEKER,
            participant_id=seeker, checked_in_at=SATURDAY + timedelta(minutes=5),
        ),
        c.FairOutcomeRecorded(
            fair_id=fair, outcome_id=uuid4(), seeker_id=seeker, employer_id=employer, vacancy_id=vacancy,
            outcome=c.Outcome.HIRING_INTENTION, recorded_by=staff,
        ),
        c.EmployerRejected(employer_id=uuid4(), rejected_by=staff, reason="统一社会信用代码与营业执照不符"),
        c.VacancyReopened(**_vacancy(vacancy, employer, 4)),
        c.SeekerConsentChanged(**_seeker(seeker, 3)),
        c.CredentialDeclared(credential_id=credential, seeker_id=seeker, level=c.EducationLevel.BACHELOR),
        c.FairCancelled(fair_id=fair, reason="场馆检修，本周暂停"),
        c.FairMoved(
            fair_id=fair, starts_at=SATURDAY + timedelta(days=1),
            ends_at=SATURDAY + timedelta(days=1, hours=3), registration_cutoff=SATURDAY - timedelta(hours=15),
        ),
        c.FairScheduleChanged(
            fair_id=fair, schedule_version=1, reason=f"employer {employer} did not come",
            cancelled=[
                c.Interview(
                    seeker_id=seeker, employer_id=employer, vacancy_id=vacancy, booth="A-017",
                    starts_at=SATURDAY + timedelta(minutes=30), score=0.83,
                )
            ],
        ),
    ]  # fmt: skip
