"""What the matching service does with each event: keep the market, rank, publish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from services.matching.adapters.models import Models
from services.matching.adapters.repository import MatchingStore
from services.matching.domain.matcher import Market, Match
from services.matching.domain.policy import (
    EXPLORATION_SHARE,
    SEEKER_FANOUT,
    VACANCY_FANOUT,
    DailyTally,
    PublishedScores,
    Push,
    fingerprint,
    material_seeker_change,
    material_vacancy_change,
    plan_pushes,
    worth_telling,
)
from shared.events import Envelope, Event, in_runs
from shared.events import catalogue as c
from shared.messaging.publisher import EventPublisher
from shared.store.mongo import Document

log = logging.getLogger(__name__)
PRODUCER = "matching"


MODEL_CHECK_S = 30.0


@dataclass
class Matching:
    """The work on each event (this replica's partitions) and the mirror of everyone's changes.

    The work stores a change, applies it to the market and ranks; the mirror applies every
    replica's changes to this replica's market, from the log. ``versions`` and ``erased``
    make both idempotent and keep an older or erased state from coming back.
    """

    store: MatchingStore
    models: Models
    market: Market
    publisher: EventPublisher
    exploration_share: float = EXPLORATION_SHARE
    tally: DailyTally = field(default_factory=DailyTally)
    published: PublishedScores = field(default_factory=PublishedScores)
    versions: dict[str, int] = field(default_factory=dict)
    erased: set[str] = field(default_factory=set)

    async def load(self) -> None:
        """Rebuild the in-memory market from the store (at start-up), with the model in use."""
        if (model := await self.models.active()) is not None:
            self.market.use(model.ranker, model.idf)
        self.erased.update([seeker_id async for seeker_id in self.store.erased()])
        self.market.verified.update(
            [document["_id"] async for document in self.store["verified"].find({"verified": True})]
        )
        async for document in self.store["seekers"].find({}):
            self._apply_seeker(c.SeekerState.model_validate(document["state"]), document["version"])
        async for document in self.store["vacancies"].find({}):
            if document.get("closed"):
                self._newer(document["_id"], document["version"])
            else:
                self._apply_vacancy(c.VacancyState.model_validate(document["state"]), document["version"])
        async for seeker_id, vacancy_id, score, day, notify in self.store.published():
            self.published.record(seeker_id, vacancy_id, score)
            if notify:
                self.tally.add(seeker_id, vacancy_id, day)

    async def follow_models(self) -> None:
        """Switch to a newly promoted model (``retrain`` runs as its own process)."""
        while True:
            await asyncio.sleep(MODEL_CHECK_S)
            version = await self.models.active_version()
            if version is not None and version != self.market.ranker.version:
                model = await self.models.active()
                if model is not None:
                    self.market.use(model.ranker, model.idf)
                    log.info("now ranking with model %s", model.ranker.version)

    # --- the work -------------------------------------------------------------------

    async def vacancies_changed(self, events: Sequence[Envelope[Event]]) -> int:
        """A batch from the vacancy topic, in order: postings, edits and reopenings are ranked
        and stored together, a closing in its place; returns how many matches were told."""
        return await in_runs(events, c.VacancyState, self._vacancy_states, self._vacancy_other)

    async def seekers_changed(self, events: Sequence[Envelope[Event]]) -> int:
        """A batch from the seeker topic, in order: registrations and edits are ranked and
        stored together, an erasure in its place; returns how many matches were told."""
        return await in_runs(events, c.SeekerState, self._seeker_states, self._seeker_other)

    async def _vacancy_states(self, events: list[Envelope[Any]]) -> int:
        newest = _newest(events, lambda vacancy: str(vacancy.vacancy_id))
        stored = await self.store.stored("vacancies", list(newest))
        changed: dict[str, tuple[int, Document]] = {}
        causes: dict[str, Envelope[Any]] = {}
        for vacancy_id, event in newest.items():
            vacancy: c.VacancyState = event.payload
            before = stored.get(vacancy_id)
            if before is not None and before["version"] >= vacancy.version:
                continue  # a redelivery, or older than what is stored
            state = {"state": vacancy.model_dump(mode="json"), "closed": False}
            changed[vacancy_id] = (vacancy.version, state)
            self._apply_vacancy(vacancy, vacancy.version)
            previous = c.VacancyState.model_validate(before["state"]) if before else None
            if material_vacancy_change(previous, vacancy):
                causes[vacancy_id] = event
        rankings = self.market.seekers_for_each(causes, VACANCY_FANOUT, _today())
        told = await self._tell(
            [(causes[vacancy_id], ranking.matches()) for vacancy_id, ranking in rankings.items()]
        )
        await self.store.save_states("vacancies", changed, stored)
        return told

    async def _vacancy_other(self, event: Envelope[Event]) -> None:
        if isinstance(closed := event.payload, c.VacancyClosed):
            await self.store.close_vacancy(str(closed.vacancy_id), closed.version)
            self._close_vacancy(closed)

    async def _seeker_states(self, events: list[Envelope[Any]]) -> int:
        newest = _newest(events, lambda seeker: str(seeker.seeker_id))
        newest = {seeker_id: event for seeker_id, event in newest.items() if seeker_id not in self.erased}
        stored = await self.store.stored("seekers", list(newest))
        changed: dict[str, tuple[int, Document]] = {}
        causes: dict[str, Envelope[Any]] = {}
        for seeker_id, event in newest.items():
            seeker: c.SeekerState = event.payload
            before = stored.get(seeker_id)
            if before is not None and before["version"] >= seeker.version:
                continue
            changed[seeker_id] = (seeker.version, {"state": seeker.model_dump(mode="json")})
            self._apply_seeker(seeker, seeker.version)
            previous = fingerprint(c.SeekerState.model_validate(before["state"])) if before else None
            if material_seeker_change(previous, seeker):
                causes[seeker_id] = event
        today = _today()
        told = await self._tell(
            [
                (event, self.market.vacancies_for(seeker_id, SEEKER_FANOUT, today))
                for seeker_id, event in causes.items()
            ]
        )
        await self.store.save_states("seekers", changed, stored)
        return told

    async def _seeker_other(self, event: Envelope[Event]) -> None:
        if isinstance(deleted := event.payload, c.SeekerDeleted):
            self._forget(str(deleted.seeker_id))
            await self.store.erase(str(deleted.seeker_id), event.occurred_at)

    async def _tell(self, ranked: list[tuple[Envelope[Any], list[Match]]]) -> int:
        """Publish every ranked match worth telling (new, or moved materially), each caused by
        the event whose ranking found it; ``notify`` marks those within the seeker's daily cap,
        the only ones that may be pushed: each seeker's best, less an exploration share given to
        those just beyond (``plan_pushes``). Returns how many were published.

        They are published, then recorded, and only then is the state that caused them stored
        (and its event acknowledged): a crash anywhere before re-ranks on redelivery, and
        what was recorded is not told twice; what was published but not yet recorded is
        published again under the same event id (``_match_id``). No outbox is needed, nor its
        per-document clear.
        """
        today = _today()
        version, baseline = self.market.ranker.version, self.market.ranker.baseline
        fresh: list[tuple[Envelope[Any], Match, float | None]] = []
        by_seeker: dict[str, list[int]] = {}
        for cause, matches in ranked:
            for match in matches:
                previous = self.published.previous(match.seeker_id, match.vacancy_id)
                if worth_telling(previous, match.score):
                    by_seeker.setdefault(match.seeker_id, []).append(len(fresh))
                    fresh.append((cause, match, previous))
        pushes: dict[int, Push] = {}
        for seeker_id, rows in by_seeker.items():
            rows.sort(key=lambda row: -fresh[row][1].score)
            room = self.tally.room(seeker_id, today)
            vacancy_ids = [fresh[row][1].vacancy_id for row in rows]
            plan = plan_pushes(seeker_id, vacancy_ids, room, today, self.exploration_share)
            pushes.update(zip(rows, plan, strict=True))
            for vacancy_id, push in zip(vacancy_ids, plan, strict=True):
                if push.notify:
                    self.tally.add(seeker_id, vacancy_id, today)  # a pair counts once
        told = [(match, previous, pushes[row]) for row, (_, match, previous) in enumerate(fresh)]
        heads = [(cause, self._match_id(match, version)) for cause, match, _ in fresh]
        reasons = self.market.explain([match for match, _, _ in told])
        await self.publisher.publish_many(
            Envelope.wrap(
                match_found(match, version, baseline, why, push.notify),
                producer=PRODUCER,
                caused_by=cause,
                event_id=own_id,
            )
            for (match, _, push), why, (cause, own_id) in zip(told, reasons, heads, strict=True)
        )
        await self.store.record_matches(told, version, today)
        for match, _, _ in told:
            self.published.record(match.seeker_id, match.vacancy_id, match.score)
        return len(told)

    def _match_id(self, match: Match, model_version: str) -> UUID:
        """The pair's event id for what its score depends on: both sides' versions in the market,
        the seeker's verification and the model. A ranking redone after a crash publishes the
        same ids; a real change of any of these gives new ones."""
        seeker, vacancy = match.seeker_id, match.vacancy_id
        verified = seeker in self.market.verified
        inputs = (
            f"{seeker}@{self.versions[seeker]}:{vacancy}@{self.versions[vacancy]}:{model_version}:{verified}"
        )
        return uuid5(NAMESPACE_URL, f"talentfair:match.found:{inputs}")

    async def outcome(
        self, event: Envelope[Any], seeker_id: UUID, vacancy_id: UUID | None, kind: str
    ) -> None:
        """Applications, invitations, answers and fair outcomes: what retraining learns from."""
        if not await self.store.is_erased(str(seeker_id)):
            await self.store.add_outcome(event, str(seeker_id), str(vacancy_id) if vacancy_id else None, kind)

    async def credential_reviewed(self, review: c.CredentialReviewed) -> None:
        """A seeker counts as verified once any of their credentials is."""
        seeker_id = str(review.seeker_id)
        if review.status is not c.CredentialStatus.VERIFIED or await self.store.is_erased(seeker_id):
            return
        await self.store.set_verified(seeker_id)
        self.market.verify(seeker_id)

    # --- the mirror ------------------------------------------------------------------

    def mirror(self, envelope: Envelope[Event]) -> None:
        """Apply a change another replica may have worked on: memory only, newest version wins."""
        match envelope.payload:
            case c.VacancyState() as vacancy:
                self._apply_vacancy(vacancy, vacancy.version)
            case c.VacancyClosed() as closed:
                self._close_vacancy(closed)
            case c.SeekerState() as seeker:
                self._apply_seeker(seeker, seeker.version)
            case c.SeekerDeleted(seeker_id=seeker_id):
                self._forget(str(seeker_id))
            case c.CredentialReviewed(seeker_id=seeker_id, status=c.CredentialStatus.VERIFIED):
                if str(seeker_id) not in self.erased:
                    self.market.verify(str(seeker_id))
            case c.MatchFound(seeker_id=seeker_id, vacancy_id=vacancy_id, score=score, notify=notify):
                if notify:
                    self.tally.add(str(seeker_id), str(vacancy_id), envelope.occurred_at.date())
                self.published.record(str(seeker_id), str(vacancy_id), score)

    def _newer(self, entity_id: str, version: int) -> bool:
        if version <= self.versions.get(entity_id, 0):
            return False
        self.versions[entity_id] = version
        return True

    def _apply_vacancy(self, vacancy: c.VacancyState, version: int) -> None:
        if self._newer(str(vacancy.vacancy_id), version):
            self.market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)

    def _close_vacancy(self, closed: c.VacancyClosed) -> None:
        if self._newer(str(closed.vacancy_id), closed.version):
            self.market.vacancies.remove(str(closed.vacancy_id))

    def _apply_seeker(self, seeker: c.SeekerState, version: int) -> None:
        seeker_id = str(seeker.seeker_id)
        if seeker_id not in self.erased and self._newer(seeker_id, version):
            self.market.seekers.upsert(seeker_id, seeker)

    def _forget(self, seeker_id: str) -> None:
        self.erased.add(seeker_id)
        self.versions.pop(seeker_id, None)
        self.market.seekers.remove(seeker_id)
        self.market.verified.discard(seeker_id)
        self.tally.forget(seeker_id)
        self.published.forget(seeker_id)


def match_found(
    match: Match, model_version: str, baseline: float, reasons: list[c.MatchReason], notify: bool
) -> c.MatchFound:
    return c.MatchFound(
        seeker_id=UUID(match.seeker_id), vacancy_id=UUID(match.vacancy_id),
        employer_id=UUID(match.employer_id), score=match.score, rank=match.rank,
        model_version=model_version, reasons=reasons, baseline=baseline, notify=notify,
    )  # fmt: skip


def _today() -> date:
    return datetime.now(UTC).date()


def _newest(events: Iterable[Envelope[Any]], key: Callable[[Any], str]) -> dict[str, Envelope[Any]]:
    """The event of each entity's newest state among ``events`` (a batch may hold several)."""
    newest: dict[str, Envelope[Any]] = {}
    for event in events:
        entity_id = key(event.payload)
        if entity_id not in newest or event.payload.version > newest[entity_id].payload.version:
            newest[entity_id] = event
    return newest
