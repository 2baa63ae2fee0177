"""What staff pages show, gathered from several API calls."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from services.web.backend import FIRST_PAGE, Backend


async def check_in_counts(backend: Backend, token: str, fair_id: UUID) -> dict[str, int]:
    """Registered and checked-in seekers, approved and checked-in employers."""
    counts: dict[str, int] = {}
    for kind in ("seeker", "employer"):
        registrations = await backend.call(
            "GET", "fair", f"/staff/fairs/{fair_id}/registrations", token, params={"kind": kind}
        )
        taking_part = [r for r in registrations if r["status"] in ("registered", "approved")]
        counts[f"{kind}s_registered"] = len(taking_part)
        counts[f"{kind}s_checked_in"] = sum(1 for r in taking_part if r.get("checked_in_at"))
    return counts


async def organisation_names(backend: Backend, token: str) -> dict[str, str]:
    page = await backend.call("GET", "employer", "/staff/organisations", token, params=FIRST_PAGE)
    return {organisation["id"]: organisation["name"] for organisation in page["items"]}


def by_booth(schedule: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each booth with its employer's name and its interviews in slot order."""
    interviews: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for interview in schedule["interviews"]:
        interviews[interview["employer_id"]].append(interview)
    return [
        {**booth, "employer": names.get(booth["employer_id"], booth["employer_id"][:8]),
         "interviews": interviews.get(booth["employer_id"], [])}
        for booth in sorted(schedule["booths"], key=lambda b: b["booth"])
    ]  # fmt: skip


def by_seeker(schedule: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each seeker (by id) with their interviews in slot order."""
    interviews: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for interview in schedule["interviews"]:
        interviews[interview["seeker_id"]].append(interview)
    return sorted(interviews.items())
