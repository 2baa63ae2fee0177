"""What the week produced, in a few lines. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

CITY_TIME = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Retraining:
    """The retrained model against the one in use, on the same later pairs (NDCG@10, Recall@10)."""

    version: str
    promoted: bool
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Summary:
    employers: int
    vacancies: int
    seekers: int
    signed_up: int
    applications: int
    matches: int
    notifications: int
    emails: int
    """Messages in the local mailbox."""
    schedule: dict[str, Any]
    statistics: dict[str, Any]
    retraining: Retraining | str
    """The new model, or why none was trained."""
    timings: list[tuple[str, float]] = field(default_factory=list)


def _local(moment: str | None) -> str:
    """A fair's start as the city's people read it."""
    if moment is None:
        return "not held"
    return datetime.fromisoformat(moment).astimezone(CITY_TIME).strftime("%Y-%m-%d %H:%M (Asia/Shanghai)")


def _model(retraining: Retraining | str) -> list[str]:
    if isinstance(retraining, str):
        return [f"  model        not retrained: {retraining}"]
    m = retraining.metrics
    verdict = "promoted, now in use" if retraining.promoted else "kept the model in use"
    return [
        f"  model before {m['compared_with']}: "
        f"NDCG@10 {m['their_ndcg_at_10']:.3f}, Recall@10 {m['their_recall_at_10']:.3f}",
        f"  model after  {retraining.version}: NDCG@10 {m['ndcg_at_10']:.3f}, "
        f"Recall@10 {m['recall_at_10']:.3f} ({m['train_pairs']:,} pairs trained on, "
        f"{m['test_pairs']:,} judged; {verdict})",
        *([] if retraining.promoted else [_why_kept(m)]),
    ]


def _why_kept(m: dict[str, Any]) -> str:
    """Why the retrained model did not replace the one in use, from the retrain's own figures."""
    return (
        f"  why not      on the week's later pushes ({m.get('judged_seekers', '?')} seekers judged) it "
        f"ranks the successes no higher than {m['compared_with']} "
        f"({m['ndcg_at_10']:.3f} vs {m['their_ndcg_at_10']:.3f}); "
        f"it learned from {m['train_pairs']:,} pushed pairs, {m.get('explored_pairs', 0):,} of them by "
        "exploration, and the week's seekers also apply from their match lists, which it cannot weigh"
    )


def format_summary(summary: Summary) -> str:
    figures = summary.statistics.get("figures", {})
    schedule = summary.schedule
    total = sum(seconds for _, seconds in summary.timings)
    lines = [
        "[week] summary",
        f"  market       {summary.employers:,} employers, {summary.vacancies:,} vacancies, "
        f"{summary.seekers:,} seekers ({summary.signed_up:,} signed up themselves)",
        f"  matching     {summary.matches:,} matches, {summary.applications:,} applications",
        f"  notifying    {summary.notifications:,} notifications, {summary.emails:,} e-mails in the mailbox",
        f"  fair         {_local(summary.statistics.get('starts_at'))}: "
        f"{schedule.get('interviews', 0):,} interviews scheduled "
        f"({schedule.get('method', '?')}, at least {schedule.get('min_interviews_per_seeker', 0)} a seeker); "
        f"{figures.get('employers_attending', 0)} employers and {figures.get('visitors', 0)} seekers came",
        f"               {figures.get('hires', 0)} hires, {figures.get('hiring_intentions', 0)} hiring "
        f"intentions (hires included), {figures.get('not_suitable', 0)} not suitable",
        *_model(summary.retraining),
        f"  time         {total:.0f} s in all",
        *(f"    {seconds:6.1f} s  {name}" for name, seconds in summary.timings),
    ]
    return "\n".join(lines)
