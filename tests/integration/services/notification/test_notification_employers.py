"""Employers hear of applications and answers; everyone hears of a published fair schedule
(all its parts at once) and of a changed one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from shared.events import Topic
from shared.events import catalogue as c
from tests.helpers import consumed, publish, wait_for
from tests.integration.services.notification.conftest import Rig

pytestmark = pytest.mark.integration

SATURDAY = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


async def test_an_employer_is_told_of_an_application_and_an_answer_without_contact_details(rig: Rig) -> None:
    employer_id, company = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "数控机床操作工")
    seeker_id = uuid4()
    contact = c.ContactDetails(email="applicant@example.cn", phone="+86 139 1111 2222")
    await rig.prefer(company, channels=["inbox", "email"], email="hr@anyang-precision.cn", language="en")
    await publish(
        rig.namespace,
        c.ApplicationSubmitted(
            application_id=uuid4(), seeker_id=seeker_id, vacancy_id=vacancy_id, employer_id=employer_id,
            contact=contact, cover_letter="您好",
        ),
        c.InvitationAnswered(
            invitation_id=uuid4(), employer_id=employer_id, vacancy_id=vacancy_id, seeker_id=seeker_id,
            accepted=True, contact=contact,
        ),
        producer="seeker",
    )  # fmt: skip
    items = await rig.inbox(company, 2)
    assert {i["subject"] for i in items} == {
        "New application: 数控机床操作工",
        "Invitation answered: 数控机床操作工",
    }
    mails = await rig.smtp.received(2)
    assert {m["To"] for m in mails} == {"hr@anyang-precision.cn"}
    for collection in await rig.db.list_collection_names():
        async for document in rig.db[collection].find({}):
            assert "+86 139 1111 2222" not in repr(document), "the employer service holds the contact details"


async def test_a_fair_schedule_in_two_parts_gives_each_person_their_itinerary_once(rig: Rig) -> None:
    employer_id, company = await rig.employer("河南安钢集团")
    vacancy_id = await rig.vacancy(employer_id, "设备维修技师")
    first, first_headers = await rig.seeker()
    second, second_headers = await rig.seeker(language="en")
    fair_id = uuid4()
    await publish(
        rig.namespace,
        c.FairScheduled(
            fair_id=fair_id, series_id=uuid4(), title="安阳市周六综合招聘会", theme=c.FairTheme.GENERAL,
            venue="安阳市人才市场", starts_at=SATURDAY, ends_at=SATURDAY + timedelta(hours=3),
            registration_cutoff=SATURDAY - timedelta(days=1), booth_count=600,
        ),
        producer="fair",
    )  # fmt: skip

    def interview(seeker: object, minutes: int) -> c.Interview:
        return c.Interview(
            seeker_id=seeker, employer_id=employer_id, vacancy_id=vacancy_id, booth="A-017",
            starts_at=SATURDAY + timedelta(minutes=minutes), score=0.8,
        )  # fmt: skip

    def part(version: int, number: int, *interviews: c.Interview) -> c.FairSchedulePublished:
        booths = (
            [c.BoothAssignment(employer_id=employer_id, booth="A-017", zone="制造业")] if number == 1 else []
        )
        return c.FairSchedulePublished(
            fair_id=fair_id, schedule_version=version, part=number, parts=2, booths=booths,
            interviews=list(interviews),
        )  # fmt: skip

    await publish(rig.namespace, part(1, 1, interview(first, 30)), producer="fair")
    await publish(rig.namespace, part(1, 2, interview(second, 60)), producer="fair")
    [booth] = await rig.inbox(company, 1)
    assert booth["subject"] == "招聘会日程已发布"
    assert "您的展位：A-017 制造业" in booth["text"]
    assert "- 2026-11-28 09:30 展位 A-017：设备维修技师" in booth["text"]
    assert "- 2026-11-28 10:00 展位 A-017：设备维修技师" in booth["text"]
    [itinerary] = await rig.inbox(first_headers, 1)
    assert "安阳市周六综合招聘会（第 1 版）" in itinerary["text"]
    assert "- 2026-11-28 09:30 展位 A-017：设备维修技师" in itinerary["text"]
    [english] = await rig.inbox(second_headers, 1)
    assert "- 2026-11-28 10:00 booth A-017: 设备维修技师" in english["text"]

    # Version 2 moves the second seeker's interview: everyone named in it hears of the change.
    await publish(
        rig.namespace, part(2, 1, interview(first, 30)), part(2, 2, interview(second, 90)), producer="fair"
    )
    [changed] = [i for i in await rig.inbox(second_headers, 2) if i["subject"] == "Fair schedule changed"]
    assert "- 2026-11-28 10:30 booth A-017: 设备维修技师" in changed["text"]
    await rig.inbox(company, 2)
    await rig.inbox(first_headers, 2)
    await wait_for(
        lambda: consumed(rig.namespace, "notification", Topic.FAIR), until=bool, what="both versions read"
    )
    for headers, in_english in ((company, False), (first_headers, False), (second_headers, True)):
        subjects = sorted(item["subject"] for item in await rig.inbox(headers, 2))
        told = (
            ["Fair schedule changed", "Fair schedule published"]
            if in_english
            else ["招聘会日程已发布", "招聘会日程已更新"]
        )
        assert subjects == told, "the first version, then the change, once each"
