"""The dispatch queue: one live table of every open incident, priority first, then the SLA clock.

Rows are sorted and filtered in the source model (a proxy froze the GUI for seconds on 100k
rows here). An incident's place in the order depends on its priority and on when its running
SLA stage falls due — a fixed time until the stage changes — so the clock ticking does not
reorder the table; only commits do, once per flush.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont

from desk.assignment import task_overdue
from desk.grievances import case_clock
from desk.incidents import QueueItem, Status, TaskStatus
from desk.privacy import mask_name
from desk.sla import ClockState, SlaPolicy, Stage, clock
from views import theme
from views.labels import QT_TRANSLATE_NOOP, grievance_status_text, incident_kind, plain_tooltip, status_text
from views.table_model import RowTableModel
from views.timespan import span_text
from widgets.priority_chip import PRIORITY_COLORS

Index = QModelIndex | QPersistentModelIndex

INCIDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PRIORITY_ROLE = Qt.ItemDataRole.UserRole + 2
SLA_STATE_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMNS = (
    QT_TRANSLATE_NOOP("QueueModel", "P"),
    QT_TRANSLATE_NOOP("QueueModel", "Type"),
    QT_TRANSLATE_NOOP("QueueModel", "Title"),
    QT_TRANSLATE_NOOP("QueueModel", "Place"),
    QT_TRANSLATE_NOOP("QueueModel", "Person"),
    QT_TRANSLATE_NOOP("QueueModel", "Age"),
    QT_TRANSLATE_NOOP("QueueModel", "SLA"),
    QT_TRANSLATE_NOOP("QueueModel", "Status"),
    QT_TRANSLATE_NOOP("QueueModel", "Assigned to"),
    QT_TRANSLATE_NOOP("QueueModel", "Repeats"),
)
(
    COL_PRIORITY,
    COL_TYPE,
    COL_TITLE,
    COL_PLACE,
    COL_PERSON,
    COL_AGE,
    COL_SLA,
    COL_STATUS,
    COL_ASSIGNEE,
    COL_REPEATS,
) = range(len(COLUMNS))


def clock_text(seconds: float) -> str:
    """A countdown as a clock reads it: 0:25, 4:09, 1:05:00; a day and more as whole days."""
    secs = int(abs(seconds))
    if secs >= 86400:
        return span_text(secs)  # whole days, in the operator's language ("2 天")
    if secs >= 3600:
        return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return f"{secs // 60}:{secs % 60:02d}"


@dataclass(slots=True)
class _Row:
    item: QueueItem
    due_at: datetime | None  # when the running SLA stage is due (None: no clock runs)
    warn_from: datetime | None
    stage: Stage | None
    search: str  # lower-cased text the search box matches
    grid: str | None

    @property
    def key(self) -> tuple[int, float, int]:
        due = self.due_at.timestamp() if self.due_at is not None else math.inf
        return (int(self.item.incident.priority), due, self.item.incident.id)


@dataclass(slots=True)
class QueueFilter:
    """What the shift lead narrowed the queue to; empty sets mean everything."""

    kinds: set[str] = field(default_factory=set)
    statuses: set[Status] = field(default_factory=set)
    priorities: set[int] = field(default_factory=set)
    grids: set[str] = field(default_factory=set)
    text: str = ""

    def accepts(self, row: _Row) -> bool:
        inc = row.item.incident
        if self.kinds and inc.kind not in self.kinds:
            return False
        if self.statuses and inc.status not in self.statuses:
            return False
        if self.priorities and int(inc.priority) not in self.priorities:
            return False
        if self.grids and row.grid not in self.grids:
            return False
        return not self.text or self.text.lower() in row.search


def _p1_unseen(row: _Row | None) -> int:
    """1 for a P1 that nobody has acknowledged yet (the banner counts them), else 0."""
    if row is None:
        return 0
    inc = row.item.incident
    return int(int(inc.priority) == 1 and inc.status is Status.NEW)


class QueueModel(RowTableModel):
    """Open incidents; `apply(items)` brings rows in line incrementally (never a reset per event).

    Signals:
    - p1_unacknowledged_changed(int): how many P1 incidents nobody has acknowledged yet.
    """

    HEADERS = COLUMNS

    p1_unacknowledged_changed = Signal(int)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        policy: SlaPolicy | None = None,
        grid_of: Callable[[float, float], str | None] | None = None,
        now: Callable[[], datetime] | None = None,
        accept_within: timedelta = timedelta(minutes=3),
    ) -> None:
        super().__init__(parent)
        self.policy = policy or SlaPolicy.default()
        self.accept_within = accept_within  # a task not accepted this long after it was sent: flagged
        self._grid_of = grid_of
        self._clock_now = now or (lambda: datetime.now(UTC))
        self._now = self._clock_now()
        self._all: dict[int, _Row] = {}  # every open incident, shown or filtered out
        self._rows: list[_Row] = []  # the visible ones, sorted by key
        self._keys: list[tuple[int, float, int]] = []
        self._filter = QueueFilter()
        self._p1_unseen = 0

    # ---- data in ------------------------------------------------------------------------------
    def _row(self, item: QueueItem) -> _Row:
        inc = item.incident
        if item.case is not None:  # a grievance runs on its case's clocks: sign, then answer (working days)
            c = case_clock(self.policy, inc.opened_at, item.case, self._now)
        else:
            c = clock(
                self.policy,
                inc.kind,
                inc.cls,
                inc.opened_at,
                inc.acknowledged_at,
                inc.dispatched_at,
                inc.resolved_at,
                self._now,
            )
        grid = (
            self._grid_of(inc.lat, inc.lon)
            if self._grid_of and inc.lat is not None and inc.lon is not None
            else None
        )
        search = " ".join(
            x
            for x in (
                str(inc.id),
                inc.title,
                inc.place or "",
                item.subject_name or "",
                inc.subject or "",
                item.assignee_name or "",
                item.assignee or "",
            )
            if x
        )
        return _Row(item, c.due_at, c.warn_from, c.stage, search.lower(), grid)

    def apply(self, items: Iterable[QueueItem]) -> None:
        """Insert, update or remove rows for these incidents (closed ones leave the queue).

        New rows that land next to each other are inserted together: a burst of new incidents
        (which mostly join the end of their priority's block) costs one insert, not one per row.
        """
        latest = {item.incident.id: item for item in items}  # the newest state of each incident
        new_rows: list[_Row] = []
        unseen = self._p1_unseen  # kept up to date here: counting over every row cost O(rows) a flush
        for item in latest.values():
            inc = item.incident
            old = self._all.pop(inc.id, None)
            row = self._row(item) if inc.is_open else None
            unseen += _p1_unseen(row) - _p1_unseen(old)
            if (
                old is not None
                and row is not None
                and old.key == row.key
                and self._filter.accepts(old)
                and self._filter.accepts(row)
            ):
                pos = bisect.bisect_left(self._keys, row.key)  # same place: update in place
                self._all[inc.id] = self._rows[pos] = row
                self.dataChanged.emit(self.index(pos, 0), self.index(pos, len(COLUMNS) - 1))
                continue
            if old is not None and self._filter.accepts(old):
                self._remove_visible(old)
            if row is None:
                continue
            self._all[inc.id] = row
            if self._filter.accepts(row):
                new_rows.append(row)
        if new_rows:
            self._insert_runs(new_rows)
        self._set_p1_unseen(unseen)

    def _insert_runs(self, rows: list[_Row]) -> None:
        """Insert sorted rows, one beginInsertRows per run that lands at the same place."""
        rows.sort(key=lambda r: r.key)
        i = 0
        while i < len(rows):
            pos = bisect.bisect_left(self._keys, rows[i].key)
            limit = self._keys[pos] if pos < len(self._keys) else None
            j = i + 1
            while j < len(rows) and (limit is None or rows[j].key < limit):
                j += 1
            run = rows[i:j]
            self.beginInsertRows(QModelIndex(), pos, pos + len(run) - 1)
            self._rows[pos:pos] = run
            self._keys[pos:pos] = [r.key for r in run]
            self.endInsertRows()
            i = j

    def _remove_visible(self, row: _Row) -> None:
        pos = bisect.bisect_left(self._keys, row.key)
        if pos < len(self._rows) and self._rows[pos].item.incident.id == row.item.incident.id:
            self.beginRemoveRows(QModelIndex(), pos, pos)
            del self._rows[pos]
            del self._keys[pos]
            self.endRemoveRows()

    def replace_all(self, items: Iterable[QueueItem]) -> None:
        """The first load (or a reload after the desk reconnects to its database): one reset."""
        self.beginResetModel()
        self._all = {i.incident.id: self._row(i) for i in items if i.incident.is_open}
        self._refilter()
        self.endResetModel()
        self._count_p1()

    def set_filter(self, flt: QueueFilter) -> None:
        """A new filter from the shift lead (a user action: one reset is fine)."""
        self.beginResetModel()
        self._filter = flt
        self._refilter()
        self.endResetModel()

    @property
    def filter(self) -> QueueFilter:
        return self._filter

    def _refilter(self) -> None:
        self._rows = sorted((r for r in self._all.values() if self._filter.accepts(r)), key=lambda r: r.key)
        self._keys = [r.key for r in self._rows]

    def _count_p1(self) -> None:
        self._set_p1_unseen(sum(_p1_unseen(r) for r in self._all.values()))

    def _set_p1_unseen(self, unseen: int) -> None:
        if unseen != self._p1_unseen:
            self._p1_unseen = unseen
            self.p1_unacknowledged_changed.emit(unseen)

    def tick(self) -> None:
        """Advance the live columns (age, SLA, a task turning unaccepted). The order does not change:
        a stage (and so a due time) changes only through a commit, which arrives through apply()."""
        self._now = self._clock_now()
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_AGE), self.index(len(self._rows) - 1, COL_ASSIGNEE))

    # ---- reading it ---------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Open incidents, filtered out or not."""
        return len(self._all)

    @property
    def p1_unacknowledged(self) -> int:
        return self._p1_unseen

    def item(self, row: int) -> QueueItem:
        return self._rows[row].item

    def row_of(self, incident_id: int) -> int | None:
        row = self._all.get(incident_id)
        if row is None:
            return None
        pos = bisect.bisect_left(self._keys, row.key)
        if pos < len(self._rows) and self._rows[pos].item.incident.id == incident_id:
            return pos
        return None

    def unaccepted(self, item: QueueItem) -> bool:
        """A task sent and not accepted within `accept_within`: flagged for re-dispatch."""
        return (
            item.task_status is TaskStatus.SENT
            and item.task_sent_at is not None
            and task_overdue(item.task_sent_at, item.task_accepted_at, self._now, self.accept_within)
        )

    def sla_state(self, row: _Row) -> ClockState:
        if row.due_at is None or row.warn_from is None:
            return ClockState.MET
        if self._now > row.due_at:
            return ClockState.BREACHED
        if self._now >= row.warn_from:
            return ClockState.WARNING
        return ClockState.OK

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        try:
            return self._data(row, index.column(), role)
        except Exception:  # a placeholder, never an exception inside data()
            return "—" if role == Qt.ItemDataRole.DisplayRole else None

    def _data(self, row: _Row, col: int, role: int) -> Any:
        item, inc = row.item, row.item.incident
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_PRIORITY:
                return f"P{int(inc.priority)}"
            if col == COL_TYPE:
                return incident_kind(inc.kind)
            if col == COL_TITLE:
                return inc.title
            if col == COL_PLACE:
                return inc.place or "—"
            if col == COL_PERSON:
                return mask_name(item.subject_name) or (inc.subject or "—")
            if col == COL_AGE:
                return span_text((self._now - inc.opened_at).total_seconds())
            if col == COL_SLA:
                return self._sla_text(row)
            if col == COL_STATUS:
                if item.case is not None:  # 已签收, 已答复, 待回访 … say more than "acknowledged"
                    return grievance_status_text(item.case.status)
                return status_text(inc.status)
            if col == COL_ASSIGNEE:
                who = item.assignee_name or item.assignee or ""
                if self.unaccepted(item):
                    return self.tr("{0} — NOT ACCEPTED").format(who) if who else self.tr("NOT ACCEPTED")
                return who
            if col == COL_REPEATS:
                return str(inc.count) if inc.count > 1 else ""
            return None
        if role == INCIDENT_ID_ROLE:
            return inc.id
        if role == PRIORITY_ROLE:
            return int(inc.priority)
        if role == SLA_STATE_ROLE:
            return self.sla_state(row).value
        if role == Qt.ItemDataRole.BackgroundRole:
            if col == COL_PRIORITY:  # drawn as a chip by widgets.priority_chip.PriorityChipDelegate
                return QBrush(PRIORITY_COLORS[int(inc.priority)][0])
            c = theme.colors()
            if col == COL_SLA:
                state = self.sla_state(row)
                if state is ClockState.BREACHED:
                    return QBrush(c.breach)
                if state is ClockState.WARNING:
                    return QBrush(c.warn)
            if col == COL_ASSIGNEE and self.unaccepted(item):
                return QBrush(c.flag)
            if int(inc.priority) == 1 and inc.status is Status.NEW:
                return QBrush(c.p1_unseen)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_PRIORITY:
                return QBrush(PRIORITY_COLORS[int(inc.priority)][1])
            c = theme.colors()
            if col == COL_SLA:
                state = self.sla_state(row)
                if state is ClockState.BREACHED:
                    return QBrush(c.breach_text)
                if state is ClockState.WARNING:
                    return QBrush(c.warn_text)
            if col == COL_ASSIGNEE and self.unaccepted(item):
                return QBrush(c.flag_text)
            if int(inc.priority) == 1 and inc.status is Status.NEW:
                return QBrush(c.p1_unseen_text)
            return None
        if role == Qt.ItemDataRole.FontRole and (col in (COL_PRIORITY, COL_SLA) or inc.status is Status.NEW):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_TITLE, COL_PLACE):
            return plain_tooltip(inc.title if col == COL_TITLE else inc.place or "—")  # never rich text
        return None

    def widest_sla_text(self) -> str:
        """The widest clock the SLA column shows in a day, in the current language (to size it)."""
        return self.tr("{0} overdue {1}").format(self.tr("ack"), "23:59:59")

    def _sla_text(self, row: _Row) -> str:
        if row.due_at is None or row.stage is None:
            return ""
        stage = {
            Stage.ACKNOWLEDGE: self.tr("ack"),  # short: the title keeps its room in English
            Stage.DISPATCH: self.tr("dispatch"),
            Stage.RESOLVE: self.tr("resolve"),
        }[row.stage]
        left = (row.due_at - self._now).total_seconds()
        if left < 0:
            return self.tr("{0} overdue {1}").format(stage, clock_text(left))
        return self.tr("{0} in {1}").format(stage, clock_text(left))
