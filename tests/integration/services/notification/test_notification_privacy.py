"""Consent and erasure: nothing to a seeker who switched contact off or deleted the account,
and deletion forgets the person everywhere in the service's store."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import Principal, Role
from shared.events import Envelope, Topic, dead_letter_topic, topic_name
from shared.events import catalogue as c
from tests import factories
from tests.helpers import bearer, consumed, publish, read_all, wait_for
from tests.integration.services.notification.conftest import TOKENS, Rig

pytestmark = pytest.mark.integration


async def mentions(rig: Rig, text: str) -> dict[str, int]:
    """How many documents of each collection hold ``text`` anywhere."""
    found: dict[str, int] = {}
    for name in await rig.db.list_collection_names():
        async for document in rig.db[name].find({}):
            if text in repr(document):
                found[name] = found.get(name, 0) + 1
    return found


async def test_a_deleted_seeker_is_forgotten_and_told_nothing_more(rig: Rig) -> None:
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "数控机床操作工")
    seeker_id, me = await rig.seeker()
    await rig.prefer(
        me, channels=["inbox", "email", "webhook"], email="wang.wu@example.cn", webhook_url=rig.webhook.url
    )
    await publish(rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1))
    await rig.inbox(me, 1)
    await rig.smtp.received(1)

    await publish(rig.namespace, c.SeekerDeleted(seeker_id=seeker_id), producer="seeker")
    await wait_for(
        lambda: mentions(rig, str(seeker_id)),
        until=lambda found: found == {"erasures": 1},
        what="the erasure",
    )
    assert await mentions(rig, "wang.wu@example.cn") == {}

    later = await rig.vacancy(employer_id, "焊工")
    await publish(
        rig.namespace,
        factories.match_found(seeker_id, later, employer_id, score=0.9, rank=1),
        c.InvitationSent(
            invitation_id=uuid4(), employer_id=employer_id, vacancy_id=later, seeker_id=seeker_id
        ),
        factories.seeker_state(seeker_id, version=2, kind=c.SeekerUpdated),  # a replay after the deletion
    )
    await wait_for(lambda: rig.skipped("erased recipient"), until=lambda s: len(s) == 2, what="both skipped")
    await wait_for(
        lambda: consumed(rig.namespace, "notification", Topic.SEEKER), until=bool, what="the replay read"
    )
    skipped = await rig.skipped("erased recipient")
    assert len(skipped) == 2, "the match and the invitation, once each"
    assert all(s["recipient_id"] is None for s in skipped), "the skip record does not name the erased seeker"
    assert await mentions(rig, str(seeker_id)) == {"erasures": 1}, "the replayed profile is not taken back"
    assert len(rig.smtp.mailbox.messages) == 1
    assert len(rig.webhook.requests) == 1
    response = await rig.client.get("/me/inbox", headers=me)
    assert response.status_code == 401
    assert response.json()["detail"] == "this account was deleted"


async def test_a_seeker_who_switched_contact_off_gets_nothing(rig: Rig) -> None:
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "仓库管理员")
    seeker_id, me = await rig.seeker()
    await rig.prefer(me, channels=["inbox", "email"], email="sun.li@example.cn")
    await publish(
        rig.namespace,
        factories.seeker_state(seeker_id, version=2, kind=c.SeekerConsentChanged, allow_contact=False),
        producer="seeker",
    )

    async def contact_allowed() -> Any:
        document = await rig.db["recipients"].find_one({"_id": str(seeker_id)})
        return document and document["allow_contact"]

    await wait_for(contact_allowed, until=lambda allowed: allowed is False, what="the consent change")
    await publish(
        rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.95, rank=1)
    )
    [skipped] = await rig.skipped("the seeker switched contact off")
    assert skipped["recipient_id"] == str(seeker_id)
    assert (await rig.client.get("/me/inbox", headers=me)).json()["total"] == 0
    assert rig.smtp.mailbox.messages == []


async def test_a_match_for_someone_not_known_yet_waits_for_their_registration(rig: Rig) -> None:
    """Registrations and matches travel on different topics, so a match may arrive first."""
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "会计")
    newcomer = uuid4()
    await publish(rig.namespace, factories.match_found(newcomer, vacancy_id, employer_id, score=0.9, rank=1))

    async def waiting() -> dict[str, Any]:
        return await rig.db["waiting"].find_one({"_id": str(newcomer)}) or {}

    parked = await wait_for(waiting, until=lambda found: bool(found.get("intents")), what="the match waiting")
    [intent] = parked["intents"].values()
    assert intent["subject_key"] == f"match:{vacancy_id}"
    assert await rig.db["notifications"].count_documents({"recipient_id": str(newcomer)}) == 0

    await publish(rig.namespace, factories.seeker_state(newcomer), producer="seeker")
    me = bearer(TOKENS.issue(Principal(account_id=newcomer, role=Role.SEEKER)))
    [item] = await rig.inbox(me, 1)
    assert item["kind"] == "match"
    assert "会计" in item["text"]
    # Told first, then released: the inbox may show the item a moment before the release.
    await wait_for(waiting, until=lambda found: found["intents"] == {}, what="no longer waiting")


async def test_weak_matches_are_recorded_and_skipped(rig: Rig) -> None:
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "会计")
    seeker_id, me = await rig.seeker()
    await rig.prefer(me, min_score=0.6)
    await publish(
        rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.55, rank=1)
    )
    [weak] = await rig.skipped("score 0.55 below the chosen minimum 0.60")
    assert UUID(weak["recipient_id"]) == seeker_id
    await publish(
        rig.namespace, factories.match_found(seeker_id, vacancy_id, employer_id, score=0.61, rank=1)
    )
    [item] = await rig.inbox(me, 1)
    assert "61%" in item["text"], "the consumer kept going after the skipped event"


async def test_messages_on_the_match_topic_that_are_not_valid_events_go_to_the_dead_letter_topic(
    rig: Rig,
) -> None:
    employer_id, _ = await rig.employer()
    vacancy_id = await rig.vacancy(employer_id, "电焊工")
    seeker_id, me = await rig.seeker()
    valid = Envelope.wrap(
        factories.match_found(seeker_id, vacancy_id, employer_id, score=0.8, rank=1), producer="t"
    )
    wrong_score = valid.model_dump(mode="json")
    wrong_score["payload"]["score"] = 7
    kafka = AIOKafkaProducer(bootstrap_servers=rig.namespace.infra.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    try:
        topic = topic_name(Topic.MATCH, rig.namespace.topic_prefix)
        key = str(seeker_id).encode()
        await kafka.send_and_wait(topic, b"\xff not json", key=key)
        await kafka.send_and_wait(
            topic, json.dumps({**wrong_score, "event_id": str(uuid4())}).encode(), key=key
        )
        await kafka.send_and_wait(topic, valid.model_dump_json().encode(), key=key)
    finally:
        await kafka.stop()
    [item] = await rig.inbox(me, 1)
    assert item["subject"] == "新的岗位匹配：电焊工", "the valid event behind the bad ones was told"
    dead = await read_all(rig.namespace, dead_letter_topic(topic), 2)
    assert dead[0].value == b"\xff not json"
    headers = [{name: value.decode() for name, value in record.headers} for record in dead]
    assert [h["dlq.service"] for h in headers] == ["notification", "notification"]
    assert "less than or equal to 1" in headers[1]["dlq.error"]
    assert {h["dlq.topic"] for h in headers} == {topic}
