"""The feeds' health: one row a feed; a feed that is down is loud (red), not a grey dot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desk.feeds import FeedState, FeedStatus

Index = QModelIndex | QPersistentModelIndex
STATE_ROLE = Qt.ItemDataRole.UserRole + 1

_DOWN = QColor("#c62828")
_WARN = QColor("#ef6c00")
_LIVE = QColor("#2e7d32")


def _ago(when: datetime | None) -> str:
    if when is None:
        return "—"
    secs = int((datetime.now(UTC) - when).total_seconds())
    if secs < 60:
        return f"{max(secs, 0)} s"
    if secs < 3600:
        return f"{secs // 60} min"
    return f"{secs // 3600} h {secs % 3600 // 60} min"


class FeedHealthModel(QAbstractTableModel):
    """Rows of FeedStatus, updated in place by `update(status)`."""

    HEADERS = ("Feed", "State", "Detail", "Cursor", "Gaps", "Protocol errors", "Last event")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[FeedStatus] = []

    def state_text(self, state: FeedState) -> str:
        return {
            FeedState.CONNECTING: self.tr("connecting"),
            FeedState.LIVE: self.tr("live"),
            FeedState.RECONNECTING: self.tr("DOWN — reconnecting"),
            FeedState.AUTH_FAILED: self.tr("DOWN — authentication failed"),
            FeedState.STALLED: self.tr("DOWN — stalled"),
            FeedState.STOPPED: self.tr("stopped"),
        }[state]

    def update(self, status: FeedStatus) -> None:
        for row, old in enumerate(self._rows):
            if old.name == status.name:
                self._rows[row] = status
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(status)
        self.endInsertRows()

    def refresh_ages(self) -> None:
        if self._rows:
            col = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def status(self, row: int) -> FeedStatus:
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
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                s.name,
                self.state_text(s.state),
                s.detail or "",
                str(s.cursor),
                str(s.gaps),
                str(s.protocol_errors),
                _ago(s.last_event_at),
            )
            return values[col]
        if role == STATE_ROLE:
            return s.state.value
        if role == Qt.ItemDataRole.BackgroundRole and col == 1 and s.state.is_down:
            return QBrush(_DOWN)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            if s.state.is_down:
                return QBrush(QColor("white"))
            return QBrush(_LIVE if s.state is FeedState.LIVE else _WARN)
        if role == Qt.ItemDataRole.FontRole and col == 1:
            font = QFont()
            font.setBold(True)
            return font
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col in (4, 5)
            and (s.gaps if col == 4 else s.protocol_errors)
        ):
            return QBrush(_WARN)
        return None
