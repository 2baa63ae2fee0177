"""What the employer sees of seekers: read models built from other services' real events."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import Topic
from shared.events import catalogue as c
from tests import factories
from tests.conftest import Namespace
from tests.helpers import consumed, processed, publish, wait_for
from tests.integration.services.conftest import (
    Employer,
    approved_employer,
    read_events,
)

pytestmark = pytest.mark.integration

Headers = dict[str, str]
Db = AsyncDatabase[dict[str, Any]]
CONTACT = c.ContactDetails(email="xiaoming.wang@example.cn", phone="+86 138 0000 0000")


class Board:
    """An approved organisation with one vacancy, and shortcuts to its candidates and invitations."""

    def __init__(self, employer: Employer, headers: Headers, vacancy: dict[str, Any]) -> None:
        self.client = employer.client
        self.headers = headers
        self.vacancy_id = UUID(vacancy["id"])
        self.employer_id = UUID(vacancy["employer_id"])

    @classmethod
    async def open(cls, employer: Employer, staff: Headers, name: str = "安阳精密机械有限公司") -> Board:
        headers = await approved_employer(employer.client, staff, name)
        response = await employer.client.post("/vacancies", json=factories.vacancy(), headers=headers)
        assert response.status_code == 201, response.text
        return cls(employer, headers, response.json())

    async def candidates(self, **query: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"/vacancies/{self.vacancy_id}/candidates", params=query, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def candidate(self, seeker_id: UUID) -> dict[str, Any] | None:
        items = (await self.candidates(limit=100))["items"]
        return next((item for item in items if item["seeker_id"] == str(seeker_id)), None)

    async def invite(self, seeker_id: UUID, message: str = "请于周六上午十点来展位面试。") -> Any:
        return await self.client.post(
            f"/vacancies/{self.vacancy_id}/invitations",
            json={"seeker_id": str(seeker_id), "message": message},
            headers=self.headers,
        )

    async def invitations(self, **query: Any) -> dict[str, Any]:
        response = await self.client.get("/invitations", params=query, headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def match(self, seeker_id: UUID, score: float, rank: int) -> c.MatchFound:
        return factories.match_found(seeker_id, self.vacancy_id, self.employer_id, score=score, rank=rank)


async def stored(db: Db, collection: str, **query: Any) -> int:
    return int(await db[collection].count_documents(query))


async def wait_processed(db: Db, *event_ids: UUID) -> None:
    await wait_for(
        lambda: processed(db, event_ids), until=lambda n: n == len(event_ids), what="the events processed"
    )


async def seeker_events_read(namespace: Namespace) -> None:
    await wait_for(
        lambda: consumed(namespace, "employer", Topic.SEEKER), until=bool, what="the seeker events read"
    )


async def mentions(db: Db, text: str) -> dict[str, list[dict[str, Any]]]:
    """Every stored document, in every collection, whose content mentions ``text``."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in await db.list_collection_names():
        async for document in db[name].find():
            if text in json.dumps(document, default=str, ensure_ascii=False):
                found.setdefault(name, []).append(document)
    return found


async def test_candidates_are_ranked_with_reasons_and_respect_consent(
    employer: Employer, staff: Headers, namespace: Namespace, employer_db: Db
) -> None:
    board = await Board.open(employer, staff)
    best, second, hidden, third = uuid4(), uuid4(), uuid4(), uuid4()
    await publish(
        namespace,
        factories.seeker_state(best, display_name="王小明"),
        factories.seeker_state(second, display_name="李静", allow_contact=False),
        factories.seeker_state(hidden, display_name="赵隐", allow_matching=False),
        factories.seeker_state(third, display_name="Emily Zhang", languages=["en", "zh"], skills=["CNC"]),
        producer="seeker",
    )
    await publish(
        namespace,
        board.match(best, 0.91, 1),
        board.match(hidden, 0.95, 1),
        board.match(second, 0.62, 2),
        board.match(third, 0.40, 3),
        producer="matching",
    )
    await wait_for(
        lambda: stored(employer_db, "candidates"), until=lambda n: n == 4, what="four matches stored"
    )
    await wait_for(
        lambda: stored(employer_db, "seekers"), until=lambda n: n == 4, what="four profiles stored"
    )

    page = await board.candidates()
    assert page["total"] == 3
    assert [item["seeker_id"] for item in page["items"]] == [str(best), str(second), str(third)]
    assert [item["display_name"] for item in page["items"]] == ["王小明", "李静", "Emily Zhang"]
    assert [item["score"] for item in page["items"]] == [0.91, 0.62, 0.40]
    first = page["items"][0]
    assert first["reasons"] == [
        {"code": "skill_held", "contribution": 0.455, "detail": "", "values": {},
         "skill": {"id": None, "zh": "数控编程", "en": "CNC programming"}},
        {"code": "city_fit", "contribution": 0.1, "detail": "", "values": {"city": "安阳"}, "skill": None},
    ]  # fmt: skip
    assert first["baseline"] == -2.5
    assert (first["rank"], first["model_version"], first["experience_years"]) == (1, "cold-start-1", 3)
    assert first["education"][0]["school"] == "安阳职业技术学院"
    assert (first["contact"], first["contact_source"], first["invitation"]) == (None, None, None)
    # Only what an employer may see of a profile: no cities, salary, consent or language settings.
    assert not {"desired_cities", "salary_expectation", "consent", "notification_language"} & set(first)

    second_page = await board.candidates(offset=1, limit=1)
    assert ([item["seeker_id"] for item in second_page["items"]], second_page["total"]) == ([str(second)], 3)

    # Invitations reach applicants, or matched candidates who allow matching and contact.
    for seeker in (hidden, second, uuid4()):
        refused = await board.invite(seeker)
        assert refused.status_code == 404, refused.text
        assert refused.json()["detail"] == (
            f"seeker {seeker} is neither a candidate nor an applicant for this vacancy"
        )

    # The seeker withdraws consent to matching: gone from the list; a stale replay cannot bring it back.
    withdrawn = factories.seeker_state(
        third, version=2, kind=c.SeekerConsentChanged, allow_matching=False, display_name="Emily Zhang"
    )
    stale = factories.seeker_state(third, version=1, display_name="Emily Zhang (old)")
    await publish(namespace, withdrawn, stale, producer="seeker")
    await seeker_events_read(namespace)
    page = await board.candidates()
    assert ([item["seeker_id"] for item in page["items"]], page["total"]) == ([str(best), str(second)], 2)
    profile = await employer_db["seekers"].find_one({"_id": str(third)})
    assert profile is not None
    assert (profile["version"], profile["display_name"], profile["consent"]["allow_matching"]) == (
        2,
        "Emily Zhang",
        False,
    )

    # A closed vacancy invites nobody; reopened, it does.
    closing = await board.client.post(
        f"/vacancies/{board.vacancy_id}/close", json={"reason": "招满了"}, headers=board.headers
    )
    assert closing.status_code == 200
    refused = await board.invite(best)
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "the vacancy is closed: reopen it before inviting",
    )
    assert (await board.invitations())["total"] == 0
    reopening = await board.client.post(
        f"/vacancies/{board.vacancy_id}/reopen", json={}, headers=board.headers
    )
    assert reopening.status_code == 200
    assert (await board.invite(best)).status_code == 201


async def test_contact_details_appear_only_once_the_seeker_applied_or_accepted(
    employer: Employer, staff: Headers, namespace: Namespace, employer_db: Db
) -> None:
    board = await Board.open(employer, staff)
    other = await Board.open(employer, staff, name="昆明云岭软件有限公司")
    invited, applicant = uuid4(), uuid4()
    await publish(
        namespace,
        factories.seeker_state(invited, display_name="王小明"),
        factories.seeker_state(applicant, display_name="李静", allow_contact=False),
        board.match(invited, 0.88, 1),
        board.match(applicant, 0.70, 2),
    )
    await wait_for(
        lambda: board.candidates(), until=lambda page: page["total"] == 2, what="two candidates listed"
    )

    sent = await board.invite(invited)
    assert sent.status_code == 201, sent.text
    invitation = sent.json()
    assert (invitation["seeker_id"], invitation["vacancy_id"], invitation["status"]) == (
        str(invited),
        str(board.vacancy_id),
        "pending",
    )
    again = await board.invite(invited, message="再邀请一次")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "this seeker was already invited to this vacancy",
    )
    assert (await board.candidate(invited) or {})["invitation"] == "pending"

    records = await read_events(
        namespace,
        Topic.INVITATION,
        until=lambda r: any(x.key == invitation["id"] for x in r),
        what="invitation.sent",
    )
    [event] = {r.envelope.event_id: r.envelope for r in records if r.key == invitation["id"]}.values()
    assert event.event_type == "invitation.sent"
    assert event.producer == "employer"
    assert event.payload.model_dump(
        mode="json", include={"seeker_id", "vacancy_id", "employer_id", "message"}
    ) == {
        "seeker_id": str(invited),
        "vacancy_id": str(board.vacancy_id),
        "employer_id": str(board.employer_id),
        "message": "请于周六上午十点来展位面试。",
    }
    assert [r.envelope.event_type for r in records] == ["invitation.sent"] * len(records)  # not the 409

    # Applying shares the contact details with this employer, even without consent to be contacted.
    application_id = uuid4()
    await publish(
        namespace,
        c.ApplicationSubmitted(
            application_id=application_id,
            seeker_id=applicant,
            vacancy_id=board.vacancy_id,
            employer_id=board.employer_id,
            contact=CONTACT,
            cover_letter="您好，我对这个岗位很感兴趣。",
        ),
        producer="seeker",
    )
    shown = await wait_for(
        lambda: board.candidate(applicant),
        until=lambda item: item is not None and item["contact"] is not None,
        what="the applicant's contact",
    )
    assert shown is not None
    assert shown["contact"] == {"email": "xiaoming.wang@example.cn", "phone": "+86 138 0000 0000"}
    assert shown["contact_source"] == "applied"
    assert (await board.candidate(invited) or {})["contact"] is None  # invited, not yet answered

    applications = await board.client.get(
        f"/vacancies/{board.vacancy_id}/applications", headers=board.headers
    )
    [applied] = applications.json()["items"]
    assert (applied["application_id"], applied["seeker_id"], applied["cover_letter"]) == (
        str(application_id),
        str(applicant),
        "您好，我对这个岗位很感兴趣。",
    )
    assert applied["contact"]["email"] == "xiaoming.wang@example.cn"
    assert applied["profile"]["display_name"] == "李静"
    assert (await board.invite(applicant)).status_code == 201  # an applicant may always be invited

    # Accepting the invitation shares the contact details; declining does not.
    applicant_invitation = (await board.invitations(vacancy_id=str(board.vacancy_id), status="pending"))[
        "items"
    ]
    [to_decline] = [item for item in applicant_invitation if item["seeker_id"] == str(applicant)]
    await publish(
        namespace,
        c.InvitationAnswered(
            invitation_id=UUID(invitation["id"]), employer_id=board.employer_id, vacancy_id=board.vacancy_id,
            seeker_id=invited, accepted=True, contact=c.ContactDetails(email="wang.xm@example.cn"),
        ),
        c.InvitationAnswered(
            invitation_id=UUID(to_decline["id"]), employer_id=board.employer_id, vacancy_id=board.vacancy_id,
            seeker_id=applicant, accepted=False, contact=CONTACT,
        ),
        producer="seeker",
    )  # fmt: skip
    answered = await wait_for(
        lambda: board.invitations(),
        until=lambda page: all(item["status"] != "pending" for item in page["items"]),
        what="both invitations answered",
    )
    by_seeker = {item["seeker_id"]: item for item in answered["items"]}
    assert by_seeker[str(invited)]["status"] == "accepted"
    assert by_seeker[str(invited)]["contact"] == {"email": "wang.xm@example.cn", "phone": None}
    assert by_seeker[str(invited)]["answered_at"] is not None
    assert (by_seeker[str(applicant)]["status"], by_seeker[str(applicant)]["contact"]) == ("declined", None)
    accepted = await board.candidate(invited)
    assert accepted is not None
    assert (accepted["invitation"], accepted["contact_source"]) == ("accepted", "accepted_invitation")
    assert accepted["contact"]["email"] == "wang.xm@example.cn"
    assert (await board.invitations(status="accepted"))["total"] == 1

    # Another organisation sees none of it.
    assert (await other.invitations())["total"] == 0
    for path in ("candidates", "applications"):
        response = await other.client.get(f"/vacancies/{board.vacancy_id}/{path}", headers=other.headers)
        assert response.status_code == 404
    foreign = await other.client.post(
        f"/vacancies/{board.vacancy_id}/invitations", json={"seeker_id": str(invited)}, headers=other.headers
    )
    assert foreign.status_code == 404
    assert (await other.candidates())["total"] == 0


async def test_an_erased_seeker_leaves_nothing_behind_and_stays_erased(
    employer: Employer, staff: Headers, namespace: Namespace, employer_db: Db
) -> None:
    board = await Board.open(employer, staff)
    erased, kept = uuid4(), uuid4()
    await publish(
        namespace,
        factories.seeker_state(erased, display_name="王小明"),
        factories.seeker_state(kept, display_name="李静"),
        board.match(erased, 0.9, 1),
        board.match(kept, 0.8, 2),
        c.ApplicationSubmitted(
            application_id=uuid4(), seeker_id=erased, vacancy_id=board.vacancy_id,
            employer_id=board.employer_id, contact=CONTACT, cover_letter="求职信",
        ),
    )  # fmt: skip
    await wait_for(
        lambda: board.candidates(),
        until=lambda page: page["total"] == 2 and page["items"][0]["contact"] is not None,
        what="both candidates, one with contact",
    )
    invitation = await board.invite(erased)
    assert invitation.status_code == 201, invitation.text
    assert (await board.invite(kept)).status_code == 201
    await publish(
        namespace,
        c.InvitationAnswered(
            invitation_id=UUID(invitation.json()["id"]), employer_id=board.employer_id,
            vacancy_id=board.vacancy_id, seeker_id=erased, accepted=True, contact=CONTACT,
        ),
    )  # fmt: skip
    await wait_for(
        lambda: board.invitations(status="accepted"), until=lambda p: p["total"] == 1, what="the acceptance"
    )
    assert await mentions(employer_db, str(erased))  # it really was everywhere before

    await publish(namespace, c.SeekerDeleted(seeker_id=erased), producer="seeker")
    await seeker_events_read(namespace)

    page = await board.candidates()
    assert ([item["seeker_id"] for item in page["items"]], page["total"]) == ([str(kept)], 1)
    invitations = await board.invitations()
    assert [item["seeker_id"] for item in invitations["items"]] == [str(kept)]
    applications = await board.client.get(
        f"/vacancies/{board.vacancy_id}/applications", headers=board.headers
    )
    assert applications.json()["total"] == 0

    async def only_the_erasure_record() -> None:
        found = await mentions(employer_db, str(erased))
        assert list(found) == ["erasures"], found
        [record] = found["erasures"]
        assert set(record) == {"_id", "erased_at"}
        assert record["_id"] == str(erased)

    await only_the_erasure_record()
    assert await mentions(employer_db, "xiaoming.wang@example.cn") == {}

    # Events about the seeker still on their way are ignored: nothing comes back.
    late = await publish(
        namespace,
        board.match(erased, 0.99, 1),
        factories.seeker_state(erased, version=2, display_name="王小明（复活）"),
        c.ApplicationSubmitted(
            application_id=uuid4(), seeker_id=erased, vacancy_id=board.vacancy_id,
            employer_id=board.employer_id, contact=CONTACT,
        ),
    )  # fmt: skip
    await wait_processed(employer_db, late[2].event_id)  # the application
    await seeker_events_read(namespace)
    await wait_for(
        lambda: consumed(namespace, "employer", Topic.MATCH), until=bool, what="the late match read"
    )
    await only_the_erasure_record()
    page = await board.candidates()
    assert [item["seeker_id"] for item in page["items"]] == [str(kept)]
    refused = await board.invite(erased, message="再试一次")
    assert refused.status_code == 404
