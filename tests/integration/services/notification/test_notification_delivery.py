"""A match told once on every channel; redelivery, replays and re-matches add nothing."""

from __future__ import annotations

from typing import Any

import pytest

from shared.events import Topic
from tests import factories
from tests.helpers import events_of, publish, publish_envelopes, wait_for
from tests.integration.services.notification.conftest import Rig

pytestmark = pytest.mark.integration


async def test_a_match_reaches_the_inbox_the_mail_server_and_the_webhook_once(rig: Rig) -> None:
    employer_id, _ = await rig.employer("安阳精密机械有限公司")
    vacancy_id = await rig.vacancy(employer_id, "数控机床操作工")
    other_vacancy = await rig.vacancy(employer_id, "焊工 welder")
    seeker_id, me = await rig.seeker()
    await rig.prefer(
        me,
        channels=["inbox", "email", "webhook"],
        email="wang.xiaoming@example.cn",
        webhook_url=rig.webhook.url,
    )

    [match] = await publish(
        rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.83, rank=1)
    )
    [item] = await rig.inbox(me, 1)
    assert item["subject"] == "新的岗位匹配：数控机床操作工"
    assert "安阳精密机械有限公司 的「数控机床操作工」与您匹配度 83%。" in item["text"]
    assert "- 您具备所需技能：数控编程" in item["text"], "the match's reasons are told"

    [mail] = await rig.smtp.received(1)
    assert mail["To"] == "wang.xiaoming@example.cn"
    assert mail["Subject"] == "新的岗位匹配：数控机床操作工"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "匹配度 83%" in text.get_content()
    assert "<p>- 您具备所需技能：数控编程</p>" in html.get_content()

    [hook] = await rig.webhook.delivered(1)
    assert hook["valid"], "the receiver checked the HMAC signature"
    assert hook["body"]["notification_id"] == item["id"]
    assert hook["body"]["subject"] == item["subject"]

    # The same event again (a redelivery), and a re-match of the same pair with another score.
    await publish_envelopes(rig.namespace, match)
    await publish(
        rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.91, rank=1)
    )
    await publish(
        rig.namespace, factories.match_found(seeker_id, other_vacancy, employer_id, score=0.75, rank=2)
    )
    items = await rig.inbox(me, 2)
    await rig.smtp.received(2)
    await rig.webhook.delivered(2)
    sent = await events_of(rig.namespace, Topic.NOTIFICATION, "notification.sent", 4)

    async def totals() -> tuple[int, int, int]:
        stored = await rig.db["notifications"].count_documents({"recipient_id": str(seeker_id)})
        return stored, len(rig.smtp.mailbox.messages), len(rig.webhook.requests)

    assert await totals() == (2, 2, 2)
    assert {i["subject"] for i in items} == {"新的岗位匹配：焊工 welder", "新的岗位匹配：数控机床操作工"}
    assert sorted(e["payload"]["channel"] for e in sent) == ["email", "email", "webhook", "webhook"]
    assert all(e["payload"]["recipient_id"] == str(seeker_id) for e in sent)
    assert all("example.cn" not in str(e) for e in sent), "no address goes on the bus"


async def test_the_inbox_lists_unread_first_and_counts_what_is_unread(rig: Rig) -> None:
    employer_id, _ = await rig.employer()
    titles = ["仓库管理员", "叉车司机", "质检员"]
    vacancies = [await rig.vacancy(employer_id, title) for title in titles]
    seeker_id, me = await rig.seeker(language="en")
    await publish(
        rig.namespace,
        *(factories.match_found(seeker_id, v, employer_id, score=0.9, rank=1) for v in vacancies),
    )
    items = await rig.inbox(me, 3)
    assert {i["subject"] for i in items} == {f"New match: {t}" for t in titles}, "in the profile's language"
    first = items[-1]
    read = await rig.client.post(f"/me/inbox/{first['id']}/read", headers=me)
    assert read.status_code == 200
    assert read.json()["read"] is True
    assert (await rig.client.get("/me/inbox/unread-count", headers=me)).json() == {"unread": 2}
    listed = (await rig.client.get("/me/inbox", headers=me)).json()
    assert [i["read"] for i in listed["items"]] == [False, False, True]
    paged = (await rig.client.get("/me/inbox", params={"offset": 1, "limit": 1}, headers=me)).json()
    assert (paged["total"], len(paged["items"])) == (3, 1)

    _, stranger = await rig.seeker()
    assert (await rig.client.post(f"/me/inbox/{first['id']}/read", headers=stranger)).status_code == 404
    assert (await rig.client.get("/me/inbox", headers=stranger)).json()["total"] == 0

    await rig.prefer(me, language="zh-CN")
    reworded = (await rig.client.get("/me/inbox", headers=me)).json()["items"]
    assert {i["subject"] for i in reworded} == {f"新的岗位匹配：{t}" for t in titles}


async def _attempts(rig: Rig, notification_id: str, channel: str, count: int) -> dict[str, Any]:
    return await wait_for(
        lambda: rig.delivery(notification_id, channel),
        until=lambda delivery: delivery["attempts"] >= count,
        what=f"{count} {channel} attempt(s)",
    )


async def test_a_mail_server_that_is_down_leads_to_retries_the_dead_state_and_a_staff_retry(rig: Rig) -> None:
    await rig.smtp.stop()
    employer_id, company = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "电工 electrician")
    seeker_id, me = await rig.seeker()
    await rig.prefer(me, channels=["email"], email="li.na@example.cn")
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))

    async def notification() -> dict[str, Any] | None:
        return await rig.db["notifications"].find_one({"recipient_id": str(seeker_id)})

    stored = await wait_for(notification, until=lambda found: found is not None, what="the notification")
    assert stored is not None
    assert stored["in_inbox"] is False, "only email was chosen"
    notification_id = stored["_id"]
    first = await _attempts(rig, notification_id, "email", 1)
    assert first["status"] == "pending"
    assert "Connection refused" in first["history"][0]["error"] or "SMTP" in first["history"][0]["error"]
    rig.clock.advance(seconds=59)
    assert await rig.notifications.deliver_due() == 0, "not before its backoff"
    rig.clock.advance(seconds=1)
    await _attempts(rig, notification_id, "email", 2)
    rig.clock.advance(seconds=120)
    dead = await _attempts(rig, notification_id, "email", 3)
    assert dead["status"] == "dead"
    assert [a["ok"] for a in dead["history"]] == [False, False, False]
    [failed] = await events_of(rig.namespace, Topic.NOTIFICATION, "notification.failed")
    assert failed["payload"]["attempts"] == 3
    assert failed["payload"]["channel"] == "email"

    staff = rig.staff()
    listed = await rig.client.get("/staff/deliveries/dead", headers=staff)
    assert listed.status_code == 200
    [parked] = listed.json()["items"]
    assert parked["notification_id"] == notification_id
    assert len(parked["deliveries"]["email"]["history"]) == 3
    assert "li.na@example.cn" not in listed.text, "staff see attempts, not addresses"
    assert (await rig.client.get("/staff/deliveries/dead", headers=me)).status_code == 403
    assert (await rig.client.get("/staff/deliveries/dead", headers=company)).status_code == 403

    await rig.smtp.start()
    retry = f"/staff/deliveries/{notification_id}/email/retry"
    assert (await rig.client.post(retry, headers=me)).status_code == 403
    retried = await rig.client.post(retry, headers=staff)
    assert retried.status_code == 200, retried.text
    [mail] = await rig.smtp.received(1)
    assert mail["Subject"] == "新的岗位匹配：电工 electrician"
    delivered = await wait_for(
        lambda: rig.delivery(notification_id, "email"), until=lambda d: d["status"] == "sent", what="sent"
    )
    assert [a["ok"] for a in delivered["history"]] == [False, False, False, True], "every attempt is recorded"
    await events_of(rig.namespace, Topic.NOTIFICATION, "notification.sent")
    assert (await rig.client.post(retry, headers=staff)).status_code == 404, (
        "only dead deliveries are retried"
    )
    assert (await rig.client.get("/staff/deliveries/dead", headers=staff)).json()["total"] == 0


async def test_a_failing_webhook_is_retried_with_backoff_and_every_post_is_signed(rig: Rig) -> None:
    rig.webhook.failures = 2
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "Java 开发工程师")
    seeker_id, me = await rig.seeker(language="en")
    await rig.prefer(me, channels=["webhook"], webhook_url=rig.webhook.url)
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))

    async def notification() -> dict[str, Any] | None:
        return await rig.db["notifications"].find_one({"recipient_id": str(seeker_id)})

    stored = await wait_for(notification, until=lambda found: found is not None, what="the notification")
    assert stored is not None
    await _attempts(rig, stored["_id"], "webhook", 1)
    rig.clock.advance(seconds=60)
    second = await _attempts(rig, stored["_id"], "webhook", 2)
    assert second["history"][1]["error"].endswith("HTTP 503")
    assert await rig.notifications.deliver_due() == 0, "the second pause is twice the first"
    rig.clock.advance(seconds=120)
    [hook] = await rig.webhook.delivered(1)
    assert hook["body"]["subject"] == "New match: Java 开发工程师"
    assert [r["valid"] for r in rig.webhook.requests] == [True, True, True]
    assert [r["timestamp"] for r in rig.webhook.requests] == [
        int(rig.clock().timestamp()) - 180, int(rig.clock().timestamp()) - 120, int(rig.clock().timestamp())
    ]  # fmt: skip
