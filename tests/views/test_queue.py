"""The dispatch queue model: order, live SLA clock, filters, search, masking, incremental updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desk.incidents import Incident, IncidentClass, Priority, QueueItem, Status, TaskStatus
from views import theme
from views.queue import (
    COL_AGE,
    COL_ASSIGNEE,
    COL_PERSON,
    COL_PRIORITY,
    COL_SLA,
    COL_STATUS,
    COL_TITLE,
    INCIDENT_ID_ROLE,
    SLA_STATE_ROLE,
    QueueFilter,
    QueueModel,
)
from views.timespan import span_text
from widgets.priority_chip import PRIORITY_COLORS

T0 = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # 02:00 in Hefei


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def item(
    n: int,
    kind: str = "fall",
    prio: int = 1,
    cls: IncidentClass = IncidentClass.EMERGENCY,
    opened: float = 0.0,
    status: Status = Status.NEW,
    subject: str | None = "王桂英",
    place: str = "丁香家园二期 3栋",
    **inc: object,
) -> QueueItem:
    at = T0 + timedelta(seconds=opened)
    incident = Incident(
        n, f"k{n}", kind, cls, Priority(prio), status, f"title {n}", place, f"E-{n:04d}", at, at, **inc
    )  # type: ignore[arg-type]
    return QueueItem(incident, subject_name=subject)


def ids(model: QueueModel) -> list[int]:
    return [model.index(r, 0).data(INCIDENT_ID_ROLE) for r in range(model.rowCount())]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(qtmodeltester: ModelTester, clock: Clock) -> QueueModel:
    m = QueueModel(now=clock)
    qtmodeltester.check(m)
    return m


def test_priority_first_then_the_clock_closest_to_breaching(
    model: QueueModel, qtmodeltester: ModelTester
) -> None:
    model.replace_all(
        [
            item(1, "grievance", 4, IncidentClass.GRIEVANCE, opened=-3600),
            item(2, "door_forced", 2, IncidentClass.SECURITY, opened=-10),  # ack due in 50 s
            item(3, "fall", 1, opened=-5),  # ack due in 25 s
            item(4, "smoke", 1, opened=-20),  # ack due in 10 s: first
            item(5, "door_forced", 2, IncidentClass.SECURITY, opened=-50),  # due in 10 s, but P2
        ]
    )
    qtmodeltester.check(model)
    assert ids(model) == [4, 3, 5, 2, 1]


def test_updates_are_incremental_never_a_reset(model: QueueModel, qtbot: QtBot, clock: Clock) -> None:
    model.replace_all([item(1), item(2, opened=-10)])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.layoutChanged.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted):
        model.apply([item(3, opened=-29)])  # due in 1 s: goes first
    assert ids(model) == [3, 2, 1]
    with qtbot.waitSignal(model.dataChanged):  # same place: updated in place
        model.apply([replace(item(2, opened=-10), subject_name="李明")])
    assert model.index(1, COL_PERSON).data() == "李*"
    acked = item(3, opened=-29, status=Status.ACKNOWLEDGED, acknowledged_at=clock.now)
    model.apply([acked])  # the acknowledge stage is met: the dispatch clock (31 s left) now orders it
    assert ids(model) == [2, 1, 3]
    closed = item(2, status=Status.CLOSED)
    with qtbot.waitSignal(model.rowsRemoved):
        model.apply([closed])
    assert ids(model) == [1, 3] and model.total == 2
    assert resets == []


def test_the_sla_clock_is_live_amber_then_red(model: QueueModel, clock: Clock) -> None:
    model.replace_all([item(1)])
    sla = model.index(0, COL_SLA)
    assert sla.data() == "ack in 0:30" and sla.data(SLA_STATE_ROLE) == "ok"
    clock.now = T0 + timedelta(seconds=23)  # 75 % of 30 s: amber
    model.tick()
    assert model.index(0, COL_SLA).data(SLA_STATE_ROLE) == "warning"
    assert model.index(0, COL_SLA).data(Qt.ItemDataRole.BackgroundRole).color() == theme.colors().warn
    clock.now = T0 + timedelta(seconds=95)
    model.tick()
    assert model.index(0, COL_SLA).data(SLA_STATE_ROLE) == "breached"
    assert model.index(0, COL_SLA).data(Qt.ItemDataRole.BackgroundRole).color() == theme.colors().breach
    assert model.index(0, COL_SLA).data() == "ack overdue 1:05"  # by 65 s
    assert model.index(0, COL_AGE).data() == "1 min 35 s"


def test_an_unacknowledged_p1_is_loud_and_counted(model: QueueModel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(model.p1_unacknowledged_changed) as sig:
        model.apply([item(1), item(2, "door_forced", 2, IncidentClass.SECURITY)])
    assert sig.args == [1] and model.p1_unacknowledged == 1
    assert model.index(0, COL_TITLE).data(Qt.ItemDataRole.BackgroundRole) is not None  # the whole row
    assert model.index(0, COL_TITLE).data(Qt.ItemDataRole.FontRole).bold()
    with qtbot.waitSignal(model.p1_unacknowledged_changed) as sig:
        model.apply([item(1, status=Status.ACKNOWLEDGED, acknowledged_at=T0)])
    assert sig.args == [0]


def test_filters_and_search(model: QueueModel, qtmodeltester: ModelTester) -> None:
    model.replace_all(
        [
            item(1, "fall", subject="王桂英"),
            item(2, "smoke", place="5栋 3楼 楼道", subject=None),
            item(3, "grievance", 4, IncidentClass.GRIEVANCE, subject="李女士", place="居南小区 7栋"),
            item(4, "fall", status=Status.DISPATCHED, subject="张三"),
        ]
    )
    model.set_filter(QueueFilter(kinds={"fall"}))
    assert sorted(ids(model)) == [1, 4]
    model.set_filter(QueueFilter(statuses={Status.DISPATCHED}))
    assert ids(model) == [4]
    model.set_filter(QueueFilter(priorities={4}))
    assert ids(model) == [3]
    model.set_filter(QueueFilter(text="居南"))
    assert ids(model) == [3]
    model.set_filter(QueueFilter(text="王桂英"))  # the full name finds the row; the row shows it masked
    assert ids(model) == [1] and model.index(0, COL_PERSON).data() == "王*英"
    model.set_filter(QueueFilter(text="3"))  # an incident number
    assert 3 in ids(model)
    model.apply([item(5, "fall", subject="王桂英")])  # a new row that does not match stays hidden
    model.set_filter(QueueFilter(kinds={"smoke"}))
    model.apply([item(6, "fall")])
    assert ids(model) == [2] and model.total == 6
    qtmodeltester.check(model)
    model.set_filter(QueueFilter())
    assert len(ids(model)) == 6


def test_grid_filter_uses_the_place(clock: Clock) -> None:
    model = QueueModel(now=clock, grid_of=lambda lat, lon: "G-03" if lat > 31.86 else "G-07")
    model.replace_all([item(1, lat=31.861, lon=117.26), item(2, lat=31.859, lon=117.26), item(3)])
    model.set_filter(QueueFilter(grids={"G-03"}))
    assert ids(model) == [1]


def test_texts(model: QueueModel) -> None:
    model.replace_all([item(1, status=Status.ON_SCENE, acknowledged_at=T0, dispatched_at=T0)])
    assert model.index(0, COL_PRIORITY).data() == "P1"
    assert model.index(0, COL_PRIORITY).data(Qt.ItemDataRole.BackgroundRole).color() == PRIORITY_COLORS[1][0]
    assert model.index(0, COL_STATUS).data() == "On scene"
    assert "resolve" in model.index(0, COL_SLA).data()
    assert span_text(3725) == "1 h 02 min" and span_text(-65) == "1 min 05 s" and span_text(90000) == "1 d"


def test_a_burst_lands_in_one_insert_per_run(model: QueueModel, qtmodeltester: ModelTester) -> None:
    model.replace_all([item(1, opened=-20), item(2, "door_forced", 2, IncidentClass.SECURITY, opened=-5)])
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    burst = [item(n, opened=-(n % 7)) for n in range(10, 60)]  # P1s: all before the P2 row
    model.apply([*burst, item(3, "door_forced", 2, IncidentClass.SECURITY, opened=-1), burst[0]])
    assert len(inserts) <= 3 and sum(last - first + 1 for first, last in inserts) == 51
    keys = [
        (model.item(r).incident.priority, model.index(r, 0).data(INCIDENT_ID_ROLE))
        for r in range(model.rowCount())
    ]
    assert [p for p, _ in keys] == sorted(p for p, _ in keys) and model.rowCount() == 53
    assert len({i for _, i in keys}) == 53  # an incident named twice in one burst is one row
    qtmodeltester.check(model)


def test_ten_thousand_rows_insert_in_order(clock: Clock) -> None:
    model = QueueModel(now=clock)  # no model tester here: it re-checks the whole model on every insert
    model.replace_all([item(n, opened=-(n % 29)) for n in range(1, 5001)])
    model.apply([item(n, opened=-(n % 29)) for n in range(5001, 10001)])
    assert model.rowCount() == 10000
    keys = [(model.index(r, 0).data(), model.item(r).incident.opened_at) for r in range(0, 10000, 97)]
    assert [k[1] for k in keys] == sorted(k[1] for k in keys)  # oldest (closest to due) first among P1


def test_the_p1_banner_count_follows_every_kind_of_change(model: QueueModel) -> None:
    def unacknowledged_p1_rows() -> int:  # what the banner should say: count them as a user would
        shown = model.filter
        model.set_filter(QueueFilter())
        n = sum(
            1
            for r in range(model.rowCount())
            if model.index(r, 0).data() == "P1" and model.item(r).incident.status is Status.NEW
        )
        model.set_filter(shown)
        return n

    model.replace_all([item(n) for n in range(1, 6)] + [item(6, prio=2)])
    assert model.p1_unacknowledged == unacknowledged_p1_rows() == 5
    model.set_filter(QueueFilter(priorities={2}))  # hidden rows still count
    steps = [
        [item(7), item(8), item(9, prio=3)],  # new ones
        [item(1, status=Status.ACKNOWLEDGED, acknowledged_at=T0)],  # acknowledged
        [item(2, status=Status.CLOSED), item(2, status=Status.CLOSED)],  # closed (named twice)
        [item(3, prio=2)],  # escalated the other way: no longer a P1
        [item(6, prio=1), item(10, status=Status.CLOSED)],  # now a P1; one closed before it was seen
        [item(7), item(7)],  # the same again changes nothing
    ]
    for batch in steps:
        model.apply(batch)
        assert model.p1_unacknowledged == unacknowledged_p1_rows()
    assert model.p1_unacknowledged == 5  # 4, 5, 6, 7, 8


def test_a_task_nobody_accepted_in_time_is_flagged_in_the_assigned_column(
    model: QueueModel, clock: Clock
) -> None:
    sent = replace(
        item(1, status=Status.DISPATCHED),
        task_ref="T-1",
        task_status=TaskStatus.SENT,
        assignee="S-006",
        assignee_name="陈晓东",
        task_sent_at=T0,
    )
    accepted = replace(sent, incident=replace(sent.incident, id=2, key="k2"), task_status=TaskStatus.ACCEPTED)
    model.replace_all([sent, accepted])
    row = {model.index(r, 0).data(INCIDENT_ID_ROLE): r for r in range(2)}
    assert model.index(row[1], COL_ASSIGNEE).data() == "陈晓东"
    clock.now = T0 + timedelta(minutes=3, seconds=1)  # the default limit: three minutes
    model.tick()
    flagged = model.index(row[1], COL_ASSIGNEE)
    assert flagged.data() == "陈晓东 — NOT ACCEPTED"
    assert flagged.data(Qt.ItemDataRole.BackgroundRole).color() == theme.colors().flag
    assert model.index(row[2], COL_ASSIGNEE).data() == "陈晓东"  # accepted: no flag


def test_a_grievance_shows_its_case_status_and_runs_on_its_case_clock(
    model: QueueModel, clock: Clock
) -> None:
    from desk.grievances import GrievanceCase, GrievanceStatus

    g = item(1, kind="grievance", prio=4, cls=IncidentClass.GRIEVANCE, status=Status.ACKNOWLEDGED)
    case = GrievanceCase(
        1, GrievanceStatus.REPLIED, "noise", "noise", signed_at=T0, assigned_at=T0, replied_at=T0
    )
    model.replace_all([replace(g, case=case)])
    assert model.index(0, COL_STATUS).data() == "Answered"
    assert model.index(0, COL_SLA).data() == ""  # answered: the case's clock has stopped
    waiting = GrievanceCase(1, GrievanceStatus.RECEIVED, "noise", "noise")
    model.apply([replace(g, case=waiting)])
    assert model.index(0, COL_STATUS).data() == "To be signed for"
    assert model.index(0, COL_SLA).data().startswith("ack in")


def test_an_sla_clock_of_days_reads_in_chinese(zh: None) -> None:
    from views.queue import clock_text

    assert clock_text(-2 * 86400 - 5) == "2 天"  # the Chinese queue said "确认超时 2 d"
    assert clock_text(65) == "1:05"


def test_the_shared_columns_give_way_in_proportion_and_never_below_their_floor() -> None:
    from views.main_window import share_room

    assert share_room({1: 100, 2: 300}, 500, 64) == {1: 100, 2: 300}  # room for all: as wanted
    assert share_room({1: 100, 2: 300}, 200, 64) == {1: 64, 2: 136}  # the small one at its floor
    assert share_room({1: 100, 2: 300}, -50, 64) == {1: 64, 2: 64}  # no room: all at the floor
    assert share_room({1: 0, 2: 0}, -50, 64) == {1: 0, 2: 0}
