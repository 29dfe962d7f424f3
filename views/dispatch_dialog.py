"""The dispatch dialog: who should go (desk.assignment.suggest, with the reasons why), one keystroke to
send the first suggestion, a confirmation before sending someone off duty, and the duty status of the
selected person.

The dialog sends the task itself (`runtime.dispatch`) and stays open with the reason when the field
platform refuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desk.assignment import (
    DutyStatus,
    Grid,
    ResponderKind,
    Suggestion,
    reason_text_en,
    reason_text_zh,
    suggest,
)
from desk.incidents import Incident
from views.incident_data import load_grids, load_responders
from views.labels import QT_TRANSLATE_NOOP, incident_kind, readable_reason
from views.prompts import InputPrompt, ask, plain_label

log = logging.getLogger("desk.ui")

SUGGESTION_LIMIT = 8
REF_ROLE = Qt.ItemDataRole.UserRole + 1

_DUTY = "DutyStatus"
DUTY_TEXTS: dict[DutyStatus, str] = {
    DutyStatus.ON_DUTY: QT_TRANSLATE_NOOP("DutyStatus", "On duty"),
    DutyStatus.BUSY: QT_TRANSLATE_NOOP("DutyStatus", "Busy"),
    DutyStatus.OFF_DUTY: QT_TRANSLATE_NOOP("DutyStatus", "Off duty"),
}
_KIND = "ResponderKind"
RESPONDER_KINDS: dict[ResponderKind, str] = {
    ResponderKind.GRID: QT_TRANSLATE_NOOP("ResponderKind", "Grid worker"),
    ResponderKind.PATROL_TEAM: QT_TRANSLATE_NOOP("ResponderKind", "Patrol team"),
}


def duty_text(status: DutyStatus) -> str:
    return QCoreApplication.translate(_DUTY, DUTY_TEXTS[status])


def reasons_text(suggestion: Suggestion) -> str:
    """Why, in the operator's language (the translation in effect decides which)."""
    chinese = QCoreApplication.translate(_DUTY, "On duty") != "On duty"
    text = reason_text_zh if chinese else reason_text_en
    return ("，" if chinese else "; ").join(text(r) for r in suggestion.reasons)


class Dispatcher(Protocol):
    """What the dialog needs of the runtime (services.runtime.DeskRuntime)."""

    @property
    def store(self) -> Any: ...

    async def dispatch(
        self,
        incident_id: int | None,
        assignee: str,
        summary: str,
        by: str,
        location: dict[str, Any] | None = None,
    ) -> Any: ...

    async def set_staff_status(self, ref: str, status: str, by: str) -> None: ...


class DispatchDialog(QDialog):
    """Suggests who should go to `incident` and sends the task.

    Signals (past tense):
    - dispatched(str, str): the task went to the assignee (ref, name); the field platform took it.
    - dispatch_failed(str): sending failed or was refused; the text says why (also shown here).
    - staff_status_changed(str, str): the lead set a person's duty status (ref, DutyStatus value).

    `await load()` fills the list; the first suggestion is selected, so Enter sends it.
    """

    dispatched = Signal(str, str)
    dispatch_failed = Signal(str)
    staff_status_changed = Signal(str, str)

    def __init__(
        self,
        runtime: Dispatcher,
        incident: Incident,
        by: str,
        parent: QWidget | None = None,
        *,
        grids: Sequence[Grid] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.incident = incident
        self.by = by
        self.grids = tuple(grids) if grids is not None else load_grids()
        self.suggestions: list[Suggestion] = []
        self.prompt: InputPrompt | None = None
        self._busy = False
        self.setWindowTitle(self.tr("Dispatch #{0}").format(incident.id))
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 12))
        self.setFont(font)
        self.setMinimumSize(860, 480)

        layout = QVBoxLayout(self)
        where = incident.place or self.tr("place unknown")
        self.heading = plain_label(
            self.tr("{0} — {1} — {2}").format(incident_kind(incident.kind), incident.title, where), wrap=True
        )
        bold = QFont(font)
        bold.setBold(True)
        bold.setPointSize(font.pointSize() + 1)
        self.heading.setFont(bold)
        layout.addWidget(self.heading)

        self.list = QTreeWidget()
        self.list.setRootIsDecorated(False)
        self.list.setColumnCount(4)
        self.list.setHeaderLabels([self.tr("Who"), self.tr("Kind"), self.tr("Status"), self.tr("Why")])
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAllColumnsShowFocus(True)
        header = self.list.header()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.list.currentItemChanged.connect(self._selected)
        layout.addWidget(self.list, 1)

        row = QHBoxLayout()
        row.addWidget(plain_label(self.tr("Duty status of the selected:")))
        self.status_box = QComboBox()
        for status in DutyStatus:
            self.status_box.addItem(duty_text(status), status.value)
        self.status_box.activated.connect(self._status_chosen)
        row.addWidget(self.status_box)
        row.addStretch(1)
        layout.addLayout(row)

        layout.addWidget(plain_label(self.tr("Task summary (the field app shows it):")))
        self.summary = QLineEdit(self._default_summary())
        self.summary.setMaxLength(500)
        layout.addWidget(self.summary)

        self.message = plain_label(wrap=True)
        self.message.setVisible(False)
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox()
        self.dispatch_button = QPushButton(self.tr("Dispatch"))
        self.dispatch_button.setDefault(True)
        self.dispatch_button.setAutoDefault(True)
        self.dispatch_button.setEnabled(False)
        self.buttons.addButton(self.dispatch_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        self.dispatch_button.clicked.connect(self.send)
        layout.addWidget(self.buttons)

    # ---- filling ---------------------------------------------------------------------------------
    def _default_summary(self) -> str:
        inc = self.incident
        parts = [inc.title]
        if inc.place:
            parts.append(inc.place)
        return self.tr("#{0} {1}").format(inc.id, " ".join(parts))

    async def load(self, *, keep: str | None = None) -> None:
        """Read the directory and list the suggestions (re-selecting `keep`, else the first)."""
        responders = await load_responders(self.runtime)
        now = datetime.now(UTC)
        self.suggestions = suggest(
            self.incident.lat, self.incident.lon, self.grids, responders, now, limit=SUGGESTION_LIMIT
        )
        self.list.clear()
        for s in self.suggestions:
            item = QTreeWidgetItem(
                [
                    f"{s.name} ({s.ref})",
                    QCoreApplication.translate(_KIND, RESPONDER_KINDS[s.kind]),
                    duty_text(s.status),
                    reasons_text(s),
                ]
            )
            item.setData(0, REF_ROLE, s.ref)
            if s.needs_confirmation:
                for col in range(4):
                    item.setForeground(col, Qt.GlobalColor.darkGray)
            self.list.addTopLevelItem(item)
        if not self.suggestions:
            self._show(self.tr("Nobody in the directory can be sent (no grid workers or teams known)."))
        target = next((i for i, s in enumerate(self.suggestions) if s.ref == keep), 0)
        first = self.list.topLevelItem(target)
        if first is not None:
            self.list.setCurrentItem(first)
        self.dispatch_button.setEnabled(bool(self.suggestions))
        self.list.setFocus()

    def selected(self) -> Suggestion | None:
        item = self.list.currentItem()
        if item is None:
            return None
        ref = item.data(0, REF_ROLE)
        return next((s for s in self.suggestions if s.ref == ref), None)

    def select(self, ref: str) -> None:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item is not None and item.data(0, REF_ROLE) == ref:
                self.list.setCurrentItem(item)
                return
        raise KeyError(ref)

    def _selected(self, *_: object) -> None:
        s = self.selected()
        if s is not None:
            self.status_box.setCurrentIndex(self.status_box.findData(s.status.value))

    def _show(self, text: str, *, error: bool = True) -> None:
        self.message.setText(text)
        colours = "background:#c62828;color:white;" if error else "background:#2e7d32;color:white;"
        self.message.setStyleSheet(f"QLabel {{ {colours} padding:6px; border-radius:4px; }}")
        self.message.setVisible(True)

    # ---- duty status -----------------------------------------------------------------------------
    @asyncSlot(int)
    async def _status_chosen(self, index: int) -> None:
        s = self.selected()
        if s is None:
            return
        status = str(self.status_box.itemData(index))
        if status == s.status.value:
            return
        await self.set_status(s.ref, status)

    async def set_status(self, ref: str, status: str) -> None:
        """Set a person's duty status and list the suggestions again (the same person stays selected)."""
        try:
            await self.runtime.set_staff_status(ref, status, self.by)
        except Exception as exc:  # a refusal must not close the dialog
            log.warning("setting the duty status of %s failed: %s", ref, exc)
            self._show(self.tr("Could not set the duty status: {0}").format(readable_reason(str(exc))))
            return
        self.staff_status_changed.emit(ref, status)
        await self.load(keep=ref)

    # ---- sending ---------------------------------------------------------------------------------
    def location(self) -> dict[str, Any] | None:
        inc = self.incident
        if inc.lat is None or inc.lon is None:
            return None
        loc: dict[str, Any] = {"lat": inc.lat, "lon": inc.lon}
        if inc.place:
            loc["place"] = inc.place
        return loc

    @asyncSlot()
    async def send(self) -> None:
        """Dispatch to the selected suggestion (asking first when that person is off duty)."""
        if self._busy:
            return
        s = self.selected()
        if s is None:
            return
        self._busy = True
        try:
            if s.needs_confirmation:
                self.prompt = InputPrompt(
                    self,
                    self.tr("Off duty"),
                    self.tr("{0} is off duty. Dispatch anyway?").format(s.name),
                    ok_text=self.tr("Dispatch anyway"),
                )
                confirmed = await ask(self.prompt)
                self.prompt = None
                if not confirmed:
                    return
            summary = self.summary.text().strip() or self._default_summary()
            self.dispatch_button.setEnabled(False)
            try:
                result = await self.runtime.dispatch(
                    self.incident.id, s.ref, summary, self.by, self.location()
                )
            except Exception as exc:
                log.warning("dispatch of #%s to %s failed: %s", self.incident.id, s.ref, exc)
                self._fail(self.tr("Could not dispatch: {0}").format(readable_reason(str(exc))))
                return
            if not getattr(result, "ok", False):
                self._fail(
                    self.tr("The field platform refused the task: {0}").format(getattr(result, "error", "?"))
                )
                return
            self.dispatched.emit(s.ref, s.name)
            self.accept()
        finally:
            self._busy = False
            # the window may have closed while the command was on its way (the desk stopping)
            if shiboken6.isValid(self.dispatch_button):
                self.dispatch_button.setEnabled(bool(self.suggestions))

    def _fail(self, text: str) -> None:
        self._show(text)
        self.dispatch_failed.emit(text)
