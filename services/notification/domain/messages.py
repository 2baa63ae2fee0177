"""Bilingual templates (zh-CN, en): each notification as a subject, plain text and HTML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from services.notification.domain.decision import Kind
from services.notification.domain.preferences import Language


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def html(self) -> str:
        body = "".join(f"<p>{escape(line)}</p>" for line in self.lines)
        head = f'<meta charset="utf-8"><title>{escape(self.subject)}</title>'
        return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


# The matching service's reason codes, as a person reads them.
REASONS: dict[str, dict[Language, str]] = {
    "text_similarity": {"zh-CN": "岗位描述与您的经历相近", "en": "the job reads like your experience"},
    "skills_matched": {"zh-CN": "技能匹配", "en": "skills you have"},
    "skills_missing": {"zh-CN": "缺少部分技能", "en": "skills you lack"},
    "education_gap": {"zh-CN": "学历要求", "en": "education required"},
    "experience_gap": {"zh-CN": "经验要求", "en": "experience required"},
    "salary_fit": {"zh-CN": "薪资符合期望", "en": "pay fits your expectation"},
    "city_fit": {"zh-CN": "工作城市合适", "en": "the city suits you"},
    "category_fit": {"zh-CN": "人才类别相同", "en": "same talent category"},
    "credential_verified": {"zh-CN": "学历已核验", "en": "verified diploma"},
}
UNNAMED: dict[Language, dict[str, str]] = {
    "zh-CN": {"vacancy": "一个岗位", "employer": "一家用人单位"},
    "en": {"vacancy": "a vacancy", "employer": "an employer"},
}


def render(kind: Kind, language: Language, content: dict[str, Any], zone: ZoneInfo) -> Message:
    return RENDERERS[kind](Words(language, content, zone))


@dataclass(frozen=True)
class Words:
    """One rendering: the language, the notification's content and the reader's time zone."""

    language: Language
    content: dict[str, Any]
    zone: ZoneInfo

    def pick(self, zh: str, en: str) -> str:
        return zh if self.language == "zh-CN" else en

    def name(self, key: str, fallback: str, content: dict[str, Any] | None = None) -> str:
        return str((content or self.content).get(key) or UNNAMED[self.language][fallback])

    def when(self, iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def reasons(self, reasons: list[dict[str, Any]]) -> list[str]:
        lines = []
        for reason in reasons:
            label = REASONS.get(reason["code"], {}).get(self.language, reason["code"])
            detail = f": {reason['detail']}" if reason.get("detail") else ""
            lines.append(f"- {label}{detail}")
        return lines

    def match_lines(self, match: dict[str, Any]) -> list[str]:
        title, employer = (
            self.name("vacancy_title", "vacancy", match),
            self.name("employer_name", "employer", match),
        )
        score = round(float(match["score"]) * 100)
        head = self.pick(
            f"{employer} 的「{title}」与您匹配度 {score}%。",
            f"{title} at {employer} matches you at {score}%.",
        )
        return [head, *self.reasons(match.get("reasons", []))]


def _match(w: Words) -> Message:
    title = w.name("vacancy_title", "vacancy")
    return Message(w.pick(f"新的岗位匹配：{title}", f"New match: {title}"), (*w.match_lines(w.content),))


def _invitation(w: Words) -> Message:
    title, employer = w.name("vacancy_title", "vacancy"), w.name("employer_name", "employer")
    lines = [
        w.pick(f"{employer} 邀请您面试「{title}」。", f"{employer} invites you to interview for {title}.")
    ]
    if at := w.content.get("interview_at"):
        lines.append(w.pick(f"面试时间：{w.when(at)}", f"Interview: {w.when(at)}"))
    if message := w.content.get("message"):
        lines.append(message)
    return Message(w.pick(f"面试邀请：{title}", f"Interview invitation: {title}"), tuple(lines))


def _application(w: Words) -> Message:
    title = w.name("vacancy_title", "vacancy")
    line = w.pick(
        f"有求职者申请了「{title}」，请在招聘端查看。",
        f"A candidate applied for {title}; see it in your account.",
    )
    return Message(w.pick(f"新的申请：{title}", f"New application: {title}"), (line,))


def _answer(w: Words) -> Message:
    title = w.name("vacancy_title", "vacancy")
    if w.content.get("accepted"):
        line = w.pick(
            f"候选人接受了「{title}」的面试邀请。", f"The candidate accepted your invitation for {title}."
        )
    else:
        line = w.pick(
            f"候选人婉拒了「{title}」的面试邀请。", f"The candidate declined your invitation for {title}."
        )
    return Message(w.pick(f"邀请已答复：{title}", f"Invitation answered: {title}"), (line,))


def _schedule(w: Words) -> Message:
    changed = bool(w.content.get("changed"))
    subject = w.pick(
        "招聘会日程已更新" if changed else "招聘会日程已发布",
        "Fair schedule changed" if changed else "Fair schedule published",
    )
    lines = [
        w.pick(
            f"{w.content['fair_title']}（第 {w.content['version']} 版）",
            f"{w.content['fair_title']} (version {w.content['version']})",
        )
    ]
    if booth := w.content.get("booth"):
        zone = f" {booth['zone']}" if booth.get("zone") else ""
        lines.append(w.pick(f"您的展位：{booth['booth']}{zone}", f"Your booth: {booth['booth']}{zone}"))
    for interview in w.content.get("interviews", []):
        at, place = w.when(interview["starts_at"]), interview["booth"]
        title = w.name("vacancy_title", "vacancy", interview)
        lines.append(w.pick(f"- {at} 展位 {place}：{title}", f"- {at} booth {place}: {title}"))
    return Message(subject, tuple(lines))


def _digest(w: Words) -> Message:
    matches = w.content["matches"]
    lines = [
        w.pick(
            f"{w.content['day']} 共有 {len(matches)} 个新匹配：",
            f"{len(matches)} new matches on {w.content['day']}:",
        )
    ]
    for match in matches:
        lines.extend(w.match_lines(match))
    return Message(w.pick(f"每日匹配摘要（{len(matches)}）", f"Daily matches ({len(matches)})"), tuple(lines))


RENDERERS: dict[Kind, Callable[[Words], Message]] = {
    Kind.MATCH: _match,
    Kind.INVITATION: _invitation,
    Kind.APPLICATION: _application,
    Kind.INVITATION_ANSWER: _answer,
    Kind.FAIR_SCHEDULE: _schedule,
    Kind.DIGEST: _digest,
}
