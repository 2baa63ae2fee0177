"""Latency of ranking the top 50 for a new vacancy or seeker, beside a brute-force baseline.

    .venv/bin/python -m benchmarks.matching_speed [--seekers 100000] [--vacancies 100000] [--queries 50]

Builds the in-memory market from the synthetic generator, then times ``Market.seekers_for``
(top 50 seekers for a new vacancy) and ``Market.vacancies_for`` (top 50 vacancies for a
new seeker): hard filters, all nine features, the linear ranker, reasons. In the same run,
scikit-learn's ``NearestNeighbors(metric="cosine", algorithm="brute")`` answers the same
queries over the same TF-IDF matrices (text similarity only, no filters).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sklearn.neighbors import NearestNeighbors

from services.matching.domain.index import Side
from services.matching.domain.matcher import Market
from shared.synthetic import SyntheticMarket

TOP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    q = arguments.queries

    started = time.perf_counter()
    synthetic = SyntheticMarket(
        arguments.seed, vacancies=arguments.vacancies + q, seekers=arguments.seekers + q
    )
    market = Market()
    fill(market.seekers, (synthetic.seeker_event(i)[0] for i in range(arguments.seekers + q)), "seekers")
    fill(market.vacancies, (synthetic.vacancy_event(i) for i in range(arguments.vacancies + q)), "vacancies")
    print(f"[speed] market built in {time.perf_counter() - started:.1f} s", flush=True)
    # The last q of each side are the "new" queries; they are scored against the others too.
    new_vacancies = market.vacancies.columns.ids[-q:]
    new_seekers = market.seekers.columns.ids[-q:]
    results = {
        f"top {TOP} seekers for a new vacancy, among {len(market.seekers):,}": (
            timed(lambda v: market.seekers_for(v, TOP), new_vacancies),
            timed(brute(market.seekers.columns.text, market.vacancies), new_vacancies),
        ),
        f"top {TOP} vacancies for a new seeker, among {len(market.vacancies):,}": (
            timed(lambda s: market.vacancies_for(s, TOP, date.today()), new_seekers),
            timed(brute(market.vacancies.columns.text, market.seekers), new_seekers),
        ),
    }
    print(f"{'':<62}{'p50 ms':>10}{'p95 ms':>10}")
    for query, (ours, baseline) in results.items():
        print(query)
        for name, times in (
            ("  matcher (filters, 9 features, reasons)", ours),
            ("  NearestNeighbors brute cosine, text only", baseline),
        ):
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(f"{name:<62}{statistics.median(ordered) * 1000:>10.1f}{p95 * 1000:>10.1f}")
    print(f"[speed] peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def fill(side: Side[Any], states: Iterable[Any], name: str) -> None:
    for count, state in enumerate(states, start=1):
        side.upsert(str(getattr(state, side_key(name))), state)
        if count % 20_000 == 0:
            print(f"[speed] {count:,} {name} generated", flush=True)
    side.refresh()


def side_key(name: str) -> str:
    return "seeker_id" if name == "seekers" else "vacancy_id"


def timed(query: Callable[[str], object], ids: list[str]) -> list[float]:
    times = []
    for entity_id in ids:
        begin = time.perf_counter()
        query(entity_id)
        times.append(time.perf_counter() - begin)
    return times


def brute(items: Any, queries: Side[Any]) -> Callable[[str], object]:
    index = NearestNeighbors(n_neighbors=TOP, metric="cosine", algorithm="brute").fit(items)

    def query(entity_id: str) -> object:
        row = queries.row(entity_id)
        return index.kneighbors(queries.columns.text[row], n_neighbors=TOP)

    return query


if __name__ == "__main__":
    main()
