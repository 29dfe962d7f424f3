"""The feeds' health: one row a feed; a feed that is down is loud (red), not a grey dot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont

from desk.feeds import FeedState, FeedStatus
from views import theme
from views.labels import QT_TRANSLATE_NOOP, feed_is_loud, feed_state_text, plain_tooltip, readable_reason
from views.table_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
COL_FEED, COL_STATE, COL_DETAIL, COL_RECEIVED, COL_GAPS, COL_ERRORS, COL_LAST = range(7)


def _ago(when: datetime | None) -> str:
    if when is None:
        return "—"
    secs = int((datetime.now(UTC) - when).total_seconds())
    if secs < 60:
        return QCoreApplication.translate("FeedHealthModel", "{0} s ago").format(max(secs, 0))
    if secs < 3600:
        return QCoreApplication.translate("FeedHealthModel", "{0} min ago").format(secs // 60)
    return QCoreApplication.translate("FeedHealthModel", "{0} h {1} min ago").format(
        secs // 3600, secs % 3600 // 60
    )


class FeedHealthModel(RowTableModel):
    """Rows of FeedStatus, updated in place by `update(status)`."""

    HEADERS = (
        QT_TRANSLATE_NOOP("FeedHealthModel", "Feed"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "State"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "Detail"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "Received"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "Gaps"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "Protocol errors"),
        QT_TRANSLATE_NOOP("FeedHealthModel", "Last event"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[FeedStatus] = []

    def update(self, status: FeedStatus) -> FeedStatus | None:
        """Show `status`; returns the status it replaced (None for a new feed)."""
        for row, old in enumerate(self._rows):
            if old.name == status.name:
                self._rows[row] = status
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                return old
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(status)
        self.endInsertRows()
        return None

    def refresh_ages(self) -> None:
        if self._rows:
            col = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def status(self, row: int) -> FeedStatus:
        return self._rows[row]

    def detail_text(self, s: FeedStatus) -> str:
        """Why a feed is down; for a live feed only which stream it reads (the figures have columns)."""
        if feed_is_loud(s.state) or (s.detail and s.state is not FeedState.LIVE):
            return readable_reason(s.detail or "")
        if s.state is FeedState.LIVE and s.stream:
            return self.tr("stream {0}").format(s.stream[:8])
        return "—"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        col = index.column()
        loud = feed_is_loud(s.state)
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                s.name,
                feed_state_text(s.state),
                self.detail_text(s),
                str(s.cursor),
                str(s.gaps),
                str(s.protocol_errors),
                _ago(s.last_event_at),
            )
            return values[col]
        if role == STATE_ROLE:
            return s.state.value
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_FEED, COL_STATE, COL_DETAIL):
            lines = [f"{s.name}: {s.url}", feed_state_text(s.state)]
            if s.detail:
                lines.append(s.detail)
            if s.stream:
                lines.append(self.tr("stream {0}").format(s.stream))
            return plain_tooltip("\n".join(lines))
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_STATE and loud:
            return QBrush(theme.colors().breach)
        if role == Qt.ItemDataRole.ForegroundRole:
            c = theme.colors()
            if col == COL_STATE:
                if loud:
                    return QBrush(c.breach_text)
                if s.state is FeedState.STOPPED:
                    return QBrush(c.quiet)
                return QBrush(c.ok_text if s.state is FeedState.LIVE else c.caution_text)
            if col == COL_DETAIL and loud:
                return QBrush(c.alarm_text)
            if (col == COL_GAPS and s.gaps) or (col == COL_ERRORS and s.protocol_errors):
                return QBrush(c.caution_text)
        if role == Qt.ItemDataRole.FontRole and (col == COL_STATE or (col == COL_DETAIL and loud)):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_RECEIVED, COL_GAPS, COL_ERRORS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
