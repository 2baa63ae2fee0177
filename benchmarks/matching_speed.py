"""Latency of ranking the top 50 seekers for a new vacancy, beside a brute-force baseline.

    .venv/bin/python -m benchmarks.matching_speed [--seekers 100000] [--queries 50]

Builds the in-memory market from the synthetic generator, then times ``Market.seekers_for``
(hard filters, all nine features, the linear ranker, top 50 with reasons) for vacancies
not seen before, and, in the same run, scikit-learn's ``NearestNeighbors(metric="cosine",
algorithm="brute")`` over the same TF-IDF matrix (text similarity only, no filters).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from sklearn.neighbors import NearestNeighbors

from services.matching.domain.matcher import Market
from shared.synthetic import SyntheticMarket

TOP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()

    started = time.perf_counter()
    synthetic = SyntheticMarket(arguments.seed, vacancies=arguments.queries, seekers=arguments.seekers)
    market = Market()
    for index in range(arguments.seekers):
        seeker = synthetic.seeker_event(index)[0]
        market.seekers.upsert(str(seeker.seeker_id), seeker)
        if (index + 1) % 20_000 == 0:
            print(f"[speed] {index + 1:,}/{arguments.seekers:,} seekers generated", flush=True)
    market.seekers.refresh()
    print(
        f"[speed] market of {arguments.seekers:,} seekers built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    vacancies = [synthetic.vacancy_event(i) for i in range(arguments.queries)]
    for vacancy in vacancies:
        market.vacancies.upsert(str(vacancy.vacancy_id), vacancy)
    market.vacancies.refresh()

    ours = []
    for vacancy in vacancies:
        begin = time.perf_counter()
        market.seekers_for(str(vacancy.vacancy_id), TOP)
        ours.append(time.perf_counter() - begin)

    index = NearestNeighbors(n_neighbors=TOP, metric="cosine", algorithm="brute").fit(
        market.seekers.columns.text
    )
    baseline = []
    for vacancy in vacancies:
        row = market.vacancies.row(str(vacancy.vacancy_id))
        begin = time.perf_counter()
        index.kneighbors(market.vacancies.columns.text[row], n_neighbors=TOP)
        baseline.append(time.perf_counter() - begin)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    among = f"{arguments.seekers:,} ({arguments.queries} vacancies)"
    print(f"[speed] top {TOP} seekers for one new vacancy among {among}")
    print(f"{'':<44}{'p50 ms':>10}{'p95 ms':>10}")
    for name, times in (
        ("matcher (filters, 9 features, reasons)", ours),
        ("NearestNeighbors brute cosine, text only", baseline),
    ):
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"{name:<44}{statistics.median(ordered) * 1000:>10.1f}{p95 * 1000:>10.1f}")
    print(f"[speed] peak memory {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
