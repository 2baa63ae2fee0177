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
    material_seeker_change,
    material_vacancy_change,
    worth_telling,
)
from shared.events import Envelope
from shared.events import catalogue as c

log = logging.getLogger(__name__)


MODEL_CHECK_S = 30.0


@dataclass
class Matching:
    store: MatchingStore
    models: Models
    market: Market
    tally: DailyTally = field(default_factory=DailyTally)

    async def load(self) -> None:
        """Rebuild the in-memory market from the store (at start-up), with the model in use."""
        if (model := await self.models.active()) is not None:
            self.market.use(model.ranker, model.idf)
        self.market.verified.update(
            [document["_id"] async for document in self.store["verified"].find({"verified": True})]
        )
        async for document in self.store["seekers"].find({}):
            state = c.SeekerState.model_validate(document["state"])
            self.market.seekers.upsert(document["_id"], state)
        async for document in self.store["vacancies"].find({"closed": {"$ne": True}}):
            vacancy = c.VacancyState.model_validate(document["state"])
            self.market.vacancies.upsert(document["_id"], vacancy)
        async for seeker_id in self.store.told_on(_today()):
            self.tally.add(seeker_id, _today())

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

    async def vacancy_changed(self, vacancy: c.VacancyState) -> int:
        vacancy_id = str(vacancy.vacancy_id)
        previous = self.market.vacancies.kept.get(vacancy_id)
        state = {"state": vacancy.model_dump(mode="json"), "closed": False}
        if not await self.store.save_state("vacancies", vacancy_id, vacancy.version, state):
            return 0
        self.market.vacancies.upsert(vacancy_id, vacancy)
        if not material_vacancy_change(previous, vacancy):
            return 0
        return await self._tell(self.market.seekers_for(vacancy_id, VACANCY_FANOUT, _today()))

    async def vacancy_closed(self, closed: c.VacancyClosed) -> None:
        await self.store.close_vacancy(str(closed.vacancy_id), closed.version)
        self.market.vacancies.remove(str(closed.vacancy_id))

    async def seeker_changed(self, seeker: c.SeekerState) -> int:
        seeker_id = str(seeker.seeker_id)
        if await self.store.is_erased(seeker_id):
            return 0
        previous = self.market.seekers.kept.get(seeker_id)
        if not await self.store.save_state(
            "seekers", seeker_id, seeker.version, {"state": seeker.model_dump(mode="json")}
        ):
            return 0
        self.market.seekers.upsert(seeker_id, seeker)
        if not material_seeker_change(previous, seeker):
            return 0
        return await self._tell(self.market.vacancies_for(seeker_id, SEEKER_FANOUT, _today()))

    async def _tell(self, matches: list[Match]) -> int:
        """Publish the matches worth telling: new, or moved materially, within the daily cap."""
        today = _today()
        told = []
        for match, previous in zip(matches, await self.store.previous_scores(matches), strict=True):
            if worth_telling(previous, match.score) and self.tally.room(match.seeker_id, today):
                self.tally.add(match.seeker_id, today)
                told.append(match)
        await self.store.publish_matches(told, self.market.ranker.version, today)
        return len(told)

    async def seeker_deleted(self, event: Envelope[c.SeekerDeleted]) -> None:
        seeker_id = str(event.payload.seeker_id)
        self.market.seekers.remove(seeker_id)
        self.market.verified.discard(seeker_id)
        self.tally.forget(seeker_id)
        await self.store.erase(seeker_id, event.occurred_at)

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


def _today() -> date:
    return datetime.now(UTC).date()
