"""Whom to tell what and when: consent, thresholds, caps, digest and quiet hours."""

from datetime import UTC, date, datetime, time
from uuid import uuid4

from services.notification.domain.decision import Intent, Kind, Plan, Recipient, Skip, decide
from services.notification.domain.preferences import Mode, Preferences
from shared.events.catalogue import Channel, RecipientKind

NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
NIGHT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Asia/Shanghai
EVERYWHERE = Preferences.model_validate(
    {
        "channels": ["inbox", "email", "webhook"],
        "email": "wang@example.cn",
        "webhook_url": "https://hooks.example.cn/t",
    }
)


def seeker(**fields: object) -> Recipient:
    return Recipient.model_validate({"id": uuid4(), "kind": "seeker", "known": True, **fields})


def match(recipient: Recipient, score: float = 0.8) -> Intent:
    return Intent(recipient.id, RecipientKind.SEEKER, Kind.MATCH, f"match:{uuid4()}", {"score": score}, score)


def test_a_match_goes_to_every_chosen_channel_now() -> None:
    person = seeker(preferences=EVERYWHERE)
    assert decide(person, match(person), NOON, 0) == Plan(
        in_inbox=True, deliveries={Channel.EMAIL: NOON, Channel.WEBHOOK: NOON}
    )


def test_quiet_hours_delay_the_push_channels_but_not_the_inbox() -> None:
    person = seeker(preferences=EVERYWHERE)
    plan = decide(person, match(person), NIGHT, 0)
    assert isinstance(plan, Plan)
    assert plan.in_inbox
    assert plan.deliveries == {
        ch: datetime(2026, 11, 24, 0, 0, tzinfo=UTC) for ch in (Channel.EMAIL, Channel.WEBHOOK)
    }


def test_unknown_people_and_those_who_switched_contact_off_get_nothing() -> None:
    person = seeker(allow_contact=False)
    assert decide(None, match(person), NOON, 0) == Skip("unknown recipient")
    assert decide(seeker(known=False), match(person), NOON, 0) == Skip("unknown recipient")
    assert decide(person, match(person), NOON, 0) == Skip("the seeker switched contact off")
    invitation = Intent(person.id, RecipientKind.SEEKER, Kind.INVITATION, "invitation:x", {})
    assert decide(person, invitation, NOON, 0) == Skip("the seeker switched contact off")


def test_matches_below_the_minimum_score_or_over_the_cap_are_skipped() -> None:
    person = seeker(preferences=Preferences(min_score=0.7, daily_cap=3))
    assert decide(person, match(person, 0.69), NOON, 0) == Skip("score 0.69 below the chosen minimum 0.70")
    assert decide(person, match(person, 0.7), NOON, 2) == Plan(in_inbox=True), "at the minimum, under the cap"
    assert decide(person, match(person), NOON, 3) == Skip("daily cap of 3 matches reached")
    invitation = Intent(person.id, RecipientKind.SEEKER, Kind.INVITATION, "invitation:x", {})
    assert decide(person, invitation, NOON, 3) == Plan(in_inbox=True), "the cap is for matches only"


def test_digest_mode_holds_matches_for_the_days_digest() -> None:
    person = seeker(preferences=Preferences(mode=Mode.DIGEST, digest_at=time(19)))
    assert decide(person, match(person), NOON, 0) == Plan(
        in_inbox=False, digest_day=date(2026, 11, 23), digest_due=datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    )


def test_employers_have_no_seeker_consent_switch() -> None:
    employer = Recipient(id=uuid4(), kind=RecipientKind.EMPLOYER, known=True)
    applied = Intent(employer.id, RecipientKind.EMPLOYER, Kind.APPLICATION, "application:1", {})
    assert decide(employer, applied, NOON, 0) == Plan(in_inbox=True)


def test_the_notification_id_is_the_recipient_and_subject() -> None:
    person = seeker()
    first = Intent(person.id, RecipientKind.SEEKER, Kind.MATCH, "match:v1", {"score": 0.8}, 0.8)
    edited = Intent(person.id, RecipientKind.SEEKER, Kind.MATCH, "match:v1", {"score": 0.9}, 0.9)
    other = Intent(uuid4(), RecipientKind.SEEKER, Kind.MATCH, "match:v1", {"score": 0.8}, 0.8)
    assert first.notification_id() == edited.notification_id() != other.notification_id()
