import pytest

from shared.auth.throttle import ACCOUNT, ADDRESS, PAIR, WINDOW_S, Count, retry_after

pytestmark = pytest.mark.security


def test_failures_within_the_free_count_cost_nothing() -> None:
    assert PAIR.wait(4, last_failure=100.0, now=100.0) == 0.0


def test_each_failure_beyond_doubles_the_wait_up_to_the_cap() -> None:
    assert [PAIR.wait(n, 100.0, 100.0) for n in range(5, 12)] == [15, 30, 60, 120, 240, 300, 300]
    assert ACCOUNT.wait(1000, 100.0, 100.0) == 60


def test_the_wait_runs_from_the_last_failure_and_old_failures_are_forgotten() -> None:
    assert PAIR.wait(6, last_failure=100.0, now=110.0) == 20
    assert PAIR.wait(6, last_failure=100.0, now=131.0) == 0
    assert ADDRESS.wait(1000, last_failure=100.0, now=100.0 + WINDOW_S) == 0


def test_the_longest_wait_of_any_count_wins() -> None:
    counts = {PAIR: Count(5, 100.0), ACCOUNT: Count(25, 100.0), ADDRESS: Count(1, 100.0)}
    assert retry_after(counts, now=100.0) == (60.0, ACCOUNT)
    assert retry_after({ADDRESS: Count(1, 100.0)}, now=100.0) == (0.0, None)
