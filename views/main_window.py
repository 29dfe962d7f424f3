"""The desk's first window: the feeds' health and the open incidents, live.

The full dispatch queue, incident detail, map and shift log come with later work; this window
already shows what the ingest does, so an operator can see every feed and every open incident.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QSplitter, QTableView, QVBoxLayout, QWidget

from desk.feeds import FeedStatus
from services.runtime import DeskRuntime
from services.signals import DeskSignals
from services.store import Changes
from views.feed_health import FeedHealthModel
from views.incidents import IncidentTableModel

log = logging.getLogger("desk.ui")

#: how often committed changes are pulled into the table (coalescing bursts)
FLUSH_MS = 150


def _table(model: FeedHealthModel | IncidentTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(30)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("refreshing the incidents failed", exc_info=task.exception())


class DeskWindow(QMainWindow):
    """Feeds on top (always visible), open incidents below.

    closed(): the operator closed the window (the services stop after it).
    """

    closed = Signal()

    def __init__(self, runtime: DeskRuntime, signals: DeskSignals) -> None:
        super().__init__()
        self.runtime = runtime
        self.setWindowTitle(self.tr("Duty Desk — community command center"))
        base = QFont()
        base.setPointSize(12)
        self.setFont(base)
        self.feed_model = FeedHealthModel(self)
        self.incident_model = IncidentTableModel(self)
        self.feed_view = _table(self.feed_model)
        feed_header = self.feed_view.horizontalHeader()
        feed_header.setStretchLastSection(False)
        # the whole state ("DOWN — authentication failed") and as much of the reason as fits: the
        # detail takes the room the others leave (a handful of rows: sizing to contents is cheap)
        for col in range(self.feed_model.columnCount()):
            feed_header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        feed_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.incident_view = _table(self.incident_model)
        self.incident_view.setColumnWidth(0, 48)
        self.incident_view.setColumnWidth(2, 320)
        self.incident_view.setColumnWidth(3, 260)
        self.summary = QLabel()
        top = QWidget()
        lay = QVBoxLayout(top)
        lay.setContentsMargins(6, 6, 6, 0)
        title = QLabel(self.tr("Feeds"))
        title.setStyleSheet("font-weight: bold; font-size: 14pt")
        lay.addWidget(title)
        lay.addWidget(self.feed_view)
        bottom = QWidget()
        lay2 = QVBoxLayout(bottom)
        lay2.setContentsMargins(6, 0, 6, 6)
        self.incident_title = QLabel(self.tr("Open incidents"))
        self.incident_title.setStyleSheet("font-weight: bold; font-size: 14pt")
        lay2.addWidget(self.incident_title)
        lay2.addWidget(self.incident_view)
        lay2.addWidget(self.summary)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([220, 700])
        self.setCentralWidget(self.splitter)
        self.resize(1400, 900)
        self._pending: set[int] = set()
        self._stored = 0
        self._quarantined = 0
        self._counts_changed = False
        signals.feed_status_changed.connect(self.on_feed_status)
        signals.changes_committed.connect(self.on_changes)
        for status in runtime.statuses():
            self.feed_model.update(status)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._flush_timer.start()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._restore()

    # ---- live updates ----------------------------------------------------------------------------
    def on_feed_status(self, status: FeedStatus) -> None:
        self.feed_model.update(status)

    def on_changes(self, changes: Changes) -> None:
        self._pending |= changes.incidents
        self._stored += changes.stored
        self._quarantined += len(changes.quarantined)
        self._counts_changed = True
        for feed in changes.feeds:
            client = self.runtime.feeds.get(feed)
            if client is not None:
                self.feed_model.update(client.status())

    async def load(self) -> None:
        self.incident_model.apply(await self.runtime.open_incidents())
        self._update_summary()

    def _flush(self) -> None:
        if self._counts_changed:  # events that touch no incident (positions, quarantined) count too
            self._counts_changed = False
            self._update_summary()
        if not self._pending:
            return
        ids, self._pending = list(self._pending), set()
        task = asyncio.ensure_future(self._fetch(ids))
        task.add_done_callback(_log_failure)

    async def _fetch(self, ids: list[int]) -> None:
        self.incident_model.apply(await self.runtime.incidents_by_id(ids))
        self._update_summary()

    def _tick(self) -> None:
        self.incident_model.tick()
        self.feed_model.refresh_ages()

    def _update_summary(self) -> None:
        self.incident_title.setText(self.tr("Open incidents: %n", "", self.incident_model.rowCount()))
        self.summary.setText(
            self.tr("Events stored this session: {0}; quarantined: {1}").format(
                self._stored, self._quarantined
            )
        )

    # ---- layout memory ----------------------------------------------------------------------------
    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        split = settings.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        super().closeEvent(event)
        self.closed.emit()
