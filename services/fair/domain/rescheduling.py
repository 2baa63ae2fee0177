"""Seekers who lost interviews (an employer did not come) get new ones where room is left."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from services.fair.domain.scheduling import Rules


@dataclass(frozen=True)
class Option:
    """An employer the seeker matches, with the vacancy and score of the match."""

    employer_id: UUID
    vacancy_id: UUID
    score: float


@dataclass(frozen=True)
class Rebooking:
    seeker_id: UUID
    option: Option
    slot: int


def rebook(
    lost: Sequence[tuple[UUID, int]],
    options: Mapping[UUID, Sequence[Option]],
    itineraries: Mapping[UUID, Mapping[int, UUID]],
    room: dict[tuple[UUID, int], int],
    rules: Rules,
    first_slot: int,
) -> list[Rebooking]:
    """For each lost interview (seeker, slot), the best-scoring employer with room in a slot
    from ``first_slot`` on that keeps the seeker's gap; ``room`` is consumed as booked.

    ``itineraries`` holds each seeker's remaining interviews (slot -> employer).
    """
    booked: dict[UUID, dict[int, UUID]] = {seeker: dict(slots) for seeker, slots in itineraries.items()}
    rebookings = []
    for seeker, _ in sorted(lost, key=lambda item: item[1]):
        taken = booked.setdefault(seeker, {})
        for option in sorted(options.get(seeker, ()), key=lambda option: -option.score):
            if option.employer_id in taken.values():
                continue
            slot = next(
                (
                    slot
                    for slot in range(first_slot, rules.slots)
                    if room.get((option.employer_id, slot), 0) > 0
                    and all(abs(slot - other) > rules.gap_slots for other in taken)
                ),
                None,
            )
            if slot is not None:
                room[(option.employer_id, slot)] -= 1
                taken[slot] = option.employer_id
                rebookings.append(Rebooking(seeker, option, slot))
                break
    return rebookings
