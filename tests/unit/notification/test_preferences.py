"""Preferences: defaults, validation, quiet hours across midnight and time zones, digest times."""

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from services.notification.domain.preferences import Preferences, QuietHours
from shared.events.catalogue import Channel

SHANGHAI_2300 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Asia/Shanghai


def test_defaults_are_the_inbox_only_with_quiet_nights_in_shanghai() -> None:
    preferences = Preferences()
    assert preferences.channels == [Channel.INBOX]
    assert preferences.time_zone == "Asia/Shanghai"
    assert preferences.quiet_hours == QuietHours(start=time(22), end=time(8))


def test_push_waits_for_the_end_of_quiet_hours_in_the_persons_zone() -> None:
    preferences = Preferences()
    assert preferences.push_at(SHANGHAI_2300) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 next day
    after_midnight = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # 02:30 in Shanghai
    assert preferences.push_at(after_midnight) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    noon = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert preferences.push_at(noon) == noon


def test_the_same_moment_is_not_quiet_in_another_zone() -> None:
    london = Preferences(time_zone="Europe/London")  # 15:00 there
    assert london.push_at(SHANGHAI_2300) == SHANGHAI_2300
    assert Preferences(quiet_hours=None).push_at(SHANGHAI_2300) == SHANGHAI_2300


def test_a_daytime_window_does_not_wrap() -> None:
    lunch = QuietHours(start=time(12), end=time(13, 30))
    assert lunch.ends_after(datetime(2026, 11, 23, 12, 15)) == datetime(2026, 11, 23, 13, 30)
    assert lunch.ends_after(datetime(2026, 11, 23, 13, 30)) is None


def test_a_match_after_the_digest_time_joins_the_next_days_digest() -> None:
    preferences = Preferences(digest_at=time(18))
    before = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 17:00 Shanghai
    after = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 18:30 Shanghai
    assert preferences.digest_due(before) == (date(2026, 11, 23), datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert preferences.digest_due(after)[0] == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"channels": ["email"]}, "the email channel needs an email address"),
        ({"channels": ["webhook"]}, "the webhook channel needs a webhook_url"),
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"min_score": 1.5}, "less than or equal to 1"),
        ({"channels": ["pigeon"]}, "'inbox', 'email' or 'webhook'"),
        (
            {"webhook_url": "ftp://example.cn/hook", "channels": ["webhook"]},
            "URL scheme should be 'http' or 'https'",
        ),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "start and end to differ"),
        ({"language": "fr"}, "'zh-CN' or 'en'"),
        ({"daily_cap": 0}, "greater than or equal to 1"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_preferences_are_refused_with_the_reason(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Preferences.model_validate(fields)


def test_repeated_channels_count_once() -> None:
    chosen = Preferences.model_validate({"channels": ["inbox", "email", "inbox"], "email": "王@example.cn"})
    assert chosen.channels == [Channel.INBOX, Channel.EMAIL]
