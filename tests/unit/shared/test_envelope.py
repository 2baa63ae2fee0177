import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.events import Envelope, Event, Topic, parse_event
from shared.events import catalogue as c
from tests.samples import samples


def test_every_event_type_has_a_sample() -> None:
    assert {type(event).event_type for event in samples()} == set(Event.registry)


@pytest.mark.parametrize("payload", samples(), ids=lambda event: event.event_type)
def test_every_event_round_trips_through_json(payload: Event) -> None:
    envelope = Envelope.wrap(payload, producer="test")
    wire = envelope.model_dump_json()

    assert parse_event(wire) == envelope
    assert Envelope[type(payload)].model_validate_json(wire) == envelope  # type: ignore[misc]
    assert isinstance(payload.topic, Topic)
    assert payload.key == str(getattr(payload, payload.key_field))


def test_chinese_text_travels_unescaped_and_intact() -> None:
    payload = samples()[0]
    wire = Envelope.wrap(payload, producer="employer").model_dump_json()
    assert "安阳精密机械有限公司" in wire
    assert parse_event(wire).payload == payload


def test_unknown_fields_are_tolerated_at_both_levels() -> None:
    envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    data = json.loads(envelope.model_dump_json())
    data["added_later"] = 1
    data["payload"]["also_added_later"] = {"x": "新字段"}
    assert parse_event(json.dumps(data)) == envelope


def test_occurred_at_is_converted_to_utc_and_naive_times_are_refused() -> None:
    envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    data = json.loads(envelope.model_dump_json())
    data["occurred_at"] = "2026-11-28T09:00:00+08:00"
    assert parse_event(json.dumps(data)).occurred_at == datetime(2026, 11, 28, 1, tzinfo=UTC)

    data["occurred_at"] = "2026-11-28T09:00:00"
    with pytest.raises(ValidationError, match="timezone"):
        parse_event(json.dumps(data))


def test_event_type_must_match_the_payload_model() -> None:
    envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    data = json.loads(envelope.model_dump_json())
    data["event_type"] = "vacancy.closed"
    with pytest.raises(ValidationError):
        Envelope[c.SeekerDeleted].model_validate(data)
    with pytest.raises(ValidationError):
        parse_event(json.dumps(data))  # a vacancy.closed payload needs vacancy fields


@pytest.mark.security
def test_a_newer_major_schema_version_is_refused_and_older_ones_are_read() -> None:
    """A consumer reads every version up to the one it knows, for a family base too."""
    data = json.loads(Envelope.wrap(samples()[5], producer="seeker").model_dump_json())
    assert data["schema_version"] == c.SeekerRegistered.schema_version == 1
    for model in (c.SeekerRegistered, c.SeekerState):
        assert Envelope[model].model_validate(data).schema_version == 1  # type: ignore[valid-type]
        with pytest.raises(ValidationError, match=r"schema_version 99 of 'seeker\.registered' is newer"):
            Envelope[model].model_validate({**data, "schema_version": 99})  # type: ignore[valid-type]
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        parse_event(json.dumps({**data, "schema_version": 0}))


def test_unknown_event_type_is_a_clear_error() -> None:
    envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    data = json.loads(envelope.model_dump_json())
    data["event_type"] = "seeker.teleported"
    with pytest.raises(ValueError, match=r"unknown event type 'seeker\.teleported'"):
        parse_event(json.dumps(data))


def test_causation_and_correlation_follow_the_chain() -> None:
    first = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    second = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="matching", caused_by=first)
    assert first.correlation_id == first.event_id
    assert first.causation_id is None
    assert second.correlation_id == first.event_id
    assert second.causation_id == first.event_id
    assert second.headers["correlation_id"] == str(first.event_id)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"salary": {"min": 9000, "max": 6000}}, "salary min 9000 is greater than max 6000"),
        ({"title": ""}, "at least 1 character"),
        ({"title": "长" * 201}, "at most 200 characters"),
        ({"headcount": "many"}, "valid integer"),
        ({"talent_category": "astronaut"}, "party_government"),
    ],
)
def test_invalid_payloads_say_what_is_wrong(bad: dict[str, object], message: str) -> None:
    valid = samples()[2].model_dump()
    with pytest.raises(ValidationError, match=message):
        c.VacancyPosted.model_validate({**valid, **bad})


def test_fair_times_must_be_ordered() -> None:
    fair = samples()[15].model_dump()
    with pytest.raises(ValidationError, match=r"registration_cutoff <= starts_at < ends_at"):
        c.FairScheduled.model_validate({**fair, "ends_at": fair["starts_at"] - timedelta(hours=1)})


def test_no_payload_carries_a_protected_attribute() -> None:
    protected = {"gender", "sex", "age", "birthday", "marital", "ethnicity", "religion", "hukou", "household"}
    for model in Event.registry.values():
        for field in model.model_fields:
            assert not protected & set(field.split("_")), f"{model.event_type}.{field}"
