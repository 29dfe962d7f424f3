"""The store on a real SQLite file: verbatim storage, apply or quarantine, repeats, incidents, migrations."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

import services.db as services_db
from desk.feeds import ProblemKind
from desk.incidents import Action, IllegalTransition, Outcome, Status
from services.db import Base, make_engine, migrate
from services.store import Inbound, Store
from tests.support.events import alarm, examples, fall, position


@pytest.fixture
def store(db_url: str) -> Store:
    engine = make_engine(db_url)
    migrate(engine)
    s = Store(engine)
    s.load([("f1", "ws://127.0.0.1:1/")])
    s.set_stream("f1", "S", reset=False)
    return s


def frames(events: list, start: int = 1, feed: str = "f1", stream: str = "S") -> list[Inbound]:
    out = []
    for i, e in enumerate(events):
        seq = start + i
        raw = json.dumps({"op": "event", "seq": seq, "event": e}, ensure_ascii=False)
        out.append(Inbound(feed, stream, seq, raw, datetime.now(UTC), time.perf_counter()))
    return out


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_sqlite_is_durable_against_power_cuts(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_frames_are_stored_verbatim_and_examples_applied_or_quarantined(store: Store) -> None:
    events = examples("valid") + examples("invalid")
    items = frames(events)
    ch = store.commit_batch(items)
    assert ch.stored == len(events) and ch.acks == {"f1": len(events)}
    rows = store.events()
    assert [r["raw"] for r in rows] == [i.raw for i in items]
    statuses = [r["status"] for r in rows]
    assert statuses == ["applied"] * len(examples("valid")) + ["quarantined"] * len(examples("invalid"))
    assert all(r["reason"] for r in rows if r["status"] == "quarantined")
    assert store.cursor("f1").cursor == len(events)


def test_same_id_twice_changes_nothing(store: Store) -> None:
    store.commit_batch(frames([fall(1)]))
    before = store.incidents()
    ch = store.commit_batch(frames([fall(1)], start=2))
    assert ch.duplicates == 1 and ch.stored == 0 and ch.acks == {"f1": 2}
    after = store.incidents()
    assert [(i.id, i.count) for i in after] == [(i.id, i.count) for i in before]
    assert len(store.events()) == 1
    assert store.feeds()[0]["duplicates"] == 1


def test_a_frame_at_or_below_the_cursor_is_a_repeat(store: Store) -> None:
    store.commit_batch(frames([fall(1), fall(2, minute=30)]))
    ch = store.commit_batch(frames([fall(2, minute=30)], start=2))
    assert ch.repeats == 1 and ch.stored == 0
    assert store.feeds()[0]["repeats"] == 1


def test_duplicates_inside_one_batch(store: Store) -> None:
    ch = store.commit_batch(frames([fall(1), fall(1)]))
    assert ch.stored == 1 and ch.duplicates == 1


def test_repeats_join_the_open_incident_with_a_count(store: Store) -> None:
    store.commit_batch(frames([fall(1, minute=0), fall(2, minute=3), fall(3, minute=6)]))
    (inc,) = store.incidents()
    assert inc.count == 3 and inc.event_ids == ["fall-1", "fall-2", "fall-3"] and inc.priority == 1


def test_a_repeat_after_the_window_opens_a_new_incident(store: Store) -> None:
    store.commit_batch(frames([fall(1, minute=0), fall(2, minute=30)]))
    assert len(store.incidents()) == 2


def test_cleared_marks_but_does_not_close(store: Store) -> None:
    store.commit_batch(frames([alarm(1), alarm(2, state="cleared", minute=2)]))
    (inc,) = store.incidents()
    assert inc.cleared_at is not None and inc.status is Status.NEW and inc.count == 1
    assert inc.event_ids == ["alarm-1", "alarm-2"]


def test_positions_keep_the_last_known_place(store: Store) -> None:
    store.commit_batch(frames([position(1, second=10), position(2, second=40), position(3, second=20)]))
    last = store.last_positions()["E-0001"]
    assert last["at"] == datetime(2026, 12, 3, 18, 0, 40, tzinfo=UTC)


def test_profiles_fill_the_directory(store: Store) -> None:
    store.commit_batch(frames([e for e in examples("valid") if e["type"] == "profile"]))
    refs = {p["ref"]: p for p in store.profiles()}
    assert refs["E-0042"]["name"] == "王桂英"
    assert refs["E-0042"]["data"]["contacts"][0]["phone"] == "13655512345"


def test_lifecycle_through_the_store(store: Store) -> None:
    store.commit_batch(frames([fall(1)]))
    (inc,) = store.incidents()
    store.act(inc.id, Action.ACKNOWLEDGE, "lead")
    with pytest.raises(IllegalTransition, match="cannot close an incident that is acknowledged"):
        store.act(inc.id, Action.CLOSE, "lead")
    store.act(inc.id, Action.RESOLVE, "lead", outcome=Outcome.HELPED_ON_SITE)
    store.act(inc.id, Action.CLOSE, "lead")
    assert store.incidents(open_only=True) == []
    log = [(r["action"], r["by"]) for r in store.incident_log(inc.id)]
    assert log == [("opened", "system"), ("acknowledge", "lead"), ("resolve", "lead"), ("close", "lead")]
    # a fall of the same elder after closing opens a new incident
    store.commit_batch(frames([fall(2, minute=1)], start=2))
    assert len(store.incidents(open_only=True)) == 1


def test_task_events_move_the_task_and_the_incident(store: Store) -> None:
    store.commit_batch(frames([fall(1)]))
    (inc,) = store.incidents()
    store.add_task("T-1", inc.id, "S-003", "去3栋看看", "lead")
    assert store.incidents()[0].status is Status.DISPATCHED
    base = {"type": "task", "source": "field-app", "task": "T-1", "by": "S-003"}
    updates = [
        {**base, "id": "t1", "time": "2026-12-04T02:14:00+08:00", "status": "accepted"},
        {**base, "id": "t2", "time": "2026-12-04T02:19:00+08:00", "status": "on_scene"},
        {**base, "id": "t3", "time": "2026-12-04T02:18:00+08:00", "status": "en_route"},  # late, ignored
    ]
    ch = store.commit_batch(frames(updates, start=2))
    assert ch.tasks == {"T-1"}
    assert store.tasks()[0]["status"] == "on_scene"
    assert store.incidents()[0].status is Status.ON_SCENE


def test_stream_reset_restarts_the_cursor(store: Store) -> None:
    store.commit_batch(frames([fall(1)]))
    store.set_stream("f1", "S2", reset=True)
    assert store.cursor("f1").stream == "S2" and store.cursor("f1").cursor == 0
    assert store.notices("f1")[-1]["kind"] == "stream_reset"
    # frames of the old stream still in flight are not taken into the new one
    ch = store.commit_batch(frames([fall(5)], start=2, stream="S"))
    assert ch.stored == 0


def test_a_frame_that_breaks_apply_is_kept_quarantined(store: Store) -> None:
    item = frames([fall(1)])[0]
    ch = store.quarantine_raw(item, "could not be applied: boom")
    assert ch.acks == {"f1": 1}
    (row,) = store.events()
    assert row["status"] == "quarantined" and row["raw"] == item.raw and "boom" in row["reason"]


def test_memory_follows_a_rolled_back_batch(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise OperationalError("INSERT INTO events", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store, "_apply", boom)
    with pytest.raises(OperationalError):
        store.commit_batch(frames([fall(1)]))
    assert store.cursor("f1").cursor == 0
    assert store.events() == []


def test_a_quarantined_frame_served_again_after_the_stream_came_back_is_a_repeat(store: Store) -> None:
    """A server's stream goes A → B → A: the desk reads A again from the start. A frame it kept
    quarantined the first time is already stored under that feed, stream and seq: a repeat, not a
    failure that would hold every feed."""
    bad = {"id": "x-1", "type": "fall", "source": "s"}  # no time: quarantined
    store.commit_batch(frames([fall(1), bad, fall(3, minute=5)]))
    store.set_stream("f1", "B", reset=True)
    store.set_stream("f1", "S", reset=True)
    assert store.cursor("f1").cursor == 0
    ch = store.commit_batch(frames([fall(1), bad, fall(3, minute=5), fall(4, minute=10)]))
    assert store.cursor("f1").cursor == 4 and ch.acks == {"f1": 4}
    assert [(r["seq"], r["status"]) for r in store.events()] == [
        (1, "applied"),
        (2, "quarantined"),
        (3, "applied"),
        (4, "applied"),
    ]


def test_a_frame_the_database_will_not_keep_even_quarantined_is_passed_over_and_said(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: one frame that can be neither applied nor kept must not stop every feed;
    the cursor moves past it and the feed's problems say which seq and why."""
    original = store._commit_batch

    def commit(items: list[Inbound]) -> object:
        if any(i.seq == 2 for i in items):
            raise DataError("INSERT INTO events", {}, Exception("value out of range"))
        return original(items)

    def keep(*_: object) -> None:
        raise DataError("INSERT INTO events", {}, Exception("value out of range"))

    monkeypatch.setattr(store, "_commit_batch", commit)
    monkeypatch.setattr(store, "_quarantine_raw", keep)
    ch = store.commit_batch(frames([fall(1), fall(2, minute=5), fall(3, minute=10)]))
    assert ch.acks == {"f1": 3} and store.cursor("f1").cursor == 3
    assert [r["seq"] for r in store.events()] == [1, 3]
    (problem,) = [p for p in store.problems() if p.kind is ProblemKind.NOT_STORED]
    assert problem.detail.startswith("seq 2: could not be applied") and "value out of range" in problem.detail


def test_queue_items_carry_names_and_the_running_task(store: Store) -> None:
    profiles = [e for e in examples("valid") if e["type"] == "profile"]
    grievance = next(e for e in examples("valid") if e.get("category") == "animals")
    store.commit_batch(frames([*profiles, fall(1), grievance]))
    by_kind = {q.incident.kind: q for q in store.queue_items()}
    assert by_kind["fall"].subject_name == "王桂英" and by_kind["fall"].assignee is None
    assert by_kind["grievance"].subject_name == "李女士"
    fall_id = by_kind["fall"].incident.id
    store.add_task("T-9", fall_id, "S-003", "上门", "lead")
    (item,) = store.queue_items([fall_id])
    staff = next(p for p in profiles if p["ref"] == "S-003")
    assert item.assignee == "S-003" and item.assignee_name == staff["name"] and item.task_ref == "T-9"
    assert item.task_status is not None and item.task_status.value == "sent" and item.task_sent_at is not None
    store.act(fall_id, Action.RESOLVE, "lead", outcome=Outcome.HELPED_ON_SITE)
    store.act(fall_id, Action.CLOSE, "lead")
    assert fall_id not in {q.incident.id for q in store.queue_items()}  # closed: off the queue
    (closed,) = store.queue_items([fall_id])  # but asked by id, so that a view can remove its row
    assert closed.incident.status is Status.CLOSED


def _wal_pages_by_btree(store: Store, wal: str) -> dict[str, int]:
    """Which table or index each page in the write-ahead log belongs to, counted."""
    import struct

    with store.engine.connect() as conn:
        owner = {pg: name for name, pg in conn.exec_driver_sql("SELECT name, pageno FROM dbstat")}
        page = conn.exec_driver_sql("PRAGMA page_size").scalar()
    data = Path(wal).read_bytes()
    counts: dict[str, int] = {}
    for off in range(32, len(data) - 24 - page + 1, 24 + page):
        (pgno,) = struct.unpack(">I", data[off : off + 4])
        name = owner.get(pgno, "?")
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_a_batch_of_many_elders_positions_writes_few_history_pages(store: Store, db_url: str) -> None:
    """Each commit's pages are written to the log and synced before the ack: history indexed by
    subject put every elder's position on a page of its own (150 elders, 150 pages a batch)."""
    subjects = [f"E-{k:04d}" for k in range(150)]
    n = 0
    for second in range(0, 150):  # 22,500 positions of history: the index spans hundreds of pages
        batch = [position(n + k, s, second=second) for k, s in enumerate(subjects)]
        store.commit_batch(frames(batch, start=n + 1))
        n += len(batch)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    batch = [position(n + k, s, second=200) for k, s in enumerate(subjects)]
    assert store.commit_batch(frames(batch, start=n + 1)).stored == 150
    pages = _wal_pages_by_btree(store, db_url.split("///", 1)[1] + "-wal")
    history = sum(v for k, v in pages.items() if "positions" in k and k != "last_positions")
    assert 0 < history <= 12, pages
    assert len(store.trail("E-0007", datetime(2026, 12, 3, 18, 2, 0, tzinfo=UTC))) == 150 - 120 + 1


def test_position_history_of_an_older_database_is_kept_by_the_upgrade(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(services_db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    old = Store(engine)
    old.load([("f1", "ws://127.0.0.1:1/")])
    old.set_stream("f1", "S", reset=False)
    old.commit_batch(frames([position(k, "E-0001", second=k) for k in range(5)]))
    migrate(engine)  # what the desk does at its start
    with engine.connect() as conn:
        indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(positions)")}
    assert "ix_positions_at_subject" in indexes and "ix_positions_subject_at" not in indexes
    since = datetime(2026, 12, 3, 18, 0, 2, tzinfo=UTC)  # 02:00:02 in Hefei
    assert [t["at"].second for t in Store(engine).trail("E-0001", since)] == [2, 3, 4]
