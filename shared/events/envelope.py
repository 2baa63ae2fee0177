"""The one envelope every event travels in, and the base class of every payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar, cast
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events.topics import Topic
from shared.observability.correlation import Activity, current_activity


class Event(BaseModel):
    """Base of every payload. Subclasses name their event type, topic and key field.

    Consumers tolerate unknown fields (``extra="ignore"``) so producers can add
    fields without breaking older consumers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[Topic]
    key_field: ClassVar[str]
    schema_version: ClassVar[int] = 1
    """The major version this code writes and reads; raised only by a change an older reader
    would misread (a field removed, renamed or given a new meaning), never by a new optional field."""

    registry: ClassVar[dict[str, type[Event]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            if cls.event_type in Event.registry:
                raise TypeError(f"event type {cls.event_type!r} is declared twice")
            Event.registry[cls.event_type] = cls

    @property
    def key(self) -> str:
        """The Kafka message key: the aggregate's id."""
        return str(getattr(self, self.key_field))


PayloadT = TypeVar("PayloadT", bound=Event)


class Envelope(BaseModel, Generic[PayloadT]):
    """Metadata plus payload; JSON on the wire.

    ``Envelope[VacancyPosted]`` validates that the event type on the wire is the
    one its payload model declares, and refuses a ``schema_version`` newer than the one
    the payload model knows: a newer major version may mean something this code would
    misread, so it is dead-lettered rather than guessed at (see docs/delivery.md).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID
    event_type: str = Field(min_length=1, max_length=100)
    schema_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, max_length=100)
    correlation_id: UUID
    causation_id: UUID | None = None
    payload: PayloadT

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _type_matches_payload(self) -> Self:
        """The wire type is the payload model's; a family base (``SeekerState``) takes its members."""
        model = type(self.payload)
        declared: str | None = getattr(model, "event_type", None)
        if declared is None:
            member = Event.registry.get(self.event_type)
            if member is None or not issubclass(member, model):
                raise ValueError(f"event_type {self.event_type!r} is not a kind of {model.__name__}")
        elif self.event_type != declared:
            raise ValueError(f"event_type {self.event_type!r} does not match payload type {declared!r}")
        known = Event.registry[self.event_type].schema_version
        if self.schema_version > known:
            raise ValueError(
                f"schema_version {self.schema_version} of {self.event_type!r} is newer than {known}, "
                "the newest this consumer knows"
            )
        return self

    @classmethod
    def wrap(
        cls,
        payload: PayloadT,
        *,
        producer: str,
        caused_by: Envelope[Any] | None = None,
        event_id: UUID | None = None,
    ) -> Envelope[PayloadT]:
        """A new envelope for ``payload``; ``caused_by`` carries the correlation chain on.

        Without ``caused_by``, the work in hand does: an event built while a handler runs
        continues the handled event's chain, one built for an HTTP request takes the
        request's correlation id (``shared.observability.correlation``).
        """
        own_id = event_id or uuid4()
        cause: Envelope[Any] | Activity | None = caused_by if caused_by is not None else current_activity()
        typed: type[Envelope[PayloadT]] = Envelope[type(payload)]  # type: ignore[misc,assignment]
        return typed(
            event_id=own_id,
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=datetime.now(UTC),
            producer=producer,
            correlation_id=(cause.correlation_id if cause else None) or own_id,
            causation_id=cause.event_id if cause else None,
            payload=payload,
        )

    @property
    def headers(self) -> dict[str, str]:
        """Kafka headers mirroring the metadata, for routing and tracing without parsing."""
        return {
            "event_id": str(self.event_id),
            "event_type": self.event_type,
            "schema_version": str(self.schema_version),
            "correlation_id": str(self.correlation_id),
            "producer": self.producer,
        }


class EnvelopeHead(BaseModel):
    """Just enough of an envelope to route it before its payload type is known."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID
    event_type: str = Field(min_length=1, max_length=100)


def parse_event(data: bytes | str) -> Envelope[Event]:
    """Validate any known event from JSON, choosing the payload model by its event type."""
    model = _payload_model(EnvelopeHead.model_validate_json(data))
    return Envelope[model].model_validate_json(data)  # type: ignore[valid-type]


@dataclass(frozen=True)
class ParsedBatch:
    events: list[tuple[int, Envelope[Event]]]
    """The valid events of known types with their positions in the batch, in the order they came."""
    invalid: dict[int, ValueError]
    """The position in the batch and the error of each message that is not a valid event."""
    unknown: list[int]
    """The positions of envelopes of event types this code does not know (newer producers')."""


def parse_batch(bodies: Sequence[Any]) -> ParsedBatch:
    """A consumed batch's decoded bodies as events of the catalogue."""
    events: list[tuple[int, Envelope[Event]]] = []
    invalid: dict[int, ValueError] = {}
    unknown: list[int] = []
    for position, body in enumerate(bodies):
        try:
            model = Event.registry.get(EnvelopeHead.model_validate(body).event_type)
            if model is None:
                unknown.append(position)
            else:
                events.append((position, Envelope[model].model_validate(body)))  # type: ignore[valid-type]
        except ValueError as error:  # pydantic's ValidationError is one
            invalid[position] = error
    return ParsedBatch(events, invalid, unknown)


def of_type(events: Sequence[Envelope[Event]], payload: type[PayloadT]) -> list[Envelope[PayloadT]]:
    """The events among ``events`` whose payload is a ``payload``."""
    return [cast(Envelope[PayloadT], event) for event in events if isinstance(event.payload, payload)]


async def in_runs(
    events: Sequence[Envelope[Event]],
    state: type[Event],
    on_states: Callable[[list[Envelope[Any]]], Awaitable[int]],
    on_other: Callable[[Envelope[Event]], Awaitable[object]],
) -> int:
    """Hand consecutive events with a ``state`` payload to ``on_states`` together, every other
    event to ``on_other`` alone, in the order they came (a state after an erasure must not
    pass it); returns the sum of what ``on_states`` returned."""
    total = 0
    run: list[Envelope[Any]] = []
    for event in events:
        if isinstance(event.payload, state):
            run.append(event)
            continue
        if run:
            total += await on_states(run)
            run = []
        await on_other(event)
    return total + (await on_states(run) if run else 0)


def _payload_model(head: EnvelopeHead) -> type[Event]:
    model = Event.registry.get(head.event_type)
    if model is None:
        raise ValueError(f"unknown event type {head.event_type!r}")
    return model
