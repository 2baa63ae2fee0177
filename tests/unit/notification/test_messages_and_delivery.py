"""Bilingual wording, webhook signatures, and retry with backoff into the dead state."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.notification.domain.decision import Kind
from services.notification.domain.delivery import Delivery
from services.notification.domain.messages import render
from services.notification.domain.signing import signature, verify
from shared.messaging.delivery import RetryPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
WELDING = {"id": "27d26fd6", "zh": "电弧焊技术", "en": "apply arc welding techniques"}
MATCH = {
    "vacancy_title": "数控机床操作工",
    "employer_name": "安阳精密机械有限公司",
    "score": 0.834,
    "reasons": [
        {"code": "skill_held", "skill": WELDING},
        {"code": "experience_gap", "values": {"asked": 3, "held": 0}},
        {"code": "education_gap", "values": {"asked": "bachelor"}},
        {"code": "category_fit", "values": {"category": "high_skill"}},
        {"code": "city_fit", "values": {"remote": True}},
        {"code": "other_skills", "values": {"count": 2}},
        {"code": "skills_matched", "detail": "数控编程"},  # published before reasons had values
        {"code": "experience_gap", "detail": "3 years asked, 0 held"},
        {"code": "new_code", "detail": ""},
    ],
}  # fmt: skip


def test_a_match_in_chinese_and_in_english_with_its_reasons() -> None:
    zh = render(Kind.MATCH, "zh-CN", MATCH, SHANGHAI)
    assert zh.subject == "新的岗位匹配：数控机床操作工"
    assert zh.lines == (
        "安阳精密机械有限公司 的「数控机床操作工」与您匹配度 83%。",
        "- 您具备所需技能：电弧焊技术",
        "- 要求 3 年经验，您有 0 年",
        "- 学历要求：本科",
        "- 人才类别相同：高技能人才",
        "- 可远程工作",
        "- 其他 2 项技能",
        "- 技能匹配",
        "- 经验要求",
        "- 其他因素",
    )
    assert not re.search(r"[A-Za-z]", "".join(zh.lines[1:])), "no code, no English fragment"
    en = render(Kind.MATCH, "en", MATCH, SHANGHAI)
    assert en.subject == "New match: 数控机床操作工"
    assert en.lines[1:5] == (
        "- you have a skill asked for: apply arc welding techniques",
        "- 3 years of experience asked, you have 0",
        "- education required: bachelor",
        "- same talent category: high-skill",
    )
    assert "new_code" not in en.text


def test_html_escapes_what_people_wrote() -> None:
    invitation = {
        "vacancy_title": "<b>焊工</b>",
        "employer_name": None,
        "message": "请带<简历>",
        "interview_at": None,
    }
    message = render(Kind.INVITATION, "zh-CN", invitation, SHANGHAI)
    assert "&lt;b&gt;焊工&lt;/b&gt;" in message.html
    assert "请带&lt;简历&gt;" in message.html
    assert "<b>" not in message.html
    assert "一家用人单位 邀请您面试" in message.text


def test_times_are_shown_in_the_readers_zone() -> None:
    schedule = {
        "fair_title": "安阳市周六综合招聘会", "version": 2, "changed": True,
        "booth": {"booth": "A-017", "zone": "制造业"},
        "interviews": [{"booth": "A-017", "starts_at": "2026-11-28T01:30:00+00:00", "vacancy_title": None}],
    }  # fmt: skip
    message = render(Kind.FAIR_SCHEDULE, "en", schedule, SHANGHAI)
    assert message.subject == "Fair schedule changed"
    assert message.lines[1:] == ("Your booth: A-017 制造业", "- 2026-11-28 09:30 booth A-017: a vacancy")


def test_a_signature_verifies_only_for_the_same_secret_body_and_a_recent_timestamp() -> None:
    body = '{"subject":"新的岗位匹配"}'.encode()
    signed = signature("s3cret", 1_795_000_000, body)
    assert signed.startswith("sha256=")
    assert verify("s3cret", 1_795_000_000, body, signed, now=1_795_000_100)
    assert not verify("other", 1_795_000_000, body, signed, now=1_795_000_100)
    assert not verify("s3cret", 1_795_000_000, body + b" ", signed, now=1_795_000_100)
    assert not verify("s3cret", 1_795_000_000, body, signed, now=1_795_000_000 + 301)


def test_failures_back_off_exponentially_then_the_delivery_is_dead() -> None:
    start = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    backoff = RetryPolicy(attempts=3, first_backoff_s=10, multiplier=3)
    delivery = Delivery(due_at=start)
    first = delivery.failed(start, "connection refused", backoff)
    assert (first.status, first.due_at, first.attempts) == ("pending", start + timedelta(seconds=10), 1)
    second = first.failed(first.due_at, "connection refused", backoff)
    assert second.due_at == first.due_at + timedelta(seconds=30)
    dead = second.failed(second.due_at, "connection refused", backoff)
    assert (dead.status, dead.attempts, len(dead.history)) == ("dead", 3, 3)
    retried = dead.retried(start + timedelta(hours=1))
    assert (retried.status, retried.attempts, len(retried.history)) == ("pending", 0, 3)
    sent = retried.succeeded(start + timedelta(hours=1))
    assert (sent.status, [a.ok for a in sent.history]) == ("sent", [False, False, False, True])
