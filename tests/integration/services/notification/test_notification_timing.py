"""Quiet hours hold the push channels until they end; digest mode folds a day's matches into one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.helpers import publish, wait_for
from tests.integration.services.notification.conftest import Rig

pytestmark = pytest.mark.integration

NIGHT = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 in Asia/Shanghai
MORNING = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai


async def test_quiet_hours_delay_email_until_they_end_while_the_inbox_has_it_at_once(rig: Rig) -> None:
    rig.clock.now = NIGHT
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "夜班保安")
    seeker_id, me = await rig.seeker()
    await rig.prefer(me, channels=["inbox", "email"], email="zhao.min@example.cn")
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))
    [item] = await rig.inbox(me, 1)
    delivery = await rig.delivery(item["id"], "email")
    assert datetime.fromisoformat(delivery["due_at"]) == MORNING
    assert await rig.notifications.deliver_due() == 0
    assert rig.smtp.mailbox.messages == []

    rig.clock.now = MORNING
    [mail] = await rig.smtp.received(1)
    assert mail["Subject"] == "新的岗位匹配：夜班保安"


async def test_quiet_hours_follow_the_persons_time_zone(rig: Rig) -> None:
    rig.clock.now = NIGHT  # 15:30 in London
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "Barista 咖啡师")
    seeker_id, me = await rig.seeker(language="en")
    await rig.prefer(me, channels=["email"], email="tom@example.co.uk", time_zone="Europe/London")
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))
    [mail] = await rig.smtp.received(1)
    assert mail["Subject"] == "New match: Barista 咖啡师"


async def test_digest_mode_sends_the_days_matches_as_one_message_at_the_chosen_time(rig: Rig) -> None:
    employer_id, _ = await rig.employer("郑州宇通客车股份有限公司")
    titles = ["装配钳工", "汽车电工", "涂装工"]
    vacancies = [await rig.vacancy(employer_id, title) for title in titles]
    seeker_id, me = await rig.seeker()
    await rig.prefer(
        me, channels=["inbox", "email"], email="chen.jing@example.cn", mode="digest", digest_at="19:00"
    )
    await publish(
        rig.namespace,
        *(
            factories.match_found(seeker_id, v, employer_id, score=0.8, rank=i)
            for i, v in enumerate(vacancies, 1)
        ),
    )

    async def held() -> int:
        return int(await rig.db["digest_queue"].count_documents({"recipient_id": str(seeker_id)}))

    await wait_for(held, until=lambda count: count == 3, what="three matches held for the digest")
    assert (await rig.client.get("/me/inbox", headers=me)).json()["total"] == 0
    assert await rig.notifications.send_digests() == 0, "not before 19:00"

    rig.clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 19:00 in Asia/Shanghai
    [digest] = await rig.inbox(me, 1)
    assert digest["subject"] == "每日匹配摘要（3）"
    assert all(f"「{title}」" in digest["text"] for title in titles)
    [mail] = await rig.smtp.received(1)
    assert mail["Subject"] == "每日匹配摘要（3）"
    await wait_for(held, until=lambda count: count == 0, what="the held matches to be released")
    assert await rig.notifications.send_digests() == 0, "each match is in one digest only"
    assert (await rig.client.get("/me/inbox", headers=me)).json()["total"] == 1
