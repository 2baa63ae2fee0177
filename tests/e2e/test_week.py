"""The demo week, small, on all services as processes on the real local infrastructure: what
people see afterwards through the public APIs and in the mailbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.local.processes import DEFAULT_PORTS, ServiceProcesses, running_services
from deploy.local.week.api import Headers
from deploy.local.week.bodies import seeker_email
from deploy.local.week.deployment import Deployment
from deploy.local.week.mailbox import LocalMailbox, smtp_server
from deploy.local.week.play import Played, play_week
from deploy.local.week.sizes import Sizes
from deploy.local.week.summary import Retraining
from tests.conftest import AUTH_SECRET, Namespace
from tests.helpers import free_port, wait_for

pytestmark = pytest.mark.integration
SIZES = Sizes(
    employers=5, vacancies=40, seekers=240, interactive=40, emailed=10, fair_employers=5, fair_seekers=30
)
SLOTS = 6  # 09:00-12:00 in 30-minute slots (deploy.local.week.bodies.fair_series)
PER_BOOTH_SLOT = 2


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[LocalMailbox, int]]:
    port = free_port()
    with smtp_server(tmp_path / "mail", port) as mail:
        yield mail, port


@pytest.fixture
async def played(
    namespace: Namespace, mailbox: tuple[LocalMailbox, int], tmp_path: Path
) -> AsyncIterator[tuple[Played, ServiceProcesses, LocalMailbox]]:
    mail, smtp_port = mailbox
    ports = {name: free_port() for name in DEFAULT_PORTS}
    env = namespace.env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), OUTBOX_SWEEP_SECONDS="0.5")
    with running_services(ports, env, tmp_path / "logs", database_prefix=namespace.database) as services:
        deployment = Deployment(
            urls={name: services.url(name) for name in ports},
            kafka_bootstrap_servers=namespace.infra.kafka_bootstrap_servers,
            mongo_url=namespace.infra.mongo_url,
            topic_prefix=namespace.topic_prefix,
            database_prefix=namespace.database,
            auth_secret=AUTH_SECRET,
        )
        yield await play_week(deployment, SIZES, 7, mail, services.check_alive), services, mail


async def get(url: str, headers: Headers) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


async def test_a_small_week_ends_with_matches_told_a_fair_held_and_a_retrained_model(
    played: tuple[Played, ServiceProcesses, LocalMailbox],
) -> None:
    result, services, mail = played
    week, fair, summary = result.week, result.fair, result.summary
    assert summary.seekers == SIZES.seekers
    assert summary.vacancies == SIZES.vacancies
    assert summary.matches > 0

    # A seeker who chose e-mail finds a match in the inbox, and the mail in the mailbox.
    emailed = {week.seeker_ids[index]: week.seekers[index] for index in week.cast.emailed}
    inboxes = [await get(f"{services.url('notification')}/me/inbox", headers) for headers in emailed.values()]
    assert any(item["kind"] == "match" for inbox in inboxes for item in inbox["items"])
    messages = await wait_for(
        lambda: _messages(mail), until=bool, timeout=60, what="an e-mail in the local mailbox"
    )
    addresses = {str(message["To"]) for message in messages}
    assert addresses <= {seeker_email(week.market, index) for index in week.cast.emailed}

    # The published schedule keeps the booths' slots and nobody is in two places at once.
    booths = {booth["booth"]: booth for booth in fair.booths}
    assert len(booths) == SIZES.fair_employers
    assert fair.interviews
    for interview in fair.interviews:
        assert booths[interview["booth"]]["employer_id"] == interview["employer_id"]
        assert 0 <= interview["slot"] < SLOTS
    assert max(Counter((i["booth"], i["slot"]) for i in fair.interviews).values()) <= PER_BOOTH_SLOT
    assert max(Counter((i["seeker_id"], i["slot"]) for i in fair.interviews).values()) == 1
    seeker = next(
        index
        for index in week.cast.fair
        if week.seeker_ids[index] in {i["seeker_id"] for i in fair.interviews}
    )
    mine = await get(f"{services.url('fair')}/fairs/{fair.fair_id}/itinerary", week.seekers[seeker])
    assert {(i["booth"], i["slot"]) for i in mine["interviews"]} == {
        (i["booth"], i["slot"]) for i in fair.interviews if i["seeker_id"] == week.seeker_ids[seeker]
    }

    # The fair's statistics are what was recorded (a hire counts as an intention too).
    figures = fair.statistics["figures"]
    assert figures["hires"] == fair.recorded["hired"]
    assert figures["hiring_intentions"] == fair.recorded["hiring_intention"] + fair.recorded["hired"]
    assert figures["not_suitable"] == fair.recorded["not_suitable"]
    assert figures["employers_attending"] == SIZES.fair_employers
    assert figures["visitors"] == len(fair.checked_in) - SIZES.fair_employers

    # The matcher retrained on the outcomes; a promoted model is the one the service ranks with.
    assert isinstance(summary.retraining, Retraining)
    assert summary.retraining.version.startswith("lr-")
    expected = (
        summary.retraining.version
        if summary.retraining.promoted
        else summary.retraining.metrics["compared_with"]
    )
    await wait_for(
        lambda: get(f"{services.url('matching')}/model", {}),
        until=lambda model: model["version"] == expected,
        timeout=90,
        what=f"the matching service to rank with {expected}",
    )


async def _messages(mail: LocalMailbox) -> list[Any]:
    return mail.messages()
