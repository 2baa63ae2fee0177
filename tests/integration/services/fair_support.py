"""The fair service under test: a settable clock, tokens, and a market fed through Kafka."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from fastapi import FastAPI

from services.fair.adapters.repository import FairStore
from services.fair.bootstrap import create_app
from shared.auth import Principal, Role, TokenIssuer
from shared.events import catalogue as c
from tests import factories
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import bearer, publish, settings_for, wait_for

Headers = dict[str, str]
# Monday 23 November 2026, 10:00 in Shanghai.
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = MONDAY

    def __call__(self) -> datetime:
        return self.now


def fair_app(namespace: Namespace, clock: Clock) -> FastAPI:
    return create_app(settings_for(namespace, "fair"), clock=clock, planner_interval_s=0.2)


def token(role: Role, account_id: UUID | None = None, organisation_id: UUID | None = None) -> Headers:
    issuer = TokenIssuer(AUTH_SECRET, timedelta(minutes=30))
    principal = Principal(account_id=account_id or uuid4(), role=role, organisation_id=organisation_id)
    return bearer(issuer.issue(principal))


class IssuedOnUse(Mapping[str, str]):
    """Headers of one person whose token is issued each time a request reads them, so a module's
    constant outlives the token's 30 minutes (a token made at collection expired in long runs)."""

    def __init__(self, role: Role) -> None:
        self._role, self._account_id = role, uuid4()

    def __getitem__(self, name: str) -> str:
        return token(self._role, self._account_id)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(token(self._role, self._account_id))

    def __len__(self) -> int:
        return 1


def series_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "周六综合招聘会",
        "theme": "general",
        "rule": {
            "weekday": 6,
            "starts": "09:00",
            "ends": "12:00",
            "timezone": "Asia/Shanghai",
            "cutoff_weekday": 4,
            "cutoff_time": "18:00",
        },
        "venue": {
            "name": "郑州人才市场 一楼大厅",
            "zones": [
                {"name": "A区 制造", "industries": ["制造业"], "booths": ["A01", "A02"]},
                {"name": "B区 综合", "booths": ["B01", "B02"]},
            ],
        },
        "interviews": {"slot_minutes": 30, "per_seeker": 2, "per_booth_slot": 1, "gap_slots": 1},
        "weeks_ahead": 4,
        **overrides,
    }


@dataclass
class Market:
    """Employers, vacancies and seekers as the fair service learns of them: events on Kafka."""

    namespace: Namespace
    store: FairStore
    employers: dict[UUID, list[UUID]] = field(default_factory=dict)

    async def employer(self, *, industry: str = "制造业", approved: bool = True, vacancies: int = 1) -> UUID:
        employer_id = uuid4()
        events: list[Any] = [
            c.EmployerRegistered(
                employer_id=employer_id,
                name="安阳精密机械有限公司",
                credit_code=factories.credit_code(),
                industry=industry,
                city="安阳",
            )
        ]
        if approved:
            events.append(c.EmployerApproved(employer_id=employer_id, approved_by=uuid4()))
        posted = [factories.vacancy_state(employer_id=employer_id) for _ in range(vacancies)]
        await publish(self.namespace, *events, *posted)
        self.employers[employer_id] = [v.vacancy_id for v in posted]
        await self._arrived("vacancies", {"employer_id": str(employer_id)}, vacancies)
        arrived = {"_id": str(employer_id), "industry": industry} | ({"approved": True} if approved else {})
        await self._arrived("employers", arrived, 1)  # the approval too: it may come a batch later
        return employer_id

    async def seeker(self, *, graduation_year: int = 2022) -> UUID:
        seeker_id = uuid4()
        education = [
            c.Education(
                level=c.EducationLevel.BACHELOR,
                school="郑州大学",
                major="机械",
                graduation_year=graduation_year,
            )
        ]
        await publish(self.namespace, factories.seeker_state(seeker_id, education=education))
        await self._arrived("seekers", {"_id": str(seeker_id)}, 1)
        return seeker_id

    async def matches(self, *scored: tuple[UUID, UUID, float]) -> None:
        """(seeker, employer, score): a match with the employer's first vacancy."""
        events = [
            factories.match_found(seeker, self.employers[employer][0], employer, score=score, rank=1)
            for seeker, employer, score in scored
        ]
        await publish(self.namespace, *events)
        seekers = list({str(seeker) for seeker, _, _ in scored})
        await self._arrived("matches", {"seeker_id": {"$in": seekers}}, len(events))

    async def _arrived(self, collection: str, query: dict[str, Any], count: int) -> None:
        await wait_for(
            lambda: self.store[collection].count_documents(query),
            until=lambda n: n >= count,
            what=f"{count} {collection} in the fair service's read model",
        )


async def run_schedule(client: httpx.AsyncClient, fair_id: str, staff: Mapping[str, str]) -> dict[str, Any]:
    """Start a staff scheduling run (202) and wait for it to publish; the new summary."""
    before = ok(await client.get(f"/staff/fairs/{fair_id}/schedule", headers=staff))
    version = before.get("schedule_summary", {}).get("version", 0)
    answer = await client.post(f"/staff/fairs/{fair_id}/schedule", headers=staff)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "running"
    after = await wait_for(
        lambda: client.get(f"/staff/fairs/{fair_id}/schedule", headers=staff),
        until=lambda response: (
            response.json().get("schedule_summary", {}).get("version", 0) > version
            and response.json().get("schedule_run") is None
        ),
        timeout=60,
        what="the scheduling run to publish its version",
    )
    return dict(after.json()["schedule_summary"])


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()
