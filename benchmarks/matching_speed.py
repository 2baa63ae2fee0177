"""Latency and batch throughput of the matcher, beside a brute-force baseline in the same run.

    .venv/bin/python -m benchmarks.matching_speed [--seekers 100000] [--vacancies 100000]
        [--queries 50] [--baseline-queries 20] [--batch 512] [--shortlist 3] [--checked 256]
        [--repeats 3]

Builds the in-memory market from the synthetic generator (through the catalogue's payloads,
as the service does), then measures:

- top 50 seekers for a new vacancy (``Market.seekers_for``) and top 50 vacancies for a new
  seeker (``Market.vacancies_for``): hard filters, all nine features, the linear ranker,
  reasons; beside scikit-learn's ``NearestNeighbors(metric="cosine", algorithm="brute")``
  answering the same queries over the same TF-IDF rows (text only, no filters);
- batch re-ranking: the top 50 seekers for each of ``--batch`` vacancies
  (``Market.seekers_for_each``, 1,024 at a time), beside ``NearestNeighbors.kneighbors`` on the
  same vacancies at once. Throughput is in candidate pairs per second (vacancies × seekers in
  the market, the same for both); the pairs the matcher actually scored after its hard
  filters are printed too. Both are timed ``--repeats`` times, taking turns, and the median
  of each is compared (a single run here varies by about 15 %);
- what the shortlist costs in quality: the first ``--checked`` vacancies of the batch ranked
  again with every candidate scored exactly (a shortlist as long as the market), and the share of
  those exact top 50 that the shortlisted ranking found.

Peak memory is read after the batch re-ranking, before the exact check (which keeps every
candidate) and the baseline's index, so it is the matcher's own (the generator's tables included).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from services.matching.domain.index import Side
from services.matching.domain.matcher import SHORTLIST, Market, Ranking
from shared.synthetic import SyntheticMarket

TOP = 50
BATCH_STEP = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--baseline-queries", type=int, default=20)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--shortlist", type=int, default=SHORTLIST, help="candidates kept per match wanted")
    parser.add_argument("--checked", type=int, default=256, help="vacancies ranked exactly for recall")
    parser.add_argument("--repeats", type=int, default=3, help="timings of each batch re-ranking")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    q = arguments.queries

    started = time.perf_counter()
    synthetic = SyntheticMarket(
        arguments.seed, vacancies=arguments.vacancies + q, seekers=arguments.seekers + q
    )
    today = synthetic.start.date()  # the synthetic vacancies' deadlines lie after their start
    market = Market(shortlist=arguments.shortlist)
    seeker_ids = fill(market.seekers, (synthetic.seeker_event(i)[0] for i in range(len(synthetic.seekers))))
    vacancy_ids = fill(
        market.vacancies, (synthetic.vacancy_event(i) for i in range(len(synthetic.vacancies)))
    )
    print(f"[speed] market built in {time.perf_counter() - started:.1f} s", flush=True)
    gc.freeze()  # as the service does once its market is loaded

    # The last q of each side are the "new" queries; they are scored against the others too.
    new_vacancies, new_seekers = vacancy_ids[-q:], seeker_ids[-q:]
    batch = vacancy_ids[: arguments.batch]
    ours = {
        "vacancy": timed(lambda v: market.explain(market.seekers_for(v, TOP, today)), new_vacancies),
        "seeker": timed(lambda s: market.explain(market.vacancies_for(s, TOP, today)), new_seekers),
    }
    scored_before = market.pairs_scored
    shortlisted = rerank(market, batch, today)
    batch_scored = market.pairs_scored - scored_before
    # Read before the exact check, whose shortlist as long as the market holds every candidate.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    checked = batch[: arguments.checked]
    market.shortlist = len(market.seekers)  # every candidate kept for the exact pass
    exact: dict[str, Ranking] = {}
    exact_time = timed(lambda _: exact.update(rerank(market, checked, today)), ["all"])[0]
    market.shortlist = arguments.shortlist
    found = sum(len(seekers_of(shortlisted[v]) & seekers_of(exact[v])) for v in checked)
    recall = found / max(1, sum(len(seekers_of(exact[v])) for v in checked))
    print(f"[speed] matcher measured; its peak memory {peak_mib:,.0f} MiB", flush=True)

    n = arguments.baseline_queries
    seeker_text, vacancy_text = text_of(market.seekers), text_of(market.vacancies)
    baseline = {
        "vacancy": timed(brute(seeker_text, market.vacancies), new_vacancies[:n]),
        "seeker": timed(brute(vacancy_text, market.seekers), new_seekers[:n]),
    }
    index = NearestNeighbors(n_neighbors=TOP, metric="cosine", algorithm="brute").fit(seeker_text)
    batch_rows = sp.vstack([row_text(market.vacancies, v) for v in batch], format="csr")
    baseline_batch_times, batch_times = [], []
    for run in range(1, arguments.repeats + 1):  # in turn, so that a drift of the machine hits both
        baseline_batch_times += timed(lambda _: index.kneighbors(batch_rows, n_neighbors=TOP), ["all"])
        batch_times += timed(lambda _: rerank(market, batch, today), ["all"])
        print(f"[speed] batch re-ranking timed {run} of {arguments.repeats} times", flush=True)
    baseline_batch_time, batch_time = statistics.median(baseline_batch_times), statistics.median(batch_times)

    print(f"\n{'':<64}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}")
    for side, query in (
        ("vacancy", f"top {TOP} seekers for a new vacancy, among {len(market.seekers):,} seekers"),
        ("seeker", f"top {TOP} vacancies for a new seeker, among {len(market.vacancies):,} vacancies"),
    ):
        print(query)
        line("  matcher (filters, 9 features, reasons)", ours[side])
        line("  NearestNeighbors brute cosine, text only", baseline[side])
    pairs = len(batch) * len(market.seekers)
    print(f"\nre-ranking the top {TOP} seekers of {len(batch):,} vacancies ({pairs:,} candidate pairs)")
    print(f"{'':<64}{'seconds':>10}{'pairs/s':>14}   each run")
    for name, times in (
        ("  matcher, 1,024 vacancies a batch", batch_times),
        ("  NearestNeighbors.kneighbors, all at once", baseline_batch_times),
    ):
        median = statistics.median(times)
        print(f"{name:<64}{median:>10.2f}{pairs / median:>14,.0f}   "
              + ", ".join(f"{time:.2f}" for time in times))  # fmt: skip
    print(f"  speed-up {baseline_batch_time / batch_time:.1f}x (medians); the matcher scored "
          f"{batch_scored:,} pairs ({batch_scored / pairs:.0%} of the candidates) after consent and city "
          f"filters, and "
          f"{arguments.shortlist * TOP} per vacancy again exactly")  # fmt: skip
    print(f"  the first {len(checked):,} vacancies with every candidate scored exactly: {exact_time:.2f} s "
          f"({len(checked) / exact_time:,.0f} vacancies/s, shortlisted {len(batch) / batch_time:,.0f}/s); "
          f"the shortlist found {recall:.1%} of their top {TOP}")  # fmt: skip
    print(f"\n[speed] peak memory of the matcher: {peak_mib:,.0f} MiB "
          f"({len(market.seekers):,} seekers, {len(market.vacancies):,} vacancies)")  # fmt: skip


def fill(side: Side[Any, Any], states: Iterable[Any]) -> list[str]:
    ids = []
    for count, state in enumerate(states, start=1):
        entity_id = str(getattr(state, "seeker_id", None) or state.vacancy_id)
        side.upsert(entity_id, state)
        ids.append(entity_id)
        if count % 50_000 == 0:
            print(f"[speed] {count:,} {type(state).__name__} payloads encoded", flush=True)
    side.refresh()
    return ids


def rerank(market: Market, vacancy_ids: list[str], today: Any) -> dict[str, Ranking]:
    rankings = {}
    for start in range(0, len(vacancy_ids), BATCH_STEP):
        rankings.update(market.seekers_for_each(vacancy_ids[start : start + BATCH_STEP], TOP, today))
    return rankings


def seekers_of(ranking: Ranking) -> set[str]:
    return {match.seeker_id for match in ranking.matches()}


def timed(query: Callable[[str], object], ids: list[str]) -> list[float]:
    times = []
    for entity_id in ids:
        begin = time.perf_counter()
        query(entity_id)
        times.append(time.perf_counter() - begin)
    return times


def line(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"{name:<64}{statistics.median(ordered) * 1000:>10.1f}{p95 * 1000:>10.1f}{len(times):>9}")


def text_of(side: Side[Any, Any]) -> sp.csr_matrix:
    """Every alive row's TF-IDF text, the baseline's items."""
    return sp.vstack([block.columns.text[block.alive] for block in side.alive_blocks()], format="csr")


def row_text(side: Side[Any, Any], entity_id: str) -> sp.csr_matrix:
    found = side.locate(entity_id)
    assert found is not None
    block, row = found
    return block.columns.text[row]


def brute(items: sp.csr_matrix, queries: Side[Any, Any]) -> Callable[[str], object]:
    index = NearestNeighbors(n_neighbors=TOP, metric="cosine", algorithm="brute").fit(items)
    return lambda entity_id: index.kneighbors(row_text(queries, entity_id), n_neighbors=TOP)


if __name__ == "__main__":
    main()
