"""Group commit inside one process (leader/follower): requests that arrive while a batch is being written queue up
and are written together in the next one, by whichever of their threads gets there first.

A writer database (SQLite above all, one writer at a time) spends most of a small transaction on taking the write
lock and committing. With several request threads filing at once, `GroupCommit.submit()` lets one thread (the
leader) write everything queued so far in one transaction while the others wait for their own result; when it is
done, one of the waiting threads leads the next batch with whatever queued meanwhile. Nothing waits on purpose: a
lone request is written at once, as a batch of one, in its own thread (so it runs on that thread's database
connection, inside a test's transaction too), and batches only grow when requests really overlap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Ticket(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`submit(item)` returns `write(batch)`'s result for that item. `write` takes up to `max_batch` items and
    returns one result per item, in order; should it raise, every item of that batch gets the exception (so
    `write` must turn a failure of one item into that item's result when the others were written)."""

    def __init__(self, write: Callable[[list[T]], list[R]], *, max_batch: int = 64) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.write = write
        self.max_batch = max_batch
        self.batches = 0  # batches written by this process, and their items (tests read them)
        self.items = 0
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked worker starts with its own, unlocked state

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[_Ticket[T, R]] = []
        self._writing = False

    def submit(self, item: T) -> R:
        ticket: _Ticket[T, R] = _Ticket(item)
        cond = self._cond
        with cond:
            self._queue.append(ticket)
            while True:
                while self._writing and not ticket.done:
                    cond.wait()
                if ticket.done:
                    break
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                self._writing = True
                cond.release()
                try:
                    self._write(batch)
                finally:
                    cond.acquire()
                    self._writing = False
                    cond.notify_all()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]

    def _write(self, batch: list[_Ticket[T, R]]) -> None:
        try:
            results = self.write([t.item for t in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write() returned {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # handed to every thread of the batch and raised there
            for t in batch:
                t.error, t.done = exc, True
            if not isinstance(exc, Exception):
                raise  # KeyboardInterrupt, SystemExit: the leader stops too
            return
        self.batches += 1
        self.items += len(batch)
        for t, result in zip(batch, results, strict=True):
            t.result, t.done = result, True
