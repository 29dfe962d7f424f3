"""Staff and teams: who is on duty, busy or off duty, their open tasks and how fresh their position is.

The shift lead sees every grid worker and patrol team at a glance and sets a duty status with a
key (1 on duty, 2 busy, 3 off duty) or the buttons; the dispatch dialog then asks before sending
someone off duty. `StaffModel.set_responders()` updates rows in place (no reset), so a refresh
keeps the selection and the scroll.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.assignment import DutyStatus, Responder, ResponderKind
from views import theme
from views.dispatch_dialog import RESPONDER_KINDS, duty_text
from views.labels import QT_TRANSLATE_NOOP, readable_reason
from views.table_model import RowTableModel
from views.timespan import span_text

log = logging.getLogger("desk.ui.staff")

Index = QModelIndex | QPersistentModelIndex
REF_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
COL_NAME, COL_KIND, COL_GRID, COL_STATUS, COL_TASKS, COL_POSITION = range(6)
#: a position older than this is shown as stale (the suggestions stop trusting it too)
STALE_S = 15 * 60
#: the keys that set the selected person's status
STATUS_KEYS = {DutyStatus.ON_DUTY: "1", DutyStatus.BUSY: "2", DutyStatus.OFF_DUTY: "3"}


class StaffModel(RowTableModel):
    """Rows of `desk.assignment.Responder`: grid workers first, then patrol teams, by name."""

    HEADERS = (
        QT_TRANSLATE_NOOP("StaffModel", "Name"),
        QT_TRANSLATE_NOOP("StaffModel", "Role"),
        QT_TRANSLATE_NOOP("StaffModel", "Grid"),
        QT_TRANSLATE_NOOP("StaffModel", "Status"),
        QT_TRANSLATE_NOOP("StaffModel", "Open tasks"),
        QT_TRANSLATE_NOOP("StaffModel", "Position"),
    )

    def __init__(self, parent: Any = None, grid_names: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Responder] = []
        self._grid_names = grid_names or {}
        self._now = datetime.now(UTC)

    @staticmethod
    def _order(r: Responder) -> tuple[int, str, str]:
        return (0 if r.kind is ResponderKind.GRID else 1, r.grid or "", r.ref)

    def set_responders(self, responders: list[Responder], now: datetime | None = None) -> None:
        """Show these people: changed rows are updated in place; a new or gone person re-lays the list."""
        self._now = now or datetime.now(UTC)
        new = sorted(responders, key=self._order)
        if [r.ref for r in new] != [r.ref for r in self._rows]:
            if self._rows and len(new) > len(self._rows) and new[: len(self._rows)] == self._rows:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, len(new) - 1)
                self._rows = new
                self.endInsertRows()
                return
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        old, self._rows = self._rows, new
        for row, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        # the positions' ages move with the clock
        if self._rows:
            last = self.index(len(self._rows) - 1, COL_POSITION)
            self.dataChanged.emit(self.index(0, COL_POSITION), last, [Qt.ItemDataRole.DisplayRole])

    def set_status(self, ref: str, status: DutyStatus) -> None:
        """The store took a new status for `ref`: show it now (the next read agrees)."""
        row = self.row_of(ref)
        if row >= 0 and self._rows[row].status is not status:
            self._rows[row] = replace(self._rows[row], status=status)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def responder(self, row: int) -> Responder:
        return self._rows[row]

    def row_of(self, ref: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.ref == ref), -1)

    def counts(self) -> dict[DutyStatus, int]:
        out = dict.fromkeys(DutyStatus, 0)
        for r in self._rows:
            out[r.status] += 1
        return out

    def _position_text(self, r: Responder) -> str:
        if r.position_at is None:
            return self.tr("unknown")
        at = r.position_at if r.position_at.tzinfo else r.position_at.replace(tzinfo=UTC)
        return self.tr("{0} ago").format(span_text((self._now - at).total_seconds()))

    def _stale(self, r: Responder) -> bool:
        if r.position_at is None:
            return True
        at = r.position_at if r.position_at.tzinfo else r.position_at.replace(tzinfo=UTC)
        return (self._now - at).total_seconds() > STALE_S

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return r.name
            if col == COL_KIND:
                return QCoreApplication.translate("ResponderKind", RESPONDER_KINDS[r.kind])
            if col == COL_GRID:
                return self._grid_names.get(r.grid or "", r.grid or "—")
            if col == COL_STATUS:
                return duty_text(r.status)
            if col == COL_TASKS:
                return str(r.open_tasks)
            return self._position_text(r)
        if role == REF_ROLE:
            return r.ref
        if role == STATUS_ROLE:
            return r.status.value
        c = theme.colors()
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_STATUS:
                return QBrush(
                    {DutyStatus.ON_DUTY: c.ok_text, DutyStatus.BUSY: c.caution_text}.get(r.status, c.quiet)
                )
            if col == COL_POSITION and self._stale(r):
                return QBrush(c.caution_text)
            if r.status is DutyStatus.OFF_DUTY:
                return QBrush(c.quiet)
        if role == Qt.ItemDataRole.FontRole and col == COL_STATUS:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_TASKS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class StaffSource(Protocol):
    """What the board needs of the runtime (services.runtime.DeskRuntime)."""

    async def set_staff_status(self, ref: str, status: str, by: str) -> None: ...


class StaffBoard(QWidget):
    """The staff table, the status buttons and a one-line summary.

    status_set(str, str): a status was set (ref, DutyStatus value), after the store took it.
    refresh_wanted(): the board wants fresh rows (after a status change).
    """

    status_set = Signal(str, str)
    refresh_wanted = Signal()

    def __init__(self, runtime: StaffSource, desk_id: str, model: StaffModel, points: int = 12) -> None:
        super().__init__()
        self.runtime = runtime
        self.desk_id = desk_id
        self.model = model
        self.view = QTableView()
        self.view.setModel(model)
        font = QFont()
        font.setPointSize(points)
        self.view.setFont(font)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons: dict[DutyStatus, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.message)
        for status, key in STATUS_KEYS.items():
            button = QPushButton(f"{duty_text(status)} ({key})")
            button.clicked.connect(lambda _=False, s=status: self.set_selected(s))
            bar.addWidget(button)
            self.buttons[status] = button
            shortcut = QShortcut(QKeySequence(key), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda s=status: self.set_selected(s))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        self._tasks: set[asyncio.Task[None]] = set()
        model.modelReset.connect(self._update_summary)
        model.rowsInserted.connect(self._update_summary)
        model.dataChanged.connect(self._update_summary)
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self._update_summary()
        self._update_buttons()

    def selected_ref(self) -> str | None:
        index = self.view.currentIndex()
        return str(index.data(REF_ROLE)) if index.isValid() else None

    def select(self, ref: str) -> bool:
        row = self.model.row_of(ref)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row, COL_NAME))
        return True

    def set_selected(self, status: DutyStatus) -> None:
        ref = self.selected_ref()
        if ref is None:
            self._show(self.tr("Select a person or team first."))
            return
        task = asyncio.ensure_future(self._set(ref, status))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _set(self, ref: str, status: DutyStatus) -> None:
        try:
            await self.runtime.set_staff_status(ref, status.value, self.desk_id)
        except Exception as exc:  # shown, never fatal: the lead can try again
            log.warning("setting the duty status of %s failed: %s", ref, exc)
            self._show(self.tr("Could not set the duty status: {0}").format(readable_reason(str(exc))))
            return
        self.model.set_status(ref, status)
        row = self.model.row_of(ref)
        name = self.model.responder(row).name if row >= 0 else ref
        self._show(self.tr("{0}: {1}").format(name, duty_text(status)))
        self.status_set.emit(ref, status.value)
        self.refresh_wanted.emit()

    def _show(self, text: str) -> None:
        self.message.setText(text)

    def _update_buttons(self) -> None:
        ref = self.selected_ref()
        row = self.model.row_of(ref) if ref else -1
        current = self.model.responder(row).status if row >= 0 else None
        for status, button in self.buttons.items():
            button.setEnabled(row >= 0 and status is not current)

    def _update_summary(self) -> None:
        counts = self.model.counts()
        self.summary.setText(
            self.tr("On duty {0} · busy {1} · off duty {2}").format(
                counts[DutyStatus.ON_DUTY], counts[DutyStatus.BUSY], counts[DutyStatus.OFF_DUTY]
            )
        )
        self._update_buttons()
