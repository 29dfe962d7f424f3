"""Durable ingest: frames queue here, one writer thread commits them in batches, then acks go out.

The writer thread is the only one that writes the database, so every write (a batch of events,
a gap notice, an operator's action) is applied in the order it was asked for.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from services.store import Changes, FeedCursor, Inbound, Store

log = logging.getLogger("desk.ingest")
R = TypeVar("R")

#: CES/1: acks may be at most 200 events (or 250 ms) late, so no batch holds more than this
MAX_BATCH = 200
#: feeds stop reading while this many frames wait for their commit: a burst then waits in the
#: server and the socket, not in the desk's memory, and arrival-to-commit stays short
HIGH_WATER = 1000


@dataclass(slots=True)
class _Control:
    fn: Callable[[], Any]
    future: asyncio.Future[Any] | None


AckSender = Callable[[int], Awaitable[None]]


class IngestService:
    """The ordered write path: `submit()` frames, `write()` anything else, `on_changes` hears commits.

    on_changes(Changes): called on the event loop after each committed unit of work.
    """

    def __init__(
        self, store: Store, *, max_batch: int = MAX_BATCH, on_changes: Callable[[Changes], None] | None = None
    ) -> None:
        self.store = store
        self.max_batch = max_batch
        self.on_changes = on_changes
        self._queue: collections.deque[Inbound | _Control] = collections.deque()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._acks: dict[str, AckSender] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-writer")
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.failures = 0

    # ---- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ingest-writer")

    async def stop(self) -> None:
        """Commit what is queued, then stop the writer."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        self._executor.shutdown(wait=True)

    # ---- feeding it ----------------------------------------------------------------------------
    def register_acks(self, feed: str, sender: AckSender) -> None:
        self._acks[feed] = sender

    def submit(self, item: Inbound) -> None:
        self._queue.append(item)
        self._wake.set()
        if len(self._queue) >= HIGH_WATER:
            self._room.clear()

    async def room(self) -> None:
        """Wait until the queue has room (feeds call it before reading the next frame)."""
        if not self._room.is_set():
            await self._room.wait()

    def write(self, fn: Callable[[], R]) -> asyncio.Future[R]:
        """Run `fn` on the writer thread after everything queued before it; await the result."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append(_Control(fn, future))
        self._wake.set()
        return future

    def write_soon(self, fn: Callable[[], Any]) -> None:
        """Like write(), for bookkeeping nobody waits for (errors are logged)."""
        self._queue.append(_Control(fn, None))
        self._wake.set()

    def cursor(self, feed: str) -> FeedCursor:
        return self.store.cursor(feed)

    @property
    def backlog(self) -> int:
        return len(self._queue)

    # ---- the writer --------------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._room.set()
                if self._stopping:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            head = self._queue[0]
            if isinstance(head, _Control):
                self._queue.popleft()
                await self._run_control(loop, head)
                continue
            batch: list[Inbound] = []
            while self._queue and len(batch) < self.max_batch and isinstance(self._queue[0], Inbound):
                item = self._queue.popleft()
                assert isinstance(item, Inbound)
                batch.append(item)
            if len(self._queue) < HIGH_WATER // 2:
                self._room.set()
            changes = await self._commit(loop, batch)
            await self._after_commit(changes)

    async def _run_control(self, loop: asyncio.AbstractEventLoop, control: _Control) -> None:
        try:
            result = await loop.run_in_executor(self._executor, control.fn)
        except Exception as exc:
            if control.future is not None and not control.future.done():
                control.future.set_exception(exc)
            else:
                log.exception("a write failed")
            return
        if control.future is not None and not control.future.done():
            control.future.set_result(result)
        if isinstance(result, Changes) and self.on_changes is not None:
            self._notify(result)

    async def _commit(self, loop: asyncio.AbstractEventLoop, batch: list[Inbound]) -> Changes:
        """Commit a batch; when that fails, retry it, then item by item, so nothing is lost or stuck."""
        delay = 0.2
        while True:
            try:
                return await loop.run_in_executor(self._executor, self.store.commit_batch, batch)
            except Exception:
                self.failures += 1
                log.exception("committing %d events failed; retrying", len(batch))
            if len(batch) > 1:
                merged = Changes()
                for item in batch:
                    part = await self._commit(loop, [item])
                    _merge(merged, part)
                return merged
            try:  # one event that cannot be applied: keep it verbatim, quarantined with the reason
                return await loop.run_in_executor(self._executor, self.store.quarantine_raw, batch[0])
            except Exception:
                log.exception(
                    "cannot store event %s/%d; retrying in %.1f s", batch[0].feed, batch[0].seq, delay
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _after_commit(self, changes: Changes) -> None:
        for feed, seq in changes.acks.items():
            sender = self._acks.get(feed)
            if sender is not None:
                try:
                    await sender(seq)
                except Exception:  # a closed connection: the server resends after reconnecting
                    log.debug("ack %s/%d not sent", feed, seq, exc_info=True)
        if self.on_changes is not None and not changes.empty:
            self._notify(changes)

    def _notify(self, changes: Changes) -> None:
        assert self.on_changes is not None
        try:
            self.on_changes(changes)
        except Exception:
            log.exception("a listener failed on committed changes")


def _merge(into: Changes, part: Changes) -> None:
    for feed, seq in part.acks.items():
        into.acks[feed] = max(seq, into.acks.get(feed, 0))
    into.stored += part.stored
    into.applied += part.applied
    into.quarantined.extend(part.quarantined)
    into.repeats += part.repeats
    into.duplicates += part.duplicates
    into.incidents |= part.incidents
    into.new_incidents.extend(part.new_incidents)
    into.tasks |= part.tasks
    into.positions |= part.positions
    into.profiles |= part.profiles
    into.feeds |= part.feeds
    into.arrivals.extend(part.arrivals)
    into.committed_at = max(into.committed_at, part.committed_at)
