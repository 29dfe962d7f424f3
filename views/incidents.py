"""The open incidents, priority first: a live table updated incrementally in coalesced flushes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont

from desk.incidents import Incident, Status
from views.labels import QT_TRANSLATE_NOOP, incident_kind, plain_tooltip, status_text
from widgets.priority_chip import PRIORITY_COLORS

Index = QModelIndex | QPersistentModelIndex
INCIDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# the column numbers, for the window's sizing
COL_P, COL_TYPE, COL_TITLE, COL_PLACE, COL_STATUS, COL_REPEATS, COL_AGE = range(7)


def _age(when: datetime, now: datetime) -> str:
    return span_text((now - when).total_seconds())


def span_text(seconds: float) -> str:
    """A span of time as the operator reads it (37 s, 4 min 09 s, 1 h 05 min, 2 d), translated."""
    secs = max(0, int(abs(seconds)))
    if secs < 60:
        return QCoreApplication.translate("IncidentTableModel", "{0} s").format(secs)
    if secs < 3600:
        return QCoreApplication.translate("IncidentTableModel", "{0} min {1} s").format(
            secs // 60, f"{secs % 60:02d}"
        )
    if secs < 86400:
        return QCoreApplication.translate("IncidentTableModel", "{0} h {1} min").format(
            secs // 3600, f"{secs % 3600 // 60:02d}"
        )
    return QCoreApplication.translate("IncidentTableModel", "{0} d").format(secs // 86400)


# the widest age the column must hold without cutting it (a day and more is shorter again)
AGE_SAMPLE = (23 * 3600 + 59 * 60, 59 * 60 + 59)


def widest_age_texts() -> list[str]:
    """Ages as wide as the column ever shows, in the current language (for sizing it once)."""
    now = datetime(2026, 1, 2, tzinfo=UTC)
    return [_age(datetime.fromtimestamp(now.timestamp() - s, UTC), now) for s in AGE_SAMPLE]


def _order(inc: Incident) -> tuple[int, datetime]:
    return (int(inc.priority), inc.opened_at)


class IncidentTableModel(QAbstractTableModel):
    """Open incidents; `apply(changed)` inserts, updates and removes rows without a reset."""

    HEADERS = (
        QT_TRANSLATE_NOOP("IncidentTableModel", "P"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Type"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Title"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Place"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Status"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Repeats"),
        QT_TRANSLATE_NOOP("IncidentTableModel", "Age"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Incident] = []
        self._now = datetime.now(UTC)

    def apply(self, changed: Iterable[Incident]) -> None:
        """Bring the rows in line with changed incidents (open ones kept in order, others removed)."""
        by_id = {inc.id: inc for inc in changed}
        if not by_id:
            return
        for row in range(len(self._rows) - 1, -1, -1):  # update in place or remove
            inc = by_id.get(self._rows[row].id)
            if inc is None:
                continue
            if inc.is_open and _order(inc) == _order(self._rows[row]):
                self._rows[row] = inc
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                del by_id[inc.id]
            else:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for inc in sorted((i for i in by_id.values() if i.is_open), key=_order):
            pos = self._insert_pos(inc)
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._rows.insert(pos, inc)
            self.endInsertRows()

    def _insert_pos(self, inc: Incident) -> int:
        lo, hi, key = 0, len(self._rows), _order(inc)
        while lo < hi:
            mid = (lo + hi) // 2
            if _order(self._rows[mid]) <= key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def tick(self) -> None:
        """Advance the live age column."""
        self._now = datetime.now(UTC)
        if self._rows:
            col = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def incident(self, row: int) -> Incident:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        inc = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                f"P{int(inc.priority)}",
                incident_kind(inc.kind),
                inc.title,
                inc.place or "—",
                status_text(inc.status),
                str(inc.count) if inc.count > 1 else "",
                _age(inc.opened_at, self._now),
            )
            return values[col]
        if role == INCIDENT_ID_ROLE:
            return inc.id
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_TITLE, COL_PLACE):
            # the whole text when a narrow window cuts it; always literal (a resident's "<b>" too)
            return plain_tooltip(inc.title if col == COL_TITLE else inc.place or "—")
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_P:
            return QBrush(PRIORITY_COLORS[int(inc.priority)][0])
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_P:
            return QBrush(PRIORITY_COLORS[int(inc.priority)][1])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_P, COL_REPEATS):
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole and (
            col == COL_P or (int(inc.priority) == 1 and inc.status is Status.NEW)
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None
