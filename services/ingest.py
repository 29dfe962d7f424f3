"""Durable ingest: frames queue here, the writer commits them in batches, then acks go out.

The writer (a process of its own in the desk, a thread in protocol tests: services.writer) is
the only one that writes the database, and it is called from one executor thread, so every
write — a batch of events, a gap notice, an operator's action — is applied in the order it was
asked for.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError

from desk.incidents import Incident
from services.store import Changes, FeedCursor, Inbound, PartlyCommitted, database_said
from services.writer import (
    HALT,
    RESUME,
    WRITES,
    StorageUnavailable,
    WriterBackend,
    WriterDied,
    WriterHalted,
)

log = logging.getLogger("desk.ingest")

#: CES/1: acks may be at most 200 events (or 250 ms) late, so no batch holds more than this
MAX_BATCH = 200
#: feeds stop reading while this many frames wait for their commit: a burst then waits in the
#: server and the socket, not in the desk's memory, and arrival-to-commit stays short
HIGH_WATER = 1000
#: units on their way to the writer at once: the next batch is ready when this one is committed
MAX_IN_FLIGHT = 2
#: a batch the database refused is tried again after this long (the desk holds it, unacked)
RETRY_S = 2.0
#: stop() commits what is queued (at most HIGH_WATER frames and the writes) within this time
#: (main.py gives the whole runtime 10 s to stop: the feeds first, then this)
STOP_TIMEOUT_S = 6.0


@dataclass(slots=True)
class _Write:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: asyncio.Future[Any] | None
    #: a HALT's: the unit that could not be sent in its place, and why
    unsent: tuple[list[Inbound] | _Write, Exception] | None = None


AckSender = Callable[[int], Awaitable[None]]


class IngestService:
    """The ordered write path: `submit()` frames, `write()` anything else, `on_changes` hears commits.

    on_changes(Changes): called on the event loop after each committed unit of work.
    on_trouble(str | None): the database refused a batch (the reason; events are held, unacked,
    and tried again), or None when a batch is committed again after that.
    """

    def __init__(
        self,
        backend: WriterBackend,
        *,
        max_batch: int = MAX_BATCH,
        on_changes: Callable[[Changes], None] | None = None,
        on_trouble: Callable[[str | None], None] | None = None,
    ) -> None:
        self.backend = backend
        self.max_batch = max_batch
        self.on_changes = on_changes
        self.on_trouble = on_trouble
        self.trouble: str | None = None
        self._queue: collections.deque[Inbound | _Write] = collections.deque()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._acks: dict[str, AckSender] = {}
        self._cursors: dict[str, FeedCursor] = {}
        # one thread sends, one receives: a large result can never block a large request
        self._send_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-writer-send")
        self._recv_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-writer-recv")
        self._in_flight: collections.deque[list[Inbound] | _Write] = collections.deque()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._sent = asyncio.Event()
        self._recovered = asyncio.Event()
        self._recovered.set()
        self._done_sending = False
        self._tasks: list[asyncio.Task[None]] = []
        self._pending_acks: list[asyncio.Future[None]] = []
        self._stopping = False
        self.failures = 0

    # ---- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._recv_executor, self.backend.start)
        await loop.run_in_executor(self._send_executor, self.backend.send, ("cursors", (), {}))
        self._cursors = await loop.run_in_executor(self._recv_executor, self.backend.recv)
        self._tasks = [
            asyncio.create_task(self._sender(), name="ingest-sender"),
            asyncio.create_task(self._receiver(), name="ingest-receiver"),
        ]

    async def stop(self) -> None:
        """Commit what is queued, then stop the writer. Within STOP_TIMEOUT_S: what the database
        would not take by then stays unacknowledged (its servers send it again) and is logged."""
        self._stopping = True
        self._wake.set()
        self._sent.set()
        loop = asyncio.get_running_loop()
        clean = False
        try:
            if self._tasks:
                await asyncio.wait_for(asyncio.gather(*self._tasks), STOP_TIMEOUT_S)
            clean = True
        except TimeoutError:
            log.error(
                "the ingest did not finish within %.0f s: %d unit(s) not committed (events among "
                "them are not acknowledged: their servers send them again)",
                STOP_TIMEOUT_S,
                len(self._queue) + len(self._in_flight),
            )
        except Exception:
            log.exception("the ingest stopped with an error")
        finally:  # also when the caller gives up waiting (CancelledError)
            if not clean:
                for task in self._tasks:
                    task.cancel()
                # never leave a thread waiting on the writer: it would keep the program from exiting
                self.backend.kill()
                await asyncio.gather(*self._tasks, return_exceptions=True)
            for unit in self._queue:  # nobody will write them now: their callers hear it
                if isinstance(unit, _Write) and unit.future is not None and not unit.future.done():
                    unit.future.set_exception(RuntimeError("the desk stopped before this was written"))
            await loop.run_in_executor(self._recv_executor, self.backend.stop)
            self._send_executor.shutdown(wait=True)
            self._recv_executor.shutdown(wait=True)

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

    def write(self, method: str, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        """Run a store write after everything queued before it; await its result."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if method not in WRITES:  # refused here: on its way it would stop the writes behind it
            future.set_exception(ValueError(f"not a store write: {method}"))
            return future
        if self.trouble is not None:  # an operator hears it now, not when the database is back
            future.set_exception(StorageUnavailable(self.trouble))
            return future
        if self._stopping:
            future.set_exception(RuntimeError("the desk is stopping"))
            return future
        self._queue.append(_Write(method, args, kwargs, future))
        self._wake.set()
        return future

    def write_soon(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Like write(), for bookkeeping nobody waits for (errors are logged)."""
        if method not in WRITES:
            log.error("not a store write: %s", method)
            return
        self._queue.append(_Write(method, args, kwargs, None))
        self._wake.set()

    async def set_stream(self, feed: str, stream: str, *, reset: bool) -> None:
        self._cursors[feed] = await self.write("set_stream", feed, stream, reset=reset)

    def cursor(self, feed: str) -> FeedCursor:
        """The committed stream and seq of a feed (what `hello` says)."""
        cur = self._cursors.get(feed)
        return FeedCursor(cur.stream, cur.cursor) if cur else FeedCursor(None, 0)

    @property
    def backlog(self) -> int:
        return len(self._queue)

    # ---- the writer --------------------------------------------------------------------------------
    def _next_unit(self) -> list[Inbound] | _Write:
        head = self._queue[0]
        if isinstance(head, _Write):
            self._queue.popleft()
            return head
        batch: list[Inbound] = []
        while self._queue and len(batch) < self.max_batch and isinstance(self._queue[0], Inbound):
            item = self._queue.popleft()
            assert isinstance(item, Inbound)
            batch.append(item)
        if len(self._queue) < HIGH_WATER // 2:
            self._room.set()
        return batch

    async def _sender(self) -> None:
        """Send units to the writer in queue order, keeping up to MAX_IN_FLIGHT on their way."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._room.set()
                # stopping: done once nothing is on its way either (a hold or a restart may
                # still put units back in the queue)
                if self._stopping and not self._in_flight and self._recovered.is_set():
                    self._done_sending = True
                    self._sent.set()
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._slots.acquire()
            await self._recovered.wait()
            if not self._queue:  # a recovery may have run while this waited
                self._slots.release()
                continue
            epoch = self.backend.epoch  # the writer this unit is for (a restart refuses it)
            unit = self._next_unit()
            self._in_flight.append(unit)
            call = (
                ("commit_batch", (unit,), {})
                if isinstance(unit, list)
                else (unit.method, unit.args, unit.kwargs)
            )
            try:
                await loop.run_in_executor(self._send_executor, self.backend.send, call, epoch)
            except WriterDied:
                pass  # the receiver sees it too and sends this unit again after the restart
            except Exception as exc:  # it never left (a call that cannot be pickled): answer it here
                await self._unsent(loop, unit, exc, epoch)
            self._sent.set()

    async def _unsent(
        self, loop: asyncio.AbstractEventLoop, unit: list[Inbound] | _Write, error: Exception, epoch: int
    ) -> None:
        """A unit the writer never got (a call that cannot be pickled). A HALT takes its place in
        the line: the writer runs nothing after it, and the receiver, when it comes to it, holds
        what was sent after and answers or keeps this unit (as for a batch that failed)."""
        for i, held in enumerate(self._in_flight):
            if held is unit:
                self._in_flight[i] = _Write(HALT, (), {}, None, unsent=(unit, error))
                break
        else:
            return  # a recovery already put it back in the queue
        log.error("a call could not be sent to the writer: %s", error)
        with contextlib.suppress(WriterDied):  # the receiver recovers, as for any unit
            await loop.run_in_executor(self._send_executor, self.backend.send, (HALT, (), {}), epoch)

    async def _receiver(self) -> None:
        """Take results in order: after a commit, ack and tell the listeners."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._in_flight:
                if self._done_sending:
                    return
                self._sent.clear()
                await self._sent.wait()
                continue
            try:
                result = await loop.run_in_executor(self._recv_executor, self.backend.recv)
                error: Exception | None = None
            except WriterDied:
                await self._recover(loop)
                continue
            except Exception as exc:
                result, error = None, exc
            unit = self._in_flight.popleft()
            self._slots.release()
            if self._stopping:
                self._wake.set()  # the sender finishes once nothing is on its way
            if self.trouble is not None and (
                error is None or not (_refusal(error) or isinstance(error, WriterHalted))
            ):
                self._set_trouble(None)  # the database wrote (or answered on the call itself)
            if isinstance(unit, _Write) and unit.unsent is not None:
                await self._hold(loop, *unit.unsent)
            elif error is not None and (_is_batch(unit) or isinstance(error, OperationalError)):
                await self._hold(loop, unit, error)
            elif isinstance(unit, list):
                await self._after_commit(result)
            else:
                self._answer(unit, result, error)

    async def _hold(
        self, loop: asyncio.AbstractEventLoop, failed: list[Inbound] | _Write, error: Exception
    ) -> None:
        """The database refused a batch (the store already kept aside an event it could not apply,
        so this is the database itself: locked, gone, full), or refused any write, or a call could
        not be sent. The writer ran nothing sent after it: take those back, in order, with the
        batch, and try again shortly; nothing after the batch is committed, so no ack passes an
        event that is not stored. An operator's action is answered now with the reason."""
        self.failures += 1
        self._recovered.clear()  # the sender waits
        reason = _reason(error)
        refused = StorageUnavailable(reason)
        log.error(
            "%s failed (%s); holding what follows, trying again in %.0f s", _what(failed), error, RETRY_S
        )
        if isinstance(error, PartlyCommitted):
            await self._after_commit(error.changes)  # those are stored: acked and shown
        # the database refused (it may take the same later), or this one call is at fault
        refuse = _refusal(error)
        if refuse:
            self._set_trouble(reason)
        back: list[list[Inbound] | _Write] = []
        if isinstance(failed, _Write) and failed.future is not None:
            # an operator's action fails now, saying why (what the database said, not the SQL)
            self._answer(failed, None, refused if refuse else error)
        elif refuse:
            back.append(failed)  # events, and bookkeeping the database refused: kept for later
        elif isinstance(failed, list):  # a batch that could not be sent: its frames one by one
            back.extend(_Write("commit_batch", ([item],), {}, None) for item in failed)
        elif failed.method == "commit_batch":  # one frame that cannot be sent: said, passed over
            (item,) = failed.args[0]
            bare = item._replace(raw="")
            back.append(_Write("pass_over", (bare, f"could not be sent to the writer: {error}"), {}, None))
        else:
            log.error("%s dropped: it cannot reach the writer (%s)", _what(failed), error)

        # what was sent after it was not run: an operator's action is refused with the reason if
        # the database refuses, else (a call that could not be sent) it is simply sent again
        def take_back(unit: list[Inbound] | _Write) -> None:
            if isinstance(unit, _Write) and unit.unsent is not None:
                unit = unit.unsent[0]  # (its own error is lost: it is tried again)
            if refuse and isinstance(unit, _Write) and unit.future is not None:
                self._answer(unit, None, refused)
            else:
                back.append(unit)

        died = False
        while self._in_flight:
            err: Exception | None = None
            try:
                result = await loop.run_in_executor(self._recv_executor, self.backend.recv)
            except WriterHalted:  # not run
                take_back(self._in_flight.popleft())
                self._slots.release()
                continue
            except WriterDied:  # nothing after the failed call ran before it died either
                died = True
                while self._in_flight:
                    take_back(self._in_flight.popleft())
                    self._slots.release()
                break
            except Exception as exc:
                result, err = None, exc
            unit = self._in_flight.popleft()  # ran after all (cannot happen): as ever
            self._slots.release()
            log.error("%s ran after a call that failed", _what(unit))
            if err is not None and _is_batch(unit):
                back.append(unit)
            elif isinstance(unit, list):
                await self._after_commit(result)
            elif unit.unsent is None:
                self._answer(unit, result, err)
        self._put_back(back)
        if refuse:  # actions queued behind the held events would wait out the outage: refused now
            waiting = [u for u in self._queue if isinstance(u, _Write) and u.future is not None]
            for unit in waiting:
                self._queue.remove(unit)
                self._answer(unit, None, refused)
        while not died:
            await asyncio.sleep(RETRY_S)
            try:
                await self._roundtrip(loop, (RESUME, (), {}))
                break
            except WriterDied:
                died = True
            except Exception as exc:  # the database is still away: the writer stays halted
                log.error("the database still refuses (%s); trying again in %.0f s", exc, RETRY_S)
                self._set_trouble(_reason(exc))
        if died:
            await self._recover(loop)
        if not self._queue:
            self._set_trouble(None)  # nothing held: a quiet desk must not refuse actions until an event
        self._recovered.set()
        self._wake.set()

    async def _recover(self, loop: asyncio.AbstractEventLoop) -> None:
        """The writer died: start it again and put everything that was on its way back in front."""
        self.failures += 1
        self._recovered.clear()
        lost = list(self._in_flight)
        self._in_flight.clear()
        for _ in lost:
            self._slots.release()
        again: list[list[Inbound] | _Write] = []
        for unit in lost:
            if isinstance(unit, _Write) and unit.unsent is not None:
                unit = unit.unsent[0]  # never reached the writer: sent again
            if isinstance(unit, list) or unit.future is None:
                # events, and what nobody waits for, so nobody could try again: an event retried
                # on its own, a feed's gap, notice or protocol error. At least once, never lost.
                again.append(unit)
            elif not unit.future.done():
                unit.future.set_exception(WriterDied("the writer restarted; try again"))
        self._put_back(again)
        while True:
            try:
                await loop.run_in_executor(self._recv_executor, self.backend.restart)
                cursors = await self._roundtrip(loop, ("cursors", (), {}))
                break
            except Exception as exc:
                if self._stopping:
                    log.error("the writer stopped while it was being started again")
                    raise
                log.exception("the writer cannot be started again; retrying in 2 s")
                self._set_trouble(_reason(exc))
                await asyncio.sleep(2)
        self._cursors = cursors
        if not self._queue:
            self._set_trouble(None)
        self._recovered.set()
        self._wake.set()

    def _put_back(self, units: list[list[Inbound] | _Write]) -> None:
        """Units taken back from the writer go in front of the queue, in their order."""
        for unit in reversed(units):
            if isinstance(unit, list):
                self._queue.extendleft(reversed(unit))
            else:
                self._queue.appendleft(unit)

    async def _roundtrip(
        self, loop: asyncio.AbstractEventLoop, call: tuple[str, tuple[Any, ...], dict[str, Any]]
    ) -> Any:
        await loop.run_in_executor(self._send_executor, self.backend.send, call)
        return await loop.run_in_executor(self._recv_executor, self.backend.recv)

    def _answer(self, write: _Write, result: Any, error: Exception | None) -> None:
        if write.future is not None and not write.future.done():
            if error is not None:
                write.future.set_exception(error)
            else:
                write.future.set_result(result)
        elif error is not None:
            log.error("%s failed: %s", write.method, error)
        if isinstance(result, Changes):
            self._pending_acks.append(asyncio.ensure_future(self._after_commit(result)))
            self._pending_acks = [t for t in self._pending_acks if not t.done()]
        elif error is None and self.on_changes is not None and (touched := _touched(write, result)):
            # an operator moved an incident: every listener hears it (the queue, the alarms)
            self._notify(Changes(incidents=touched))

    def _set_trouble(self, reason: str | None) -> None:
        if reason == self.trouble:
            return
        self.trouble = reason
        if self.on_trouble is not None:
            try:
                self.on_trouble(reason)
            except Exception:
                log.exception("a listener failed on the storage trouble")

    async def _after_commit(self, changes: Changes) -> None:
        for feed, seq in changes.acks.items():
            cur = self._cursors.setdefault(feed, FeedCursor(None, 0))
            cur.cursor = max(cur.cursor, seq)
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


#: writes on a grievance's case: the first argument is its incident, which they may move too
_CASE_WRITES = frozenset(
    {"record_reply", "categorise_grievance", "record_grievance_outcome", "record_callback", "close_grievance"}
)


def _refusal(error: Exception) -> bool:
    """The database refused (it may take the same call later), as opposed to a call that is wrong."""
    return isinstance(error, OperationalError | PartlyCommitted | StorageUnavailable)


def _reason(error: Exception) -> str:
    """What the database said, for the window."""
    if isinstance(error, PartlyCommitted | StorageUnavailable):
        return error.reason
    return database_said(error)


def _is_batch(unit: list[Inbound] | _Write) -> bool:
    return isinstance(unit, list) or unit.method == "commit_batch"


def _what(unit: list[Inbound] | _Write) -> str:
    return f"a batch of {len(unit)} events" if isinstance(unit, list) else unit.method


def _touched(write: _Write, result: Any) -> set[int]:
    """The incidents an operator's write changed (a dispatch, a note, a recall move or add to one;
    a merge closes its source; a case write moves its incident)."""
    if write.method == "merge" and len(write.args) > 1:
        return {i for i in write.args[:2] if isinstance(i, int)}  # (target_id, source_id, by)
    if write.method in _CASE_WRITES and write.args and isinstance(write.args[0], int):
        return {write.args[0]}
    if isinstance(result, Incident):
        return {result.id}
    if write.method == "add_task" and len(write.args) > 1 and isinstance(write.args[1], int):
        return {write.args[1]}  # (ref, incident_id, assignee, summary, by)
    if write.method == "add_note" and write.args and isinstance(write.args[0], int):
        return {write.args[0]}
    if write.method == "recall_task" and isinstance(result, int):
        return {result}
    return set()
