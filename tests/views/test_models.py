"""The window's live table models: Qt's model tester, incremental updates, loud feed states, ages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.modeltest import ModelTester

import views.feed_health
import views.queue
from desk.feeds import FeedState, FeedStatus
from desk.incidents import Incident, IncidentClass, Priority, QueueItem, Status
from views import theme
from views.feed_health import FeedHealthModel
from views.queue import INCIDENT_ID_ROLE, QueueModel

DISPLAY = Qt.ItemDataRole.DisplayRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
T0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def incident(
    id: int,
    priority: int,
    *,
    minute: int = 0,
    status: Status = Status.NEW,
    title: str | None = None,
    count: int = 1,
) -> Incident:
    opened = T0 + timedelta(minutes=minute)
    return Incident(
        id=id,
        key=f"k{id}",
        kind="fall",
        cls=IncidentClass.EMERGENCY,
        priority=Priority(priority),
        status=status,
        title=title or f"incident {id}",
        place="丁香家园二期 3栋",
        subject="E-0042",
        opened_at=opened,
        last_event_at=opened,
        count=count,
    )


def feed(name: str, state: FeedState, **kw: Any) -> FeedStatus:
    values: dict[str, Any] = {
        "url": f"ws://127.0.0.1:1/{name}",
        "detail": None,
        "stream": "s1",
        "cursor": 0,
        "gaps": 0,
        "protocol_errors": 0,
        "last_event_at": None,
        **kw,
    }
    return FeedStatus(name=name, state=state, **values)


class IncidentTableModel(QueueModel):
    """The window's incident table (the dispatch queue) fed with bare incidents: no task, no names."""

    def apply(self, incidents: Any) -> None:  # type: ignore[override]
        super().apply(QueueItem(i) for i in incidents)


def ids(model: IncidentTableModel) -> list[int]:
    return [model.index(r, 0).data(INCIDENT_ID_ROLE) for r in range(model.rowCount())]


def cell(model: QAbstractItemModel, row: int, header: str, role: int = DISPLAY) -> Any:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, headers.index(header)).data(role)


class Recorder:
    """The structural signals a view reacts to: inserts, removes, resets, data changes."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.removed: list[tuple[int, int]] = []
        self.changed: list[tuple[int, int, int, int]] = []
        self.resets = 0
        self.layouts = 0
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.removed.append((first, last)))
        model.dataChanged.connect(
            lambda tl, br, _roles=(): self.changed.append((tl.row(), tl.column(), br.row(), br.column()))
        )
        model.modelReset.connect(self._reset)
        model.layoutChanged.connect(self._layout)

    def _reset(self) -> None:
        self.resets += 1

    def _layout(self) -> None:
        self.layouts += 1

    def clear(self) -> None:
        self.inserted.clear()
        self.removed.clear()
        self.changed.clear()


class Clock:
    """Stands in for `datetime` in a views module so that time moves when the test says so."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any, start: datetime) -> None:
        self.now = start
        clock = self

        class _Frozen(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now

        monkeypatch.setattr(module, "datetime", _Frozen)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# ---- Qt's model tester ------------------------------------------------------------------------------


def test_incident_model_passes_the_model_tester_empty_and_through_every_kind_of_update(
    qtmodeltester: ModelTester,
) -> None:
    model = IncidentTableModel()
    # Qt's tester stays attached: it re-checks the model on every signal of the updates below
    qtmodeltester.check(model)
    model.apply([incident(1, 3), incident(2, 1), incident(3, 2, minute=1)])
    model.apply([incident(4, 1, minute=2), incident(2, 1, status=Status.ACKNOWLEDGED)])
    model.apply([incident(3, 4, minute=1)])  # priority changed: the row moves
    model.apply([incident(1, 3, status=Status.RESOLVED), incident(4, 1, minute=2, status=Status.CLOSED)])
    model.tick()
    assert ids(model) == [2, 3]
    model.apply([incident(2, 1, status=Status.FALSE_ALARM), incident(3, 4, minute=1, status=Status.CLOSED)])
    assert model.rowCount() == 0


def test_feed_model_passes_the_model_tester_empty_and_through_updates(
    qtmodeltester: ModelTester,
) -> None:
    model = FeedHealthModel()
    qtmodeltester.check(model)
    model.update(feed("demo", FeedState.CONNECTING))
    model.update(feed("hotline", FeedState.RECONNECTING, detail="cannot connect"))
    model.update(feed("demo", FeedState.LIVE, cursor=12, last_event_at=datetime.now(UTC)))
    model.refresh_ages()
    assert model.rowCount() == 2


# ---- incremental updates of the incident table ------------------------------------------------------


def test_apply_inserts_rows_in_priority_then_age_order_without_a_reset() -> None:
    model = IncidentTableModel()
    seen = Recorder(model)
    model.apply([incident(1, 3, minute=0), incident(2, 1, minute=5)])
    model.apply([incident(3, 1, minute=1), incident(4, 2, minute=0), incident(5, 4, minute=0)])
    model.apply([incident(6, 1, minute=9)])  # the newest P1 goes below the older P1s, above the P2
    # P1 first (oldest first within a priority), then P2, P3, P4
    assert ids(model) == [3, 2, 6, 4, 1, 5]
    assert [cell(model, r, "P") for r in range(6)] == ["P1", "P1", "P1", "P2", "P3", "P4"]
    # neighbours arriving together are inserted together (views.queue inserts contiguous runs)
    assert sum(last - first + 1 for first, last in seen.inserted) == 6
    assert seen.resets == 0 and seen.layouts == 0 and seen.removed == []


def test_a_status_change_updates_its_row_in_place() -> None:
    model = IncidentTableModel()
    model.apply([incident(1, 1), incident(2, 2), incident(3, 3)])
    seen = Recorder(model)
    model.apply([incident(2, 2, status=Status.ACKNOWLEDGED, count=3)])
    assert ids(model) == [1, 2, 3]
    assert cell(model, 1, "Status") == "Acknowledged"
    assert cell(model, 1, "Repeats") == "3"
    assert seen.changed == [(1, 0, 1, model.columnCount() - 1)]
    assert seen.inserted == [] and seen.removed == [] and seen.resets == 0


def test_a_priority_change_moves_the_row_by_remove_and_insert() -> None:
    model = IncidentTableModel()
    model.apply([incident(1, 1), incident(2, 2), incident(3, 3)])
    seen = Recorder(model)
    model.apply([incident(3, 1, minute=1)])  # escalated to P1
    assert ids(model) == [1, 3, 2]
    assert seen.removed == [(2, 2)] and seen.inserted == [(1, 1)]
    assert seen.resets == 0 and seen.layouts == 0


def test_closed_and_resolved_incidents_leave_the_table_and_the_others_stay() -> None:
    model = IncidentTableModel()
    model.apply([incident(i, 1 + i % 4, minute=i) for i in range(1, 9)])
    before = ids(model)
    seen = Recorder(model)
    gone = {before[1]: Status.CLOSED, before[4]: Status.RESOLVED, before[7]: Status.FALSE_ALARM}
    model.apply([replace(model.item(before.index(i)).incident, status=s) for i, s in gone.items()])
    assert ids(model) == [i for i in before if i not in gone]
    # one single-row removal each, announced where the row is at that moment
    assert len(seen.removed) == 3 and all(first == last for first, last in seen.removed)
    assert seen.inserted == [] and seen.resets == 0


def test_closing_an_incident_the_table_never_showed_changes_nothing() -> None:
    model = IncidentTableModel()
    model.apply([incident(1, 1)])
    seen = Recorder(model)
    model.apply([incident(9, 1, status=Status.CLOSED)])
    model.apply([])
    assert ids(model) == [1]
    assert seen.inserted == [] and seen.removed == [] and seen.changed == [] and seen.resets == 0


def test_the_age_column_advances_on_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch, views.queue, T0 + timedelta(seconds=5))
    model = IncidentTableModel()
    model.apply([incident(1, 1), incident(2, 3)])
    assert cell(model, 0, "Age") == "5 s"
    seen = Recorder(model)
    clock.advance(60)
    model.tick()
    assert cell(model, 0, "Age") == "1 min 05 s"
    clock.advance(2 * 3600)
    model.tick()
    assert [cell(model, r, "Age") for r in range(2)] == ["2 h 01 min", "2 h 01 min"]
    live = (0, views.queue.COL_AGE, 1, views.queue.COL_ASSIGNEE)
    # each tick repaints the live columns (age, SLA clock, state, a task turning unaccepted) of every
    # row, and nothing else
    assert seen.changed == [live, live]


def test_display_data_is_plain_and_never_raises_out_of_range() -> None:
    model = IncidentTableModel()
    model.apply([incident(1, 2, title="<b>楼顶养鸽子</b>")])
    assert cell(model, 0, "Title") == "<b>楼顶养鸽子</b>"
    assert cell(model, 0, "Place") == "丁香家园二期 3栋"
    assert model.data(model.index(5, 0)) is None
    assert model.data(QModelIndex()) is None


# ---- the feeds' health ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [FeedState.RECONNECTING, FeedState.AUTH_FAILED, FeedState.STALLED])
def test_a_feed_that_is_down_is_red_and_says_down(state: FeedState) -> None:
    model = FeedHealthModel()
    model.update(feed("demo", FeedState.LIVE))
    model.update(feed("hotline", state, detail="why it is down"))
    text = cell(model, 1, "State")
    assert text.startswith("DOWN"), text
    background = cell(model, 1, "State", BACKGROUND)
    assert isinstance(background, QBrush)
    color = background.color()
    assert color.red() > 150 and color.green() < 80 and color.blue() < 80, color.name()
    assert cell(model, 1, "Detail") == "why it is down"


@pytest.mark.parametrize("state", [FeedState.LIVE, FeedState.CONNECTING])
def test_a_feed_that_is_up_or_connecting_is_not_red_and_does_not_say_down(state: FeedState) -> None:
    model = FeedHealthModel()
    model.update(feed("demo", state))
    assert "DOWN" not in cell(model, 0, "State")
    assert cell(model, 0, "State", BACKGROUND) is None


def test_a_feed_going_down_and_back_updates_its_row_in_place() -> None:
    model = FeedHealthModel()
    model.update(feed("demo", FeedState.LIVE))
    model.update(feed("hotline", FeedState.LIVE))
    seen = Recorder(model)
    model.update(feed("demo", FeedState.STALLED))
    assert cell(model, 0, "State").startswith("DOWN")
    model.update(feed("demo", FeedState.LIVE, cursor=42, gaps=2))
    assert cell(model, 0, "State") == "live"
    assert cell(model, 0, "Received") == "42" and cell(model, 0, "Gaps") == "2"
    # gaps are worth a look: shown in the warning colour
    gaps_fg = cell(model, 0, "Gaps", Qt.ItemDataRole.ForegroundRole)
    assert isinstance(gaps_fg, QBrush) and gaps_fg.color() == theme.colors().caution_text
    assert model.rowCount() == 2 and seen.inserted == [] and seen.resets == 0
    assert [c[0] for c in seen.changed] == [0, 0]


def test_the_last_event_age_advances_on_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch, views.feed_health, T0)
    model = FeedHealthModel()
    model.update(feed("demo", FeedState.LIVE, last_event_at=T0 - timedelta(seconds=3)))
    model.update(feed("quiet", FeedState.LIVE))
    assert cell(model, 0, "Last event") == "3 s ago"
    assert cell(model, 1, "Last event") == "—"
    seen = Recorder(model)
    clock.advance(120)
    model.refresh_ages()
    assert cell(model, 0, "Last event") == "2 min ago"
    last = model.columnCount() - 1
    assert seen.changed == [(0, last, 1, last)]


def test_a_live_feed_shows_which_stream_in_short_and_a_down_feed_its_reason() -> None:
    model = FeedHealthModel()
    stream = "8721d3b9-a958-4755-b61a-7b67676eca04"
    model.update(feed("demo", FeedState.LIVE, stream=stream, detail=f"stream {stream}, head 0"))
    assert cell(model, 0, "Detail") == "stream 8721d3b9"
    model.update(feed("demo", FeedState.AUTH_FAILED, stream=stream, detail="HTTP 401: token refused"))
    assert cell(model, 0, "Detail") == "HTTP 401: token refused"
    assert cell(model, 0, "Detail", Qt.ItemDataRole.ForegroundRole).color() == theme.colors().alarm_text


def test_a_stopped_feed_reads_stopped_but_is_not_red() -> None:
    model = FeedHealthModel()
    model.update(feed("demo", FeedState.STOPPED))
    assert cell(model, 0, "State") == "stopped"
    assert cell(model, 0, "State", BACKGROUND) is None
    fg = cell(model, 0, "State", Qt.ItemDataRole.ForegroundRole).color()
    assert fg.red() < 150 or fg.green() > 80, fg.name()  # not red text either
    assert cell(model, 0, "Detail") == "—"


def test_incident_kinds_and_statuses_read_as_words_not_codes() -> None:
    model = IncidentTableModel()
    model.apply([replace(incident(1, 3), kind="device_low_battery", status=Status.ESCALATED)])
    model.apply([replace(incident(2, 4), kind="a_kind_from_the_future")])
    assert (cell(model, 0, "Type"), cell(model, 0, "Status")) == ("Wristband battery low", "Escalated")
    assert cell(model, 1, "Type") == "a_kind_from_the_future"  # unknown: shown as it is, never an error
