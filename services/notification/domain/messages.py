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


# The matching service's reason codes, as a person reads them: a label, and a sentence for
# the reason's values (a skill by its label in the reader's language, a code by its label).
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
    "skill_held": {"zh-CN": "您具备所需技能", "en": "you have a skill asked for"},
    "skill_lacked": {"zh-CN": "您缺少所需技能", "en": "you lack a skill asked for"},
    "other_skills": {"zh-CN": "其他技能", "en": "other skills"},
    "no_skills_asked": {"zh-CN": "岗位未列出技能要求", "en": "the job lists no skills"},
}
OTHER_REASON: dict[Language, str] = {"zh-CN": "其他因素", "en": "another factor"}
BECAUSE: dict[str, dict[Language, str]] = {
    "skill_held": {"zh-CN": "您具备所需技能：{skill}", "en": "you have a skill asked for: {skill}"},
    "skill_lacked": {"zh-CN": "您缺少所需技能：{skill}", "en": "you lack a skill asked for: {skill}"},
    "other_skills": {"zh-CN": "其他 {count} 项技能", "en": "{count} other skills"},
    "education_gap": {"zh-CN": "学历要求：{asked}", "en": "education required: {asked}"},
    "experience_gap": {
        "zh-CN": "要求 {asked} 年经验，您有 {held} 年",
        "en": "{asked} years of experience asked, you have {held}",
    },
    "salary_fit": {"zh-CN": "岗位月薪 {min}–{max} 元", "en": "the job pays {min}–{max} CNY a month"},
    "city_fit": {"zh-CN": "工作城市：{city}", "en": "works in {city}"},
    "city_fit_remote": {"zh-CN": "可远程工作", "en": "remote work"},
    "category_fit": {"zh-CN": "人才类别相同：{category}", "en": "same talent category: {category}"},
}
CODED: dict[str, tuple[str, dict[str, dict[Language, str]]]] = {
    "education_gap": ("asked", {
        "none": {"zh-CN": "不限", "en": "any"},
        "secondary": {"zh-CN": "高中/中专", "en": "secondary"},
        "vocational": {"zh-CN": "职业教育", "en": "vocational"},
        "associate": {"zh-CN": "大专", "en": "associate"},
        "bachelor": {"zh-CN": "本科", "en": "bachelor"},
        "master": {"zh-CN": "硕士", "en": "master"},
        "doctorate": {"zh-CN": "博士", "en": "doctorate"},
    }),
    "category_fit": ("category", {
        "party_government": {"zh-CN": "党政人才", "en": "party and government"},
        "enterprise_management": {"zh-CN": "企业经营管理人才", "en": "enterprise management"},
        "professional_technical": {"zh-CN": "专业技术人才", "en": "professional and technical"},
        "high_skill": {"zh-CN": "高技能人才", "en": "high-skill"},
        "social_work": {"zh-CN": "社会工作人才", "en": "social work"},
        "rural_practical": {"zh-CN": "农村实用人才", "en": "rural practical"},
    }),
}  # fmt: skip
"""Values that are codes (education levels, talent categories), as a person reads them."""
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
        return [f"- {self.reason(reason)}" for reason in reasons]

    def reason(self, reason: dict[str, Any]) -> str:
        """A reason's sentence with its values, or (published before reasons had values) its
        label alone; never its code, nor an old reason's English detail."""
        code, values = reason["code"], dict(reason.get("values") or {})
        if skill := reason.get("skill"):
            values["skill"] = skill["zh" if self.language == "zh-CN" else "en"]
        if code in CODED and values:
            name, labels = CODED[code]
            values[name] = labels.get(str(values.get(name)), {}).get(self.language, "—")
        key = "city_fit_remote" if code == "city_fit" and values.get("remote") else code
        if values and key in BECAUSE:
            return BECAUSE[key][self.language].format(**values)
        return REASONS.get(code, OTHER_REASON)[self.language]

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
