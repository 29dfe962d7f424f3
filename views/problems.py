"""The data problems: the newest quarantined events, unreadable frames and feed notices.

Newest first, as `DeskRuntime.problems()` returns them; `set_problems()` inserts what is new at the
top and drops what fell off the bottom, so a refresh does not reset the view (selection and scroll
stay). Every text is plain: a reason or a frame is shown as it came, never rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from desk.feeds import Problem, ProblemKind
from views import theme
from views.labels import QT_TRANSLATE_NOOP, one_line, plain_tooltip, problem_kind_text, readable_reason
from views.table_model import RowTableModel

Index = QModelIndex | QPersistentModelIndex
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
COL_TIME, COL_FEED, COL_KIND, COL_REASON, COL_REF = range(5)
# the most of a frame shown in the tooltip
SAMPLE_CHARS = 300
_LOUD = frozenset({ProblemKind.AUTH_FAILED, ProblemKind.STALLED, ProblemKind.GAP})


def _local(when: datetime) -> datetime:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone()


class ProblemTableModel(RowTableModel):
    """Rows of `desk.feeds.Problem`, newest first."""

    HEADERS = (
        QT_TRANSLATE_NOOP("ProblemTableModel", "Time"),
        QT_TRANSLATE_NOOP("ProblemTableModel", "Feed"),
        QT_TRANSLATE_NOOP("ProblemTableModel", "Kind"),
        QT_TRANSLATE_NOOP("ProblemTableModel", "Reason"),
        QT_TRANSLATE_NOOP("ProblemTableModel", "Event / seq"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []
        self._today = datetime.now().date()

    def set_problems(self, problems: list[Problem]) -> None:
        """Show `problems` (newest first): new ones are inserted at the top in one go, the oldest
        beyond the list removed; a list that does not continue the shown one replaces it."""
        new = list(problems)
        self._today = datetime.now().date()
        if not self._rows or not new:
            if self._rows or new:
                self.beginResetModel()
                self._rows = new
                self.endResetModel()
            return
        try:
            fresh = new.index(self._rows[0])
        except ValueError:
            fresh = -1
        kept = len(new) - fresh
        if fresh < 0 or new[fresh:] != self._rows[:kept]:
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        if kept < len(self._rows):  # the oldest fell off the end of the list
            self.beginRemoveRows(QModelIndex(), kept, len(self._rows) - 1)
            del self._rows[kept:]
            self.endRemoveRows()
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, fresh - 1)
            self._rows[0:0] = new[:fresh]
            self.endInsertRows()

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def time_text(self, when: datetime) -> str:
        local = _local(when)
        return local.strftime("%H:%M:%S" if local.date() == self._today else "%m-%d %H:%M:%S")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                self.time_text(p.at),
                p.feed,
                problem_kind_text(p.kind),
                one_line(readable_reason(p.detail)),
                p.ref or "—",
            )
            return values[col]
        if role == KIND_ROLE:
            return p.kind.value
        if role == Qt.ItemDataRole.ToolTipRole:
            # the start of the frame, as it came; without one, the whole reason in its own words
            if p.sample:
                return plain_tooltip(p.sample[:SAMPLE_CHARS])
            return plain_tooltip(p.detail)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_KIND:
            c = theme.colors()
            return QBrush(c.alarm_text if p.kind in _LOUD else c.caution_text)
        return None
