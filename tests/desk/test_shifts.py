"""The shift's figures against a hand-computed day shift (08:00–20:00 Beijing time).

Every number below was worked out by hand from the fixture; the comments show the arithmetic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from desk.incidents import Incident, IncidentClass, Priority, Status
from desk.shifts import (
    DeviceState,
    FeedChange,
    Handled,
    LogCategory,
    LogSource,
    Measure,
    NextStep,
    ReportInput,
    Shift,
    ShiftError,
    ShiftLogEntry,
    ShiftReport,
    SignedReport,
    alarm_load,
    build_report,
    canonical,
    check_handover,
    check_open,
    content_hash,
    desk_category,
    filter_log,
    incident_category,
    seal_of,
    summary,
    tampering,
)
from desk.sla import SlaPolicy, Stage

E, S, W = IncidentClass.EMERGENCY, IncidentClass.SECURITY, IncidentClass.WELFARE
T0 = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # 08:00 in Beijing
END = T0 + timedelta(hours=12)
SEC = timedelta(seconds=1)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def inc(
    id: int,
    kind: str,
    cls: IncidentClass,
    prio: int,
    opened: timedelta,
    *,
    ack: timedelta | None = None,
    disp: timedelta | None = None,
    res: timedelta | None = None,
    status: Status = Status.CLOSED,
    count: int = 1,
    merged_into: int | None = None,
) -> Incident:
    o = T0 + opened
    return Incident(
        id=id,
        key=f"{kind}:{id}",
        kind=kind,
        cls=cls,
        priority=Priority(prio),
        status=status,
        title=kind,
        place=None,
        subject=None,
        opened_at=o,
        last_event_at=o,
        count=count,
        acknowledged_at=o + ack if ack is not None else None,
        dispatched_at=o + disp if disp is not None else None,
        resolved_at=o + res if res is not None else None,
        merged_into=merged_into,
    )


SHIFT = Shift(1, "desk-01", "王班长", ("李四", "张三"), T0, "王班长")
INCIDENTS = [
    inc(1, "fall", E, 1, 5 * MIN, ack=10 * SEC, disp=40 * SEC, res=20 * MIN, count=3),
    inc(2, "sos", E, 1, 1 * HOUR, ack=25 * SEC, disp=70 * SEC, res=25 * MIN),
    inc(3, "fall", E, 1, 2 * HOUR, ack=45 * SEC, disp=90 * SEC, res=40 * MIN),
    inc(4, "smoke", E, 1, 3 * HOUR, ack=90 * SEC, res=5 * MIN),  # a false alarm, never dispatched
    inc(5, "fall", E, 1, 5 * MIN + 30 * SEC, ack=20 * SEC, res=1 * MIN, merged_into=1),  # a duplicate
    inc(6, "door_forced", S, 2, 4 * HOUR, ack=30 * SEC, disp=4 * MIN, res=50 * MIN),
    inc(7, "door_forced", S, 2, 11 * HOUR + 55 * MIN, status=Status.NEW),
    inc(8, "device_offline", W, 3, 5 * HOUR, ack=10 * MIN, res=3 * HOUR),
    inc(9, "device_offline", W, 3, 6 * HOUR, ack=20 * MIN, status=Status.ACKNOWLEDGED),
]
CARRIED = inc(10, "water_leak", W, 3, -1 * HOUR, ack=10 * MIN, status=Status.DISPATCHED)
ON_SCENE = {1: T0 + 5 * MIN + 5 * MIN, 2: T0 + 1 * HOUR + 8 * MIN, 3: T0 + 2 * HOUR + 10 * MIN}
HANDLED = [
    Handled(1, "李四", T0 + 5 * MIN + 10 * SEC),
    Handled(2, "李四", T0 + 1 * HOUR + 25 * SEC),
    Handled(3, "张三", T0 + 2 * HOUR + 45 * SEC),
    Handled(6, "李四", T0 + 4 * HOUR + 30 * SEC),
]
FEED = [
    FeedChange("wearables", T0 - 30 * MIN, "down", "cannot connect"),
    FeedChange("wearables", T0 + 10 * MIN, "up"),
    FeedChange("wearables", T0 + 1 * HOUR, "gap", "events 5–7 never arrived", 3),
    FeedChange("cameras", T0 + 2 * HOUR, "down", "silent for 45 s"),
    FeedChange("cameras", T0 + 2 * HOUR + 5 * MIN, "up"),
    FeedChange("wearables", T0 + 11 * HOUR + 30 * MIN, "down", "HTTP 503"),
    FeedChange("cameras", T0 + 13 * HOUR, "gap", "later", 2),  # after the shift
]
DEVICES = [
    DeviceState("FD-1", "E-1", "online", 0.50, T0),
    DeviceState("FD-2", "E-2", "offline", 0.40, T0 + 2 * HOUR),
    DeviceState("FD-3", "E-3", "not_worn", 0.90, T0 + 1 * HOUR),
    DeviceState("FD-4", "E-4", "low_battery", 0.18, T0),
    DeviceState("FD-5", "E-5", "online", 0.15, T0),
    DeviceState("FD-6", "E-6", "charging", 0.10, T0),
]


@pytest.fixture(scope="module")
def report() -> ShiftReport:
    data = ReportInput(
        SHIFT, T0, END, INCIDENTS, [INCIDENTS[6], INCIDENTS[8], CARRIED], ON_SCENE, HANDLED, DEVICES, FEED
    )
    return build_report(data, SlaPolicy.default())


def s(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_counts_by_type_and_priority_leave_out_the_merged_duplicate(report: ShiftReport) -> None:
    assert report.total == 8
    assert report.repeats == 2  # incident 1 came three times
    assert report.by_priority == [(Priority.P1, 4), (Priority.P2, 2), (Priority.P3, 2)]
    assert report.by_class == [(E, 4), (S, 2), (W, 2)]
    assert report.by_kind == [
        ("device_offline", 2),
        ("door_forced", 2),
        ("fall", 2),
        ("smoke", 1),
        ("sos", 1),
    ]


def test_response_times_median_p90_worst(report: ShiftReport) -> None:
    em = report.responses[E]
    # acknowledged after 10, 25, 45, 90 s: median (25+45)/2, p90 the ⌈3.6⌉ = 4th
    assert (em[Measure.ACKNOWLEDGE].count, em[Measure.ACKNOWLEDGE].median) == (4, s(35))
    assert (em[Measure.ACKNOWLEDGE].p90, em[Measure.ACKNOWLEDGE].worst) == (s(90), s(90))
    # dispatched after 40, 70, 90 s (the smoke alarm never was): p90 is the ⌈2.7⌉ = 3rd
    assert em[Measure.DISPATCH] == type(em[Measure.DISPATCH])(3, s(70), s(90), s(90))
    # on scene after 5, 8, 10 min
    assert (em[Measure.ON_SCENE].median, em[Measure.ON_SCENE].p90) == (s(480), s(600))
    # resolved after 20, 25, 40, 5 min → sorted 300, 1200, 1500, 2400
    assert (em[Measure.RESOLVE].median, em[Measure.RESOLVE].p90, em[Measure.RESOLVE].worst) == (
        s(1350),
        s(2400),
        s(2400),
    )
    assert report.responses[S][Measure.ACKNOWLEDGE].median == s(30)  # only the first door was looked at
    assert report.responses[S][Measure.ON_SCENE].count == 0
    assert report.responses[W][Measure.ACKNOWLEDGE].median == s(900)  # (600+1200)/2
    assert report.responses[W][Measure.ACKNOWLEDGE].p90 == s(1200)


def test_share_within_the_targets_and_twice_them(report: ShiftReport) -> None:
    got = {(c.cls, c.stage, c.limit.total_seconds()): (c.within, c.counted) for c in report.compliance}
    # P1 acknowledged within 30 s: 10 and 25 yes, 45 and 90 no; within 60 s also the 45
    assert got[(E, Stage.ACKNOWLEDGE, 30)] == (2, 4)
    assert got[(E, Stage.ACKNOWLEDGE, 60)] == (3, 4)
    # dispatch within 60 s: 40; the smoke alarm counts as dispatched when it was resolved (300 s)
    assert got[(E, Stage.DISPATCH, 60)] == (1, 4)
    assert got[(E, Stage.DISPATCH, 120)] == (3, 4)
    assert got[(E, Stage.RESOLVE, 1800)] == (3, 4)
    assert got[(E, Stage.RESOLVE, 3600)] == (4, 4)
    # the last forced door, still new at 20:00 after 5 min: late for 60 s and 120 s, its dispatch
    # clock (due at exactly 20:00) not counted yet
    assert got[(S, Stage.ACKNOWLEDGE, 60)] == (1, 2)
    assert got[(S, Stage.ACKNOWLEDGE, 120)] == (1, 2)
    assert got[(S, Stage.DISPATCH, 300)] == (1, 1)
    assert got[(W, Stage.ACKNOWLEDGE, 900)] == (1, 2)
    assert got[(W, Stage.ACKNOWLEDGE, 1800)] == (2, 2)
    # the device acknowledged at 14:20 is still open: past its 4 h, not yet past 8 h
    assert got[(W, Stage.RESOLVE, 4 * 3600)] == (1, 2)
    assert got[(W, Stage.RESOLVE, 8 * 3600)] == (1, 1)
    shares = {
        (c.cls, c.limit.total_seconds()): c.share for c in report.compliance if c.stage is Stage.ACKNOWLEDGE
    }
    assert shares[(E, 30)] == 0.5 and shares[(E, 60)] == 0.75


def test_breaches_listed_with_their_incident(report: ShiftReport) -> None:
    rows = [(b.incident.id, b.breach.stage, b.breach.late_by) for b in report.breaches]
    assert rows == [
        (2, Stage.DISPATCH, s(10)),
        (3, Stage.ACKNOWLEDGE, s(15)),
        (3, Stage.DISPATCH, s(30)),
        (3, Stage.RESOLVE, s(600)),
        (4, Stage.ACKNOWLEDGE, s(60)),
        (4, Stage.DISPATCH, s(240)),
        (9, Stage.ACKNOWLEDGE, s(300)),
        (9, Stage.RESOLVE, s(7200)),
        (7, Stage.ACKNOWLEDGE, s(240)),
    ]
    assert report.breaches[-1].breach.done_at is None  # still not acknowledged at the handover


def test_open_items_with_their_next_step(report: ShiftReport) -> None:
    rows = [(o.incident.id, o.next_step, o.due_at, o.overdue) for o in report.open_items]
    assert rows == [
        (7, NextStep.ACKNOWLEDGE, T0 + 11 * HOUR + 56 * MIN, True),
        (10, NextStep.AWAIT_ARRIVAL, T0 + 3 * HOUR, True),  # carried over from the night shift
        (9, NextStep.RESOLVE, T0 + 10 * HOUR, True),
    ]


def test_devices_feed_outages_and_gaps(report: ShiftReport) -> None:
    assert [d.device for d in report.devices] == ["FD-3", "FD-2", "FD-5", "FD-4"]
    rows = [(o.feed, o.started_at, o.ended_at, o.within) for o in report.outages]
    assert rows == [
        ("wearables", T0 - 30 * MIN, T0 + 10 * MIN, 10 * MIN),
        ("cameras", T0 + 2 * HOUR, T0 + 2 * HOUR + 5 * MIN, 5 * MIN),
        ("wearables", T0 + 11 * HOUR + 30 * MIN, None, 30 * MIN),
    ]
    assert report.gaps == {"wearables": 3}


def test_alarm_load_per_operator_and_hour(report: ShiftReport) -> None:
    load = report.load
    assert load.alarms == 8 and load.peak_10min == 1 and load.floods == []
    assert load.per_10min == pytest.approx(8 / 72)  # 12 h = 72 intervals of 10 minutes
    assert [(o.operator, o.handled) for o in load.operators] == [("李四", 3), ("张三", 1)]
    # opened at 08:05, 09, 10, 11, 12, 13, 14 and 19:55
    assert [n for _, n in report.per_hour] == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1]
    assert report.per_hour[0][0] == T0 and len(report.per_hour) == 12
    # acknowledged after 10, 25, 45, 90 s: the 0–10, 20–30, 45–60 and 60–120 s bins
    assert report.ack_distribution[E] == [0, 1, 1, 0, 1, 1, 0, 0, 0]


def test_a_flood_is_more_than_ten_alarms_in_ten_minutes_per_operator() -> None:
    raised = [T0 + i * 20 * SEC for i in range(25)] + [T0 + 10 * MIN + i * SEC for i in range(12)]
    raised.append(T0 + 45 * MIN)
    one = alarm_load(raised, [], 1, T0, T0 + HOUR)
    assert [(f.started_at, f.ended_at, f.alarms) for f in one.floods] == [(T0, T0 + 20 * MIN, 37)]
    assert (one.alarms, one.peak_10min) == (38, 25)
    assert one.per_10min == pytest.approx(38 / 6)
    two = alarm_load(raised, [Handled(1, "a", T0 + MIN)], 2, T0, T0 + HOUR)
    assert [(f.started_at, f.alarms) for f in two.floods] == [(T0, 25)]  # 12 is not above 20
    assert [(o.operator, o.handled, o.peak_10min) for o in two.operators] == [("a", 1, 1)]


def test_summary_is_canonical_json(report: ShiftReport) -> None:
    data = summary(report)
    assert data["by_priority"] == {"P1": 4, "P2": 2, "P3": 2}
    assert data["responses"]["emergency"]["acknowledge"] == {
        "n": 4,
        "median": 35.0,
        "p90": 90.0,
        "worst": 90.0,
    }
    assert data["breaches"] == 9 and data["open"] == 3 and data["outages"] == 3 and data["gaps"] == 3
    assert canonical(data) == canonical(dict(reversed(list(data.items()))))


def test_shift_rules() -> None:
    assert check_open(" 王班长 ", ["李四", "王班长", "", "李四", "张三"], None) == (
        "王班长",
        ("李四", "张三"),
    )
    with pytest.raises(ShiftError, match="still open"):
        check_open("赵六", [], SHIFT)
    with pytest.raises(ShiftError, match="needs a lead"):
        check_open("  ", [], None)
    assert check_handover(SHIFT, " 赵六 ") == "赵六"
    with pytest.raises(ShiftError, match="themselves"):
        check_handover(SHIFT, "王班长")
    with pytest.raises(ShiftError, match="no open shift"):
        check_handover(replace(SHIFT, closed_at=END), "赵六")
    assert SHIFT.operators == ("王班长", "李四", "张三")


def test_log_categories_and_filter() -> None:
    assert incident_category("acknowledge") is LogCategory.ACKNOWLEDGE
    assert incident_category("alarm_acknowledged") is LogCategory.ACKNOWLEDGE
    assert incident_category("alarm_escalated") is LogCategory.ESCALATION
    assert incident_category("alarm_raised") is LogCategory.ALARM
    assert incident_category("dispatch") is LogCategory.DISPATCH
    assert incident_category("note") is LogCategory.NOTE
    assert incident_category("resolve") is LogCategory.INCIDENT
    assert desk_category("alarm_sound_failed") is LogCategory.SOUND
    assert desk_category("alarm_checkin_missed") is LogCategory.CHECKIN
    assert desk_category("alarm_tested") is LogCategory.ALARM
    entries = [
        ShiftLogEntry(
            T0, LogCategory.ACKNOWLEDGE, "确认 跌倒报警", "李四", LogSource.INCIDENT, incident_id=12
        ),
        ShiftLogEntry(T0, LogCategory.CALL, "居民来电询问停水", "王班长", LogSource.MANUAL, entry_id=1),
        ShiftLogEntry(
            T0, LogCategory.FEED, "中断：cannot connect", "system", LogSource.FEED, feed="wearables"
        ),
    ]
    assert filter_log(entries, [LogCategory.CALL]) == [entries[1]]
    assert filter_log(entries, None, "停水") == [entries[1]]
    assert filter_log(entries, None, "#12") == [entries[0]]
    assert filter_log(entries, None, "WEARABLES") == [entries[2]]
    assert filter_log(entries, [LogCategory.ACKNOWLEDGE, LogCategory.FEED], "李四") == [entries[0]]


def _signed(content: str = "<html>报告</html>") -> SignedReport:
    summ = canonical({"total": 8})
    digest = content_hash(content, summ)
    out_at, in_at = END, END + 5 * MIN
    seal = seal_of("prev", digest, "王班长", out_at, "赵六", in_at, True)
    return SignedReport(
        1, 1, "handover", END, "王班长", T0, END, content, summ, digest,
        "王班长", out_at, "赵六", in_at, True, "prev", seal,
    )  # fmt: skip


def test_a_sealed_report_shows_any_change() -> None:
    good = _signed()
    assert tampering(good, "prev") == []
    assert tampering(replace(good, content="<html>报告（改）</html>")) == ["content", "seal"]
    assert tampering(replace(good, summary=canonical({"total": 7}))) == ["content", "seal"]
    assert tampering(replace(good, signed_in_by="钱七")) == ["seal"]
    assert tampering(replace(good, open_items_confirmed=False)) == ["seal"]
    assert tampering(good, "another") == ["chain"]
    # content and its hash changed together: the seal still gives it away
    forged = replace(good, content="x", content_hash=content_hash("x", good.summary))
    assert tampering(forged) == ["seal"]
