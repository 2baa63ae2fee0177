"""The employer service's REST API against the real broker and store: accounts, vetting, vacancies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import jwt
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.employer.domain.model import Organisation, OrganisationDraft
from shared.auth import Principal, Role, TokenIssuer
from shared.events import Topic
from shared.store.mongo import as_document
from tests import factories
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import bearer
from tests.integration.services.conftest import (
    Employer,
    Published,
    approved_employer,
    read_events,
    sign_in,
)

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery 九"
Headers = dict[str, str]


def principal(headers: Headers) -> Principal:
    return TokenIssuer(AUTH_SECRET, timedelta(minutes=1)).verify(
        headers["Authorization"].removeprefix("Bearer ")
    )


def foreign_token(role: Role, **principal_fields: Any) -> Headers:
    """A correctly signed token of a role this service never issues itself (a seeker's, say)."""
    issuer = TokenIssuer(AUTH_SECRET, timedelta(minutes=5))
    return bearer(issuer.issue(Principal(account_id=uuid4(), role=role, **principal_fields)))


async def organisation_of(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await client.get("/organisations/mine", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def register(client: httpx.AsyncClient, **organisation: Any) -> tuple[Headers, dict[str, Any]]:
    """A new employer user and its organisation (pending): the token carrying it, and the organisation."""
    email = f"hr-{uuid4().hex[:8]}@example.cn"
    assert (await client.post("/auth/register", json=factories.sign_up(email))).status_code == 201
    headers = await sign_in(client, email, PASSWORD)
    response = await client.post(
        "/organisations", json=factories.organisation(**organisation), headers=headers
    )
    assert response.status_code == 201, response.text
    return bearer(response.json()["token"]["access_token"]), response.json()["organisation"]


async def post_vacancy(client: httpx.AsyncClient, headers: Headers, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/vacancies", json=factories.vacancy(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def total_vacancies(client: httpx.AsyncClient, headers: Headers, **query: str) -> int:
    response = await client.get("/vacancies", params=query, headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def first_of_each(records: list[Published], key: str) -> list[Published]:
    """The records of one aggregate, each event once: the outbox may publish an event twice."""
    seen: dict[UUID, Published] = {}
    for record in records:
        if record.key == key:
            if record.envelope.event_id in seen:
                assert record.envelope == seen[record.envelope.event_id].envelope  # a true duplicate
            seen.setdefault(record.envelope.event_id, record)
    return list(seen.values())


def in_future(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def in_past(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


# --- accounts and tokens -----------------------------------------------------------


async def test_sign_up_and_sign_in(employer: Employer) -> None:
    client = employer.client
    response = await client.post(
        "/auth/register", json=factories.sign_up("Li.Na@Anyang-Precision.CN", display_name="李娜（人事部）")
    )
    assert response.status_code == 201, response.text
    account = response.json()
    assert account["email"] == "li.na@anyang-precision.cn"
    assert (account["role"], account["display_name"]) == ("employer", "李娜（人事部）")
    assert not {"password", "password_hash"} & set(account)

    login = await client.post(
        "/auth/login", json={"email": "LI.NA@anyang-precision.cn", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    token = login.json()
    assert (token["token_type"], token["role"], token["account_id"]) == ("bearer", "employer", account["id"])
    assert token["organisation_id"] is None
    assert token["expires_in"] == employer.settings.token_ttl_minutes * 60
    assert principal(bearer(token["access_token"])) == Principal(account_id=account["id"], role=Role.EMPLOYER)

    no_organisation = await client.get("/organisations/mine", headers=bearer(token["access_token"]))
    assert no_organisation.status_code == 404
    assert "register one with POST /organisations" in no_organisation.json()["detail"]


async def test_an_e_mail_signs_up_once_whatever_its_case(employer: Employer) -> None:
    client = employer.client
    assert (await client.post("/auth/register", json=factories.sign_up("wang@example.cn"))).status_code == 201
    again = await client.post(
        "/auth/register", json=factories.sign_up("WANG@example.cn", display_name="Wang")
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "an account with the e-mail wang@example.cn already exists"
    login = await client.post("/auth/login", json={"email": "wang@example.cn", "password": PASSWORD})
    assert principal(bearer(login.json()["access_token"])).role is Role.EMPLOYER


async def test_a_bad_sign_up_is_refused_and_creates_nothing(
    employer: Employer, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    cases = [
        (factories.sign_up("staff-wannabe@example.cn", role="staff"), "role"),
        (factories.sign_up("short@example.cn", password="九个字符的密码吗"), "password"),
        (factories.sign_up("not an e-mail"), "email"),
        (factories.sign_up("blank@example.cn", display_name="   "), "display_name"),
    ]
    for body, field in cases:
        response = await employer.client.post("/auth/register", json=body)
        assert response.status_code == 422, (field, response.text)
        assert [error["loc"] for error in response.json()["detail"]] == [["body", field]]
    assert await employer_db["accounts"].count_documents({}) == 0


async def test_a_wrong_password_and_an_unknown_e_mail_get_the_same_answer(employer: Employer) -> None:
    client = employer.client
    await client.post("/auth/register", json=factories.sign_up("zhang@example.cn"))
    wrong = await client.post(
        "/auth/login", json={"email": "zhang@example.cn", "password": "wrong password 错"}
    )
    unknown = await client.post("/auth/login", json={"email": "nobody@example.cn", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong e-mail or password"}
        assert response.headers["www-authenticate"] == "Bearer"


def expired_token() -> str:
    issuer = TokenIssuer(AUTH_SECRET, timedelta(minutes=-1))
    return issuer.issue(Principal(account_id=uuid4(), role=Role.STAFF))


def crafted_token(**claims: Any) -> str:
    now = datetime.now(UTC)
    payload = {
        "iss": "talentfair",
        "sub": str(uuid4()),
        "role": "staff",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    return jwt.encode({**payload, **claims}, AUTH_SECRET, algorithm="HS256")


def _other_secret() -> str:
    issuer = TokenIssuer("another secret of at least 32 characters", timedelta(hours=1))
    return issuer.issue(Principal(account_id=uuid4(), role=Role.STAFF))


def _alg_none() -> str:
    claims = {"iss": "talentfair", "sub": str(uuid4()), "role": "staff", "iat": 0, "exp": 2**40}
    return jwt.encode(claims, "", algorithm="none")


async def test_a_missing_or_bad_token_is_refused(employer: Employer) -> None:
    cases: list[tuple[str | None, str]] = [
        (None, "sign in first: send 'Authorization: Bearer <token>'"),
        ("Basic dXNlcjpwYXNz", "sign in first"),
        ("Bearer not-a-token", "the token is not valid"),
        ("Bearer " + "x" * 40 + ".e30.abc", "the token is not valid"),
        ("Bearer " + expired_token(), "Signature has expired"),
        ("Bearer " + _other_secret(), "Signature verification failed"),
        ("Bearer " + crafted_token(iss="someone-else"), "Invalid issuer"),
        ("Bearer " + crafted_token(role="admin"), "the token is not valid"),
        ("Bearer " + _without_exp(), 'Token is missing the "exp" claim'),
        ("Bearer " + _alg_none(), "the token is not valid"),
    ]
    for authorization, message in cases:
        headers = {"Authorization": authorization} if authorization else {}
        for method, path in [
            ("GET", "/staff/organisations"),
            ("GET", "/vacancies"),
            ("POST", "/organisations"),
            ("GET", "/invitations"),
        ]:
            response = await employer.client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (authorization, path, response.text)
            assert message in response.json()["detail"], (authorization, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"


def _without_exp() -> str:
    now = datetime.now(UTC)
    return jwt.encode({"iss": "talentfair", "sub": str(uuid4()), "role": "staff", "iat": now}, AUTH_SECRET)


# --- organisations and their vetting -----------------------------------------------


async def test_registration_vetting_and_approval(
    employer: Employer, staff: Headers, namespace: Namespace
) -> None:
    client = employer.client
    email = "hr@kunming-yunling.cn"
    await client.post("/auth/register", json=factories.sign_up(email))
    user = await sign_in(client, email, PASSWORD)

    invalid = await client.post(
        "/organisations", json=factories.organisation(credit_code="91350100M000100Y40"), headers=user
    )
    assert invalid.status_code == 422
    [error] = invalid.json()["detail"]
    assert error["loc"] == ["body", "credit_code"]
    assert "not a valid unified social credit code: check character is '0'" in error["msg"]

    body = factories.organisation(name="昆明云岭软件有限公司", city="昆明", credit_code="91350100m000100y43")
    registered = await client.post("/organisations", json=body, headers=user)
    assert registered.status_code == 201, registered.text
    organisation = registered.json()["organisation"]
    assert (organisation["status"], organisation["credit_code"]) == ("pending", "91350100M000100Y43")
    assert organisation["owner_id"] == str(principal(user).account_id)
    headers = bearer(registered.json()["token"]["access_token"])
    assert principal(headers).organisation_id == UUID(organisation["id"])
    assert registered.json()["token"]["organisation_id"] == organisation["id"]
    assert (await organisation_of(client, headers))["name"] == "昆明云岭软件有限公司"

    # a later sign-in finds the organisation too
    assert principal(await sign_in(client, email, PASSWORD)).organisation_id == UUID(organisation["id"])

    second = await client.post(
        "/organisations", json=factories.organisation(name="第二家公司"), headers=headers
    )
    assert second.status_code == 409
    assert second.json()["detail"] == "this account already registered an organisation"

    refused = await client.post("/vacancies", json=factories.vacancy(), headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "the organisation is pending: talent-centre staff must approve it before it can post vacancies"
    )

    approved = await client.post(f"/staff/organisations/{organisation['id']}/approve", headers=staff)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["reviewed_at"] is not None
    assert (await organisation_of(client, headers))["status"] == "approved"

    vacancy = await post_vacancy(client, headers)
    assert vacancy["employer_id"] == organisation["id"]

    for again in ("approve", "reject"):
        response = await client.post(
            f"/staff/organisations/{organisation['id']}/{again}", json={"reason": "重复审核"}, headers=staff
        )
        assert response.status_code == 409, response.text
        assert response.json()["detail"] == "the organisation was already approved"

    staff_list = (await client.get("/staff/organisations", headers=staff)).json()
    assert [item["name"] for item in staff_list["items"]] == [
        "昆明云岭软件有限公司"
    ]  # the 409s stored nothing

    records = await read_events(
        namespace,
        Topic.EMPLOYER,
        until=lambda r: len(first_of_each(r, organisation["id"])) >= 2,
        what="vetting",
    )
    events = [record.envelope for record in first_of_each(records, organisation["id"])]
    assert [event.event_type for event in events] == ["employer.registered", "employer.approved"]
    registered_event, approved_event = (event.payload for event in events)
    assert registered_event.model_dump(mode="json", exclude={"employer_id"}) == {
        "name": "昆明云岭软件有限公司",
        "credit_code": "91350100M000100Y43",
        "industry": "制造业",
        "city": "昆明",
    }
    assert approved_event.approved_by == principal(staff).account_id  # type: ignore[attr-defined]
    assert all(event.producer == "employer" for event in events)
    assert {record.key for record in records} == {organisation["id"]}  # nothing for the refused ones


async def test_rejection_with_a_reason(employer: Employer, staff: Headers, namespace: Namespace) -> None:
    client = employer.client
    headers, organisation = await register(employer.client, name="安阳某某贸易公司")
    path = f"/staff/organisations/{organisation['id']}/reject"

    empty = await client.post(path, json={"reason": "  "}, headers=staff)
    assert empty.status_code == 422
    assert (await organisation_of(client, headers))["status"] == "pending"

    rejected = await client.post(path, json={"reason": "营业执照与统一社会信用代码不符"}, headers=staff)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["review_note"]) == (
        "rejected",
        "营业执照与统一社会信用代码不符",
    )

    refused = await client.post("/vacancies", json=factories.vacancy(), headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "the organisation is rejected: talent-centre staff must approve"
    )

    twice = await client.post(f"/staff/organisations/{organisation['id']}/approve", headers=staff)
    assert (twice.status_code, twice.json()["detail"]) == (409, "the organisation was already rejected")

    unknown = await client.post(f"/staff/organisations/{uuid4()}/approve", headers=staff)
    assert unknown.status_code == 404

    records = await read_events(
        namespace,
        Topic.EMPLOYER,
        until=lambda r: len(first_of_each(r, organisation["id"])) >= 2,
        what="rejection",
    )
    events = [record.envelope for record in first_of_each(records, organisation["id"])]
    assert [event.event_type for event in events] == ["employer.registered", "employer.rejected"]
    assert events[1].payload.reason == "营业执照与统一社会信用代码不符"  # type: ignore[attr-defined]
    assert events[1].payload.rejected_by == principal(staff).account_id  # type: ignore[attr-defined]


async def test_staff_endpoints_refuse_employer_and_seeker_tokens(employer: Employer, staff: Headers) -> None:
    client = employer.client
    headers, organisation = await register(client)
    seeker = foreign_token(Role.SEEKER)
    for caller, role in [(headers, "employer"), (seeker, "seeker")]:
        for method, path, body in [
            ("GET", "/staff/organisations", None),
            ("POST", f"/staff/organisations/{organisation['id']}/approve", None),
            ("POST", f"/staff/organisations/{organisation['id']}/reject", {"reason": "自己审核自己"}),
        ]:
            response = await client.request(method, path, json=body, headers=caller)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["detail"] == f"this needs the staff role; you are signed in as {role}"
    assert (await organisation_of(client, headers))["status"] == "pending"

    for caller, role in [(staff, "staff"), (seeker, "seeker")]:
        response = await client.post("/vacancies", json=factories.vacancy(), headers=caller)
        assert response.status_code == 403
        assert response.json()["detail"] == f"this needs the employer role; you are signed in as {role}"
        response = await client.post("/organisations", json=factories.organisation(), headers=caller)
        assert response.status_code == 403
    listed = (await client.get("/staff/organisations", headers=staff)).json()
    assert listed["total"] == 1


async def test_the_staff_list_filters_and_pages(employer: Employer, staff: Headers) -> None:
    client = employer.client
    organisations = [
        (await register(client, name="安阳精密机械有限公司", city="安阳", industry="制造业"))[1],
        (await register(client, name="昆明云岭软件有限公司", city="昆明", industry="软件和信息技术服务业"))[
            1
        ],
        (await register(client, name="Highland Coffee Roasters 高原咖啡", city="昆明", industry="餐饮"))[1],
    ]
    anyang, yunling, coffee = (o["id"] for o in organisations)
    assert (await client.post(f"/staff/organisations/{anyang}/approve", headers=staff)).status_code == 200
    rejected = await client.post(
        f"/staff/organisations/{coffee}/reject", json={"reason": "材料不全"}, headers=staff
    )
    assert rejected.status_code == 200

    async def ids(**query: Any) -> tuple[list[str], int]:
        response = await client.get("/staff/organisations", params=query, headers=staff)
        assert response.status_code == 200, response.text
        page = response.json()
        return [item["id"] for item in page["items"]], page["total"]

    assert await ids() == ([anyang, yunling, coffee], 3)  # oldest first
    assert await ids(status="pending") == ([yunling], 1)
    assert await ids(status="approved") == ([anyang], 1)
    assert await ids(status="rejected") == ([coffee], 1)
    assert await ids(city="昆明") == ([yunling, coffee], 2)
    assert await ids(city="昆明", status="rejected") == ([coffee], 1)
    assert await ids(text="软件") == ([yunling], 1)  # in the industry
    assert await ids(text="精密") == ([anyang], 1)  # in the name
    assert await ids(text="COFFEE") == ([coffee], 1)  # case-insensitive
    assert await ids(text="(.*)") == ([], 0)  # taken literally, not as a pattern
    assert await ids(text="深圳") == ([], 0)
    assert await ids(limit=2) == ([anyang, yunling], 3)
    assert await ids(offset=2, limit=2) == ([coffee], 3)
    assert await ids(offset=3) == ([], 3)

    page = (await client.get("/staff/organisations", params={"offset": 1, "limit": 1}, headers=staff)).json()
    assert (page["offset"], page["limit"], page["total"]) == (1, 1, 3)
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"status": "deleted"}):
        assert (await client.get("/staff/organisations", params=bad, headers=staff)).status_code == 422


# --- vacancies ---------------------------------------------------------------------


async def test_the_life_of_a_vacancy_and_its_events(
    employer: Employer, staff: Headers, namespace: Namespace
) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    organisation = await organisation_of(client, headers)

    vacancy = await post_vacancy(client, headers)
    vid = vacancy["id"]
    assert (vacancy["version"], vacancy["status"], vacancy["employer_id"]) == (1, "open", organisation["id"])
    assert (await client.get(f"/vacancies/{vid}", headers=headers)).json() == vacancy

    edit = factories.vacancy(title="数控车床技师 CNC technician", headcount=2, version=1)
    edited = await client.put(f"/vacancies/{vid}", json=edit, headers=headers)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["version"], edited.json()["title"], edited.json()["headcount"]) == (
        2,
        "数控车床技师 CNC technician",
        2,
    )
    assert edited.json()["posted_at"] == vacancy["posted_at"]

    stale = await client.put(f"/vacancies/{vid}", json={**edit, "title": "焊工 welder"}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["detail"] == "you edited version 1 but version 2 is stored: reload it"
    assert (await client.get(f"/vacancies/{vid}", headers=headers)).json()[
        "title"
    ] == "数控车床技师 CNC technician"

    closed = await client.post(f"/vacancies/{vid}/close", json={"reason": "招满了 filled"}, headers=headers)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["version"], closed.json()["close_reason"]) == (
        "closed",
        3,
        "招满了 filled",
    )
    again = await client.post(f"/vacancies/{vid}/close", json={}, headers=headers)
    assert (again.status_code, again.json()["detail"]) == (409, "the vacancy is already closed")
    closed_edit = await client.put(f"/vacancies/{vid}", json={**edit, "version": 3}, headers=headers)
    assert (closed_edit.status_code, closed_edit.json()["detail"]) == (
        409,
        "the vacancy is closed: reopen it first",
    )

    new_deadline = in_future(90)
    reopened = await client.post(f"/vacancies/{vid}/reopen", json={"deadline": new_deadline}, headers=headers)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["version"], reopened.json()["deadline"]) == (
        "open",
        4,
        new_deadline,
    )
    assert reopened.json()["close_reason"] == ""
    twice = await client.post(f"/vacancies/{vid}/reopen", json={}, headers=headers)
    assert (twice.status_code, twice.json()["detail"]) == (409, "the vacancy is already open")

    records = await read_events(
        namespace, Topic.VACANCY, until=lambda r: len(first_of_each(r, vid)) >= 4, what="four vacancy events"
    )
    events = [record.envelope for record in first_of_each(records, vid)]
    assert [e.event_type for e in events] == [
        "vacancy.posted",
        "vacancy.updated",
        "vacancy.closed",
        "vacancy.reopened",
    ]
    assert [e.payload.version for e in events] == [1, 2, 3, 4]  # type: ignore[attr-defined]
    assert all(str(e.payload.vacancy_id) == vid for e in events)  # type: ignore[attr-defined]
    assert all(str(e.payload.employer_id) == organisation["id"] for e in events)  # type: ignore[attr-defined]
    posted_event, updated, closed_event, reopened_event = (e.payload for e in events)
    assert posted_event.title == "数控机床操作工 CNC operator"  # type: ignore[attr-defined]
    assert updated.title == "数控车床技师 CNC technician"  # type: ignore[attr-defined]
    assert closed_event.reason == "招满了 filled"  # type: ignore[attr-defined]
    assert reopened_event.deadline.isoformat() == new_deadline  # type: ignore[attr-defined]
    assert {record.key for record in records} == {vid}  # the refused changes published nothing


RACE_ROUNDS = 30


async def test_a_lone_edit_of_a_stale_version_publishes_nothing(
    employer: Employer, staff: Headers, namespace: Namespace
) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    vid = (await post_vacancy(client, headers))["id"]
    first = await client.put(
        f"/vacancies/{vid}", json=factories.vacancy(title="焊工 welder", version=1), headers=headers
    )
    assert first.status_code == 200
    second = await client.put(
        f"/vacancies/{vid}", json=factories.vacancy(title="电工", version=1), headers=headers
    )
    assert second.status_code == 409
    marker = (await post_vacancy(client, headers, title="marker 标记"))["id"]
    records = await read_events(
        namespace, Topic.VACANCY, until=lambda r: any(x.key == marker for x in r), what="the marker"
    )
    updates = [r.envelope for r in first_of_each(records, vid) if r.envelope.event_type == "vacancy.updated"]
    assert [(u.payload.version, u.payload.title) for u in updates] == [(2, "焊工 welder")]  # type: ignore[attr-defined]


async def test_concurrent_changes_to_one_vacancy_are_neither_lost_nor_doubled(
    employer: Employer, staff: Headers
) -> None:
    """Three edits of version 1 and two closes at once: each 200 must be one stored version.

    Runs rounds until the first violation (a race shows up in most rounds today).
    """
    client = employer.client
    headers = await approved_employer(client, staff)
    for _ in range(RACE_ROUNDS):
        vid = (await post_vacancy(client, headers))["id"]
        edits = [
            client.put(f"/vacancies/{vid}", json=factories.vacancy(title=title, version=1), headers=headers)
            for title in ("焊工 welder", "电工 electrician", "钳工 fitter")
        ]
        closes = [
            client.post(f"/vacancies/{vid}/close", json={"reason": r}, headers=headers) for r in ("满", "停")
        ]
        responses = await asyncio.gather(*edits, *closes)
        codes = [response.status_code for response in responses]
        assert set(codes) <= {200, 409}, codes
        stored = (await client.get(f"/vacancies/{vid}", headers=headers)).json()
        closed_ok = 200 in codes[3:]
        outcome = (codes, stored["version"], stored["status"])
        assert codes[:3].count(200) <= 1, outcome  # one version, one successful edit
        assert codes[3:].count(200) <= 1, outcome  # closed once
        assert stored["version"] == 1 + codes.count(200), outcome  # no acknowledged change lost
        assert (stored["status"] == "closed") == closed_ok, outcome


async def test_concurrent_reviews_of_one_organisation_let_exactly_one_through(
    employer: Employer, staff: Headers, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    client = employer.client
    for _ in range(RACE_ROUNDS):
        draft = OrganisationDraft.model_validate(factories.organisation())
        organisation = Organisation.register(draft, owner_id=uuid4())
        await employer_db["organisations"].insert_one(as_document(organisation))  # pending, without sign-ups
        path = f"/staff/organisations/{organisation.id}"
        responses = await asyncio.gather(
            client.post(f"{path}/approve", headers=staff),
            client.post(f"{path}/approve", headers=staff),
            client.post(f"{path}/reject", json={"reason": "材料不全"}, headers=staff),
        )
        codes = [response.status_code for response in responses]
        final = (await employer_db["organisations"].find_one({"_id": str(organisation.id)}) or {})["status"]
        assert sorted(codes) == [200, 409, 409], (codes, final)
        [winner] = [response.json()["status"] for response in responses if response.status_code == 200]
        assert final == winner, (codes, final)


async def test_listing_own_vacancies_with_filters(employer: Employer, staff: Headers) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    cnc = await post_vacancy(client, headers)
    java = await post_vacancy(
        client,
        headers,
        title="Java 后端开发工程师 backend developer",
        description="负责微服务架构设计。Design and build services.",
        skills=["Java", "C++", "微服务"],
        city="昆明",
        talent_category="professional_technical",
    )
    rural = await post_vacancy(
        client,
        headers,
        title="乡村旅游运营专员",
        description="负责民宿运营与推广 homestay operations",
        skills=["新媒体运营"],
        city="昆明",
        talent_category="rural_practical",
    )
    closed = await client.post(f"/vacancies/{rural['id']}/close", json={"reason": "暂停"}, headers=headers)
    assert closed.status_code == 200

    async def ids(**query: Any) -> tuple[list[str], int]:
        response = await client.get("/vacancies", params=query, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]], response.json()["total"]

    a, b, c = cnc["id"], java["id"], rural["id"]
    assert await ids() == ([c, b, a], 3)  # newest first
    assert await ids(status="open") == ([b, a], 2)
    assert await ids(status="closed") == ([c], 1)
    assert await ids(city="昆明") == ([c, b], 2)
    assert await ids(city="昆明", status="open") == ([b], 1)
    assert await ids(category="high_skill") == ([a], 1)
    assert await ids(category="rural_practical") == ([c], 1)
    assert await ids(text="微服务") == ([b], 1)  # a skill, in Chinese
    assert await ids(text="民宿") == ([c], 1)  # the description, in Chinese
    assert await ids(text="机床") == ([a], 1)  # the title, in Chinese
    assert await ids(text="cnc") == ([a], 1)  # English, any case
    assert await ids(text="HOMESTAY") == ([c], 1)
    assert await ids(text="c++") == ([b], 1)  # taken literally
    assert await ids(text="深海潜水员") == ([], 0)
    assert await ids(limit=2) == ([c, b], 3)
    assert await ids(offset=2, limit=2) == ([a], 3)

    for bad in ({"limit": 1000}, {"category": "astronaut"}, {"status": "draft"}, {"text": "字" * 201}):
        response = await client.get("/vacancies", params=bad, headers=headers)
        assert response.status_code == 422, bad


async def test_reopening_after_the_deadline_passed_needs_a_new_deadline(
    employer: Employer, staff: Headers, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    vid = (await post_vacancy(client, headers))["id"]
    assert (await client.post(f"/vacancies/{vid}/close", json={}, headers=headers)).status_code == 200
    expired = in_past(1)
    await employer_db["vacancies"].update_one({"_id": vid}, {"$set": {"deadline": expired}})

    without = await client.post(f"/vacancies/{vid}/reopen", json={}, headers=headers)
    assert without.status_code == 422
    assert without.json()["detail"] == [
        {
            "loc": ["body", "deadline"],
            "msg": f"the deadline {expired} has passed: give a new one",
            "type": "value_error",
        }
    ]
    past = await client.post(f"/vacancies/{vid}/reopen", json={"deadline": in_past(2)}, headers=headers)
    assert past.status_code == 422
    assert (await client.get(f"/vacancies/{vid}", headers=headers)).json()["status"] == "closed"

    later = in_future(30)
    reopened = await client.post(f"/vacancies/{vid}/reopen", json={"deadline": later}, headers=headers)
    assert (reopened.status_code, reopened.json()["deadline"], reopened.json()["version"]) == (200, later, 3)


# --- protected attributes ----------------------------------------------------------


PROTECTED: list[tuple[dict[str, Any], list[str | int], str]] = [
    ({"title": "前台文员（女士优先）"}, ["body", "title"], "“女士优先” (gender)"),
    ({"title": "Warehouse assistant, men only"}, ["body", "title"], "“men only” (gender)"),
    ({"description": "要求：年龄18-35岁，有经验者优先。"}, ["body", "description"], "“年龄18-35岁” (age)"),
    ({"description": "Applicants under 35, unmarried."}, ["body", "description"], "“under 35” (age)"),
    ({"description": "已婚已育者优先"}, ["body", "description"], "“已婚” (marital or childbearing status)"),
    ({"description": "须本市户籍，汉族"}, ["body", "description"], "“汉族” (ethnicity)"),
    ({"skills": ["数控编程", "本地户口"]}, ["body", "skills", 1], "“本地户口” (household registration)"),
    ({"skills": ["religion: Buddhist"]}, ["body", "skills", 0], "“religion” (religion)"),
]


async def test_a_vacancy_demanding_a_protected_attribute_is_refused_and_leaves_no_trace(
    employer: Employer, staff: Headers, namespace: Namespace
) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    existing = (await post_vacancy(client, headers))["id"]

    for overrides, location, quoted in PROTECTED:
        response = await client.post("/vacancies", json=factories.vacancy(**overrides), headers=headers)
        assert response.status_code == 422, (overrides, response.text)
        [error] = response.json()["detail"]
        assert error["loc"] == location, overrides
        assert error["msg"].startswith("a vacancy may not demand a protected attribute; remove "), overrides
        assert quoted in error["msg"], (overrides, error["msg"])

        edit = await client.put(
            f"/vacancies/{existing}", json=factories.vacancy(**overrides, version=1), headers=headers
        )
        assert edit.status_code == 422, (overrides, edit.text)
        assert edit.json()["detail"][0]["loc"] == location, overrides

    assert await total_vacancies(client, headers) == 1
    assert (await client.get(f"/vacancies/{existing}", headers=headers)).json()["version"] == 1
    marker = (await post_vacancy(client, headers, title="marker 标记"))["id"]
    records = await read_events(
        namespace, Topic.VACANCY, until=lambda r: any(x.key == marker for x in r), what="the marker"
    )
    kinds = {(r.key, r.envelope.event_type) for r in records}
    assert kinds == {(existing, "vacancy.posted"), (marker, "vacancy.posted")}


# --- bad input ---------------------------------------------------------------------


BAD_VACANCIES: list[tuple[str, Any, list[Any]]] = [
    ("empty body", {}, ["body", "title"]),
    ("a list, not an object", [factories.vacancy()], ["body"]),
    ("headcount as text", factories.vacancy(headcount="五个"), ["body", "headcount"]),
    ("skills as a string", factories.vacancy(skills="数控编程"), ["body", "skills"]),
    ("salary min above max", factories.vacancy(salary={"min": 9000, "max": 6000}), ["body", "salary"]),
    ("negative salary", factories.vacancy(salary={"min": -1, "max": 6000}), ["body", "salary", "min"]),
    ("headcount zero", factories.vacancy(headcount=0), ["body", "headcount"]),
    ("unknown field", factories.vacancy(gender="男"), ["body", "gender"]),
    ("title of 201 characters", factories.vacancy(title="岗" * 201), ["body", "title"]),
    ("blank title", factories.vacancy(title="   "), ["body", "title"]),
    ("unknown category", factories.vacancy(talent_category="astronaut"), ["body", "talent_category"]),
    ("deadline not a date", factories.vacancy(deadline="下个月"), ["body", "deadline"]),
    ("deadline passed", factories.vacancy(deadline=in_past(1)), ["body", "deadline"]),
]


async def test_bad_input_is_refused_and_changes_nothing(
    employer: Employer, staff: Headers, namespace: Namespace, employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    client = employer.client
    headers = await approved_employer(client, staff)
    existing = await post_vacancy(client, headers)
    vid = existing["id"]

    for what, body, location in BAD_VACANCIES:
        response = await client.post("/vacancies", json=body, headers=headers)
        assert response.status_code == 422, (what, response.text)
        assert location in [error["loc"] for error in response.json()["detail"]], (what, response.text)
        if isinstance(body, dict) and body:
            edit = await client.put(f"/vacancies/{vid}", json={**body, "version": 1}, headers=headers)
            assert edit.status_code == 422, (what, edit.text)

    malformed = await client.post(
        "/vacancies", content=b'{"title": "broken', headers={**headers, "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    missing_version = await client.put(f"/vacancies/{vid}", json=factories.vacancy(), headers=headers)
    assert missing_version.status_code == 422
    assert missing_version.json()["detail"][0]["loc"] == ["body", "version"]
    not_an_id = await client.get("/vacancies/not-a-uuid", headers=headers)
    assert not_an_id.status_code == 422
    assert (await client.get("/vacancies", params={"limit": 1000}, headers=headers)).status_code == 422
    long_reason = await client.post(f"/vacancies/{vid}/close", json={"reason": "长" * 501}, headers=headers)
    assert long_reason.status_code == 422

    huge = factories.vacancy(description="很长的描述 a long description " * 12_000)
    too_large = await client.post("/vacancies", json=huge, headers=headers)
    assert too_large.status_code == 413
    limit = employer.settings.max_body_bytes
    assert too_large.json() == {"detail": f"request body larger than {limit} bytes"}
    huge_edit = await client.put(f"/vacancies/{vid}", json={**huge, "version": 1}, headers=headers)
    assert huge_edit.status_code == 413

    assert await total_vacancies(client, headers) == 1
    assert await employer_db["vacancies"].count_documents({}) == 1
    assert (await client.get(f"/vacancies/{vid}", headers=headers)).json() == existing
    marker = (await post_vacancy(client, headers, title="marker 标记"))["id"]
    records = await read_events(
        namespace, Topic.VACANCY, until=lambda r: any(x.key == marker for x in r), what="the marker"
    )
    assert {(r.key, r.envelope.event_type) for r in records} == {
        (vid, "vacancy.posted"),
        (marker, "vacancy.posted"),
    }


# --- tenancy -----------------------------------------------------------------------


async def test_one_organisation_never_sees_or_touches_anothers_vacancies(
    employer: Employer, staff: Headers
) -> None:
    client = employer.client
    a = await approved_employer(client, staff, name="安阳精密机械有限公司")
    b = await approved_employer(client, staff, name="昆明云岭软件有限公司")
    vacancy = await post_vacancy(client, a)
    vid = vacancy["id"]
    own = await post_vacancy(client, b, title="软件测试工程师 QA engineer", city="昆明")

    requests: list[tuple[str, str, Any]] = [
        ("GET", f"/vacancies/{vid}", None),
        ("PUT", f"/vacancies/{vid}", factories.vacancy(title="抢来的岗位", version=1)),
        ("POST", f"/vacancies/{vid}/close", {"reason": "不是我的"}),
        ("POST", f"/vacancies/{vid}/reopen", {}),
        ("GET", f"/vacancies/{vid}/candidates", None),
        ("GET", f"/vacancies/{vid}/applications", None),
        ("POST", f"/vacancies/{vid}/invitations", {"seeker_id": str(uuid4()), "message": "来面试吧"}),
    ]
    for method, path, body in requests:
        response = await client.request(method, path, json=body, headers=b)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["detail"] == f"your organisation has no vacancy {vid}"
        unknown = path.replace(vid, str(uuid4()))
        assert (await client.request(method, unknown, json=body, headers=b)).status_code == 404

    listed = (await client.get("/vacancies", headers=b)).json()
    assert ([item["id"] for item in listed["items"]], listed["total"]) == ([own["id"]], 1)
    assert (await client.get("/vacancies", params={"text": "机床"}, headers=b)).json()["total"] == 0
    assert (await client.get("/invitations", params={"vacancy_id": vid}, headers=b)).json()["total"] == 0
    assert (await client.get(f"/vacancies/{vid}", headers=a)).json() == vacancy  # untouched


# --- the API's description ---------------------------------------------------------


async def test_the_openapi_document_lists_the_paths_and_the_bearer_scheme(employer: Employer) -> None:
    response = await employer.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Employer service"
    expected = {
        "/auth/register": {"post"},
        "/auth/login": {"post"},
        "/organisations": {"post"},
        "/organisations/mine": {"get"},
        "/vacancies": {"get", "post"},
        "/vacancies/{vacancy_id}": {"get", "put"},
        "/vacancies/{vacancy_id}/close": {"post"},
        "/vacancies/{vacancy_id}/reopen": {"post"},
        "/vacancies/{vacancy_id}/candidates": {"get"},
        "/vacancies/{vacancy_id}/applications": {"get"},
        "/vacancies/{vacancy_id}/invitations": {"post"},
        "/invitations": {"get"},
        "/staff/organisations": {"get"},
        "/staff/organisations/{organisation_id}/approve": {"post"},
        "/staff/organisations/{organisation_id}/reject": {"post"},
        "/healthz": {"get"},
        "/readyz": {"get"},
    }
    for path, methods in expected.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    [scheme] = schemes
    secured = document["paths"]["/vacancies"]["post"]
    assert secured["security"] == [{scheme: []}]
    assert {"401", "403", "422"} <= set(secured["responses"])
    assert "security" not in document["paths"]["/auth/login"]["post"]


async def test_health_and_readiness(employer: Employer) -> None:
    assert (await employer.client.get("/healthz")).json() == {"service": "employer", "status": "alive"}
    ready = await employer.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert (body["service"], body["ready"]) == ("employer", True)
    assert body["checks"] == {"kafka": True, "store": True, "started": True, "caught_up": True}
    assert all(lag in (0, None) for lag in body["lag"].values())  # nothing published yet
