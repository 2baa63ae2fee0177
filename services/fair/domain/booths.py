"""Booth assignment: employers of one industry side by side, in the zone meant for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from services.fair.domain.scheduling import Unschedulable


@dataclass(frozen=True)
class Zone:
    name: str
    booths: tuple[str, ...]
    industries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exhibitor:
    employer_id: UUID
    industry: str


@dataclass(frozen=True)
class Placement:
    employer_id: UUID
    booth: str
    zone: str


def assign_booths(zones: Sequence[Zone], exhibitors: Sequence[Exhibitor]) -> list[Placement]:
    """One booth per employer.

    Each industry fills the zones that list it first; whoever does not fit there takes
    the remaining booths in venue order, sorted by industry so one industry stays together.
    """
    free = [(zone, booth) for zone in zones for booth in zone.booths]
    if not free:
        raise Unschedulable("the venue has no booths")
    if len(exhibitors) > len(free):
        raise Unschedulable(f"{len(exhibitors)} employers for {len(free)} booths: reduce approvals first")
    ordered = sorted(exhibitors, key=lambda exhibitor: (exhibitor.industry, str(exhibitor.employer_id)))
    placements: list[Placement] = []
    overflow: list[Exhibitor] = []
    for industry, group in groupby(ordered, key=lambda exhibitor: exhibitor.industry):
        waiting = list(group)
        for zone, booth in [(zone, booth) for zone, booth in free if industry in zone.industries]:
            if not waiting:
                break
            placements.append(Placement(waiting.pop(0).employer_id, booth, zone.name))
            free.remove((zone, booth))
        overflow.extend(waiting)
    placements.extend(
        Placement(exhibitor.employer_id, booth, zone.name)
        for exhibitor, (zone, booth) in zip(overflow, free, strict=False)
    )
    return placements
