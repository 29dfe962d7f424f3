"""The shift in the store on a real SQLite file: open and hand over, the shift log fed by the records,
manual entries and corrections, and signed reports that show a later change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

import services.store as store_module
from desk.incidents import Action, Status
from desk.shifts import LogCategory, LogSource, ShiftError, filter_log
from services.db import make_engine, migrate
from services.store import Inbound, Store
from services.writer import WRITES
from tests.support.events import fall

#: the fall events of tests.support.events happen at 02:00 Beijing time on 4 December 2026
FALL_AT = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, offset: timedelta) -> None:
        self.now = FALL_AT + offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(FALL_AT - timedelta(hours=1))
    monkeypatch.setattr(store_module, "now_utc", c)
    return c


@pytest.fixture
def store(db_url: str, clock: Clock) -> Store:
    engine = make_engine(db_url)
    migrate(engine)
    s = Store(engine)
    s.load([("f1", "ws://127.0.0.1:1/")])
    s.set_stream("f1", "S", reset=False)
    return s


def frames(events: list, start: int = 1) -> list[Inbound]:
    return [
        Inbound(
            "f1", "S", start + i, json.dumps({"op": "event", "seq": start + i, "event": e}), clock_now(), 0.0
        )
        for i, e in enumerate(events)
    ]


def clock_now() -> datetime:
    return store_module.now_utc()


def test_shift_writes_go_through_the_writer() -> None:
    assert {"open_shift", "close_shift", "add_log_entry", "save_report", "sign_report"} <= WRITES


def test_open_and_hand_over(store: Store, clock: Clock) -> None:
    shift = store.open_shift("desk-01", "王班长", ["李四", "张三"], "王班长")
    assert store.current_shift("desk-01") == shift and shift.staff == ("李四", "张三")
    with pytest.raises(ShiftError, match="still open"):
        store.open_shift("desk-01", "赵六", [], "赵六")
    clock.at(timedelta(hours=11))
    closed = store.close_shift(shift.id, "赵六", "3栋电梯维修中", "王班长")
    assert (closed.handed_to, closed.notes, closed.closed_at) == ("赵六", "3栋电梯维修中", clock.now)
    assert store.current_shift("desk-01") is None and store.last_shift() == closed
    with pytest.raises(ShiftError, match="no open shift"):
        store.close_shift(shift.id, "钱七", None, "王班长")
    second = store.open_shift("desk-01", "赵六", [], "赵六")
    assert [s.lead for s in store.shifts()] == ["赵六", "王班长"]
    assert store.shifts(lead="王班长") == [closed]
    assert store.shifts(since=FALL_AT) == [second]


def test_the_shift_log_records_every_action(store: Store, clock: Clock) -> None:
    shift = store.open_shift("desk-01", "王班长", ["李四"], "王班长")
    clock.at(timedelta(seconds=1))
    store.commit_batch(frames([fall(1)]))
    inc = store.incidents()[0]
    clock.at(timedelta(seconds=20))
    store.act(inc.id, Action.ACKNOWLEDGE, "李四")
    store.log_incident(inc.id, "alarm_escalated", "desk-01", "level 1")
    store.add_note(inc.id, "李四", "已电话联系家属")
    store.log_desk("desk-01", "alarm_sound_failed", "desk-01", "aplay: no device")
    store.log_desk("desk-01", "alarm_checkin_done", "李四")
    store.set_feed_state("f1", "live", "stream S")
    clock.at(timedelta(minutes=5))
    store.set_feed_state("f1", "reconnecting", "cannot connect")
    clock.at(timedelta(minutes=6))
    store.record_gap("f1", 3, "events 5–7 never arrived")
    clock.at(timedelta(minutes=7))
    store.set_feed_state("f1", "live", "stream S")
    entry = store.add_log_entry(shift.id, "call", "居民来电询问停水时间", "王班长")
    log = store.shift_log(shift.opened_at)
    got = [(e.category, e.action) for e in log]
    assert (LogCategory.SHIFT, "opened") in got
    assert (LogCategory.ACKNOWLEDGE, "acknowledge") in got
    assert (LogCategory.ESCALATION, "alarm_escalated") in got
    assert (LogCategory.NOTE, "note") in got
    assert (LogCategory.SOUND, "alarm_sound_failed") in got
    assert (LogCategory.CHECKIN, "alarm_checkin_done") in got
    feed = [(e.action, e.at - FALL_AT) for e in log if e.category is LogCategory.FEED]
    # connecting → live is not an outage; reconnecting is, the gap is kept, live again is the recovery
    assert feed == [
        ("down", timedelta(minutes=5)),
        ("gap", timedelta(minutes=6)),
        ("up", timedelta(minutes=7)),
    ]
    assert log[-1] == entry and entry.source is LogSource.MANUAL
    ack = next(e for e in log if e.action == "acknowledge")
    assert (ack.by, ack.incident_id, ack.text) == ("李四", inc.id, "跌倒报警")
    assert [e.text for e in filter_log(log, [LogCategory.NOTE])] == ["跌倒报警 — 已电话联系家属"]
    assert [e.entry_id for e in filter_log(log, None, "停水")] == [entry.entry_id]


def test_manual_entries_are_never_edited_a_correction_is_a_new_entry(store: Store) -> None:
    shift = store.open_shift("desk-01", "王班长", [], "王班长")
    first = store.add_log_entry(shift.id, "visit", "物业经理来访", "王班长")
    fix = store.add_log_entry(shift.id, "correction", "来访者为物业副经理", "王班长", corrects=first.entry_id)
    manual = [e for e in store.shift_log(shift.opened_at) if e.source is LogSource.MANUAL]
    assert [(e.text, e.corrects) for e in manual] == [
        ("物业经理来访", None),
        ("来访者为物业副经理", first.entry_id),
    ]
    assert fix.corrects == first.entry_id
    with pytest.raises(ShiftError, match="names the entry"):
        store.add_log_entry(shift.id, "correction", "无对象", "王班长")
    with pytest.raises(ShiftError, match="no shift log entry 999"):
        store.add_log_entry(shift.id, "correction", "x", "王班长", corrects=999)
    with pytest.raises(ShiftError, match="written by the desk"):
        store.add_log_entry(shift.id, "acknowledge", "伪造的确认", "王班长")
    with pytest.raises(ShiftError, match="needs some text"):
        store.add_log_entry(shift.id, "other", "   ", "王班长")


def test_a_signed_report_shows_a_later_change_as_tampering(store: Store, clock: Clock) -> None:
    shift = store.open_shift("desk-01", "王班长", [], "王班长")
    clock.at(timedelta(hours=11))
    store.close_shift(shift.id, "赵六", None, "王班长")
    period = (shift.opened_at, clock.now)
    rep = store.save_report(shift.id, "handover", "王班长", period, "<p>事件 3 起</p>", '{"total":3}')
    with pytest.raises(ShiftError, match="outgoing lead signs first"):
        store.sign_report(rep.id, "赵六", incoming=True, confirmed=True)
    store.sign_report(rep.id, "王班长", incoming=False)
    with pytest.raises(ShiftError, match="not the outgoing lead again"):
        store.sign_report(rep.id, "王班长", incoming=True)
    sealed = store.sign_report(rep.id, "赵六", incoming=True, confirmed=True)
    assert sealed.sealed and sealed.open_items_confirmed and store.verify_report(rep.id) == []
    with pytest.raises(ShiftError, match="can no longer change"):
        store.sign_report(rep.id, "钱七", incoming=True)
    # the next shift's report chains to this one
    nxt = store.save_report(shift.id, "on_demand", "赵六", period, "<p>第二份</p>", "{}")
    store.sign_report(nxt.id, "赵六", incoming=False)
    assert store.sign_report(nxt.id, "钱七", incoming=True).prev_seal == sealed.seal
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE shift_reports SET content = '<p>事件 2 起</p>' WHERE id = :id"), {"id": rep.id}
        )
    assert store.verify_report(rep.id) == ["content", "seal"]
    assert store.verify_report(nxt.id) == []
    with store.engine.begin() as conn:  # the forger recomputes the hash too: the seal still tells
        conn.execute(
            text("UPDATE shift_reports SET content_hash = :h WHERE id = :id"),
            {"id": rep.id, "h": store_module.content_hash("<p>事件 2 起</p>", '{"total":3}')},
        )
    assert store.verify_report(rep.id) == ["seal"]


def test_report_input_reads_the_shift(store: Store, clock: Clock) -> None:
    shift = store.open_shift("desk-01", "王班长", ["李四"], "王班长")
    clock.at(timedelta(seconds=1))
    store.commit_batch(frames([fall(1), fall(2, elder="E-0007", minute=30)]))
    first, second = sorted(store.incidents(), key=lambda i: i.opened_at)
    clock.at(timedelta(seconds=25))
    store.act(first.id, Action.ACKNOWLEDGE, "李四")
    clock.at(timedelta(seconds=50))
    store.act(first.id, Action.DISPATCH, "李四")
    clock.at(timedelta(hours=2))
    data = store.report_input(shift, end=FALL_AT + timedelta(hours=1))
    assert sorted(i.id for i in data.incidents) == [first.id, second.id]
    got = {i.id: i for i in data.incidents}
    assert got[first.id].acknowledged_at == FALL_AT + timedelta(seconds=25)
    assert got[first.id].dispatched_at == FALL_AT + timedelta(seconds=50)
    assert [(h.incident_id, h.by) for h in data.handled] == [(first.id, "李四")]
    assert {i.id: i.status for i in data.open_now} == {first.id: Status.DISPATCHED, second.id: Status.NEW}


def test_migration_is_reversible(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = make_engine(db_url)
    migrate(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(store_module.__file__).replace("store.py", "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "shift_reports" not in names and "shifts" not in names
