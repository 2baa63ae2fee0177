"""A large schedule goes out in parts, each a Kafka message of bounded size."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from services.fair.schedules import schedule_parts
from shared.events import Envelope
from shared.events import catalogue as c

KAFKA_DEFAULT_MAX_MESSAGE = 1_048_576


def test_a_full_hall_schedule_is_split_into_parts_below_the_message_limit() -> None:
    booths = [
        {"employer_id": str(uuid4()), "booth": f"Z{n:05d}号展位", "zone": "综合区" * 30} for n in range(600)
    ]
    starts = datetime(2026, 11, 28, 1, 0, tzinfo=UTC).isoformat()
    interviews = [
        {
            "seeker_id": str(uuid4()),
            "employer_id": booths[n % 600]["employer_id"],
            "vacancy_id": str(uuid4()),
            "booth": booths[n % 600]["booth"],
            "starts_at": starts,
            "score": 0.123456789,
        }
        for n in range(60_000)
    ]
    fair_id = uuid4()
    parts = schedule_parts(fair_id, 3, booths, interviews)

    assert len(parts) == 30
    sizes = [len(Envelope.wrap(part, producer="fair").model_dump_json().encode()) for part in parts]
    assert max(sizes) < KAFKA_DEFAULT_MAX_MESSAGE * 0.8
    published = [p for p in parts if isinstance(p, c.FairSchedulePublished)]
    assert [(p.part, p.parts, p.schedule_version) for p in published] == [(n, 30, 3) for n in range(1, 31)]
    assert sum(len(p.interviews) for p in published) == 60_000
    assert {str(i.seeker_id) for p in published for i in p.interviews} == {i["seeker_id"] for i in interviews}
    assert sum(len(p.booths) for p in published) == 600


def test_an_empty_schedule_is_still_one_part() -> None:
    parts = schedule_parts(uuid4(), 1, [], [])
    assert len(parts) == 1
