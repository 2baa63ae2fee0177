"""Both services together on the real broker: apply, invite, answer, match, and erasure."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from pymongo import AsyncMongoClient

from shared.events import Topic
from shared.events import catalogue as c
from shared.store.outbox import OUTBOX
from tests import factories
from tests.conftest import Namespace
from tests.helpers import events_of, publish, wait_for
from tests.integration.services.conftest import Employer, SeekerService, approved_employer, seeker_user

pytestmark = pytest.mark.integration


async def open_vacancy(
    employer: Employer, seeker: SeekerService, headers: dict[str, str], **overrides: Any
) -> str:
    """A vacancy posted at the employer service, once the seeker service has heard of it."""
    posted = await employer.client.post("/vacancies", json=factories.vacancy(**overrides), headers=headers)
    assert posted.status_code == 201, posted.text
    vacancy_id: str = posted.json()["id"]

    async def listed() -> list[str]:
        page = (await seeker.client.get("/vacancies", params={"limit": 100})).json()
        return [v["id"] for v in page["items"]]

    await wait_for(listed, until=lambda ids: vacancy_id in ids, what="the vacancy at the seeker service")
    return vacancy_id


async def test_apply_invite_answer(
    employer: Employer, seeker: SeekerService, staff: dict[str, str], namespace: Namespace
) -> None:
    company = await approved_employer(employer.client, staff)
    vacancy_id = await open_vacancy(employer, seeker, company)
    me, seeker_id = await seeker_user(seeker.client, display_name="张伟", phone="+86 139 1111 2222")

    applied = await seeker.client.post(
        "/me/applications",
        json={"vacancy_id": vacancy_id, "cover_letter": "您好！I run CNC lathes."},
        headers=me,
    )
    assert applied.status_code == 201, applied.text
    again = await seeker.client.post("/me/applications", json={"vacancy_id": vacancy_id}, headers=me)
    assert again.status_code == 409
    assert "already applied" in again.json()["detail"]
    unknown = await seeker.client.post(
        "/me/applications", json={"vacancy_id": "00000000-0000-4000-8000-000000000000"}, headers=me
    )
    assert unknown.status_code == 404

    async def applicants() -> list[dict[str, Any]]:
        page = await employer.client.get(f"/vacancies/{vacancy_id}/applications", headers=company)
        return list(page.json()["items"])

    [applicant] = await wait_for(applicants, until=lambda items: len(items) == 1, what="the application")
    assert applicant["seeker_id"] == seeker_id
    assert applicant["contact"]["phone"] == "+86 139 1111 2222", "applying shares the contact details"
    assert applicant["cover_letter"] == "您好！I run CNC lathes."

    invited = await employer.client.post(
        f"/vacancies/{vacancy_id}/invitations",
        json={"seeker_id": seeker_id, "message": "请周六来面试"},
        headers=company,
    )
    assert invited.status_code == 201, invited.text
    invitation_id = invited.json()["id"]

    async def my_invitations() -> list[dict[str, Any]]:
        return list((await seeker.client.get("/me/invitations", headers=me)).json()["items"])

    [invitation] = await wait_for(my_invitations, until=lambda items: len(items) == 1, what="the invitation")
    assert invitation["message"] == "请周六来面试"

    stranger, _ = await seeker_user(seeker.client)
    answer = f"/me/invitations/{invitation_id}/answer"
    assert (await seeker.client.post(answer, json={"accepted": True}, headers=stranger)).status_code == 404
    accepted = await seeker.client.post(answer, json={"accepted": True}, headers=me)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert (await seeker.client.post(answer, json={"accepted": False}, headers=me)).status_code == 409

    async def employer_view() -> dict[str, Any]:
        return dict((await employer.client.get("/invitations", headers=company)).json()["items"][0])

    answered = await wait_for(employer_view, until=lambda i: i["status"] == "accepted", what="the answer")
    assert answered["contact"]["email"].startswith("seeker-")

    [submitted] = await events_of(namespace, Topic.APPLICATION, "application.submitted")
    assert submitted["payload"]["contact"]["phone"] == "+86 139 1111 2222"
    [answer_event] = await events_of(namespace, Topic.INVITATION, "invitation.answered")
    assert answer_event["payload"]["accepted"] is True


async def test_a_closed_vacancy_takes_no_applications(
    employer: Employer, seeker: SeekerService, staff: dict[str, str]
) -> None:
    company = await approved_employer(employer.client, staff)
    vacancy_id = await open_vacancy(employer, seeker, company, title="仓库管理员 warehouse keeper")
    closed = await employer.client.post(
        f"/vacancies/{vacancy_id}/close", json={"reason": "招满了"}, headers=company
    )
    assert closed.status_code == 200

    async def still_open() -> bool:
        page = (await seeker.client.get("/vacancies", params={"text": "仓库"})).json()
        return any(v["id"] == vacancy_id for v in page["items"])

    await wait_for(still_open, until=lambda is_open: not is_open, what="the closing at the seeker service")
    me, _ = await seeker_user(seeker.client)
    refused = await seeker.client.post("/me/applications", json={"vacancy_id": vacancy_id}, headers=me)
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]


async def mentions(database: Any, seeker_id: str) -> dict[str, list[Any]]:
    """Every document in the database that holds the seeker's id anywhere, by collection."""
    found: dict[str, list[Any]] = {}
    for name in await database.list_collection_names():
        async for document in database[name].find({}):
            if seeker_id in repr(document):
                found.setdefault(name, []).append(document)
    return found


async def test_deleting_the_account_erases_the_seeker_everywhere(
    employer: Employer, seeker: SeekerService, staff: dict[str, str], namespace: Namespace
) -> None:
    company = await approved_employer(employer.client, staff)
    vacancy_id = await open_vacancy(employer, seeker, company)
    me, seeker_id = await seeker_user(seeker.client, display_name="赵敏")
    organisation_id = (await employer.client.get("/organisations/mine", headers=company)).json()["id"]
    claim = {
        "level": "master",
        "school": "河南大学",
        "graduation_year": 2023,
        "certificate_number": "1047520230001",
    }
    assert (await seeker.client.post("/me/credentials", json=claim, headers=me)).status_code == 201
    assert (
        await seeker.client.post("/me/applications", json={"vacancy_id": vacancy_id}, headers=me)
    ).status_code == 201
    await publish(
        namespace,
        c.MatchFound(
            seeker_id=UUID(seeker_id), vacancy_id=UUID(vacancy_id), employer_id=UUID(organisation_id),
            score=0.87, rank=1, model_version="cold-start-1",
            reasons=[c.MatchReason(code="skill_held", contribution=0.4, skill=factories.CNC_PROGRAMMING)],
            baseline=-2.5,
        ),
        producer="matching",
    )  # fmt: skip

    async def employer_sees() -> tuple[int, int]:
        candidates = (
            await employer.client.get(f"/vacancies/{vacancy_id}/candidates", headers=company)
        ).json()
        applications = (
            await employer.client.get(f"/vacancies/{vacancy_id}/applications", headers=company)
        ).json()
        return candidates["total"], applications["total"]

    async def matches() -> int:
        return int((await seeker.client.get("/me/matches", headers=me)).json()["total"])

    await wait_for(
        employer_sees, until=lambda seen: seen == (1, 1), what="the seeker at the employer service"
    )
    await wait_for(matches, until=lambda total: total == 1, what="the match at the seeker service")
    match = (await seeker.client.get("/me/matches", headers=me)).json()["items"][0]
    assert (match["reasons"][0]["skill"]["zh"], match["baseline"]) == ("数控编程", -2.5)
    assert match["vacancy_title"] == factories.vacancy()["title"]

    deleted = await seeker.client.delete("/me", headers=me)
    assert deleted.status_code == 204
    assert (await seeker.client.get("/me", headers=me)).status_code == 401
    await events_of(namespace, Topic.SEEKER, "seeker.deleted")

    await wait_for(
        employer_sees, until=lambda seen: seen == (0, 0), what="the employer service to forget them"
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(namespace.infra.mongo_url)
    try:
        for settings in (seeker.settings, employer.settings):
            left = await mentions(client[settings.mongo_database], seeker_id)
            assert list(left) == ["erasures"], f"{settings.service_name} still holds {left}"
            [record] = left["erasures"]
            assert not record.pop(OUTBOX, None), "seeker.deleted was published from the record"
            assert set(record) == {"_id", "erased_at"}, "the erasure record holds ids and time only"
    finally:
        await client.close()
