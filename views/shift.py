"""The shift at the desk: who is on shift, the shift log, the handover with its report and two
signatures, and the managers' review of past shifts.

`ShiftDesk` is built by the window once; it owns the status-line label, the "Shift log" tab and the
Shift menu's actions, and talks to `services.shifts.ShiftService`. Texts from people (names, notes,
log entries) are shown as plain text; the report is shown as the HTML the desk generated itself.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk.incidents import IllegalTransition
from desk.shifts import (
    MANUAL_CATEGORIES,
    LogCategory,
    Shift,
    ShiftError,
    ShiftLogEntry,
    SignedReport,
    filter_log,
)
from desk.sla import SHANGHAI
from services.reports import CHART_W, signed_html
from services.shifts import ShiftService, figures_of
from views.labels import QT_TRANSLATE_NOOP
from views.sign_in import refusal_words
from views.table_model import RowTableModel

log = logging.getLogger("desk.ui.shift")
Index = QModelIndex | QPersistentModelIndex
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

CATEGORY_NAMES: dict[LogCategory, str] = {
    LogCategory.ACKNOWLEDGE: QT_TRANSLATE_NOOP("ShiftLog", "Acknowledged"),
    LogCategory.DISPATCH: QT_TRANSLATE_NOOP("ShiftLog", "Dispatch"),
    LogCategory.NOTE: QT_TRANSLATE_NOOP("ShiftLog", "Note"),
    LogCategory.ESCALATION: QT_TRANSLATE_NOOP("ShiftLog", "Escalation"),
    LogCategory.ALARM: QT_TRANSLATE_NOOP("ShiftLog", "Alarm"),
    LogCategory.INCIDENT: QT_TRANSLATE_NOOP("ShiftLog", "Incident"),
    LogCategory.FEED: QT_TRANSLATE_NOOP("ShiftLog", "Feed"),
    LogCategory.SOUND: QT_TRANSLATE_NOOP("ShiftLog", "Speaker"),
    LogCategory.CHECKIN: QT_TRANSLATE_NOOP("ShiftLog", "Check-in"),
    LogCategory.SHIFT: QT_TRANSLATE_NOOP("ShiftLog", "Shift"),
    LogCategory.CALL: QT_TRANSLATE_NOOP("ShiftLog", "Phone call"),
    LogCategory.VISIT: QT_TRANSLATE_NOOP("ShiftLog", "Visit"),
    LogCategory.PATROL: QT_TRANSLATE_NOOP("ShiftLog", "Patrol"),
    LogCategory.INSTRUCTION: QT_TRANSLATE_NOOP("ShiftLog", "Instruction"),
    LogCategory.EQUIPMENT: QT_TRANSLATE_NOOP("ShiftLog", "Equipment"),
    LogCategory.CORRECTION: QT_TRANSLATE_NOOP("ShiftLog", "Correction"),
    LogCategory.OTHER: QT_TRANSLATE_NOOP("ShiftLog", "Other"),
}
ACTION_NAMES: dict[str, str] = {
    "down": QT_TRANSLATE_NOOP("ShiftLog", "feed down"),
    "up": QT_TRANSLATE_NOOP("ShiftLog", "feed back"),
    "gap": QT_TRANSLATE_NOOP("ShiftLog", "events lost"),
    "opened": QT_TRANSLATE_NOOP("ShiftLog", "shift opened"),
    "handed_over": QT_TRANSLATE_NOOP("ShiftLog", "handed over to"),
    "signed_out": QT_TRANSLATE_NOOP("ShiftLog", "signed by the outgoing lead"),
    "signed_in": QT_TRANSLATE_NOOP("ShiftLog", "signed by the incoming lead"),
}


def category_text(category: LogCategory) -> str:
    return QCoreApplication.translate("ShiftLog", CATEGORY_NAMES.get(category, category.value))


def local_time(t: datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    return t.astimezone(SHANGHAI).strftime(fmt) if t is not None else ""


def _spawn(coro: Coroutine[Any, Any, Any]) -> None:
    def done(task: asyncio.Future[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("shift action failed", exc_info=task.exception())

    asyncio.ensure_future(coro).add_done_callback(done)


# ---- the shift log -------------------------------------------------------------------------------
class ShiftLogModel(RowTableModel):
    """Rows of `ShiftLogEntry`, newest first; filtered and searched here, in the source model."""

    HEADERS = (
        QT_TRANSLATE_NOOP("ShiftLogModel", "Time"),
        QT_TRANSLATE_NOOP("ShiftLogModel", "Category"),
        QT_TRANSLATE_NOOP("ShiftLogModel", "By"),
        QT_TRANSLATE_NOOP("ShiftLogModel", "What"),
        QT_TRANSLATE_NOOP("ShiftLogModel", "Incident"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[ShiftLogEntry] = []
        self._rows: list[ShiftLogEntry] = []
        self._category: LogCategory | None = None
        self._text = ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        if role == ENTRY_ROLE:
            return e.entry_id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == 0:
            return local_time(e.at)
        if col == 1:
            return category_text(e.category)
        if col == 2:
            return e.by
        if col == 3:
            action = ACTION_NAMES.get(e.action)
            said = QCoreApplication.translate("ShiftLog", action) if action else ""
            text = f"{said} {e.text}".strip() if said else e.text
            if e.feed:
                text = f"[{e.feed}] {text}"
            if e.corrects is not None:
                text += QCoreApplication.translate("ShiftLog", " (corrects entry {0})").format(e.corrects)
            return text
        if col == 4:
            return f"#{e.incident_id}" if e.incident_id is not None else ""
        return None

    def set_entries(self, entries: list[ShiftLogEntry]) -> None:
        self._all = list(reversed(entries))
        self._apply()

    def set_filter(self, category: LogCategory | None, text: str) -> None:
        if (category, text) == (self._category, self._text):
            return
        self._category, self._text = category, text
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        cats = None if self._category is None else [self._category]
        self._rows = filter_log(self._all, cats, self._text)
        self.endResetModel()

    def entry(self, row: int) -> ShiftLogEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class LogEntryDialog(QDialog):
    """A manual entry: a category and the text; a correction names the entry it corrects."""

    def __init__(self, parent: QWidget | None, corrects: ShiftLogEntry | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add to the shift log"))
        self.category = QComboBox()
        for cat in MANUAL_CATEGORIES:
            self.category.addItem(category_text(cat), cat.value)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("What happened, who, what was done"))
        form = QFormLayout(self)
        form.addRow(self.tr("Category"), self.category)
        self.corrects = corrects
        if corrects is not None and corrects.entry_id is not None:
            self.category.setCurrentIndex(MANUAL_CATEGORIES.index(LogCategory.CORRECTION))
            quoted = QLabel(self.tr("Corrects entry {0}: {1}").format(corrects.entry_id, corrects.text))
            quoted.setTextFormat(Qt.TextFormat.PlainText)
            quoted.setWordWrap(True)
            form.addRow(quoted)
        form.addRow(self.tr("Entry"), self.text)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ShiftLogView(QWidget):
    """The "Shift log" tab: filter by category, search, add a manual entry or a correction."""

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.desk._log_stale:  # it was not read while hidden
            self.desk.request_refresh()

    def __init__(self, desk: ShiftDesk) -> None:
        super().__init__()
        self.desk = desk
        self.model = ShiftLogModel(self)
        self.category = QComboBox()
        self.category.addItem(self.tr("All categories"), None)
        for cat in LogCategory:
            self.category.addItem(category_text(cat), cat.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search the shift log"))
        self.search.setClearButtonEnabled(True)
        self.add_button = QPushButton(self.tr("Add entry…"))
        self.correct_button = QPushButton(self.tr("Correct the selected entry…"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)  # one line an entry, as every table of the window
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        bar = QHBoxLayout()
        bar.addWidget(self.category)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.correct_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.table)
        self.category.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.add_button.clicked.connect(lambda: self.add_entry())
        self.correct_button.clicked.connect(self.correct_selected)

    def _filter(self) -> None:
        value = self.category.currentData()
        self.model.set_filter(LogCategory(value) if value else None, self.search.text())

    def add_entry(self, corrects: ShiftLogEntry | None = None) -> None:
        dialog = LogEntryDialog(self, corrects)
        dialog.accepted.connect(lambda: self._save(dialog))
        dialog.open()

    def correct_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry = self.model.entry(rows[0].row()) if rows else None
        if entry is None or entry.entry_id is None:
            self.desk.say(
                self.tr("Select an entry written by hand: the desk's own entries come from the record.")
            )
            return
        self.add_entry(entry)

    def _save(self, dialog: LogEntryDialog) -> None:
        corrects = dialog.corrects.entry_id if dialog.corrects is not None else None
        _spawn(
            self.desk.add_entry(
                str(dialog.category.currentData()), dialog.text.toPlainText(), corrects=corrects
            )
        )


# ---- dialogs of the shift ------------------------------------------------------------------------
def _names(text: str) -> list[str]:
    for sep in ("、", "，", ";", "；"):
        text = text.replace(sep, ",")
    return [t.strip() for t in text.split(",") if t.strip()]


class OpenShiftDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a shift"))
        self.lead = QLineEdit()
        self.staff = QLineEdit()
        self.staff.setPlaceholderText(self.tr("Names, separated by commas"))
        form = QFormLayout(self)
        form.addRow(self.tr("Shift lead"), self.lead)
        form.addRow(self.tr("Staff on duty"), self.staff)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class HandoverDialog(QDialog):
    def __init__(self, parent: QWidget | None, shift: Shift) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Hand over the shift"))
        self.incoming = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(self.tr("What the next shift must know"))
        form = QFormLayout(self)
        lead = QLabel(shift.lead)
        lead.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(self.tr("Outgoing lead"), lead)
        form.addRow(self.tr("Incoming lead"), self.incoming)
        form.addRow(self.tr("Handover notes"), self.notes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Hand over and write the report"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


_REFUSALS = {
    "a shift needs a lead": QT_TRANSLATE_NOOP("ShiftRefusal", "A shift needs a lead."),
    "no open shift to hand over": QT_TRANSLATE_NOOP("ShiftRefusal", "No open shift to hand over."),
    "the handover needs the incoming lead": QT_TRANSLATE_NOOP(
        "ShiftRefusal", "The handover needs the incoming lead."
    ),
    "a lead cannot hand the shift over to themselves": QT_TRANSLATE_NOOP(
        "ShiftRefusal", "A lead cannot hand the shift over to themselves."
    ),
    "a log entry needs some text": QT_TRANSLATE_NOOP("ShiftRefusal", "A log entry needs some text."),
    "a correction names the entry it corrects": QT_TRANSLATE_NOOP(
        "ShiftRefusal", "A correction names the entry it corrects."
    ),
    "a signature needs the signer's password": QT_TRANSLATE_NOOP(
        "ShiftRefusal", "A signature needs the signer's password."
    ),
    "the outgoing lead signs first": QT_TRANSLATE_NOOP("ShiftRefusal", "The outgoing lead signs first."),
    "the incoming lead signs second, not the outgoing lead again": QT_TRANSLATE_NOOP(
        "ShiftRefusal", "The incoming lead signs second, not the outgoing lead again."
    ),
}
_REFUSAL_PATTERNS = (
    (
        re.compile(r"shift \d+ of (.+) is still open: hand it over first"),
        QT_TRANSLATE_NOOP("ShiftRefusal", "The shift of {0} is still open: hand it over first."),
    ),
    (
        re.compile(r"not signed: (.+) is not a shift lead"),
        QT_TRANSLATE_NOOP("ShiftRefusal", "Not signed: {0} is not a shift lead."),
    ),
    (
        re.compile(r"report \d+ is signed by both leads and can no longer change"),
        QT_TRANSLATE_NOOP("ShiftRefusal", "Signed by both leads and sealed: it can no longer change."),
    ),
    (
        re.compile(r"report \d+ was changed after it was generated"),
        QT_TRANSLATE_NOOP("ShiftRefusal", "This report was changed after it was generated: not signed."),
    ),
    (
        re.compile(r"report \d+ is already signed by (.+)"),
        QT_TRANSLATE_NOOP("ShiftRefusal", "Already signed by {0}."),
    ),
)


def shift_refusal(exc: Exception) -> str:
    """A refusal of the shift service in the operator's language (its English words if unknown)."""
    cause = exc.__cause__
    if isinstance(cause, IllegalTransition):  # the signer's password was refused
        return QCoreApplication.translate("ShiftRefusal", "Not signed: {0}").format(refusal_words(cause))
    message = str(exc)
    if message in _REFUSALS:
        return QCoreApplication.translate("ShiftRefusal", _REFUSALS[message])
    for pattern, words in _REFUSAL_PATTERNS:
        if match := pattern.fullmatch(message):
            return QCoreApplication.translate("ShiftRefusal", words).format(*match.groups())
    return message


class ReportDialog(QDialog):
    """The report as generated, the two signatures (the incoming lead confirms the open items), export."""

    def __init__(self, desk: ShiftDesk, report: SignedReport, leads: tuple[str, str | None]) -> None:
        super().__init__(desk.window)
        self.desk = desk
        self.report = report
        self.setWindowTitle(self.tr("Handover report of shift {0}").format(report.shift_id))
        self.resize(900, 760)
        self.browser = QTextBrowser()
        # the report's tables are 100% wide plus a 1 px border: a scroll bar for those 2 px took a line of
        # the report; the charts (a fixed width) are the one thing that could need one, and always fit
        self.browser.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.browser.setMinimumWidth(CHART_W + 40)
        # each lead signs with their own account: a typed name alone proves nobody was there
        self.out_user = QLineEdit(desk.service.signed_in() or "")
        self.in_user = QLineEdit()
        self.out_password = QLineEdit()
        self.in_password = QLineEdit()
        for user, password, lead in (
            (self.out_user, self.out_password, leads[0]),
            (self.in_user, self.in_password, leads[1]),
        ):
            user.setPlaceholderText(
                self.tr("user name of {0}").format(lead) if lead else self.tr("user name")
            )
            password.setEchoMode(QLineEdit.EchoMode.Password)
            password.setPlaceholderText(self.tr("password"))
        self.confirm = QCheckBox(self.tr("I have gone through the open incidents and take them over"))
        self.sign_out_button = QPushButton(self.tr("Sign as outgoing lead"))
        self.sign_in_button = QPushButton(self.tr("Sign as incoming lead"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.html_button = QPushButton(self.tr("Export HTML…"))
        self.state = QLabel()
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        row1 = QHBoxLayout()
        row1.addWidget(self.out_user, 1)
        row1.addWidget(self.out_password, 1)
        row1.addWidget(self.sign_out_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.in_user, 1)
        row2.addWidget(self.in_password, 1)
        row2.addWidget(self.sign_in_button)
        form.addRow(self.tr("Outgoing lead"), row1)
        form.addRow(self.tr("Incoming lead"), row2)
        form.addRow("", self.confirm)
        bottom = QHBoxLayout()
        bottom.addWidget(self.state, 1)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.html_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addLayout(form)
        lay.addLayout(bottom)
        self.sign_out_button.clicked.connect(lambda: _spawn(self.sign(incoming=False)))
        self.sign_in_button.clicked.connect(lambda: _spawn(self.sign(incoming=True)))
        self.pdf_button.clicked.connect(lambda: self.export(pdf=True))
        self.html_button.clicked.connect(lambda: self.export(pdf=False))
        self.show_report(report, [])

    def show_report(self, report: SignedReport, problems: list[str]) -> None:
        self.report = report
        self.browser.setHtml(signed_html(report, problems))
        out_done, in_done = report.signed_out_by is not None, report.signed_in_by is not None
        self.sign_out_button.setEnabled(not out_done)
        self.sign_in_button.setEnabled(out_done and not in_done)
        for out_field in (self.out_user, self.out_password):
            out_field.setEnabled(not out_done)
        for in_field in (self.in_user, self.in_password, self.confirm):
            in_field.setEnabled(out_done and not in_done)
        if problems:
            self.state.setText(self.tr("This report was changed after it was signed: it cannot be trusted."))
        elif report.sealed:
            self.state.setText(self.tr("Signed by both leads and sealed: it can no longer change."))
        elif out_done:
            self.state.setText(self.tr("Signed by the outgoing lead; the incoming lead signs next."))
        else:
            self.state.setText(self.tr("Not signed yet."))

    async def sign(self, *, incoming: bool) -> None:
        user, password = (self.in_user, self.in_password) if incoming else (self.out_user, self.out_password)
        secret = password.text()
        password.clear()  # never left in the dialog, whatever comes of this try
        if incoming and not self.confirm.isChecked():
            self.state.setText(self.tr("The incoming lead confirms the open incidents before signing."))
            return
        try:
            signed = await self.desk.service.sign(
                self.report.id, user.text(), secret, incoming=incoming, confirmed=incoming
            )
        except ShiftError as exc:
            self.state.setText(shift_refusal(exc))
            return
        self.show_report(signed, [])

    def export(self, *, pdf: bool, path: str | None = None) -> None:
        if path is None:
            what = self.tr("PDF files (*.pdf)") if pdf else self.tr("HTML files (*.html)")
            default = f"shift-{self.report.shift_id}.{'pdf' if pdf else 'html'}"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the report"), default, what)
            if not path:
                return
        page = signed_html(self.report)
        if pdf:
            from widgets.report_render import html_to_pdf

            html_to_pdf(page, path)
        else:
            Path(path).write_text(page, encoding="utf-8")
        self.state.setText(self.tr("Written to {0}").format(path))


# ---- the managers' review ------------------------------------------------------------------------
class ReviewModel(RowTableModel):
    HEADERS = (
        QT_TRANSLATE_NOOP("ReviewModel", "Shift"),
        QT_TRANSLATE_NOOP("ReviewModel", "Lead"),
        QT_TRANSLATE_NOOP("ReviewModel", "From"),
        QT_TRANSLATE_NOOP("ReviewModel", "To"),
        QT_TRANSLATE_NOOP("ReviewModel", "Handed to"),
        QT_TRANSLATE_NOOP("ReviewModel", "Incidents"),
        QT_TRANSLATE_NOOP("ReviewModel", "P1 acknowledged ≤ 30 s"),
        QT_TRANSLATE_NOOP("ReviewModel", "P1 median (s)"),
        QT_TRANSLATE_NOOP("ReviewModel", "P1 p90 (s)"),
        QT_TRANSLATE_NOOP("ReviewModel", "Breaches"),
        QT_TRANSLATE_NOOP("ReviewModel", "Report"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Shift, SignedReport | None, dict[str, Any], list[str]]] = []

    @property
    def rows(self) -> list[tuple[Shift, SignedReport | None, dict[str, Any], list[str]]]:
        """The shifts shown, newest first, with their report, figures and problems."""
        return self._rows

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role != Qt.ItemDataRole.DisplayRole
            or not index.isValid()
            or not 0 <= index.row() < len(self._rows)
        ):
            return None
        return self.values(index.row())[index.column()]

    def values(self, row: int) -> list[str]:
        shift, report, fig, problems = self._rows[row]
        p1 = fig.get("responses", {}).get("emergency", {}).get("acknowledge", {})
        share = p1_share(fig)
        if report is None:
            state = QCoreApplication.translate("ReviewModel", "none")
        elif problems:
            state = QCoreApplication.translate("ReviewModel", "TAMPERED")
        elif report.sealed:
            state = QCoreApplication.translate("ReviewModel", "signed")
        else:
            state = QCoreApplication.translate("ReviewModel", "unsigned")
        return [
            str(shift.id),
            shift.lead,
            local_time(shift.opened_at, "%Y-%m-%d %H:%M"),
            local_time(shift.closed_at, "%Y-%m-%d %H:%M"),
            shift.handed_to or "",
            str(fig.get("total", "")),
            f"{share * 100:.1f}%" if share is not None else "",
            _num(p1.get("median")),
            _num(p1.get("p90")),
            str(fig.get("breaches", "")),
            state,
        ]

    def set_rows(self, rows: list[tuple[Shift, SignedReport | None, dict[str, Any], list[str]]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


def _num(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else ""


def _midnight(day: QDate) -> datetime:
    """The start of a local (Beijing) day, in UTC."""
    return datetime(day.year(), day.month(), day.day(), tzinfo=SHANGHAI).astimezone(UTC)


def _share_pct(fig: dict[str, Any], band: int) -> float | None:
    share = p1_share(fig, band)
    return share * 100 if share is not None else None


def _class_count(fig: dict[str, Any], cls: str) -> float | None:
    return float(fig.get("by_class", {}).get(cls, 0)) if fig else None


def p1_share(fig: dict[str, Any], band: int = 1) -> float | None:
    for c in fig.get("compliance", []):
        if c.get("class") == "emergency" and c.get("stage") == "acknowledge" and c.get("band") == band:
            return c["within"] / c["counted"] if c.get("counted") else None
    return None


class ShiftReviewDialog(QDialog):
    """Past shifts and their reports by date and lead, trends across shifts, CSV export."""

    def __init__(self, desk: ShiftDesk) -> None:
        super().__init__(desk.window)
        self.desk = desk
        self.setWindowTitle(self.tr("Shift review"))
        self.resize(1100, 780)
        now = datetime.now(SHANGHAI)  # the centre's day, not the machine's
        today = QDate(now.year, now.month, now.day)
        self.since = QDateEdit(today.addDays(-30))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.lead = QComboBox()
        self.lead.setEditable(True)
        self.lead.addItem(self.tr("All leads"), "")
        self.model = ReviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.doubleClicked.connect(lambda idx: self.open_report(idx.row()))
        self.apply_button = QPushButton(self.tr("Show"))
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.open_button = QPushButton(self.tr("Open report"))
        bar = QHBoxLayout()
        for label, w in (
            (self.tr("From"), self.since),
            (self.tr("To"), self.until),
            (self.tr("Lead"), self.lead),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addWidget(self.apply_button)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.csv_button)
        self.response_plot = pg.PlotWidget(background="w")
        self.response_plot.setTitle(self.tr("P1 time to acknowledge (s): median and p90"), color="#111")
        self.compliance_plot = pg.PlotWidget(background="w")
        self.compliance_plot.setTitle(self.tr("P1 acknowledged within 30 s and 60 s (%)"), color="#111")
        self.volume_plot = pg.PlotWidget(background="w")
        self.volume_plot.setTitle(self.tr("Incidents by class per shift"), color="#111")
        charts = QHBoxLayout()
        for p in (self.response_plot, self.compliance_plot, self.volume_plot):
            p.setMinimumHeight(220)
            p.addLegend(offset=(5, 5))
            charts.addWidget(p)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addLayout(charts)
        self.apply_button.clicked.connect(lambda: _spawn(self.load()))
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.open_button.clicked.connect(self._open_selected)

    async def load(self) -> None:
        since = _midnight(self.since.date())
        until = _midnight(self.until.date())
        lead = (
            str(self.lead.currentData() or "") if self.lead.currentIndex() == 0 else self.lead.currentText()
        )
        shifts = await self.desk.service.shifts(since, until + timedelta(days=1), lead.strip() or None)
        reports = await self.desk.service.reports()
        newest: dict[int, SignedReport] = {}
        for rep in reports:
            if (
                rep.shift_id not in newest
                or rep.kind == "handover"
                or newest[rep.shift_id].kind != "handover"
            ):
                newest[rep.shift_id] = rep
        rows: list[tuple[Shift, SignedReport | None, dict[str, Any], list[str]]] = []
        for s in shifts:
            r: SignedReport | None = newest.get(s.id)
            problems = await self.desk.service.verify(r.id) if r is not None else []
            rows.append((s, r, figures_of(r) if r is not None else {}, problems))
        self.model.set_rows(rows)
        known = {self.lead.itemText(i) for i in range(self.lead.count())}
        for s in shifts:
            if s.lead not in known:
                self.lead.addItem(s.lead, s.lead)
                known.add(s.lead)
        self._draw()

    def _draw(self) -> None:
        rows = list(reversed(self.model.rows))  # oldest first, left to right
        xs = list(range(len(rows)))
        ticks = [[(i, str(s.id)) for i, (s, _, _, _) in enumerate(rows)], []]
        for p in (self.response_plot, self.compliance_plot, self.volume_plot):
            p.clear()
            p.getAxis("bottom").setTicks(ticks)
            p.setLabel("bottom", self.tr("Shift"))

        def series(get: Callable[[dict[str, Any]], float | None]) -> tuple[list[float], list[float]]:
            pts = [(x, get(fig)) for x, (_, _, fig, _) in zip(xs, rows, strict=True)]
            kept = [(x, float(v)) for x, v in pts if v is not None]
            return [x for x, _ in kept], [v for _, v in kept]

        def p1(key: str) -> Callable[[dict[str, Any]], float | None]:
            return lambda f: f.get("responses", {}).get("emergency", {}).get("acknowledge", {}).get(key)

        for key, colour, name in (("median", "#1f4e9c", self.tr("median")), ("p90", "#d2691e", "p90")):
            x, y = series(p1(key))
            self.response_plot.plot(
                x, y, pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour, name=name
            )
        for band, colour, name in ((1, "#1f4e9c", self.tr("≤ 30 s")), (2, "#6aa84f", self.tr("≤ 60 s"))):
            x, y = series(partial(_share_pct, band=band))
            self.compliance_plot.plot(
                x, y, pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour, name=name
            )
        classes = (
            ("emergency", "#b00000", self.tr("Emergency")),
            ("security", "#1f4e9c", self.tr("Security")),
            ("welfare", "#6aa84f", self.tr("Welfare")),
            ("grievance", "#d2691e", self.tr("Grievance")),
        )
        for cls, colour, name in classes:
            x, y = series(partial(_class_count, cls=cls))
            self.volume_plot.plot(
                x, y, pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour, name=name
            )

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export as CSV"), "shifts.csv", self.tr("CSV files (*.csv)")
            )
            if not path:
                return
        headers = [
            self.model.headerData(c, Qt.Orientation.Horizontal) for c in range(self.model.columnCount())
        ]
        extra = ["P1 ≤ 60 s", "emergency", "security", "welfare", "grievance", "open", "outages", "floods"]
        with open(path, "w", newline="", encoding="utf-8-sig") as f:  # a BOM: spreadsheets read it as UTF-8
            w = csv.writer(f)
            w.writerow([*headers, *extra])
            for row, (_, _, fig, _) in enumerate(self.model.rows):
                share2 = p1_share(fig, 2)
                by_class = fig.get("by_class", {})
                w.writerow(
                    [
                        *self.model.values(row),
                        f"{share2 * 100:.1f}%" if share2 is not None else "",
                        *(
                            by_class.get(c, 0) if fig else ""
                            for c in ("emergency", "security", "welfare", "grievance")
                        ),
                        fig.get("open", ""),
                        fig.get("outages", ""),
                        fig.get("floods", ""),
                    ]
                )

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_report(rows[0].row())

    def open_report(self, row: int) -> None:
        if not 0 <= row < len(self.model.rows):
            return
        shift, report, _, problems = self.model.rows[row]
        if report is None:
            return
        dialog = ReportDialog(self.desk, report, (shift.lead, shift.handed_to))
        dialog.show_report(report, problems)
        dialog.show()


# ---- the desk's side of the shift -----------------------------------------------------------------
class ShiftDesk(QObject):
    """Who is on shift (a label for the status line), the shift log tab and the Shift menu's actions."""

    def __init__(self, window: QWidget, service: ShiftService, say: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.say = say
        self.shift: Shift | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setObjectName("shiftLabel")
        self.log_view = ShiftLogView(self)
        self.open_action = QAction(self.tr("Open a shift…"), self)
        self.handover_action = QAction(self.tr("Hand over…"), self)
        self.report_action = QAction(self.tr("Report of this shift so far"), self)
        self.review_action = QAction(self.tr("Review past shifts…"), self)
        self.open_action.triggered.connect(self.ask_open)
        self.handover_action.triggered.connect(self.ask_handover)
        self.report_action.triggered.connect(lambda: _spawn(self.report_now()))
        self.review_action.triggered.connect(self.open_review)
        self.dialogs: list[QDialog] = []
        self._busy = False
        self._wanted = False
        self._log_stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(1000)  # at most one read of the log a second
        self._timer.timeout.connect(lambda: _spawn(self.refresh()))
        self._poll = QTimer(self)
        self._poll.setInterval(30_000)
        self._poll.timeout.connect(self.request_refresh)
        self._poll.start()
        self._show()

    def request_refresh(self, *_args: object) -> None:
        if not self._timer.isActive():
            self._timer.start()

    async def refresh(self) -> None:
        """Read the open shift and its log (since it opened, or the last 12 hours without one)."""
        if not self.service.available:
            return
        if self._busy:
            self._wanted = True
            return
        self._busy = True
        try:
            self.shift = await self.service.current()
            # the log is read only while its tab is on screen (a burst of commits would otherwise
            # read the whole of it every second for nobody); showing the tab reads it
            self._log_stale = not self.log_view.isVisible()
            if not self._log_stale:
                start = self.shift.opened_at if self.shift else datetime.now(UTC) - timedelta(hours=12)
                entries = await self.service.log(start)
                self.log_view.model.set_entries(entries)
            self._show()
        finally:
            self._busy = False
        if self._wanted:
            self._wanted = False
            self.request_refresh()

    def _show(self) -> None:
        s = self.shift
        if s is None:
            self.label.setText(self.tr("No shift open"))
        else:
            staff = "、".join(s.staff)
            text = self.tr("On shift: {0} (lead) since {1}").format(s.lead, local_time(s.opened_at, "%H:%M"))
            self.label.setText(f"{text} · {staff}" if staff else text)
        self.open_action.setEnabled(s is None)
        self.handover_action.setEnabled(s is not None)
        self.report_action.setEnabled(s is not None)

    def by(self) -> str:
        return self.shift.lead if self.shift is not None else self.service.desk_id

    # -- actions
    def ask_open(self) -> None:
        dialog = OpenShiftDialog(self.window)
        dialog.accepted.connect(
            lambda: _spawn(self.open_shift(dialog.lead.text(), _names(dialog.staff.text())))
        )
        self._keep(dialog)
        dialog.open()

    async def open_shift(self, lead: str, staff: list[str]) -> Shift | None:
        try:
            shift = await self.service.open(lead, staff, lead.strip() or self.service.desk_id)
        except ShiftError as exc:
            self.say(shift_refusal(exc))
            return None
        self.shift = shift
        self._show()
        await self.refresh()
        return shift

    def ask_handover(self) -> None:
        if self.shift is None:
            return
        dialog = HandoverDialog(self.window, self.shift)
        dialog.accepted.connect(
            lambda: _spawn(self.hand_over(dialog.incoming.text(), dialog.notes.toPlainText()))
        )
        self._keep(dialog)
        dialog.open()

    async def hand_over(self, incoming: str, notes: str) -> ReportDialog | None:
        """Close the shift to the incoming lead; the report opens for the two signatures."""
        if self.shift is None:
            return None
        shift = self.shift
        try:
            report = await self.service.hand_over(shift.id, incoming, notes, shift.lead)
        except ShiftError as exc:
            self.say(shift_refusal(exc))
            return None
        self.shift = None
        self._show()
        dialog = ReportDialog(self, report, (shift.lead, incoming.strip()))
        self._keep(dialog)
        dialog.show()
        await self.refresh()
        return dialog

    async def report_now(self) -> ReportDialog | None:
        if self.shift is None:
            return None
        report = await self.service.generate(self.shift.id, "on_demand", self.by())
        dialog = ReportDialog(self, report, (self.shift.lead, None))
        self._keep(dialog)
        dialog.show()
        return dialog

    async def add_entry(self, category: str, text: str, corrects: int | None = None) -> ShiftLogEntry | None:
        shift_id = self.shift.id if self.shift is not None else None
        try:
            entry = await self.service.add_entry(shift_id, category, text, self.by(), corrects)
        except ShiftError as exc:
            self.say(shift_refusal(exc))
            return None
        await self.refresh()
        return entry

    def open_review(self) -> ShiftReviewDialog:
        dialog = ShiftReviewDialog(self)
        self._keep(dialog)
        dialog.show()
        _spawn(dialog.load())
        return dialog

    def _keep(self, dialog: QDialog) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]


def shift_service(runtime: Any) -> ShiftService:
    """The shift service of a running desk (`services.runtime.DeskRuntime`), its charts by pyqtgraph."""
    from widgets.report_render import chart_png

    # a window built around a stand-in runtime (no store, no writer) shows "No shift open" and reads nothing
    store, ingest = getattr(runtime, "store", None), getattr(runtime, "ingest", None)
    authorize = getattr(runtime, "authorize_current", None)
    auth = getattr(runtime, "auth", None)
    return ShiftService(
        store,
        ingest,
        runtime.config.desk_id,
        runtime.config.sla,
        chart_png,
        authorize,
        check_signer=partial(auth.check_password, purpose="signature") if auth is not None else None,
        signed_in=(lambda: auth.current) if auth is not None else None,
    )
