"""The ingest through the real writer process: a killed writer, several feeds at once, order of writes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from desk.feeds import FeedState, ProblemKind
from services.config import FeedConfig
from services.db import make_engine, migrate
from services.feeds import FeedClient
from services.ingest import IngestService
from services.store import Changes, Store
from services.writer import ProcessBackend, StorageUnavailable, ThreadBackend, WriterBackend, WriterDied
from tests.support.events import fall, position
from tests.support.scripted import Script, ScriptedServer

pytestmark = pytest.mark.asyncio


def _positions(n: int) -> list[dict[str, Any]]:
    return [position(i, subject=f"E-{i % 100:04d}", second=i % 3600) for i in range(1, n + 1)]


def fast(name: str, url: str) -> FeedConfig:
    return FeedConfig(name=name, url=url, backoff_base_s=0.05, backoff_max_s=0.2)


@asynccontextmanager
async def streaming(
    db_url: str,
    events: list[dict[str, Any]],
    backend: Callable[[str], WriterBackend] | None = None,
    **ingest_options: Any,
) -> AsyncIterator[tuple[ScriptedServer, IngestService]]:
    """A scripted server holding `events` → feed "f1" → the ingest (on the thread backend unless
    `backend(url)` gives another); all stopped after."""
    srv = ScriptedServer()
    await srv.start()
    srv.add_many(events)
    migrate(make_engine(db_url))
    feeds = [("f1", srv.url)]
    ingest = IngestService(backend(srv.url) if backend else ThreadBackend(db_url, feeds), **ingest_options)
    await ingest.start()
    client = FeedClient(fast("f1", srv.url), "desk-test", ingest)
    await client.start()
    try:
        yield srv, ingest
    finally:
        await client.stop()
        await ingest.stop()
        await srv.stop()


async def until(check: object, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def test_a_killed_writer_process_is_restarted_and_nothing_is_lost_or_doubled(db_url: str) -> None:
    srv = ScriptedServer()
    await srv.start()
    n = 4000
    srv.add_many([position(i, subject=f"E-{i % 100:04d}", second=i % 3600) for i in range(1, n + 1)])
    migrate(make_engine(db_url))
    backend = ProcessBackend(db_url, [("f1", srv.url)])
    changes: list[Changes] = []
    ingest = IngestService(backend, on_changes=changes.append)
    await ingest.start()
    client = FeedClient(fast("f1", srv.url), "desk-test", ingest)
    await client.start()
    try:
        await until(lambda: bool(srv.acks) and srv.acks[-1] >= 400)
        first_pid = backend.pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        await srv.wait_for_ack(n, timeout=60)
        assert backend.restarts == 1 and backend.pid != first_pid
        ids = [r["event_id"] for r in Store(make_engine(db_url)).events()]
        assert ids == [f"pos-{i}" for i in range(1, n + 1)]
    finally:
        await client.stop()
        await ingest.stop()
        await srv.stop()


async def test_several_feeds_at_once_keep_their_own_cursors(db_url: str) -> None:
    a, b = ScriptedServer(Script(stream="A")), ScriptedServer(Script(stream="B", token="tb"))
    for s in (a, b):
        await s.start()
    a.add_many([fall(i, elder=f"E-{i}") for i in range(1, 31)])
    b.add_many([position(i) for i in range(1, 51)])
    migrate(make_engine(db_url))
    statuses: dict[str, FeedState] = {}
    ingest = IngestService(ProcessBackend(db_url, [("wearables", a.url), ("security", b.url)]))
    await ingest.start()
    clients = [
        FeedClient(
            fast("wearables", a.url), "desk-test", ingest, lambda st: statuses.__setitem__(st.name, st.state)
        ),
        FeedClient(
            FeedConfig(name="security", url=b.url, token="tb"),
            "desk-test",
            ingest,
            lambda st: statuses.__setitem__(st.name, st.state),
        ),
    ]
    for c in clients:
        await c.start()
    try:
        await a.wait_for_ack(30)
        await b.wait_for_ack(50)
        assert statuses == {"wearables": FeedState.LIVE, "security": FeedState.LIVE}
        assert ingest.cursor("wearables").cursor == 30 and ingest.cursor("security").cursor == 50
        assert ingest.cursor("wearables").stream == "A" and ingest.cursor("security").stream == "B"
        store = Store(make_engine(db_url))
        feeds = {f["name"]: f for f in store.feeds()}
        assert feeds["wearables"]["cursor"] == 30 and feeds["security"]["cursor"] == 50
        assert len(store.incidents()) == 30
    finally:
        for c in clients:
            await c.stop()
        await ingest.stop()
        for s in (a, b):
            await s.stop()


async def test_a_write_the_writer_refuses_fails_its_caller_and_the_ingest_goes_on(db_url: str) -> None:
    migrate(make_engine(db_url))
    ingest = IngestService(ProcessBackend(db_url, [("f1", "ws://127.0.0.1:1/")]))
    await ingest.start()
    try:
        with pytest.raises(ValueError, match="not a store write: drop_everything"):
            await asyncio.wait_for(ingest.write("drop_everything"), 10)
        cursors = await asyncio.wait_for(ingest.write("cursors"), 10)
        assert "f1" in cursors
    finally:
        await ingest.stop()


async def test_a_write_that_cannot_reach_the_writer_fails_its_caller_and_the_stream_goes_on(
    db_url: str,
) -> None:
    """A call that cannot cross the pipe (here: an argument pickle refuses) never reaches the
    writer: its caller hears why, and the writes and events behind it are committed as ever."""
    srv = ScriptedServer()
    await srv.start()
    srv.add_many([fall(i, elder=f"E-{i}") for i in range(1, 21)])
    migrate(make_engine(db_url))
    ingest = IngestService(ProcessBackend(db_url, [("f1", srv.url)]))
    await ingest.start()
    client = FeedClient(fast("f1", srv.url), "desk-test", ingest)
    try:
        unpicklable = ingest.write("log_desk", "desk", lambda: None, "lead")
        behind = ingest.write("cursors")
        with pytest.raises(Exception, match="pickle"):
            await asyncio.wait_for(unpicklable, 10)
        assert "f1" in await asyncio.wait_for(behind, 10)
        await client.start()
        await srv.wait_for_ack(20, timeout=20)
        assert len(Store(make_engine(db_url)).incidents()) == 20
    finally:
        await client.stop()
        await ingest.stop()
        await srv.stop()


async def test_a_call_meant_for_a_writer_that_was_replaced_is_refused(db_url: str) -> None:
    """The ingest resends what was on its way when the writer died: a send of the old writer's
    call that arrives after the restart must not reach the new one (it would be there twice and
    every result after it would answer the wrong call)."""
    migrate(make_engine(db_url))
    backend = ProcessBackend(db_url, [])
    backend.start()
    try:
        old = backend.epoch
        assert backend.pid is not None
        os.kill(backend.pid, signal.SIGKILL)
        backend.restart()
        with pytest.raises(WriterDied):
            backend.send(("cursors", (), {}), old)
        backend.send(("cursors", (), {}), backend.epoch)
        assert backend.recv() == {}
    finally:
        backend.stop()


async def test_a_send_under_way_when_the_writer_is_restarted_only_ever_says_it_died(db_url: str) -> None:
    """A restart closes the pipe a send may be writing to at that moment: the send ends with
    WriterDied, never another error (a TypeError from the closed pipe stopped the ingest in CI)."""
    migrate(make_engine(db_url))
    backend = ProcessBackend(db_url, [])
    backend.start()
    errors: list[BaseException] = []
    big = ("cursors", ("x" * 4_000_000,), {})  # larger than the pipe: the send is mid-write

    def keep_sending() -> None:
        for _ in range(20):
            try:
                backend.send(big, backend.epoch)
            except WriterDied:
                continue
            except BaseException as exc:
                errors.append(exc)
                return

    sender = threading.Thread(target=keep_sending)
    try:
        sender.start()
        for _ in range(3):
            time.sleep(0.05)
            assert backend.pid is not None
            os.kill(backend.pid, signal.SIGKILL)
            backend.restart()
        sender.join(60)
        assert not sender.is_alive()
        assert errors == []
    finally:
        backend.kill()
        backend.stop()


async def test_an_event_that_breaks_the_apply_step_loses_none_of_its_batch_or_the_next(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One event the store cannot apply (a bug, a value the database refuses) fails its whole
    batch, while the next batch is already on its way: the others of both are stored, that one is
    quarantined with the reason, and no ack passes an event before it is stored."""
    original = Store._apply

    def apply(self: Store, conn: Any, events: list[Any], ch: Any, now: Any) -> None:
        if any(ev.id == "pos-150" for ev in events):
            raise RuntimeError("value too long for type character varying(64)")
        original(self, conn, events, ch, now)

    monkeypatch.setattr(Store, "_apply", apply)
    n = 2000
    async with streaming(db_url, _positions(n)) as (srv, _):
        await srv.wait_for_ack(n, timeout=60)
    rows = Store(make_engine(db_url)).events()
    assert [r["seq"] for r in rows] == list(range(1, n + 1))
    (bad,) = [r for r in rows if r["status"] == "quarantined"]
    assert bad["seq"] == 150 and "character varying" in bad["reason"]


async def test_a_batch_the_database_refuses_is_held_and_committed_in_order_when_it_takes_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses to write for a moment (locked, full) while the next batch is already
    on its way: nothing is quarantined for it, nothing after it is committed or acked before it,
    and once the database takes writes again every event is stored, in order."""
    original = Store._apply
    refusals = [2]

    def apply(self: Store, conn: Any, events: list[Any], ch: Any, now: Any) -> None:
        if refusals[0] and any(ev.id == "pos-150" for ev in events):
            refusals[0] -= 1
            raise OperationalError("INSERT INTO positions", {}, Exception("database is locked"))
        original(self, conn, events, ch, now)

    monkeypatch.setattr(Store, "_apply", apply)
    monkeypatch.setattr("services.ingest.RETRY_S", 0.2)
    n = 2000
    troubles: list[str | None] = []
    async with streaming(db_url, _positions(n), on_trouble=troubles.append) as (srv, ingest):
        await srv.wait_for_ack(n, timeout=60)
    assert refusals == [0] and ingest.failures == 2
    # the window is told (once, not per retry) and told again when the database writes again
    assert len(troubles) == 2 and "database is locked" in str(troubles[0]) and troubles[1] is None
    rows = Store(make_engine(db_url)).events()
    assert [r["seq"] for r in rows] == list(range(1, n + 1))
    assert {r["status"] for r in rows} == {"applied"}


async def test_when_the_database_refuses_bookkeeping_it_is_held_and_an_operators_action_fails_now(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed's gap (nobody waits for it) meets a locked database: it is kept and written when the
    database takes writes; an operator's write in the same moment fails at once with the reason."""
    original = Store.record_gap
    refusals = [1]

    def record_gap(self: Store, feed: str, count: int, detail: str) -> None:
        if refusals[0]:
            refusals[0] -= 1
            raise OperationalError("UPDATE feeds", {}, Exception("database is locked"))
        original(self, feed, count, detail)

    def locked(*_: object) -> None:
        raise OperationalError("UPDATE feeds", {}, Exception("database is locked"))

    monkeypatch.setattr(Store, "record_gap", record_gap)
    monkeypatch.setattr("services.ingest.RETRY_S", 0.1)
    migrate(make_engine(db_url))
    troubles: list[str | None] = []
    ingest = IngestService(ThreadBackend(db_url, [("f1", "ws://127.0.0.1:1/")]), on_trouble=troubles.append)
    await ingest.start()
    try:
        ingest.write_soon("record_gap", "f1", 3, "seq 5 after seq 1")
        # actions after the gap (one on its way, two still queued) are not run: refused, with why
        behind = [ingest.write("cursors") for _ in range(3)]
        for action in behind:
            with pytest.raises(StorageUnavailable, match="database is locked"):
                await asyncio.wait_for(action, 10)
        await until(lambda: ingest.trouble is None)  # the gap is written: the database writes again
        assert "f1" in await asyncio.wait_for(ingest.write("cursors"), 10)
        monkeypatch.setattr(Store, "set_feed_state", locked)
        with pytest.raises(StorageUnavailable, match=r"refuses to write \(database is locked\)"):
            await asyncio.wait_for(ingest.write("set_feed_state", "f1", "live", None), 10)
        # until the writer has tried again, the next action is refused at once, saying why
        with pytest.raises(StorageUnavailable, match="database is locked"):
            await asyncio.wait_for(ingest.write("cursors"), 10)
        await until(lambda: ingest.trouble is None)
        assert "f1" in await asyncio.wait_for(ingest.write("cursors"), 10)
    finally:
        await ingest.stop()
    (feed,) = Store(make_engine(db_url)).feeds()
    assert feed["gaps"] == 3
    assert troubles[0] is not None and "database is locked" in troubles[0] and troubles[-1] is None


async def test_events_committed_before_the_database_went_away_are_announced(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch with one bad event is committed frame by frame; halfway the database refuses. The
    frames before that point are stored: their incidents reach the queue and the alarms now, not
    never (on the retry they are repeats, which announce nothing)."""
    original = Store._apply
    refusals = [1]

    def apply(self: Store, conn: Any, events: list[Any], ch: Any, now: Any) -> None:
        ids = {ev.id for ev in events}
        if "fall-3" in ids:
            raise RuntimeError("a bug in the apply step")
        if ids == {"fall-5"} and refusals[0]:
            refusals[0] -= 1
            raise OperationalError("INSERT INTO incidents", {}, Exception("database is locked"))
        original(self, conn, events, ch, now)

    monkeypatch.setattr(Store, "_apply", apply)
    monkeypatch.setattr("services.ingest.RETRY_S", 0.1)
    changes: list[Changes] = []
    falls = [fall(i, elder=f"E-{i:04d}") for i in range(1, 11)]
    async with streaming(db_url, falls, on_changes=changes.append) as (srv, _):
        await srv.wait_for_ack(10, timeout=20)
    store = Store(make_engine(db_url))
    announced = {i for ch in changes for i in ch.new_incidents}
    assert refusals == [0] and len(store.incidents()) == 9
    assert announced == {inc.id for inc in store.incidents()}


async def test_stop_during_a_database_outage_ends_in_seconds_and_leaves_the_events_unacked(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk is closed while the database refuses every write: it stops within its time, says
    what it left, and acks nothing it did not store (the server sends those again)."""

    def apply(*_: object) -> None:
        raise OperationalError("INSERT INTO incidents", {}, Exception("database is locked"))

    monkeypatch.setattr(Store, "_apply", apply)
    monkeypatch.setattr("services.ingest.RETRY_S", 0.1)
    monkeypatch.setattr("services.ingest.STOP_TIMEOUT_S", 1.0)
    falls = [fall(i, elder=f"E-{i:04d}") for i in range(1, 6)]
    async with streaming(db_url, falls) as (srv, ingest):
        await until(lambda: ingest.trouble is not None)
        started = time.monotonic()
    stopped_in = time.monotonic() - started  # the feed, the ingest and the server
    assert stopped_in < 5, f"stop took {stopped_in:.1f} s"
    assert not srv.acks or srv.acks[-1] == 0
    assert Store(make_engine(db_url)).events() == []


async def test_a_caller_that_gives_up_waiting_for_stop_still_ends_the_writer(db_url: str) -> None:
    """The window gives the desk 10 s to stop. If the database hangs (here: another program holds
    the SQLite file locked), the writer process is ended anyway: no thread is left waiting on it,
    and the program can exit."""
    migrate(make_engine(db_url))
    backend = ProcessBackend(db_url, [("f1", "ws://127.0.0.1:1/")])
    ingest = IngestService(backend)
    await ingest.start()
    locker = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=5)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        ingest.write_soon("record_gap", "f1", 1, "seq 2 after seq 0")  # waits on the lock
        await asyncio.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ingest.stop(), 1.0)
        assert time.monotonic() - started < 5
        assert not backend.alive
    finally:
        locker.rollback()
        locker.close()


class _NoBigSends(ThreadBackend):
    """A pipe that cannot take a batch of several frames (as when pickling them runs out of
    memory) nor the frame numbered `unsendable`; everything else goes through."""

    def __init__(self, database_url: str, feeds: list[tuple[str, str]], unsendable: int) -> None:
        super().__init__(database_url, feeds)
        self.unsendable = unsendable

    def send(self, call: Any, epoch: int | None = None) -> None:
        if call[0] == "commit_batch":
            (items,) = call[1]
            if len(items) > 1 or items[0].seq == self.unsendable:
                raise MemoryError("pickling the batch")
        super().send(call, epoch)


async def test_a_batch_that_cannot_be_sent_goes_frame_by_frame_and_an_unsendable_frame_is_said(
    db_url: str,
) -> None:
    falls = [fall(i, elder=f"E-{i:04d}") for i in range(1, 21)]

    def pipe(url: str) -> WriterBackend:
        return _NoBigSends(db_url, [("f1", url)], unsendable=7)

    async with streaming(db_url, falls, pipe) as (srv, ingest):
        await srv.wait_for_ack(20, timeout=20)
        assert ingest.trouble is None  # not the database's fault: no storage notice
    store = Store(make_engine(db_url))
    assert [r["seq"] for r in store.events()] == [i for i in range(1, 21) if i != 7]
    (problem,) = [p for p in store.problems() if p.kind is ProblemKind.NOT_STORED]
    assert problem.detail.startswith("seq 7: could not be sent to the writer")


class _DiesOnce(ThreadBackend):
    """A writer that dies once, as a SIGKILL would, just as the first call of `method` reaches it
    (the kill test above cannot aim at one call)."""

    def __init__(self, database_url: str, method: str) -> None:
        super().__init__(database_url, [("f1", "ws://127.0.0.1:1/")])
        self.method = method
        self.died = False

    def recv(self) -> Any:
        call = self._calls.get()
        if call[0] == self.method and not self.died:
            self.died = True
            raise WriterDied("killed")
        return self.run(call)


async def test_bookkeeping_nobody_waits_for_is_written_after_the_writer_restarts(db_url: str) -> None:
    """A feed's gap is written with nobody waiting for it: if the writer dies with it on its way,
    the ingest sends it again rather than losing it."""
    migrate(make_engine(db_url))
    backend = _DiesOnce(db_url, "record_gap")
    ingest = IngestService(backend)
    await ingest.start()
    try:
        ingest.write_soon("record_gap", "f1", 3, "seq 5 after seq 1")
        await until(lambda: backend.died)
        assert "f1" in await asyncio.wait_for(ingest.write("cursors"), 10)  # queued after the gap
    finally:
        await ingest.stop()
    assert backend.died and ingest.failures == 1
    (feed,) = Store(make_engine(db_url)).feeds()
    assert feed["gaps"] == 3


async def test_an_operators_write_names_every_incident_it_moved() -> None:
    """The map and the queue re-read what a write names: a merge closes its source, a case write
    moves its grievance's incident (it returns the case, not the incident)."""
    from services.ingest import _touched, _Write

    assert _touched(_Write("merge", (7, 9, "lead"), {}, None), None) == {7, 9}
    for method in ("close_grievance", "categorise_grievance", "record_reply", "record_callback"):
        assert _touched(_Write(method, (12, "x", "lead"), {}, None), object()) == {12}
    assert _touched(_Write("log_desk", ("desk", "x", "lead"), {}, None), None) == set()
