"""Staff import seekers registered in person: batched writes and events, unclaimed accounts."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.events import Topic
from shared.store.outbox import PENDING
from tests.conftest import Namespace
from tests.helpers import events_of, topic_events, wait_for
from tests.integration.services.conftest import SeekerService, seeker_user
from tests.integration.services.test_seeker_api import staff_headers

pytestmark = pytest.mark.integration


def record(number: int, **profile: Any) -> dict[str, Any]:
    return {
        "record_id": f"RC-2026-{number:05d}",
        "profile": {
            "display_name": "李静怡",
            "contact": {"email": f"jingyi.li{number}@example.cn", "phone": "+86 139 0000 0000"},
            "education": [
                {"level": "master", "school": "河南大学", "major": "统计学", "graduation_year": 2025}
            ],
            "skills": ["数据分析", "Python"],
            "desired_roles": ["数据分析师 data analyst"],
            "desired_cities": ["郑州"],
            **profile,
        },
        "consent": {"allow_matching": True, "allow_contact": False, "personalised_recommendations": True},
    }


async def test_an_import_stores_every_record_publishes_each_once_and_skips_repeats(
    seeker: SeekerService, namespace: Namespace
) -> None:
    first = await seeker.client.post(
        "/staff/seekers/import", json={"records": [record(n) for n in range(3)]}, headers=staff_headers()
    )
    assert first.status_code == 200, first.text
    assert first.json() == {"imported": 3, "already_registered": []}

    events = await events_of(namespace, Topic.SEEKER, "seeker.registered", count=3)
    assert sorted(e["payload"]["display_name"] for e in events) == ["李静怡"] * 3
    assert {e["payload"]["consent"]["allow_contact"] for e in events} == {False}
    assert all("contact" not in e["payload"] for e in events)  # contact details stay in the service

    # The same records again, plus one new: only the new one goes in.
    again = await seeker.client.post(
        "/staff/seekers/import", json={"records": [record(n) for n in range(4)]}, headers=staff_headers()
    )
    assert again.json() == {"imported": 1, "already_registered": [f"RC-2026-{n:05d}" for n in range(3)]}
    await events_of(namespace, Topic.SEEKER, "seeker.registered", count=4)
    await wait_for(lambda: pending(seeker), until=lambda n: n == 0, what="the seeker outbox drained")
    registered = [
        e for e in await topic_events(namespace, Topic.SEEKER) if e["event_type"] == "seeker.registered"
    ]
    assert len(registered) == len({e["payload"]["seeker_id"] for e in registered}) == 4, "each record once"


async def pending(seeker: SeekerService) -> int:
    """Documents of the seeker service with events staged and not yet published."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(seeker.settings.mongo_url)
    try:
        database = client[seeker.settings.mongo_database]
        return sum(
            [await database[name].count_documents(PENDING) for name in await database.list_collection_names()]
        )
    finally:
        await client.close()


async def test_an_imported_account_cannot_sign_in_until_claimed_and_its_e_mail_is_taken(
    seeker: SeekerService,
) -> None:
    body = {"records": [record(7)]}
    assert (
        await seeker.client.post("/staff/seekers/import", json=body, headers=staff_headers())
    ).status_code == 200
    login = {"email": "jingyi.li7@example.cn", "password": "any password at all"}
    assert (await seeker.client.post("/auth/login", json=login)).status_code == 401
    taken = await seeker.client.post(
        "/auth/register", json={**login, "display_name": "李静怡", "password": "correct horse battery 九"}
    )
    assert taken.status_code == 409


async def test_an_invalid_record_is_named_and_nothing_is_stored(seeker: SeekerService) -> None:
    records = [record(1), record(2, skills=["x" * 101])]
    response = await seeker.client.post(
        "/staff/seekers/import", json={"records": records}, headers=staff_headers()
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "records", 1]
    assert (
        await seeker.client.post(
            "/staff/seekers/import", json={"records": [record(1)]}, headers=staff_headers()
        )
    ).json()["imported"] == 1


async def test_only_staff_import(seeker: SeekerService) -> None:
    headers, _ = await seeker_user(seeker.client)
    response = await seeker.client.post(
        "/staff/seekers/import", json={"records": [record(1)]}, headers=headers
    )
    assert response.status_code == 403
