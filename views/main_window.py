"""The desk's first window: the feeds' health, the open incidents and the data problems, live.

The full dispatch queue, incident detail, map and shift log come with later work; this window
already shows what the ingest does, so an operator can see every feed, every open incident and
every event the desk could not use.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QFontMetrics, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QSystemTrayIcon,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.alarms import AlarmEvent, AlarmEventKind
from desk.assignment import grid_of
from desk.feeds import FeedStatus
from desk.grievances import GrievanceStatus
from desk.incidents import IllegalTransition, Status
from services.alarms import AlarmService
from services.runtime import DeskRuntime
from services.signals import DeskSignals
from services.store import Changes
from views import feed_health, problems, queue, theme
from views.alarm_banner import AlarmBanner, AudioFailureBanner, Flash
from views.alarm_settings import AlarmSettingsDialog
from views.feed_health import FeedHealthModel
from views.incident_data import load_grids, load_responders
from views.incident_panel import IncidentPanel, refusal_text
from views.labels import INCIDENT_KINDS, grievance_status_text, incident_kind, status_text
from views.lock import DeskLock
from views.map_view import MapView
from views.problems import ProblemTableModel
from views.prompts import ask
from views.queue import INCIDENT_ID_ROLE, QueueFilter, QueueModel
from views.shift import ShiftDesk, shift_service
from views.sign_in import ChangePasswordDialog, SignInDialog, operator_text
from views.staff import StaffBoard, StaffModel
from views.theme import Theme
from views.timespan import span_text, widest_age_texts
from views.users_admin import AdminMenu
from widgets.priority_chip import PriorityChipDelegate

log = logging.getLogger("desk.ui")

# how often committed changes are pulled into the table (coalescing bursts)
FLUSH_MS = 100
# the problems pane reads the database at most this often
PROBLEMS_MIN_INTERVAL_S = 1.0
# a feed's bookkeeping (its protocol error, gap, notice) is committed just after its status
# changes: the problems are read this much later, and once more a while after
PROBLEMS_SETTLE_MS = 250
PROBLEMS_FOLLOW_UP_MS = 1500
# and every so often anyway (a server's error frame changes no figure)
PROBLEMS_POLL_MS = 10_000
# at least this size, in points, for the text in the tables (read from a metre away)
TABLE_POINTS = 13
PROBLEM_POINTS = 12
# the Place column shows a whole address up to this width, then cuts (the tooltip has it all)
PLACE_MAX_PX = 260
PERSON_MAX_PX = 160
# the queue's columns are measured again at most this often (measuring reads many rows)
FIT_INTERVAL_S = 3.0
# and over at most this many rows
FIT_SAMPLE_ROWS = 200
# Each full pass of Python's cycle collector scans every object the process holds, and a big queue
# holds four per row: at 60k rows a pass froze the GUI for 150-240 ms (2 cores), and passes come as
# the heap grows by a quarter. Rows hold no reference cycles (they are freed as their incidents
# leave) and live long, so each time the queue's high-water mark grows by this many rows what the
# process holds is moved out of those scans (gc.freeze); a queue that never gets this big is never
# frozen.
GC_FREEZE_ROWS = 5000
TYPE_MAX_PX = 280
TITLE_MIN_PX = 220  # the queue's title column is never squeezed below this by the others
SHARED_MIN_PX = 64  # how narrow the type, place and name columns may get to leave it that
SHARED_COLUMNS = (queue.COL_TYPE, queue.COL_PLACE, queue.COL_PERSON, queue.COL_ASSIGNEE)
FEED_NAME_MAX_PX = 240
REF_MAX_PX = 320
# the staff board reads the directory, tasks and positions at most this often
STAFF_MIN_INTERVAL_MS = 5000


def _font(points: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def _table(model: FeedHealthModel | QueueModel | ProblemTableModel, points: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setFont(_font(points))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(QFontMetrics(view.font()).height() + 14)
    header = view.horizontalHeader()
    header.setFont(_font(12, bold=True))  # its colours and air: views.theme.header_style
    header.setStretchLastSection(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    return view


def _fit(view: QTableView, column: int, cap: int, *, texts: list[str] | None = None) -> None:
    """Size a column to its header and its (visible) cells, or to `texts`, at most `cap` pixels."""
    header = view.horizontalHeader()
    want = header.sectionSizeFromContents(column).width()
    if texts is not None:
        metrics = QFontMetrics(view.font())
        bold = QFontMetrics(_font(view.font().pointSize(), bold=True))
        widest = max(max(metrics.horizontalAdvance(t), bold.horizontalAdvance(t)) for t in texts)
        want = max(want, widest + 20)  # the cell's margins and a little air
    else:
        want = max(want, view.sizeHintForColumn(column) + 12)
    want = min(want, cap)
    if view.columnWidth(column) != want:
        view.setColumnWidth(column, want)


def share_room(wanted: dict[int, int], room: int, floor: int) -> dict[int, int]:
    """Widths for columns that want `wanted` pixels within `room`: all they want if it fits, else
    in proportion to what they want, none below `floor` (a column at the floor leaves the rest
    to the others)."""
    if sum(wanted.values()) <= room:
        return dict(wanted)
    out: dict[int, int] = {}
    active = dict(wanted)
    while active:
        total = sum(active.values())
        if total <= 0:
            out.update(active)
            break
        scale = max(0, room) / total
        low = [c for c, w in active.items() if w * scale < floor]
        if not low:
            out.update({c: int(w * scale) for c, w in active.items()})
            break
        for c in low:
            out[c] = min(floor, active.pop(c))
            room -= out[c]
    return out


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(_font(15, bold=True))
    return label


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("refreshing the window failed", exc_info=task.exception())


class DeskWindow(QMainWindow):
    """Feeds on top (always visible, as tall as their rows), open incidents, data problems below.

    closed(): the operator closed the window (the services stop after it).
    """

    closed = Signal()

    def __init__(
        self,
        runtime: DeskRuntime,
        signals: DeskSignals,
        theme_choice: Theme | None = None,
        alarms: AlarmService | None = None,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        # who is signed in (services.auth.AuthService; a stand-in runtime in layout tests has none)
        self.auth: Any = getattr(runtime, "auth", None)
        self.setWindowTitle(self.tr("Duty Desk — community command center"))
        self.setFont(_font(12))
        self.feed_model = FeedHealthModel(self)
        grids = load_grids()
        self.incident_model = QueueModel(
            self,
            policy=runtime.config.sla,
            grid_of=lambda lat, lon: g.ref if (g := grid_of(lat, lon, grids)) else None,
            accept_within=runtime.config.accept_within,
        )
        self._grids = grids
        self.problem_model = ProblemTableModel(self)

        # feeds: every column to its contents (a handful of rows: cheap), the detail takes the rest
        self.feed_view = _table(self.feed_model, TABLE_POINTS)
        feed_header = self.feed_view.horizontalHeader()
        for col in range(self.feed_model.columnCount()):
            feed_header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        feed_header.setSectionResizeMode(feed_health.COL_DETAIL, QHeaderView.ResizeMode.Stretch)
        self.feed_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.feed_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.feed_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.feed_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.feed_model.rowsInserted.connect(self._fit_feed_height)
        self.feed_model.rowsRemoved.connect(self._fit_feed_height)

        # the dispatch queue: the title takes the room, the place as much as it needs up to a limit
        self.incident_view = _table(self.incident_model, TABLE_POINTS)
        self.incident_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.incident_view.setItemDelegateForColumn(
            queue.COL_PRIORITY, PriorityChipDelegate(self.incident_view)
        )
        inc_header = self.incident_view.horizontalHeader()
        inc_header.setSectionResizeMode(queue.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        inc_header.setResizeContentsPrecision(FIT_SAMPLE_ROWS)
        chip = QFontMetrics(_font(TABLE_POINTS, bold=True)).horizontalAdvance("P4") + 28
        self.incident_view.setColumnWidth(
            queue.COL_PRIORITY, max(chip, inc_header.sectionSizeFromContents(0).width())
        )
        states = [status_text(s) for s in Status] + [grievance_status_text(s) for s in GrievanceStatus]
        _fit(self.incident_view, queue.COL_STATUS, 400, texts=states)  # a grievance shows its case's
        _fit(self.incident_view, queue.COL_AGE, 400, texts=widest_age_texts())
        _fit(self.incident_view, queue.COL_SLA, 400, texts=[self.incident_model.widest_sla_text()])
        _fit(self.incident_view, queue.COL_REPEATS, 200, texts=["999"])
        self._wanted_widths: dict[int, int] = {}  # the shared columns as wide as their text
        self._queue_viewport = self.incident_view.viewport()
        self._queue_viewport.installEventFilter(self)
        self.incident_view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.incident_model.p1_unacknowledged_changed.connect(self._on_p1_unacknowledged)

        # the filters and the search box above the queue
        self.kind_filter = QComboBox()
        self.kind_filter.addItem(self.tr("All types"), "")
        for kind in INCIDENT_KINDS:
            self.kind_filter.addItem(incident_kind(kind), kind)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All states"), "")
        for st in Status:
            if st.value in ("new", "acknowledged", "dispatched", "on_scene", "escalated"):
                self.status_filter.addItem(status_text(st), st.value)
        self.priority_filter = QComboBox()
        self.priority_filter.addItem(self.tr("All priorities"), 0)
        for prio in (1, 2, 3, 4):
            self.priority_filter.addItem(f"P{prio}", prio)
        self.grid_filter = QComboBox()
        self.grid_filter.addItem(self.tr("All grids"), "")
        for grid in grids:
            self.grid_filter.addItem(grid.name, grid.ref)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search title, place, person, number…"))
        self.search.setClearButtonEnabled(True)
        for combo in (self.kind_filter, self.status_filter, self.priority_filter, self.grid_filter):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.search.textChanged.connect(self._apply_filter)
        self.p1_banner = QLabel()
        self.p1_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.p1_banner.setStyleSheet(
            "background: #c62828; color: white; font-weight: bold; font-size: 15pt; padding: 6px 12px;"
        )
        self.p1_banner.hide()
        # the database refuses to write: nothing new is stored or acknowledged until it takes writes
        self.storage_banner = QLabel()
        self.storage_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.storage_banner.setWordWrap(True)
        self.storage_banner.setStyleSheet(
            "background: #6a1b9a; color: white; font-weight: bold; font-size: 13pt; padding: 6px 12px;"
        )
        self.storage_banner.hide()

        # the selected incident, beside the queue; its keys work from anywhere in the window
        self.panel = IncidentPanel(
            runtime,
            self.operator_name(),
            self,
            policy=runtime.config.sla,
            shortcut_context=Qt.ShortcutContext.WindowShortcut,
            accept_within=runtime.config.accept_within,
        )
        self.panel.incident_changed.connect(lambda incident_id: self._pending.add(incident_id))
        signals.changes_committed.connect(self.panel.on_changes)

        # problems: the reason takes the room
        self.problem_view = _table(self.problem_model, PROBLEM_POINTS)
        prob_header = self.problem_view.horizontalHeader()
        prob_header.setSectionResizeMode(problems.COL_REASON, QHeaderView.ResizeMode.Stretch)
        _fit(self.problem_view, problems.COL_TIME, 300, texts=["12-31 23:59:59"])
        self.problem_view.setToolTipDuration(60_000)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.feed_title = _title(self.tr("Feeds"))
        self.incident_title = _title(self.tr("Open incidents"))

        top = QWidget()
        lay = QVBoxLayout(top)
        lay.setContentsMargins(8, 8, 8, 0)
        lay.addWidget(self.feed_title)
        lay.addWidget(self.feed_view)
        middle = QWidget()
        lay2 = QVBoxLayout(middle)
        lay2.setContentsMargins(8, 0, 8, 0)
        lay2.addWidget(self.incident_title)
        lay2.addWidget(self.storage_banner)
        lay2.addWidget(self.p1_banner)
        bar = QHBoxLayout()
        for widget in (self.kind_filter, self.status_filter, self.priority_filter, self.grid_filter):
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        lay2.addLayout(bar)
        lay2.addWidget(self.incident_view)
        problems_page = QWidget()
        lay3 = QVBoxLayout(problems_page)
        lay3.setContentsMargins(4, 4, 4, 0)
        lay3.addWidget(self.problem_view)
        # staff and teams: who is on duty, busy or off duty (the lead sets it here)
        self.staff_model = StaffModel(self, grid_names={g.ref: g.name for g in grids})
        self.staff_board = StaffBoard(runtime, self.operator_name(), self.staff_model, TABLE_POINTS - 1)
        self.staff_board.refresh_wanted.connect(self.request_staff)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(problems_page, self.tr("Data problems"))
        self.bottom_tabs.addTab(self.staff_board, self.tr("Staff and teams"))
        bottom = QWidget()
        lay4 = QVBoxLayout(bottom)
        lay4.setContentsMargins(8, 0, 8, 0)
        lay4.addWidget(self.bottom_tabs)
        # explicit minimums: a desk on a small screen can still shrink the window (the panel's
        # buttons and the filter bar would otherwise ask for 1,500 px)
        middle.setMinimumWidth(420)
        self.panel.setMinimumWidth(320)
        for combo in (self.kind_filter, self.status_filter, self.priority_filter, self.grid_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
        self.beside = QSplitter(Qt.Orientation.Horizontal)
        self.beside.setChildrenCollapsible(False)
        self.beside.addWidget(middle)
        # the panel scrolls when the window is short (a laptop, a split screen): its actions stay
        # reachable and the queue keeps its rows
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setWidget(self.panel)
        self.panel_scroll.setWidgetResizable(True)
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setMinimumWidth(340)
        self.beside.addWidget(self.panel_scroll)
        self.beside.setStretchFactor(0, 2)
        self.beside.setStretchFactor(1, 1)
        self.beside.setSizes([1300, 620])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.beside)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([650, 250])
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 6)
        outer.setSpacing(0)
        # the alarms first: the banner, its confirmation, the check-in request, a dead speaker
        self.alarms = alarms
        self.audio_banner = AudioFailureBanner()
        outer.addWidget(self.audio_banner)
        self.alarm_banner: AlarmBanner | None = None
        if alarms is not None:
            self.alarm_banner = AlarmBanner(alarms, self.operator_name(), self)
            outer.addWidget(self.alarm_banner)
            outer.addWidget(self.alarm_banner.confirmation)
            outer.addWidget(self.alarm_banner.checkin_request)
        outer.addWidget(top)
        outer.addWidget(self.splitter, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        outer.addWidget(line)
        self.summary.setContentsMargins(8, 0, 8, 0)
        outer.addWidget(self.summary)
        self.setCentralWidget(central)
        self.resize(1400, 900)

        self._closing = False
        self.escalations: list[str] = []  # what was put to the shift lead's attention this session
        self._notices: list[tuple[AlarmEvent, str]] = []  # this moment's alarms, for one notice
        self.alarm_settings: AlarmSettingsDialog | None = None
        self._fitted_at = 0.0
        self._pending: set[int] = set()
        self._pending_feeds: set[str] = set()  # feeds whose figures a commit moved
        self._frozen_at_rows = 0  # the queue's size when the heap was last frozen (GC_FREEZE_ROWS)
        self._fetching: asyncio.Future[None] | None = None  # the queue's read in progress
        self._stored = 0
        self._quarantined = 0
        self._counts_changed = False
        self._problems_wanted = False
        self._problems_busy = False
        self._problems_last = 0.0
        self._problems_timer = QTimer(self)
        self._problems_timer.setSingleShot(True)
        self._problems_timer.setTimerType(Qt.TimerType.PreciseTimer)  # "at most once a second", not 5 % less
        self._problems_timer.timeout.connect(self._refresh_problems)
        self._problems_follow_up = QTimer(self)
        self._problems_follow_up.setSingleShot(True)
        self._problems_follow_up.setInterval(PROBLEMS_FOLLOW_UP_MS)
        self._problems_follow_up.timeout.connect(self.request_problems)
        self._problems_poll = QTimer(self)
        self._problems_poll.setInterval(PROBLEMS_POLL_MS)
        self._problems_poll.timeout.connect(self.request_problems)
        self._problems_poll.start()
        signals.feed_status_changed.connect(self.on_feed_status)
        signals.changes_committed.connect(self.on_changes)
        signals.storage_trouble.connect(self.on_storage_trouble)
        self.on_storage_trouble(runtime.storage_trouble)
        for status_ in runtime.statuses():
            self.feed_model.update(status_)
        self._fit_feed_height()
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._flush_timer.start()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._staff_busy = False
        self._staff_wanted = False
        self._staff_timer = QTimer(self)
        self._staff_timer.setSingleShot(True)
        self._staff_timer.setInterval(STAFF_MIN_INTERVAL_MS)
        self._staff_timer.timeout.connect(self._refresh_staff)
        self._staff_poll = QTimer(self)
        self._staff_poll.setInterval(30_000)  # the positions' ages, and a directory that changed quietly
        self._staff_poll.timeout.connect(self.request_staff)
        self._staff_poll.start()
        signals.changes_committed.connect(self._on_staff_changes)
        self._build_menus()
        self._build_shift(signals)
        self._build_map(signals)
        self._build_operator()
        self._build_lock()
        self.flash = Flash(self)
        self.tray: QSystemTrayIcon | None = None
        if alarms is not None:
            alarms.on_update = self.on_alarms
            alarms.on_event = self.on_alarm_event
            QTimer.singleShot(0, self.on_alarms)  # what already sounds (before the sign-in, say)
            if QSystemTrayIcon.isSystemTrayAvailable():
                self.tray = QSystemTrayIcon(self.windowIcon() or QIcon(), self)
                self.tray.setToolTip(self.windowTitle())
                self.tray.activated.connect(lambda _reason: self._bring_forward())
                self.tray.show()
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
        self._theme_choice = self._initial_theme(theme_choice)
        self._theme_clock = QTimer(self)  # AUTO follows the clock: looked at every minute
        self._theme_clock.setInterval(60_000)
        self._theme_clock.timeout.connect(self._follow_clock)
        self._theme_clock.start()
        self.set_theme(self._theme_choice, remember=False)
        self._update_summary()
        self._restore()

    # ---- live updates ----------------------------------------------------------------------------
    def on_feed_status(self, status: FeedStatus) -> None:
        if self._closing:  # the feeds report while they stop, after the window closed
            return
        old = self.feed_model.update(status)
        if old is None or (
            status.protocol_errors > old.protocol_errors
            or status.gaps > old.gaps
            or status.state is not old.state
            or status.stream != old.stream
        ):
            # the feed's bookkeeping is written just after this: read it a little later, and again
            self.request_problems()
            self._problems_follow_up.start()

    def on_storage_trouble(self, reason: str | None) -> None:
        """The database refused to write (events wait in the desk, unacknowledged), or writes again."""
        if reason is None:
            if self.storage_banner.isVisible():
                log.warning("the database takes writes again")
            self.storage_banner.hide()
            return
        self.storage_banner.setText(
            self.tr(
                "The database refuses to write: new events are held, not acknowledged, and tried "
                "again every few seconds. Call technical support. ({0})"
            ).format(reason)
        )
        self.storage_banner.setToolTip(reason)
        self.storage_banner.show()

    def on_changes(self, changes: Changes) -> None:
        # a burst commits many small batches: everything here is only noted, and shown by _flush
        self._pending |= changes.incidents
        self._pending_feeds |= changes.feeds
        self._stored += changes.stored
        self._quarantined += len(changes.quarantined)
        self._counts_changed = True
        if changes.quarantined:
            self.request_problems()

    async def load(self) -> None:
        self.incident_model.replace_all(await self.runtime.queue_items())
        self._freeze_long_lived()
        self._fit_incident_columns()
        self._update_summary()
        self.problem_model.set_problems(await self.runtime.problems(limit=200))
        self._problems_last = time.monotonic()
        self._fit_problem_columns()
        self._update_summary()
        self.request_staff()

    def _flush(self) -> None:
        if self._counts_changed:  # events that touch no incident (positions, quarantined) count too
            self._counts_changed = False
            self._update_summary()
        feeds, self._pending_feeds = self._pending_feeds, set()
        for feed in feeds:  # their cursors and last event times, once per flush
            client = self.runtime.feeds.get(feed)
            if client is not None:
                self.on_feed_status(client.status())
        if not self._pending or (self._fetching is not None and not self._fetching.done()):
            return  # one read at a time: an older read finishing last would show an older state
        ids, self._pending = list(self._pending), set()
        task = self._fetching = asyncio.ensure_future(self._fetch(ids))
        task.add_done_callback(_log_failure)

    async def _fetch(self, ids: list[int]) -> None:
        try:
            items = await self.runtime.queue_items(ids)
        except Exception:
            self._pending.update(ids)  # read again at the next flush
            raise
        self.incident_model.apply(items)
        self._freeze_long_lived()
        self._fit_incident_columns(throttled=True)
        self._update_summary()

    def _freeze_long_lived(self) -> None:
        """Keep a big queue's rows out of the cycle collector's full passes (see GC_FREEZE_ROWS)."""
        rows = self.incident_model.total
        if rows - self._frozen_at_rows < GC_FREEZE_ROWS:
            return
        self._frozen_at_rows = rows
        gc.collect(1)  # young garbage goes first; what is frozen is what is still in use
        gc.freeze()

    # ---- the problems pane: throttled reads ------------------------------------------------------
    def request_problems(self) -> None:
        """Read the problems again soon: after a short settle, at most once a second."""
        if self._closing:
            return
        self._problems_wanted = True
        if self._problems_busy or self._problems_timer.isActive():
            return
        since = time.monotonic() - self._problems_last
        wait_ms = max(PROBLEMS_SETTLE_MS, int((PROBLEMS_MIN_INTERVAL_S - since) * 1000))
        self._problems_timer.start(wait_ms)

    def _refresh_problems(self) -> None:
        if self._closing or self._problems_busy or not self._problems_wanted:
            return
        self._problems_wanted = False
        self._problems_busy = True
        self._problems_last = time.monotonic()
        task = asyncio.ensure_future(self._fetch_problems())
        task.add_done_callback(_log_failure)
        task.add_done_callback(self._problems_done)

    async def _fetch_problems(self) -> None:
        self.problem_model.set_problems(await self.runtime.problems(limit=200))
        self._fit_problem_columns()
        self._update_summary()

    def _problems_done(self, _task: asyncio.Future[None]) -> None:
        self._problems_busy = False
        if self._problems_wanted and not self._closing:  # asked again while reading
            self._problems_wanted = False
            self.request_problems()

    # ---- sizes ------------------------------------------------------------------------------------
    def _fit_feed_height(self) -> None:
        view = self.feed_view
        rows = max(1, self.feed_model.rowCount())
        height = (
            view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + 2 * view.frameWidth()
        )
        view.setFixedHeight(height)

    def _fit_incident_columns(self, *, throttled: bool = False) -> None:
        """Size the queue's columns to what it shows. Measuring asks every row measured for its
        text: under a burst it runs at most every few seconds, over the rows on screen only (200
        rows cost 60-140 ms of GUI for the four columns while the ingest ran)."""
        now = time.monotonic()
        busy = self.incident_model.rowCount() > FIT_SAMPLE_ROWS
        if throttled and busy and now - self._fitted_at < FIT_INTERVAL_S:
            return
        self._fitted_at = now
        # Qt measures a column over this many rows (0: the visible ones)
        self.incident_view.horizontalHeader().setResizeContentsPrecision(0 if busy else FIT_SAMPLE_ROWS)
        _fit(self.incident_view, queue.COL_TYPE, TYPE_MAX_PX)
        _fit(self.incident_view, queue.COL_PLACE, PLACE_MAX_PX)
        _fit(self.incident_view, queue.COL_PERSON, PERSON_MAX_PX)
        _fit(self.incident_view, queue.COL_ASSIGNEE, PERSON_MAX_PX)
        self._wanted_widths = {c: self.incident_view.columnWidth(c) for c in SHARED_COLUMNS}
        self._keep_title_room()

    def _keep_title_room(self) -> None:
        """The title keeps room to be read: where the queue is too narrow for every column as
        wide as its text (English words, a narrow window), the type, place and names give way
        (their cells elide, the whole text is in the tooltip and the panel), not the title."""
        view, header = self.incident_view, self.incident_view.horizontalHeader()
        wanted = self._wanted_widths or {c: view.columnWidth(c) for c in SHARED_COLUMNS}
        others = sum(
            header.sectionSize(c)
            for c in range(self.incident_model.columnCount())
            if c != queue.COL_TITLE and c not in SHARED_COLUMNS and not header.isSectionHidden(c)
        )
        widths = share_room(wanted, view.viewport().width() - others - TITLE_MIN_PX, SHARED_MIN_PX)
        for col, width in widths.items():
            if view.columnWidth(col) != width:
                view.setColumnWidth(col, width)

    # ---- the queue: filters, selection, the unacknowledged P1 banner -------------------------
    def _apply_filter(self) -> None:
        flt = QueueFilter(text=self.search.text().strip())
        if kind := self.kind_filter.currentData():
            flt.kinds = {kind}
        if state := self.status_filter.currentData():
            flt.statuses = {Status(state)}
        if prio := self.priority_filter.currentData():
            flt.priorities = {int(prio)}
        if grid := self.grid_filter.currentData():
            flt.grids = {grid}
        self.incident_model.set_filter(flt)
        self._update_summary()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        incident_id = current.data(INCIDENT_ID_ROLE) if current.isValid() else None
        if incident_id is None:
            return
        task = asyncio.ensure_future(self.panel.show_incident(int(incident_id)))
        task.add_done_callback(_log_failure)

    def select_incident(self, incident_id: int) -> bool:
        """Select an incident in the queue (and so show it beside); False if it is not shown."""
        row = self.incident_model.row_of(incident_id)
        if row is None:
            return False
        self.incident_view.selectRow(row)
        self.incident_view.scrollTo(self.incident_model.index(row, 0))
        return True

    def _on_p1_unacknowledged(self, count: int) -> None:
        self.p1_banner.setText(self.tr("%n P1 incident(s) not acknowledged", "", count))
        self.p1_banner.setVisible(count > 0)

    def _fit_problem_columns(self) -> None:
        _fit(self.problem_view, problems.COL_FEED, FEED_NAME_MAX_PX)
        _fit(self.problem_view, problems.COL_KIND, TYPE_MAX_PX)
        _fit(self.problem_view, problems.COL_REF, REF_MAX_PX)

    def _tick(self) -> None:
        if self.alarm_banner is not None:
            self.alarm_banner.refresh()
        self.incident_model.tick()
        self.feed_model.refresh_ages()

    def _update_summary(self) -> None:
        self.incident_title.setText(self.tr("Open incidents: %n", "", self.incident_model.rowCount()))
        self.bottom_tabs.setTabText(0, self.tr("Data problems: %n", "", self.problem_model.rowCount()))
        self.summary.setText(
            self.tr("Events stored this session: {0}; quarantined: {1}").format(
                self._stored, self._quarantined
            )
        )

    # ---- the staff board: throttled reads -------------------------------------------------------
    def _on_staff_changes(self, changes: Changes) -> None:
        if changes.tasks or changes.profiles:
            self.request_staff()

    def request_staff(self) -> None:
        """Read the staff board again: now if it has not been read for a while, else a bit later."""
        if self._closing:
            return
        self._staff_wanted = True
        if not self._staff_busy and not self._staff_timer.isActive():
            self._refresh_staff()

    def _refresh_staff(self) -> None:
        if self._staff_busy or not self._staff_wanted or self._closing:
            return
        self._staff_wanted = False
        self._staff_busy = True
        task = asyncio.ensure_future(self._fetch_staff())
        task.add_done_callback(_log_failure)

    async def _fetch_staff(self) -> None:
        try:
            self.staff_model.set_responders(await load_responders(self.runtime))
        finally:
            self._staff_busy = False
            if not self._closing:
                self._staff_timer.start()  # the next read no sooner than this

    # ---- alarms -------------------------------------------------------------------------------------
    def on_alarms(self) -> None:
        """The alarms changed: the banner, the flash, the check-in request, the speaker's health."""
        if self._closing or self.alarms is None:
            return
        if self.alarm_banner is not None:
            self.alarm_banner.refresh()
            self.alarm_banner.show_checkin_request(self.alarms.checkin.due)
        self.flash.set_flashing(self.alarms.escalated())
        if self.alarms.sound_failure is not None:
            self.audio_banner.failed(self.alarms.sound_failure)
        else:
            self.audio_banner.recovered()

    def on_alarm_event(self, event: AlarmEvent) -> None:
        """Raised and escalated alarms reach the operator even when the window is covered.

        The alarms of one moment make one notice (a flood of falls is one message saying how many,
        not thousands of them)."""
        if self._closing:
            return
        if event.kind in (AlarmEventKind.RAISED, AlarmEventKind.ESCALATED, AlarmEventKind.CHECKIN_MISSED):
            alarm = self.alarms.board.get(event.key) if self.alarms is not None else None
            title = alarm.title if alarm is not None else self.tr("Night check-in missed")
            if alarm is not None and alarm.place:
                title = f"{title} · {alarm.place}"
            if not self._notices:
                QTimer.singleShot(0, self._give_notice)
            self._notices.append((event, title))

    def _give_notice(self) -> None:
        notices, self._notices = self._notices, []
        if self._closing or not notices:
            return
        raised = [title for event, title in notices if event.kind is not AlarmEventKind.ESCALATED]
        climbed = [(event, title) for event, title in notices if event.kind is AlarmEventKind.ESCALATED]
        QApplication.alert(self)  # the taskbar asks for attention
        hidden = self.isMinimized() or not self.isActiveWindow()
        texts: list[str] = []
        if raised:
            texts.append(
                raised[0]
                if len(raised) == 1
                else self.tr("%n new alarms, first: {0}", "", len(raised)).format(raised[0])
            )
        if climbed:
            event, title = climbed[0]
            after = span_text(event.after_s or 0)
            text = self.tr("Still not acknowledged after {0}: {1}").format(after, title)
            if len(climbed) > 1:
                many = self.tr("%n alarms still not acknowledged, first after {0}: {1}", "", len(climbed))
                text = many.format(after, title)
            self.escalations.append(text)
            self.statusBar().showMessage(self.tr("Escalated to the shift lead: {0}").format(text), 60_000)
            texts.append(text)
        if self.tray is not None and (hidden or climbed):
            self.tray.showMessage(
                self.tr("Duty Desk alarm"), "\n".join(texts), QSystemTrayIcon.MessageIcon.Critical, 15_000
            )

    def _bring_forward(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._queue_viewport and event.type() == QEvent.Type.Resize:
            self._keep_title_room()  # a wider window gives the columns their text back
            return False
        # any key or click anywhere: the operator is at the desk (the night check-in counts on it)
        alarms = getattr(self, "alarms", None)  # the queue's viewport reports before it is set
        if alarms is not None and event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.Wheel,
        ):
            alarms.activity()
        return False

    def operator_name(self) -> str:
        """The signed-in operator's user name: what the records say did it (empty: nobody signed in)."""
        op = self.auth.current if self.auth is not None else None
        return op.username if op is not None else ""

    def set_operator_name(self, name: str) -> None:
        """After a sign-in or a change of operator: every view acts as the new operator."""
        self.panel.by = name
        self.staff_board.desk_id = name
        if self.alarm_banner is not None:
            self.alarm_banner.desk_id = name
        map_view = getattr(self, "map_view", None)
        if map_view is not None:
            map_view.by = name

    def test_alarm(self) -> None:
        """Alarm → Test the alarm: the start of every shift (logged by the sound service's owner)."""
        if self.alarms is not None:
            try:
                self.alarms.test_alarm(self.operator_name())
            except IllegalTransition as exc:
                self.statusBar().showMessage(refusal_text(exc), 8000)
                return
            if self.alarm_banner is not None:
                self.alarm_banner.confirm(self.tr("Alarm test played — did you hear it?"))

    def open_alarm_settings(self) -> None:
        """Alarm → Alarm settings…: volume and output device (kept for the next start, and logged)."""
        if self.alarms is None:
            return
        task = asyncio.ensure_future(self._alarm_settings())
        task.add_done_callback(_log_failure)

    async def _alarm_settings(self) -> None:
        assert self.alarms is not None
        devices = await self.alarms.devices()
        self.alarm_settings = AlarmSettingsDialog(self, self.alarms.volume, self.alarms.device, devices)
        self.alarm_settings.test_requested.connect(self.test_alarm)
        if not await ask(self.alarm_settings):
            return
        volume = self.alarm_settings.chosen_volume()
        device = self.alarm_settings.chosen_device()
        try:
            self.alarms.set_output(volume, device, self.operator_name())
        except IllegalTransition as exc:
            self.statusBar().showMessage(refusal_text(exc), 8000)
            return
        settings = QSettings()
        settings.setValue("alarm/volume", volume)
        settings.setValue("alarm/device", device or "")
        if self.alarm_banner is not None:
            self.alarm_banner.confirm(
                self.tr("Alarm volume {0} %, output: {1}").format(
                    volume, device or self.tr("the system's default")
                )
            )

    # ---- menus and the theme ----------------------------------------------------------------------
    def _build_menus(self) -> None:
        alarm_menu = self.menuBar().addMenu(self.tr("&Alarm"))
        test = QAction(self.tr("Test the alarm"), self)
        test.triggered.connect(self.test_alarm)
        alarm_menu.addAction(test)
        self.test_alarm_action = test
        settings = QAction(self.tr("Alarm settings…"), self)
        settings.triggered.connect(self.open_alarm_settings)
        alarm_menu.addAction(settings)
        self.alarm_settings_action = settings
        for action in (test, settings):
            action.setEnabled(self.alarms is not None)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.theme_actions: dict[Theme, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for choice, label in (
            (Theme.AUTO, self.tr("Theme by the clock (night 19:00–07:00)")),
            (Theme.DAY, self.tr("Day theme")),
            (Theme.NIGHT, self.tr("Night theme")),
        ):
            action = QAction(label, self)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, c=choice: self.set_theme(c))
            group.addAction(action)
            view_menu.addAction(action)
            self.theme_actions[choice] = action
        view_menu.addSeparator()
        staff = QAction(self.tr("Staff and teams"), self)
        staff.setShortcut("Ctrl+Shift+S")
        staff.triggered.connect(self.show_staff)
        view_menu.addAction(staff)
        problems_action = QAction(self.tr("Data problems"), self)
        problems_action.setShortcut("Ctrl+Shift+P")
        problems_action.triggered.connect(lambda: self.bottom_tabs.setCurrentIndex(0))
        view_menu.addAction(problems_action)

    def show_staff(self) -> None:
        self.bottom_tabs.setCurrentWidget(self.staff_board)
        self.staff_board.view.setFocus()
        self.request_staff()

    @staticmethod
    def _initial_theme(choice: Theme | None) -> Theme:
        if choice is not None:
            return choice
        try:
            return Theme(str(QSettings().value("ui/theme", Theme.AUTO.value)))
        except ValueError:
            return Theme.AUTO

    @property
    def theme_choice(self) -> Theme:
        return self._theme_choice

    def set_theme(self, choice: Theme, *, remember: bool = True) -> None:
        """Day, night or by the clock; the whole window repaints in it and the choice is kept."""
        self._theme_choice = choice
        self.theme_actions[choice].setChecked(True)
        if remember:
            QSettings().setValue("ui/theme", choice.value)
        self._paint_theme(theme.resolve(choice))

    def _follow_clock(self) -> None:
        if self._theme_choice is Theme.AUTO:
            wanted = theme.resolve(Theme.AUTO)
            if wanted is not theme.colors():
                self._paint_theme(wanted)

    def _paint_theme(self, colors: theme.Colors) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, colors)
        for view in (self.feed_view, self.incident_view, self.problem_view, self.staff_board.view):
            view.horizontalHeader().setStyleSheet(theme.header_style(colors))
            view.viewport().update()
        # a widget with a style sheet of its own took its colours when it was polished: polish
        # it again in the new palette (else its text stays in the old theme's ink)
        for widget in self.findChildren(QWidget):
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet("")
                widget.setStyleSheet(sheet)
        self._fit_feed_height()  # the header's air is part of its height

    # ---- layout memory ----------------------------------------------------------------------------
    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            pass
        else:  # the first time: the whole screen (the size too, for a desk without a window manager)
            screen = self.screen()
            if screen is not None:
                self.setGeometry(screen.availableGeometry())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        split = settings.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
        beside = settings.value("window/beside")
        if isinstance(beside, QByteArray):
            self.beside.restoreState(beside)
        tab = settings.value("window/bottom_tab")
        if tab is not None and str(tab).isdigit():
            self.bottom_tabs.setCurrentIndex(int(str(tab)))

    def closeEvent(self, event: QCloseEvent) -> None:
        # nothing fires after the window is closed (the feeds still report while they stop, and a
        # timer left running on a window that Python later frees from another thread crashes Qt)
        self._closing = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.tray is not None:
            self.tray.hide()
        for timer in self.findChildren(QTimer):
            timer.stop()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/beside", self.beside.saveState())
        settings.setValue("window/bottom_tab", self.bottom_tabs.currentIndex())
        super().closeEvent(event)
        self.closed.emit()

    # ---- the shift ----------------------------------------------------------------------------------
    def _build_operator(self) -> None:
        """Who is signed in, always in the status line; Operator → change operator, change password."""
        self.operator_label = QLabel(operator_text(self.auth.current if self.auth is not None else None))
        self.operator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.operator_label.setStyleSheet("font-weight: bold; padding: 0 8px;")
        self.statusBar().addPermanentWidget(self.operator_label)
        # the first menu, where a desktop application keeps its File menu
        menu = QMenu(self.tr("&Operator"), self)
        self.menuBar().insertMenu(self.menuBar().actions()[0], menu)
        self.change_operator_action = QAction(self.tr("Change operator…"), self)
        self.change_operator_action.triggered.connect(self.change_operator)
        menu.addAction(self.change_operator_action)
        self.change_password_action = QAction(self.tr("Change password…"), self)
        self.change_password_action.triggered.connect(self.change_password)
        menu.addAction(self.change_password_action)
        for action in (self.change_operator_action, self.change_password_action):
            action.setEnabled(self.auth is not None)
        self.admin = AdminMenu(self.runtime, menu, self)  # Users…, Import directory… (administrators)
        self.sign_in_dialog: SignInDialog | None = None
        self.set_operator_name(self.operator_name())  # the map was built acting as the desk
        if self.auth is not None:  # a sign-in anywhere (the lock, a test, the menu) reaches the window
            self.auth.on_operator_changed = lambda _op: self.on_operator_changed()

    def change_operator(self) -> None:
        """Operator → Change operator…: the next person signs in; the desk acts as them from then on."""
        task = asyncio.ensure_future(self._change_operator())
        task.add_done_callback(_log_failure)

    async def _change_operator(self) -> None:
        self.sign_in_dialog = SignInDialog(self.auth, self, title=self.tr("Change operator"))
        if await ask(self.sign_in_dialog):
            self.on_operator_changed()

    def change_password(self) -> None:
        task = asyncio.ensure_future(self._change_password())
        task.add_done_callback(_log_failure)

    async def _change_password(self) -> None:
        if await ask(ChangePasswordDialog(self.auth, self)):
            self.on_operator_changed()

    def on_operator_changed(self) -> None:
        op = self.auth.current if self.auth is not None else None
        self.set_operator_name(op.username if op is not None else "")
        self.operator_label.setText(operator_text(op))
        self.admin.update()

    # ---- the lock ----------------------------------------------------------------------------------
    def _build_lock(self) -> None:
        """Idle for `[security] lock_after_s` or Ctrl+L: the lock panel takes the place of everything
        below the alarm banners (they stay, F2 still acknowledges); the menus but Alarm are shut."""
        banners: list[QWidget] = [self.audio_banner]
        if self.alarm_banner is not None:
            banners += [self.alarm_banner, self.alarm_banner.confirmation, self.alarm_banner.checkin_request]
        outer = self.centralWidget().layout()  # type: ignore[union-attr]  # set in __init__
        assert isinstance(outer, QVBoxLayout)
        items = [outer.itemAt(i) for i in range(outer.count())]
        content = [w for it in items if it and (w := it.widget()) is not None and w not in banners]
        menus = [m for a in self.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
        self.lock = DeskLock(
            self,
            self.auth,
            outer,
            content,
            lock_after_s=getattr(getattr(self.runtime.config, "security", None), "lock_after_s", 600.0),
            closed_menus=[m for m in menus if self.test_alarm_action not in m.actions()],
            on_operator_changed=self.on_operator_changed,
        )

    def _build_shift(self, signals: DeskSignals) -> None:
        """Who is on shift (the status line), the "Shift log" tab, the Shift menu and the managers' review."""
        self.shift_desk = ShiftDesk(
            self, shift_service(self.runtime), lambda text: self.statusBar().showMessage(text, 15_000)
        )
        self.statusBar().addPermanentWidget(self.shift_desk.label)
        self.bottom_tabs.addTab(self.shift_desk.log_view, self.tr("Shift log"))
        menu = self.menuBar().addMenu(self.tr("S&hift"))
        desk = self.shift_desk
        for action in (desk.open_action, desk.handover_action, desk.report_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(desk.review_action)
        signals.changes_committed.connect(desk.request_refresh)
        signals.feed_status_changed.connect(desk.request_refresh)
        desk.request_refresh()

    # ---- the map ---------------------------------------------------------------------------------
    def _build_map(self, signals: DeskSignals) -> None:
        """The elder location map as the third column beside the queue and the panel (View → Map)."""
        self.map_view = MapView(self.runtime)
        self.beside.addWidget(self.map_view)
        self.beside.setStretchFactor(2, 2)
        signals.changes_committed.connect(self.map_view.on_changes)
        self.map_view.incident_selected.connect(self.select_incident)
        self.incident_view.selectionModel().currentRowChanged.connect(self._centre_map_on_row)
        self.closed.connect(self.map_view.close_down)
        self.map_action = QAction(self.tr("Map"), self)
        self.map_action.setCheckable(True)
        self.map_action.setShortcut("Ctrl+Shift+M")
        # hidden until asked for: the queue keeps its full width on a first start
        visible = bool(QSettings().value("window/map", False, type=bool))
        self.map_action.setChecked(visible)
        self.map_view.setVisible(visible)
        if visible:
            self.beside.setSizes([800, 520, 700])
        self.map_action.toggled.connect(self.show_map)
        theme_action = self.theme_actions[Theme.DAY]
        for top in self.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QWidget) and theme_action in menu.actions():
                menu.addAction(self.map_action)
        QTimer.singleShot(0, self._load_map)

    def _load_map(self) -> None:
        try:  # on the desk's loop only (a window built without one, in a test, has no map to read)
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if not self._closing:
            loop.create_task(self.map_view.load()).add_done_callback(_log_failure)

    def show_map(self, visible: bool) -> None:
        """View → Map (Ctrl+Shift+M): show or hide the map; the choice is kept for the next start."""
        self.map_view.setVisible(visible)
        sizes = self.beside.sizes()
        if visible and len(sizes) == 3 and sizes[2] < self.map_view.minimumWidth():
            total = sum(sizes)
            self.beside.setSizes([int(total * 0.42), int(total * 0.25), int(total * 0.33)])
        if self.map_action.isChecked() != visible:
            self.map_action.setChecked(visible)
        QSettings().setValue("window/map", visible)

    def _centre_map_on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        incident_id = current.data(INCIDENT_ID_ROLE) if current.isValid() else None
        if incident_id is not None and self.map_view.isVisible():
            self.map_view.show_incident(int(incident_id))
