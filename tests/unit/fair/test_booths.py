"""Booth assignment by industry zone."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.fair.domain.booths import Exhibitor, Zone, assign_booths
from services.fair.domain.scheduling import Unschedulable

ZONES = [
    Zone("A 信息技术", ("A1", "A2"), industries=("software",)),
    Zone("B 制造", ("B1", "B2", "B3"), industries=("manufacturing",)),
    Zone("C 综合", ("C1", "C2", "C3")),
]


def test_each_industry_sits_in_its_zone_and_the_overflow_stays_together() -> None:
    software = [Exhibitor(uuid4(), "software") for _ in range(3)]
    finance = [Exhibitor(uuid4(), "finance") for _ in range(2)]
    factory = [Exhibitor(uuid4(), "manufacturing")]
    placements = assign_booths(ZONES, [*finance, *software, *factory])

    zone_of = {placement.employer_id: placement.zone for placement in placements}
    booths = [placement.booth for placement in placements]
    assert len(set(booths)) == len(booths) == 6
    assert zone_of[factory[0].employer_id] == "B 制造"
    assert sorted(zone_of[e.employer_id] for e in software).count("A 信息技术") == 2
    # The third software employer and both finance employers fill the free booths, by industry.
    overflow = [p for p in placements if p.zone != "A 信息技术" and p.employer_id != factory[0].employer_id]
    industries = {e.employer_id: e.industry for e in [*software, *finance]}
    kinds = [industries[p.employer_id] for p in overflow]
    assert kinds == sorted(kinds)


def test_more_employers_than_booths_is_refused() -> None:
    with pytest.raises(Unschedulable, match="9 employers for 8 booths"):
        assign_booths(ZONES, [Exhibitor(uuid4(), "software") for _ in range(9)])


def test_a_venue_without_booths_is_refused() -> None:
    with pytest.raises(Unschedulable, match="no booths"):
        assign_booths([Zone("empty", ())], [Exhibitor(uuid4(), "software")])
