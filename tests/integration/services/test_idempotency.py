"""``Idempotency-Key`` on the real employer service and store: a retried write is answered
again, never carried out twice."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.employer.bootstrap import create_app as create_employer_app
from shared.api.idempotency import COLLECTION, HEADER, REPLAYED
from tests import factories
from tests.conftest import Namespace
from tests.helpers import serving, settings_for
from tests.integration.services.conftest import Employer, approved_employer

pytestmark = [pytest.mark.integration, pytest.mark.security]


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, HEADER: key}


async def vacancies_titled(database: AsyncDatabase[dict[str, Any]], title: str) -> int:
    return await database["vacancies"].count_documents({"title": title})


async def test_the_same_key_twice_creates_one_vacancy_and_answers_the_same_body(
    employer: Employer, staff: dict[str, str], employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    headers, key = await approved_employer(employer.client, staff), str(uuid4())
    body = factories.vacancy(title="夜班焊工 night welder")

    first = await employer.client.post("/vacancies", json=body, headers=keyed(headers, key))
    again = await employer.client.post("/vacancies", json=body, headers=keyed(headers, key))

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers[REPLAYED] == "true"
    assert REPLAYED not in first.headers
    assert await vacancies_titled(employer_db, "夜班焊工 night welder") == 1
    stored = await employer_db[COLLECTION].find_one({"key": key})
    assert stored is not None
    assert stored["scope"].startswith("employer:")
    assert (stored["method"], stored["path"], stored["status"]) == ("POST", "/vacancies", 201)


async def test_the_same_key_with_another_body_or_path_is_refused_and_changes_nothing(
    employer: Employer, staff: dict[str, str], employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    headers, key = await approved_employer(employer.client, staff), str(uuid4())
    first = await employer.client.post(
        "/vacancies", json=factories.vacancy(title="钳工"), headers=keyed(headers, key)
    )
    assert first.status_code == 201, first.text

    other_body = await employer.client.post(
        "/vacancies", json=factories.vacancy(title="电工"), headers=keyed(headers, key)
    )
    vacancy_id = first.json()["id"]
    other_path = await employer.client.post(
        f"/vacancies/{vacancy_id}/close", json={"reason": "招满了"}, headers=keyed(headers, key)
    )

    for refused in (other_body, other_path):
        assert refused.status_code == 422, refused.text
        (problem,) = refused.json()["detail"]
        assert problem["loc"] == ["header", HEADER]
        assert "another request" in problem["msg"]
    assert await vacancies_titled(employer_db, "电工") == 0
    assert (await employer.client.get(f"/vacancies/{vacancy_id}", headers=headers)).json()["status"] == "open"


async def test_another_account_s_same_key_is_its_own(
    employer: Employer, staff: dict[str, str], employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    first_tenant = await approved_employer(employer.client, staff, name="安阳精密机械有限公司")
    second_tenant = await approved_employer(employer.client, staff, name="郑州重型装备有限公司")
    key, body = str(uuid4()), factories.vacancy(title="装配钳工")

    first = await employer.client.post("/vacancies", json=body, headers=keyed(first_tenant, key))
    second = await employer.client.post("/vacancies", json=body, headers=keyed(second_tenant, key))

    assert first.status_code == second.status_code == 201
    assert REPLAYED not in second.headers
    assert second.json()["id"] != first.json()["id"]
    assert second.json()["employer_id"] != first.json()["employer_id"]
    assert await vacancies_titled(employer_db, "装配钳工") == 2


async def test_a_malformed_key_is_refused(employer: Employer, staff: dict[str, str]) -> None:
    headers = await approved_employer(employer.client, staff)
    response = await employer.client.post(
        "/vacancies", json=factories.vacancy(), headers=keyed(headers, "x" * 256)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", HEADER]


async def test_the_key_and_the_503_are_documented_on_writes(namespace: Namespace) -> None:
    async with serving(create_employer_app(settings_for(namespace, "employer"))) as client:
        schema = (await client.get("/openapi.json")).json()
    post = schema["paths"]["/vacancies"]["post"]
    assert any(parameter["name"] == HEADER for parameter in post["parameters"])
    assert "503" in post["responses"]
    get = schema["paths"]["/vacancies"]["get"]
    assert all(parameter["name"] != HEADER for parameter in get.get("parameters", []))


async def test_the_same_key_sent_twice_at_once_is_carried_out_once(
    employer: Employer, staff: dict[str, str], employer_db: AsyncDatabase[dict[str, Any]]
) -> None:
    headers, key = await approved_employer(employer.client, staff), str(uuid4())
    body = factories.vacancy(title="同时提交 double click")

    answers = await asyncio.gather(
        *(employer.client.post("/vacancies", json=body, headers=keyed(headers, key)) for _ in range(2))
    )

    assert sorted(answer.status_code for answer in answers) in ([201, 201], [201, 409])
    assert await vacancies_titled(employer_db, "同时提交 double click") == 1
