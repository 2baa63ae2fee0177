"""What the matching service does with each event: keep the market, rank, publish."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from services.matching.adapters.models import Models
from services.matching.adapters.repository import MatchingStore
from services.matching.domain.matcher import Market, Match
from services.matching.domain.policy import (
    SEEKER_FANOUT,
    VACANCY_FANOUT,
    DailyTally,
    fingerprint,
    material_seeker_change,
    material_vacancy_change,
    worth_telling,
)
from shared.events import Envelope, Event
from shared.events import catalogue as c

log = logging.getLogger(__name__)


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
    tally: DailyTally = field(default_factory=DailyTally)
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
        today = _today()
        async for seeker_id, vacancy_id in self.store.told_on(today):
            self.tally.add(seeker_id, vacancy_id, today)

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

    async def vacancy_changed(self, vacancy: c.VacancyState) -> int:
        vacancy_id = str(vacancy.vacancy_id)
        state = {"state": vacancy.model_dump(mode="json"), "closed": False}
        saved = await self.store.save_state("vacancies", vacancy_id, vacancy.version, state)
        if not saved.newer:
            return 0
        self._apply_vacancy(vacancy, vacancy.version)
        previous = c.VacancyState.model_validate(saved.previous) if saved.previous else None
        if not material_vacancy_change(previous, vacancy):
            return 0
        return await self._tell(self.market.seekers_for(vacancy_id, VACANCY_FANOUT, _today()))

    async def vacancy_closed(self, closed: c.VacancyClosed) -> None:
        await self.store.close_vacancy(str(closed.vacancy_id), closed.version)
        self._close_vacancy(closed)

    async def seeker_changed(self, seeker: c.SeekerState) -> int:
        seeker_id = str(seeker.seeker_id)
        if await self.store.is_erased(seeker_id):
            return 0
        saved = await self.store.save_state(
            "seekers", seeker_id, seeker.version, {"state": seeker.model_dump(mode="json")}
        )
        if not saved.newer:
            return 0
        self._apply_seeker(seeker, seeker.version)
        previous = fingerprint(c.SeekerState.model_validate(saved.previous)) if saved.previous else None
        if not material_seeker_change(previous, seeker):
            return 0
        return await self._tell(self.market.vacancies_for(seeker_id, SEEKER_FANOUT, _today()))

    async def _tell(self, matches: list[Match]) -> int:
        """Publish the matches worth telling: new, or moved materially, within the daily cap."""
        today = _today()
        told = []
        for match, previous in zip(matches, await self.store.previous_scores(matches), strict=True):
            if worth_telling(previous, match.score) and self.tally.room(match.seeker_id, today):
                self.tally.add(match.seeker_id, match.vacancy_id, today)
                told.append((match, previous))
        await self.store.publish_matches(told, self.market.ranker.version, today)
        return len(told)

    async def seeker_deleted(self, event: Envelope[c.SeekerDeleted]) -> None:
        self._forget(str(event.payload.seeker_id))
        await self.store.erase(str(event.payload.seeker_id), event.occurred_at)

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
            case c.MatchFound(seeker_id=seeker_id, vacancy_id=vacancy_id):
                self.tally.add(str(seeker_id), str(vacancy_id), envelope.occurred_at.date())

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


def _today() -> date:
    return datetime.now(UTC).date()
