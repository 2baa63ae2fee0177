"""The JSON log formatter and the correlation context, without I/O."""

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from uuid import uuid4

import pytest

from shared.events import Envelope
from shared.events import catalogue as c
from shared.observability.correlation import Activity, acting, current_activity, from_headers, parse_id
from shared.observability.logs import HANDLER_NAME, JsonFormatter, TextFormatter, configure_logging


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord(
        "services.matching.handlers",
        logging.WARNING,
        __file__,
        1,
        message,
        args,
        exc_info,  # type: ignore[arg-type]
    )


def test_a_line_outside_any_activity_names_the_process_service() -> None:
    line = json.loads(JsonFormatter("matching").format(record("ranked %d vacancies for %s", 3, "王小明")))
    assert line["level"] == "WARNING"
    assert line["service"] == "matching"
    assert line["logger"] == "services.matching.handlers"
    assert line["message"] == "ranked 3 vacancies for 王小明"
    assert line["time"].endswith("+00:00")
    assert "correlation_id" not in line
    assert "exception" not in line


def test_a_line_inside_an_activity_carries_its_ids() -> None:
    activity = Activity("notification", correlation_id=uuid4(), event_id=uuid4(), topic="talent.match")
    with acting(activity):
        line = json.loads(JsonFormatter("matching").format(record("sent")))
    assert line["service"] == "notification"
    assert line["correlation_id"] == str(activity.correlation_id)
    assert line["event_id"] == str(activity.event_id)
    assert line["topic"] == "talent.match"


def test_an_exception_is_one_field_of_the_same_line() -> None:
    try:
        raise RuntimeError("store gone")
    except RuntimeError:
        text = JsonFormatter("fair").format(record("failed", exc_info=sys.exc_info()))
    assert "\n" not in text
    assert "RuntimeError: store gone" in json.loads(text)["exception"]


def test_the_text_format_shows_the_correlation_id() -> None:
    correlation_id = uuid4()
    with acting(Activity("seeker", correlation_id=correlation_id)):
        text = TextFormatter("seeker").format(record("registered"))
    assert f"seeker [{correlation_id}]" in text
    assert text.endswith("WARNING services.matching.handlers registered")


def test_an_activity_ends_with_its_block_and_is_inherited_by_tasks_started_in_it() -> None:
    async def scenario() -> tuple[Activity | None, Activity | None]:
        with acting(Activity("employer", correlation_id=uuid4())) as activity:
            task = asyncio.create_task(asyncio.sleep(0, result=current_activity()))
        return activity, await task

    started, seen_by_task = asyncio.run(scenario())
    assert seen_by_task == started
    assert current_activity() is None


def test_ids_from_headers_are_validated() -> None:
    correlation_id, event_id = uuid4(), uuid4()
    headers = [("correlation_id", str(correlation_id).encode()), ("event_id", str(event_id).encode())]
    assert from_headers("matching", "talent.vacancy", headers) == Activity(
        "matching", correlation_id, event_id, "talent.vacancy"
    )
    assert from_headers("matching", "t", [("correlation_id", b"not-a-uuid")]).correlation_id is None
    assert parse_id(b"\xff\xfe") is None
    assert parse_id(None) is None


def test_an_envelope_built_during_an_activity_continues_its_chain() -> None:
    handled = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    with acting(Activity("matching", handled.correlation_id, handled.event_id, "talent.seeker")):
        caused = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="matching")
    assert caused.correlation_id == handled.correlation_id
    assert caused.causation_id == handled.event_id
    assert caused.headers["correlation_id"] == str(handled.correlation_id)


def test_an_envelope_built_for_a_request_takes_its_correlation_id_and_has_no_cause() -> None:
    correlation_id = uuid4()
    with acting(Activity("seeker", correlation_id=correlation_id)):
        envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    assert envelope.correlation_id == correlation_id
    assert envelope.causation_id is None


def test_an_explicit_cause_wins_over_the_activity() -> None:
    cause = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="seeker")
    with acting(Activity("matching", correlation_id=uuid4(), event_id=uuid4())):
        envelope = Envelope.wrap(c.SeekerDeleted(seeker_id=uuid4()), producer="matching", caused_by=cause)
    assert (envelope.correlation_id, envelope.causation_id) == (cause.correlation_id, cause.event_id)


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_logging_is_configured_once_however_many_apps_a_process_builds(root_logger: logging.Logger) -> None:
    someone_elses = logging.NullHandler()
    root_logger.addHandler(someone_elses)
    logging.getLogger("uvicorn.access").addHandler(logging.NullHandler())

    configure_logging("employer", "info")
    configure_logging("seeker", "WARNING", "text")

    ours = [handler for handler in root_logger.handlers if handler.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, TextFormatter)
    assert someone_elses in root_logger.handlers
    assert root_logger.level == logging.WARNING
    access = logging.getLogger("uvicorn.access")
    assert (access.handlers, access.propagate) == ([], True)
