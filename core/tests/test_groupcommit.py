"""core.groupcommit: overlapping submits are written together, each thread gets its own result or error."""

from __future__ import annotations

import threading
import time

import pytest

from core.groupcommit import GroupCommit


class Recorder:
    """A write() that keeps its batches and holds the first one until released (so others queue behind it)."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.threads: list[str] = []
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items: list[int]) -> list[int]:
        if not self.batches:
            self.release.wait(10)
        self.batches.append(list(items))
        self.threads.append(threading.current_thread().name)
        if self.fail_on in items:
            raise ValueError(f"cannot write {self.fail_on}")
        return [i * 10 for i in items]


def run_overlapping(commit: GroupCommit, recorder: Recorder, items: list[int]) -> dict[int, object]:
    """Submit items[0] (which blocks in write), then the rest while it is held; the results or errors by item."""
    results: dict[int, object] = {}

    def submit(i: int) -> None:
        try:
            results[i] = commit.submit(i)
        except Exception as exc:
            results[i] = exc

    first = threading.Thread(target=submit, args=(items[0],), name=f"t{items[0]}")
    first.start()
    while not commit._writing:
        time.sleep(0.001)
    rest = [threading.Thread(target=submit, args=(i,), name=f"t{i}") for i in items[1:]]
    for t in rest:
        t.start()
        while len(commit._queue) < rest.index(t) + 1:  # queued in this order
            time.sleep(0.001)
    recorder.release.set()
    for t in [first, *rest]:
        t.join(10)
    return results


def test_a_lone_submit_is_written_at_once_in_the_callers_thread():
    recorder = Recorder()
    recorder.release.set()
    commit = GroupCommit(recorder)
    assert commit.submit(4) == 40
    assert recorder.batches == [[4]] and recorder.threads == [threading.current_thread().name]
    assert (commit.batches, commit.items) == (1, 1)


def test_submits_that_arrive_during_a_write_go_together_in_the_next_batch():
    recorder = Recorder()
    commit = GroupCommit(recorder)
    results = run_overlapping(commit, recorder, [1, 2, 3, 4, 5])
    assert results == {1: 10, 2: 20, 3: 30, 4: 40, 5: 50}
    assert recorder.batches == [[1], [2, 3, 4, 5]]
    assert recorder.threads[1] in {"t2", "t3", "t4", "t5"}  # a waiting thread leads the second batch
    assert (commit.batches, commit.items) == (2, 5)


def test_batches_are_at_most_max_batch_and_keep_arrival_order():
    recorder = Recorder()
    commit = GroupCommit(recorder, max_batch=2)
    results = run_overlapping(commit, recorder, [1, 2, 3, 4, 5, 6])
    assert results == {i: i * 10 for i in range(1, 7)}
    assert recorder.batches == [[1], [2, 3], [4, 5], [6]]


def test_a_failed_write_raises_in_every_thread_of_that_batch_and_no_other():
    recorder = Recorder(fail_on=3)
    commit = GroupCommit(recorder, max_batch=2)
    results = run_overlapping(commit, recorder, [1, 2, 3, 4])
    assert results[1] == 10 and results[4] == 40
    for i in (2, 3):
        assert isinstance(results[i], ValueError) and "cannot write 3" in str(results[i])
    assert recorder.batches == [[1], [2, 3], [4]]
    assert (commit.batches, commit.items) == (2, 2)  # written ones only
    recorder.fail_on = None
    assert commit.submit(7) == 70  # nothing is left locked


def test_a_write_that_loses_results_is_an_error_not_a_silent_none():
    commit = GroupCommit(lambda items: items[:-1])
    with pytest.raises(RuntimeError, match="returned 0 results for 1 items"):
        commit.submit(1)


def test_max_batch_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(lambda items: items, max_batch=0)
