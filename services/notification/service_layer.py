"""What the notification service does: turn events into decided, stored notifications, deliver
what is due on the push channels, and send the daily digests."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from services.notification.adapters.channels import DeliveryError, EmailSender, Undeliverable, WebhookSender
from services.notification.adapters.repository import NotificationStore, notification_document
from services.notification.domain.decision import Cause, Intent, Kind, Plan, Recipient, Skip, decide
from services.notification.domain.delivery import Delivery
from services.notification.domain.messages import render
from services.notification.domain.preferences import Preferences
from shared.events import Envelope, Event, in_runs, of_type
from shared.events import catalogue as c
from shared.events.catalogue import Channel, RecipientKind
from shared.messaging.delivery import RetryPolicy

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# A claimed delivery is retried by another pass if its claimer has not finished by then.
LEASE = timedelta(minutes=2)
BATCH = 200


DEFAULTS = Preferences()


def system_clock() -> datetime:
    return datetime.now(UTC)


def _match_intent(match: c.MatchFound, vacancies: dict[UUID, str], employers: dict[UUID, str]) -> Intent:
    content = {
        "vacancy_id": str(match.vacancy_id),
        "vacancy_title": vacancies.get(match.vacancy_id),
        "employer_name": employers.get(match.employer_id),
        "score": match.score,
        "reasons": [reason.model_dump(mode="json") for reason in match.reasons],
    }
    subject = f"match:{match.vacancy_id}"
    return Intent(match.seeker_id, RecipientKind.SEEKER, Kind.MATCH, subject, content, match.score)


@dataclass
class Notifications:
    store: NotificationStore
    email: EmailSender
    webhook: WebhookSender
    retry_policy: RetryPolicy
    clock: Clock = system_clock

    # --- deciding --------------------------------------------------------------------

    async def tell(self, event: Envelope[Any], intents: list[Intent]) -> int:
        """Decide and keep each intent once; returns how many notifications are new."""
        return await self.tell_many([(event, intent) for intent in intents])

    async def tell_many(self, told: Sequence[tuple[Cause, Intent]]) -> int:
        """``tell`` for a batch of events, with a fixed number of store round trips. An intent
        for someone not known yet (their registration is still on its way on another topic)
        waits for them: see ``release``."""
        now = self.clock()
        people = {intent.recipient_id for _, intent in told}
        erased = await self.store.erased_among(people)
        recipients = await self.store.recipients(people - erased)
        days = {
            person: (r.preferences if (r := recipients.get(person)) else DEFAULTS)
            .local(now)
            .date()
            .isoformat()
            for person in people
        }
        counts = await self.store.matches_on({(person, day) for person, day in days.items()})
        kept: dict[str, tuple[dict[str, Any], Plan]] = {}
        skipped: list[tuple[UUID, str, UUID | None, str]] = []
        waiting: list[tuple[Cause, Intent]] = []
        for event, intent in told:
            person = intent.recipient_id
            if person in erased:
                skipped.append((event.event_id, event.event_type, None, "erased recipient"))
                continue
            recipient = recipients.get(person)
            if recipient is None or not recipient.known:
                waiting.append((event, intent))
                continue
            decision = decide(recipient, intent, now, counts[(person, days[person])])
            if isinstance(decision, Skip):
                skipped.append((event.event_id, event.event_type, person, decision.reason))
                continue
            document = notification_document(intent, decision, now, days[person])
            if document["_id"] not in kept and intent.kind is Kind.MATCH:
                counts[(person, days[person])] += 1
            kept[document["_id"]] = (document, decision)
        await self.store.skip(skipped)
        made = len(await self.store.add(list(kept.values())))
        if waiting:
            await self.store.wait(waiting)
            # Known since the read above: their registration found nothing waiting yet.
            waited_for = {intent.recipient_id for _, intent in waiting}
            for person, recipient in (await self.store.recipients(waited_for)).items():
                if recipient.known:
                    made += await self.release(person)
        return made

    async def seekers_changed(self, events: Sequence[Envelope[Event]]) -> int:
        """A batch from the seeker topic, in order: each run of profiles kept together (then
        what waited for those people is told), an erasure in its place; returns how many
        notifications are new."""
        return await in_runs(events, c.SeekerState, self._seekers_known, self._seeker_erased)

    async def _seekers_known(self, events: list[Envelope[Any]]) -> int:
        states: list[c.SeekerState] = [event.payload for event in events]
        await self.store.seeker_states(states)
        made = 0
        for person in await self.store.waiting_among({state.seeker_id for state in states}):
            made += await self.release(person)
        return made

    async def _seeker_erased(self, event: Envelope[Event]) -> None:
        if isinstance(deleted := event.payload, c.SeekerDeleted):
            await self.store.erase(deleted.seeker_id, event.occurred_at)

    async def employer_known(self, employer: c.EmployerRegistered) -> int:
        """A registered employer: keep its name, then tell what waited for it."""
        await self.store.employer_registered(employer)
        return await self.release(employer.employer_id)

    async def release(self, person: UUID) -> int:
        """Tell the intents that waited for ``person``, now known (a second release of the same
        ones keeps nothing twice: a notification id is its recipient and subject)."""
        waiting = await self.store.waiting_for(person)
        if not waiting:
            return 0
        made = await self.tell_many(waiting)
        await self.store.released(person, [intent.notification_id() for _, intent in waiting])
        return made

    async def matches_found(self, events: Sequence[Envelope[Event]]) -> int:
        """A batch from the match topic: each ``match.found`` that matching marked ``notify`` is
        told (the others are only listed, in the seeker and employer services), other events
        are ignored; returns how many notifications are new."""
        matches = [match for match in of_type(events, c.MatchFound) if match.payload.notify]
        if not matches:
            return 0
        vacancies = await self.store.names("vacancies", {m.payload.vacancy_id for m in matches}, "title")
        employers = await self.store.names("employers", {m.payload.employer_id for m in matches}, "name")
        return await self.tell_many([(m, _match_intent(m.payload, vacancies, employers)) for m in matches])

    async def invitation_sent(self, event: Envelope[c.InvitationSent]) -> int:
        sent = event.payload
        content = {
            **await self._vacancy_words(sent.vacancy_id, sent.employer_id),
            "message": sent.message,
            "interview_at": sent.interview_at.isoformat() if sent.interview_at else None,
        }
        subject = f"invitation:{sent.invitation_id}"
        return await self.tell(
            event, [Intent(sent.seeker_id, RecipientKind.SEEKER, Kind.INVITATION, subject, content)]
        )

    async def application_submitted(self, event: Envelope[c.ApplicationSubmitted]) -> int:
        """The employer is told that someone applied; the contact details stay in the employer service."""
        applied = event.payload
        content = {
            **await self._vacancy_words(applied.vacancy_id, None),
            "application_id": str(applied.application_id),
        }
        subject = f"application:{applied.application_id}"
        intent = Intent(applied.employer_id, RecipientKind.EMPLOYER, Kind.APPLICATION, subject, content)
        return await self.tell(event, [intent])

    async def invitation_answered(self, event: Envelope[c.InvitationAnswered]) -> int:
        answer = event.payload
        content = {**await self._vacancy_words(answer.vacancy_id, None), "accepted": answer.accepted}
        subject = f"invitation_answer:{answer.invitation_id}"
        intent = Intent(answer.employer_id, RecipientKind.EMPLOYER, Kind.INVITATION_ANSWER, subject, content)
        return await self.tell(event, [intent])

    async def schedule_published(self, event: Envelope[c.FairSchedulePublished]) -> int:
        """Once every part of a version is here: each seeker's itinerary, each employer's booth
        and interview list. A later version is a change, told again."""
        parts = await self.store.schedule_parts(event.payload)
        if parts is None:
            return 0
        schedule = event.payload
        booths = {b.employer_id: b for part in parts for b in part.booths}
        interviews = [interview for part in parts for interview in part.interviews]
        vacancies = await self.store.names("vacancies", {i.vacancy_id for i in interviews}, "title")
        employers = await self.store.names("employers", {i.employer_id for i in interviews}, "name")
        fairs = await self.store.names("fairs", {schedule.fair_id}, "title")
        common = {
            "fair_id": str(schedule.fair_id),
            "fair_title": fairs.get(schedule.fair_id, ""),
            "version": schedule.schedule_version,
            "changed": await self.store.earlier_schedule(schedule.fair_id, schedule.schedule_version),
        }
        by_person: dict[tuple[UUID, RecipientKind], list[dict[str, Any]]] = defaultdict(list)
        for employer_id in booths:
            by_person[(employer_id, RecipientKind.EMPLOYER)] = []
        for interview in sorted(interviews, key=lambda i: i.starts_at):
            line = {
                "booth": interview.booth,
                "starts_at": interview.starts_at.isoformat(),
                "vacancy_title": vacancies.get(interview.vacancy_id),
                "employer_name": employers.get(interview.employer_id),
            }
            by_person[(interview.seeker_id, RecipientKind.SEEKER)].append(line)
            by_person[(interview.employer_id, RecipientKind.EMPLOYER)].append({**line, "employer_name": None})
        subject = f"fair_schedule:{schedule.fair_id}:{schedule.schedule_version}"
        intents = []
        for (person, kind), lines in by_person.items():
            booth = booths.get(person) if kind is RecipientKind.EMPLOYER else None
            content = {
                **common,
                "interviews": lines,
                "booth": booth.model_dump(mode="json") if booth else None,
            }
            intents.append(Intent(person, kind, Kind.FAIR_SCHEDULE, subject, content))
        return await self.tell(event, intents)

    async def _vacancy_words(self, vacancy_id: UUID, employer_id: UUID | None) -> dict[str, Any]:
        titles = await self.store.names("vacancies", {vacancy_id}, "title")
        employers = await self.store.names("employers", {employer_id}, "name") if employer_id else {}
        return {
            "vacancy_id": str(vacancy_id),
            "vacancy_title": titles.get(vacancy_id),
            "employer_name": employers.get(employer_id) if employer_id else None,
        }

    # --- delivering ----------------------------------------------------------------

    async def deliver_due(self) -> int:
        """Try every push delivery that is due; returns how many attempts were made."""
        now = self.clock()
        attempts = 0
        for deliveries, notification in await self.store.claim_due(now, now + LEASE, BATCH):
            attempts += await self._deliver(deliveries, notification, now)
        return attempts

    async def _deliver(self, deliveries: dict[str, Any], document: dict[str, Any], now: datetime) -> int:
        recipient = await self.store.recipient(UUID(document["recipient_id"]))
        changed: dict[str, Delivery] = {}
        events: list[Event] = []
        for channel, stored in deliveries["deliveries"].items():
            delivery = Delivery.model_validate(stored)
            if delivery.status != "pending" or delivery.due_at > now:
                continue
            head = {
                "notification_id": UUID(document["_id"]),
                "recipient_id": UUID(document["recipient_id"]),
                "recipient_kind": RecipientKind(document["recipient_kind"]),
                "channel": Channel(channel),
                "subject_key": document["subject_key"],
            }
            try:
                await self._send(Channel(channel), recipient, document, now)
            except DeliveryError as error:
                final = isinstance(error, Undeliverable)
                delivery = delivery.failed(now, str(error), self.retry_policy, final=final)
                log.warning("%s delivery of %s failed: %s", channel, document["_id"], error)
                if delivery.status == "dead":
                    events.append(
                        c.NotificationFailed(**head, attempts=delivery.attempts, error=str(error)[:2_000])
                    )
            else:
                delivery = delivery.succeeded(now)
                events.append(c.NotificationSent(**head))
            changed[channel] = delivery
        await self.store.save_deliveries(document["_id"], changed, events)
        return len(changed)

    async def _send(
        self, channel: Channel, recipient: Recipient | None, document: dict[str, Any], now: datetime
    ) -> None:
        if recipient is None:
            raise DeliveryError("the recipient is no longer known")
        preferences = recipient.preferences
        message = render(Kind(document["kind"]), recipient.language, document["content"], preferences.zone)
        if channel is Channel.EMAIL:
            if preferences.email is None:
                raise DeliveryError("no email address is set")
            await self.email.send(preferences.email, message, document["_id"])
        elif channel is Channel.WEBHOOK:
            if preferences.webhook_url is None or recipient.webhook_secret is None:
                raise DeliveryError("no webhook URL is set")
            body = {
                "notification_id": document["_id"],
                "kind": document["kind"],
                "subject_key": document["subject_key"],
                "language": recipient.language,
                "subject": message.subject,
                "text": message.text,
                "content": document["content"],
                "created_at": document["created_at"].isoformat(),
            }
            await self.webhook.send(str(preferences.webhook_url), recipient.webhook_secret, body, now)

    async def retry(self, notification_id: UUID, channel: Channel) -> bool:
        """Staff send a dead delivery again; False when there is no such dead delivery."""
        document = await self.store.deliveries(notification_id)
        stored = (document or {}).get("deliveries", {}).get(channel.value)
        if stored is None or stored["status"] != "dead":
            return False
        retried = Delivery.model_validate(stored).retried(self.clock())
        return await self.store.save_deliveries(str(notification_id), {channel.value: retried}, [])

    # --- digests -------------------------------------------------------------------

    async def send_digests(self) -> int:
        """Fold each person's held matches whose digest time has come into one notification."""
        now = self.clock()
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for held in await self.store.held_for_digest(now, 5_000):
            groups[(held["recipient_id"], held["digest_day"])].append(held)
        made = 0
        for (recipient_id, day), matches in groups.items():
            ids = sorted(match["_id"] for match in matches)
            # The set of matches names the digest: a replay after a crash makes the same one.
            digest_of = hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]
            content = {"day": day, "matches": [match["content"] for match in matches]}
            intent = Intent(
                UUID(recipient_id), RecipientKind.SEEKER, Kind.DIGEST, f"digest:{day}:{digest_of}", content
            )
            recipient = await self.store.recipient(intent.recipient_id)
            decision = decide(recipient, intent, now, 0)
            if isinstance(decision, Plan):
                made += len(
                    await self.store.add([(notification_document(intent, decision, now, day), decision)])
                )
            await self.store.digested(ids)
        return made

    async def run(self, interval_s: float) -> None:
        """Deliver and digest forever; a failed pass is logged and tried again next time."""
        while True:
            try:
                await self.send_digests()
                await self.deliver_due()
            except Exception:
                log.exception("delivery pass failed; retrying in %.1f s", interval_s)
            await asyncio.sleep(interval_s)
