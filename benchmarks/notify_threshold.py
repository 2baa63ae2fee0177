"""What pushing only some matches means on a generated market: how many `match.found` a seeker's
ranking publishes with and without the daily cap, and how often a pair of each cold-start score
is a good fit (hidden true fit at least 0.5), which the default notification threshold rests on.

    .venv/bin/python -m benchmarks.notify_threshold [--seed 7] [--sample 2000]

As in the demo week (seed 7, full size), every vacancy is open before the seekers arrive, so a
seeker's ranking (top ``SEEKER_FANOUT``) is where matches come from; ``--sample`` seekers are
ranked and the counts scaled to the whole market.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from services.matching.domain.matcher import Market
from services.matching.domain.policy import DAILY_CAP, SEEKER_FANOUT
from shared.synthetic import SyntheticMarket
from shared.synthetic.generator import DEFAULT_START

GOOD_FIT = 0.5
BINS = np.round(np.arange(0.0, 1.0001, 0.05), 2)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.65, 0.7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=2_000)
    arguments = parser.parse_args()

    started = time.perf_counter()
    synthetic = SyntheticMarket(arguments.seed)
    market = Market()
    vacancy_index: dict[str, int] = {}
    for index in range(len(synthetic.vacancies)):
        vacancy = synthetic.vacancy_event(index)
        vacancy_index[str(vacancy.vacancy_id)] = index
        market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)
    seeker_ids: list[str] = []
    for index in range(len(synthetic.seekers)):
        seeker, _ = synthetic.seeker_event(index)
        seeker_ids.append(str(seeker.seeker_id))
        market.seekers.upsert(str(seeker.seeker_id), seeker)

    sampled = np.random.default_rng(arguments.seed).choice(len(seeker_ids), arguments.sample, replace=False)
    scores: list[float] = []
    fits: list[float] = []
    ranks: list[int] = []
    for seeker_row in sampled.tolist():
        ranking = market.vacancies_for(seeker_ids[seeker_row], SEEKER_FANOUT, DEFAULT_START.date())
        for rank, match in enumerate(ranking, 1):
            scores.append(match.score)
            ranks.append(rank)
            fits.append(synthetic.true_fit(seeker_row, vacancy_index[match.vacancy_id]))
    score, fit, rank = np.array(scores), np.array(fits), np.array(ranks)
    capped = rank <= DAILY_CAP
    scale = len(seeker_ids) / arguments.sample
    print(f"[notify] seed {arguments.seed}: {len(seeker_ids):,} seekers ({arguments.sample:,} ranked), "
          f"{len(vacancy_index):,} vacancies, {time.perf_counter() - started:.0f} s")  # fmt: skip
    print(f"match.found a seeker: {capped.sum() / arguments.sample:.2f} capped at {DAILY_CAP} "
          f"(whole market {capped.sum() * scale:,.0f}), {len(score) / arguments.sample:.2f} uncapped "
          f"(whole market {len(score) * scale:,.0f})")  # fmt: skip
    print("| score | pairs | good fit | mean true fit |\n|---|---|---|---|")
    for low, high in itertools.pairwise(BINS):
        chosen = (score >= low) & (score < high)
        if chosen.any():
            good = np.mean(fit[chosen] >= GOOD_FIT)
            print(f"| {low:.2f}–{high:.2f} | {chosen.sum():,} | {good:.1%} | {fit[chosen].mean():.3f} |")
    for threshold in THRESHOLDS:
        above = score >= threshold
        print(f"threshold {threshold:.2f}: {above.mean():.1%} of published pairs, "
              f"{(above & capped).sum() / arguments.sample:.2f} pushed a seeker within the cap, "
              f"good fit {np.mean(fit[above] >= GOOD_FIT):.1%} of those above")  # fmt: skip


if __name__ == "__main__":
    main()
