"""The seeker service's own API on the real broker and store: profile, consent, credentials."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from shared.auth import Principal, Role, TokenIssuer
from shared.events import Topic
from tests import factories
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import bearer, events_of, topic_events
from tests.integration.services.conftest import SeekerService, seeker_user

pytestmark = pytest.mark.integration


def staff_headers() -> dict[str, str]:
    """A staff token as the employer service issues it: the services share the signing secret."""
    issuer = TokenIssuer(AUTH_SECRET, timedelta(minutes=5))
    return bearer(issuer.issue(Principal(account_id=uuid4(), role=Role.STAFF)))


def profile(me: dict[str, object], **overrides: object) -> dict[str, object]:
    body = {
        "version": me["version"],
        "display_name": "王小明",
        "contact": {"email": "xiaoming.wang@example.cn", "phone": "+86 138 0000 0000"},
        "education": [
            {"level": "bachelor", "school": "郑州大学", "major": "机械工程", "graduation_year": 2024}
        ],
        "work_history": [
            {"employer": "河南安钢集团", "role": "设备维修技师", "start_year": 2021, "end_year": 2024}
        ],
        "skills": ["数控编程", "AutoCAD", "数控编程"],
        "desired_roles": ["机械工程师", "CNC programmer"],
        "desired_cities": ["安阳", "郑州"],
        "salary_expectation": {"min": 6000, "max": 9000},
        "talent_category": "high_skill",
        "languages": ["zh", "en"],
        "availability": "within_a_month",
        "summary": "三年设备维修经验。Three years maintaining CNC lathes.",
        "notification_language": "en",
    }
    return {**body, **overrides}


async def test_registration_publishes_the_profile_without_contact_details(
    seeker: SeekerService, namespace: Namespace
) -> None:
    headers, seeker_id = await seeker_user(seeker.client, display_name="李雷")
    me = (await seeker.client.get("/me", headers=headers)).json()
    assert me["profile"]["display_name"] == "李雷"
    assert me["consent"] == {
        "allow_matching": True,
        "allow_contact": True,
        "personalised_recommendations": True,
    }

    [registered] = await events_of(namespace, Topic.SEEKER, "seeker.registered")
    assert registered["payload"]["seeker_id"] == seeker_id
    assert registered["payload"]["display_name"] == "李雷"
    assert "example.cn" not in str(registered), "contact details must not travel with the profile"

    again = await seeker.client.post(
        "/auth/register", json=factories.sign_up(me["profile"]["contact"]["email"])
    )
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


async def test_profile_edit_is_versioned_and_published(seeker: SeekerService, namespace: Namespace) -> None:
    headers, seeker_id = await seeker_user(seeker.client)
    me = (await seeker.client.get("/me", headers=headers)).json()

    edited = await seeker.client.put("/me/profile", json=profile(me), headers=headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["profile"]["skills"] == ["数控编程", "AutoCAD"]
    assert edited.json()["experience_years"] == 3

    stale = await seeker.client.put("/me/profile", json=profile(me, summary="旧版本"), headers=headers)
    assert stale.status_code == 409

    [updated] = await events_of(namespace, Topic.SEEKER, "seeker.updated")
    payload = updated["payload"]
    assert (payload["seeker_id"], payload["version"], payload["experience_years"]) == (seeker_id, 2, 3)
    assert payload["desired_cities"] == ["安阳", "郑州"]
    assert payload["notification_language"] == "en"
    assert "xiaoming.wang" not in str(updated)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gender": "男"}, "gender"),
        ({"age": 35}, "age"),
        ({"marital_status": "未婚"}, "marital_status"),
        ({"ethnicity": "汉族"}, "ethnicity"),
        ({"hukou": "安阳"}, "hukou"),
        ({"contact": {"email": "not an e-mail", "phone": "+86 138"}}, "email"),
        ({"salary_expectation": {"min": 9000, "max": 6000}}, "salary_expectation"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "名" * 101}, "display_name"),
        ({"skills": ["技能"] * 201}, "skills"),
        ({"experience_years": "three"}, "experience_years"),
        ({"notification_language": "fr"}, "notification_language"),
        (
            {"work_history": [{"employer": "甲", "role": "乙", "start_year": 2024, "end_year": 2020}]},
            "work_history",
        ),
    ],
)
async def test_bad_profiles_are_refused_and_change_nothing(
    seeker: SeekerService, change: dict[str, object], field: str
) -> None:
    headers, _ = await seeker_user(seeker.client)
    me = (await seeker.client.get("/me", headers=headers)).json()
    response = await seeker.client.put("/me/profile", json=profile(me, **change), headers=headers)
    assert response.status_code == 422
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"]), response.text
    assert (await seeker.client.get("/me", headers=headers)).json() == me


async def test_consent_changes_are_events(seeker: SeekerService, namespace: Namespace) -> None:
    headers, seeker_id = await seeker_user(seeker.client)
    off = {"allow_matching": False, "allow_contact": True, "personalised_recommendations": False}
    response = await seeker.client.put("/me/consent", json=off, headers=headers)
    assert response.status_code == 200
    assert response.json()["consent"] == off
    same = await seeker.client.put("/me/consent", json=off, headers=headers)
    assert same.json()["version"] == response.json()["version"], "an unchanged consent is not a change"

    [changed] = await events_of(namespace, Topic.SEEKER, "seeker.consent_changed")
    assert changed["payload"]["seeker_id"] == seeker_id
    assert changed["payload"]["consent"] == off
    assert (
        len(
            [e for e in await topic_events(namespace, Topic.SEEKER) if e["payload"]["seeker_id"] == seeker_id]
        )
        == 2
    )


async def test_staff_verify_declared_diplomas(seeker: SeekerService, namespace: Namespace) -> None:
    headers, seeker_id = await seeker_user(seeker.client)
    claim = {"level": "bachelor", "school": "郑州大学", "major": "机械工程", "graduation_year": 2024,
             "certificate_number": "104591202405001234"}  # fmt: skip
    declared = await seeker.client.post("/me/credentials", json=claim, headers=headers)
    assert declared.status_code == 201, declared.text
    credential_id = declared.json()["id"]
    assert declared.json()["status"] == "pending"

    queue = await seeker.client.get(
        "/staff/credentials", params={"status": "pending", "text": "郑州"}, headers=staff_headers()
    )
    assert [c["id"] for c in queue.json()["items"]] == [credential_id]
    assert (await seeker.client.get("/staff/credentials", headers=headers)).status_code == 403

    staff = staff_headers()
    verified = await seeker.client.post(f"/staff/credentials/{credential_id}/verify", json={}, headers=staff)
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    twice = await seeker.client.post(
        f"/staff/credentials/{credential_id}/reject", json={"note": "重复"}, headers=staff
    )
    assert twice.status_code == 409

    mine = (await seeker.client.get("/me/credentials", headers=headers)).json()
    assert [c["status"] for c in mine["items"]] == ["verified"]
    other_headers, _ = await seeker_user(seeker.client)
    assert (await seeker.client.get("/me/credentials", headers=other_headers)).json()["total"] == 0

    [reviewed] = await events_of(namespace, Topic.CREDENTIAL, "credential.reviewed")
    assert reviewed["payload"]["status"] == "verified"
    assert reviewed["payload"]["seeker_id"] == seeker_id
    [declared_event] = await events_of(namespace, Topic.CREDENTIAL, "credential.declared")
    assert declared_event["payload"]["credential_id"] == credential_id


async def test_without_a_valid_token_nothing_is_served(seeker: SeekerService) -> None:
    assert (await seeker.client.get("/me")).status_code == 401
    assert (await seeker.client.get("/me", headers=bearer("not.a.token"))).status_code == 401
    forged = TokenIssuer("x" * 40, timedelta(minutes=5)).issue(
        Principal(account_id=uuid4(), role=Role.SEEKER)
    )
    assert (await seeker.client.get("/me", headers=bearer(forged))).status_code == 401
    expired = TokenIssuer(AUTH_SECRET, timedelta(seconds=-1)).issue(
        Principal(account_id=uuid4(), role=Role.SEEKER)
    )
    response = await seeker.client.get("/me", headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    employer = TokenIssuer(AUTH_SECRET, timedelta(minutes=5)).issue(
        Principal(account_id=uuid4(), role=Role.EMPLOYER, organisation_id=uuid4())
    )
    assert (await seeker.client.get("/me", headers=bearer(employer))).status_code == 403
