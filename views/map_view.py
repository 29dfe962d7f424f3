"""The elder location map: the community's offline map with live elders, workers, teams and incidents.

Drawn by `widgets.map_canvas.MapCanvas` (QGraphicsView: see its docstring for why not pyqtgraph) on
a local metric plane (`desk.projection`: why not Web-Mercator). Every read runs in a worker thread
(`views.map_data`, asyncio.to_thread over the store's reads); positions arrive in bursts, so a commit
only notes which subjects moved and a 250 ms tick reads those and moves their markers, one read at
a time. Ages are looked at every 5 s (a marker turns stale without any event).

The shift lead draws an elder's safe zone on the map ("Draw safe zone": click the corners,
double-click or Enter to finish, Esc to cancel); it replaces home and radius for the wandering
watch until "Remove drawn zone". Both go through `runtime.set_safe_zone` (the writer, the desk log).

Signals:
- incident_selected(int): the operator picked this incident on the map (its marker, the card).
- elder_selected(str): the operator picked this elder (a click or the search).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk.community_map import CommunityMap, load_community_map
from desk.geofence import check_ring, zone_from_profile
from desk.incidents import Incident
from desk.markers import MarkerRules, MarkerState
from desk.projection import LocalProjection
from views.labels import incident_kind, readable_reason
from views.map_data import (
    ELDER,
    MapState,
    Person,
    card_of,
    elder_state,
    extend_trail,
    marker_style,
    read_devices,
    read_fixes,
    read_incidents,
    read_map_state,
    read_people,
    read_trail,
    update_incidents,
)
from widgets.map_canvas import PRIORITY_COLOURS, IncidentMark, MapCanvas, MarkerStyle

log = logging.getLogger("desk.map")

DEMO_COMMUNITY = Path(__file__).resolve().parent.parent / "resources" / "demo-community.geojson"
TICK_MS = 250
FULL_READ_AFTER = 5_000  # changed incidents past which one read of every open incident is cheaper
FULL_READ_EVERY_S = 60.0  # and one anyway this often while shown: a change nobody named is caught
AGES_MS = 5_000
#: zoom used when the map centres on something (metres per pixel)
CLOSE_M_PER_PX = 0.6

#: marker styles, bottom to top
STYLES: dict[str, MarkerStyle] = {
    "elder:offline": MarkerStyle("#616161", "#212121", 8.0, hollow=True),
    "elder:stale": MarkerStyle("#bdbdbd", "#616161", 8.0),
    "elder:normal": MarkerStyle("#43a047", "#1b5e20", 8.0),
    "elder:low_battery": MarkerStyle("#ffb300", "#8d6e00", 9.0),
    "worker": MarkerStyle("#1565c0", "#0d2c5a", 11.0, square=True),
    "team": MarkerStyle("#8e24aa", "#3c0a4a", 13.0, square=True),
    "elder:incident": MarkerStyle("#e53935", "#7f0000", 12.0),
}


class HasStore(Protocol):
    @property
    def store(self) -> Any: ...


class DrawsZones(Protocol):
    """The runtime's write for a drawn safe zone (services.runtime.DeskRuntime has it)."""

    async def set_safe_zone(self, elder: str, polygon: list[tuple[float, float]] | None, by: str) -> None: ...


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("map read failed", exc_info=task.exception())


def swatch(style: MarkerStyle | None = None, *, priority: int | None = None, size: int = 18) -> QPixmap:
    """A legend's sample of a marker style or of an incident's priority."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = size / 2
    if priority is not None:
        s = size * 0.42
        p.setBrush(QColor(PRIORITY_COLOURS[priority]))
        p.setPen(QPen(QColor("#212121"), 1.2))
        p.drawPolygon(
            QPolygonF([QPointF(c, c - s * 1.1), QPointF(c + s, c + s * 0.8), QPointF(c - s, c + s * 0.8)])
        )
    elif style is not None:
        cap = Qt.PenCapStyle.SquareCap if style.square else Qt.PenCapStyle.RoundCap
        d = min(style.size, size - 4.0)
        p.setPen(QPen(QColor(style.outline), d + 3, Qt.PenStyle.SolidLine, cap))
        p.drawPoint(QPointF(c, c))
        p.setPen(QPen(QColor("#ffffff" if style.hollow else style.fill), d, Qt.PenStyle.SolidLine, cap))
        p.drawPoint(QPointF(c, c))
        if style.hollow:
            p.setPen(QPen(QColor(style.fill), d * 0.45, Qt.PenStyle.SolidLine, cap))
            p.drawPoint(QPointF(c, c))
    p.end()
    return pix


class ElderCardWidget(QFrame):
    """The card of a clicked elder: masked name, age, conditions, contacts, wearable, last seen, incidents.

    incident_clicked(int): the operator picked one of the elder's open incidents.
    """

    incident_clicked = Signal(int)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("elderCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#elderCard { background: rgba(255,255,255,238); border: 1px solid #90a4ae; border-radius: 6px; }"
            " QLabel { color: #212121; }"
        )
        self.ref: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Close the card"))
        close.clicked.connect(self._close)
        head.addWidget(self.title, 1)
        head.addWidget(close)
        lay.addLayout(head)
        self.lines = QLabel()
        self.lines.setTextFormat(Qt.TextFormat.PlainText)  # names and conditions come from outside
        self.lines.setWordWrap(True)
        lay.addWidget(self.lines)
        self.incidents_box = QVBoxLayout()
        lay.addLayout(self.incidents_box)
        self.setFixedWidth(300)
        self.hide()

    def _close(self) -> None:
        self.hide()
        self.closed.emit()

    def show_card(self, card: Any, now: datetime) -> None:
        self.ref = card.ref
        self.title.setText(f"{card.name}  ({card.ref})")
        lines = []
        lines.append(self.tr("Age: {0}").format(card.age if card.age is not None else "?"))
        conditions = "、".join(card.conditions) if card.conditions else self.tr("none recorded")
        lines.append(self.tr("Conditions: {0}").format(conditions))
        if card.wandering_watch:
            if card.zone_drawn:
                lines.append(self.tr("Wandering watch: safe zone drawn on the map"))
            elif card.safe_zone:
                lines.append(self.tr("Wandering watch: safe zone {0} m around home").format(card.safe_zone))
            else:
                lines.append(self.tr("Wandering watch"))
        for c in card.contacts:
            lines.append(self.tr("Contact: {0} {1} {2}").format(c.relation, c.name, c.phone))
        if card.battery is not None:
            lines.append(self.tr("Wristband battery: {0}%").format(round(card.battery * 100)))
        else:
            lines.append(self.tr("Wristband battery: unknown"))
        if card.device_status:
            lines.append(self.tr("Wristband: {0}").format(self._device_text(card.device_status)))
        if card.last_seen is not None:
            seconds = max(0, int((now - card.last_seen).total_seconds()))
            local = card.last_seen.astimezone().strftime("%H:%M:%S")
            lines.append(self.tr("Last seen: {0} ({1} ago)").format(local, self._span(seconds)))
        else:
            lines.append(self.tr("Last seen: never"))
        self.lines.setText("\n".join(lines))
        while self.incidents_box.count():
            item = self.incidents_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if card.open_incidents:
            head = QLabel(self.tr("Open incidents:"))
            head.setTextFormat(Qt.TextFormat.PlainText)
            self.incidents_box.addWidget(head)
            for incident_id, priority, title in card.open_incidents:
                button = QPushButton(f"P{priority}  {title}  #{incident_id}")
                button.setFlat(True)
                button.setStyleSheet(f"text-align: left; color: {PRIORITY_COLOURS.get(priority, '#212121')};")
                button.clicked.connect(lambda _=False, i=incident_id: self.incident_clicked.emit(i))
                self.incidents_box.addWidget(button)
        else:
            none = QLabel(self.tr("No open incidents"))
            none.setTextFormat(Qt.TextFormat.PlainText)
            self.incidents_box.addWidget(none)
        self.show()
        self.raise_()
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.setFixedHeight(layout.totalHeightForWidth(self.width()))

    def _span(self, seconds: int) -> str:
        if seconds < 60:
            return self.tr("%n s", "", seconds)
        if seconds < 3600:
            return self.tr("%n min", "", seconds // 60)
        return self.tr("%n h", "", seconds // 3600)

    def _device_text(self, status: str) -> str:
        return {
            "online": self.tr("online"),
            "offline": self.tr("offline"),
            "not_worn": self.tr("not worn"),
            "low_battery": self.tr("battery low"),
            "charging": self.tr("charging"),
        }.get(status, status)

    def text(self) -> str:
        """What the card says, as one text (for tests and the screen reader)."""
        parts = [self.title.text(), self.lines.text()]
        for i in range(self.incidents_box.count()):
            item = self.incidents_box.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel | QPushButton):
                parts.append(widget.text())
        return "\n".join(parts)


def _urgent_subjects(incidents: list[Incident]) -> set[str]:
    """Elders drawn "in an incident": P1 and P2 (a fall, an SOS, wandering). A wristband's own
    welfare incident is not: its marker already says offline or battery low."""
    return {i.subject for i in incidents if i.subject and int(i.priority) <= 2}


class MapView(QWidget):
    """The map with its search box, the follow-new-P1 toggle, the legend and the elder card."""

    incident_selected = Signal(int)
    elder_selected = Signal(str)

    def __init__(
        self,
        runtime: HasStore,
        community: CommunityMap | Path | str | None = None,
        rules: MarkerRules | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.rules = rules or MarkerRules()
        self.canvas = MapCanvas(STYLES, self)
        self.canvas.marker_clicked.connect(self.select_subject)
        self.canvas.incident_clicked.connect(self._on_incident_clicked)
        self.card = ElderCardWidget(self.canvas)
        self.card.incident_clicked.connect(self.incident_selected.emit)
        self.card.closed.connect(lambda: self._set_selected(None))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find an elder by name or number…"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: self.find_person(self.search.text()))
        self.follow_p1 = QCheckBox(self.tr("Follow new P1"))
        self.follow_p1.setToolTip(self.tr("Centre the map on every new P1 incident"))
        self.follow_p1.setChecked(True)
        fit = QPushButton(self.tr("Whole community"))
        fit.clicked.connect(self.canvas.fit)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.title = QLabel(self.tr("Map"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold; font-size: 14pt;")
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.follow_p1)
        bar.addWidget(fit)
        # the selected elder's safe zone, drawn by the shift lead
        self.draw_zone = QPushButton(self.tr("Draw safe zone"))
        self.draw_zone.setToolTip(
            self.tr(
                "Click the corners of the selected elder's safe zone on the map; it replaces home and radius"
            )
        )
        self.draw_zone.clicked.connect(self.start_drawing)
        self.remove_zone = QPushButton(self.tr("Remove drawn zone"))
        self.remove_zone.setToolTip(self.tr("Back to home and radius from the elder's profile"))
        self.remove_zone.clicked.connect(self.remove_drawn_zone)
        self.zone_hint = QLabel()
        self.zone_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.zone_hint.setWordWrap(True)
        zone_bar = QHBoxLayout()
        zone_bar.addWidget(self.draw_zone)
        zone_bar.addWidget(self.remove_zone)
        zone_bar.addWidget(self.zone_hint, 1)
        self.canvas.ring_drawn.connect(self._on_ring_drawn)
        self.canvas.drawing_changed.connect(self._on_drawing_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 0, 8, 0)
        lay.addLayout(bar)
        lay.addLayout(zone_bar)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(self._legend())
        lay.addWidget(self.status)
        self.setMinimumWidth(360)

        self.state = MapState({}, {}, {}, [])
        self.community: CommunityMap | None = None
        self.projection = LocalProjection(0.0, 0.0)
        self.selected: str | None = None
        config = getattr(runtime, "config", None)
        self.by: str = str(getattr(config, "desk_id", "") or "desk")  # who the records say drew a zone
        self._drawing_for: str | None = None
        self._trail_points: list[tuple[float, float, datetime]] = []  # the selected one's, with times
        self._crs: dict[int, str] = {}  # incident id -> the CRS of its location (read once)
        self._shown: dict[str, tuple[float, float, str]] = {}
        self._in_incident: set[str] = set()
        self._pending: set[str] = set()
        self._incident_ids: set[int] = set()  # the incidents changed since the last read
        self._full_read_at = 0.0  # monotonic time of the last read of every open incident
        self._all_incidents = False  # read every open incident next time (not only the changed)
        self._devices_wanted = False
        self._people_wanted = False
        self._new_ids: set[int] = set()
        self._busy: asyncio.Future[None] | None = None
        self._loaded = False
        self._closing = False
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self._tick)
        self._ages_timer = QTimer(self)
        self._ages_timer.setInterval(AGES_MS)
        self._ages_timer.timeout.connect(self.restyle_all)
        self.set_community(community if community is not None else DEMO_COMMUNITY)
        self._update_zone_buttons()

    # ---- the community -------------------------------------------------------------------------
    def set_community(self, community: CommunityMap | Path | str) -> None:
        """Draw another community's map (a GeoJSON file or a parsed map); markers are placed anew."""
        if not isinstance(community, CommunityMap):
            community = load_community_map(community)
        self.community = community
        self.projection = community.projection
        self.canvas.set_map(community)
        if self._loaded:
            self.reload()

    def _legend(self) -> QWidget:
        legend = QWidget()
        lay = QGridLayout(legend)  # two rows: the whole legend stays readable in a narrow column
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setHorizontalSpacing(4)
        lay.setVerticalSpacing(2)
        entries: list[tuple[QPixmap, str]] = [
            (swatch(STYLES["elder:normal"]), self.tr("Elder")),
            (swatch(STYLES["elder:incident"]), self.tr("In an incident")),
            (swatch(STYLES["elder:low_battery"]), self.tr("Battery low")),
            (swatch(STYLES["elder:stale"]), self.tr("Position old")),
            (swatch(STYLES["elder:offline"]), self.tr("Offline")),
            (swatch(STYLES["worker"]), self.tr("Grid worker")),
            (swatch(STYLES["team"]), self.tr("Patrol team")),
            (swatch(priority=1), "P1"),
            (swatch(priority=2), "P2"),
            (swatch(priority=3), "P3"),
        ]
        self.legend_texts = [text for _pix, text in entries]
        for n, (pix, text) in enumerate(entries):
            icon = QLabel()
            icon.setTextFormat(Qt.TextFormat.PlainText)
            icon.setPixmap(pix)
            label = QLabel(text)
            label.setTextFormat(Qt.TextFormat.PlainText)
            row, col = divmod(n, 5)
            lay.addWidget(icon, row, col * 2)
            lay.addWidget(label, row, col * 2 + 1)
        lay.setColumnStretch(9, 1)
        return legend

    # ---- loading and live updates ------------------------------------------------------------------
    async def load(self) -> None:
        """The first full read; afterwards only what commits name is read again."""
        state = await asyncio.to_thread(read_map_state, self.runtime.store, self.projection, self._crs)
        self._apply_state(state)
        self._loaded = True
        self._full_read_at = time.monotonic()
        if not self._closing:
            self._tick_timer.start()
            self._ages_timer.start()

    def reload(self) -> None:
        task = asyncio.ensure_future(self.load())
        task.add_done_callback(_log_failure)

    def _apply_state(self, state: MapState) -> None:
        self.state = state
        self._in_incident = _urgent_subjects(state.incidents)
        now = datetime.now(UTC)
        self._shown = {
            ref: self._marker(ref, fix, now) for ref, fix in state.fixes.items() if self._drawn(ref)
        }
        self.canvas.set_markers(self._shown)
        self._show_incidents()
        if self.selected is not None:
            self._refresh_card()

    def on_changes(self, changes: Any) -> None:
        """A commit: note what it names; the tick reads it (positions come in bursts)."""
        self._pending |= changes.positions
        if changes.incidents:
            if not self._all_incidents:
                self._incident_ids |= set(changes.incidents)
                if len(self._incident_ids) > FULL_READ_AFTER:  # a long burst while hidden: read all once
                    self._all_incidents, self._incident_ids = True, set()
            self._new_ids.update(changes.new_incidents)
        if changes.devices:
            self._devices_wanted = True
        if changes.profiles:
            self._people_wanted = True

    def _tick(self) -> None:
        if self._closing or not self._loaded or (self._busy is not None and not self._busy.done()):
            return
        if not self.isVisible():  # hidden: nothing is read; what changed is read once it is shown
            return
        if time.monotonic() - self._full_read_at > FULL_READ_EVERY_S:
            self._all_incidents = True
        if not (self._pending or self._incidents_due() or self._devices_wanted or self._people_wanted):
            return
        subjects, self._pending = list(self._pending), set()
        incidents = self._incidents_due()
        changed: set[int] | None = None if self._all_incidents else self._incident_ids
        if changed is None:
            self._full_read_at = time.monotonic()
        self._all_incidents, self._incident_ids = False, set()
        devices, self._devices_wanted = self._devices_wanted or incidents, False
        people, self._people_wanted = self._people_wanted, False
        task = self._busy = asyncio.ensure_future(self._read(subjects, incidents, devices, people, changed))
        task.add_done_callback(_log_failure)

    def _incidents_due(self) -> bool:
        """Incidents changed since the last read (or all of them are to be read again)."""
        return self._all_incidents or bool(self._incident_ids)

    async def _read(
        self, subjects: list[str], incidents: bool, devices: bool, people: bool, changed: set[int] | None
    ) -> None:
        """Read what changed: these subjects' positions, the incidents named `changed` (None: every
        open one), the wearables, the directory."""
        store = self.runtime.store
        worn = self.state.devices
        try:
            if people:
                self.state.people = await asyncio.to_thread(read_people, store)
            fixes = await asyncio.to_thread(read_fixes, store, self.projection, subjects) if subjects else {}
            if devices:
                self.state.devices = await asyncio.to_thread(read_devices, store)
            if incidents:
                self.state.fixes.update(fixes)
                if changed is None:
                    found, placed = await asyncio.to_thread(
                        read_incidents, store, self.projection, self.state.fixes, self._crs
                    )
                else:
                    found, placed = await asyncio.to_thread(
                        update_incidents,
                        store,
                        self.projection,
                        self.state.incidents,
                        changed,
                        self.state.fixes,
                        self._crs,
                    )
                self.state.incidents, self.state.placed = found, placed
        except Exception:
            self._pending.update(subjects)  # read again at the next tick
            self._all_incidents |= incidents  # what was read is unsure: all of them next time
            self._devices_wanted |= devices
            self._people_wanted |= people
            raise
        if self._closing:
            return
        self.state.fixes.update(fixes)
        restyle = set(fixes)
        if devices:  # a wristband went offline, came back, ran low: its elder's marker says so
            now_worn = self.state.devices
            restyle |= {ref for ref in worn.keys() | now_worn.keys() if worn.get(ref) != now_worn.get(ref)}
        if incidents:
            before = self._in_incident
            self._in_incident = _urgent_subjects(self.state.incidents)
            restyle |= before ^ self._in_incident
            self._show_incidents()
        if people:
            restyle = set(self.state.fixes)
        self._restyle(restyle)
        selected = self.selected
        if selected is not None and (selected in fixes or incidents or devices or people):
            if selected in fixes:
                self._trail_points = extend_trail(self._trail_points, fixes[selected], datetime.now(UTC))
                self._draw_trail()
            self._refresh_card()
        if incidents:
            self._follow_new()

    def _drawn(self, ref: str) -> bool:
        """Patrol officers ride with their team: only elders, grid workers and teams get a marker."""
        person = self.state.people.get(ref)
        return person is not None or not ref.startswith("S-")

    def _marker(self, ref: str, fix: Any, now: datetime) -> tuple[float, float, str]:
        person = self.state.people.get(ref)
        state: MarkerState | None = None
        if person is None or person.kind == ELDER:
            state = elder_state(self.rules, fix, self.state.devices.get(ref), ref in self._in_incident, now)
        return fix.x, fix.y, marker_style(person, state)

    def _restyle(self, refs: set[str]) -> None:
        now = datetime.now(UTC)
        changed: dict[str, tuple[float, float, str] | None] = {}
        for ref in refs:
            fix = self.state.fixes.get(ref)
            if fix is None or not self._drawn(ref):
                if ref in self._shown:
                    changed[ref] = None
                    del self._shown[ref]
                continue
            marker = self._marker(ref, fix, now)
            if self._shown.get(ref) != marker:
                self._shown[ref] = marker
                changed[ref] = marker
        if changed:
            self.canvas.update_markers(changed)

    def restyle_all(self) -> None:
        """Look at every marker's age (a position turns stale with no event at all)."""
        if self.isVisible():
            self._restyle(set(self.state.fixes))

    def _show_incidents(self) -> None:
        marks = []
        for inc in self.state.incidents:
            at = self.state.placed.get(inc.id)
            if at is not None:
                marks.append(
                    IncidentMark(
                        inc.id, at[0], at[1], int(inc.priority), f"{incident_kind(inc.kind)}：{inc.title}"
                    )
                )
        self.canvas.set_incidents(marks)

    def _follow_new(self) -> None:
        new, self._new_ids = self._new_ids, set()
        if not self.follow_p1.isChecked():
            return
        p1 = [i for i in self.state.incidents if i.id in new and int(i.priority) == 1]
        if p1:
            self.show_incident(max(p1, key=lambda i: i.opened_at).id, force=True)

    # ---- selection -------------------------------------------------------------------------------------
    def _on_incident_clicked(self, incident_id: int) -> None:
        inc = self._incident(incident_id)
        if inc is not None and inc.subject in self.state.people:
            self._set_selected(inc.subject)
        self.incident_selected.emit(incident_id)

    def _incident(self, incident_id: int) -> Incident | None:
        return next((i for i in self.state.incidents if i.id == incident_id), None)

    def show_incident(self, incident_id: int, *, force: bool = False) -> bool:
        """Centre on an incident the queue selected, with its elder's card and trail; False: not on it."""
        at = self.state.placed.get(incident_id)
        if at is None:
            return False
        if force or not self.canvas.is_in_view(*at):
            self.canvas.centre_on(*at, m_per_px=min(self.canvas.metres_per_pixel, CLOSE_M_PER_PX))
        inc = self._incident(incident_id)
        if inc is not None and inc.subject and inc.subject in self.state.people:
            self._set_selected(inc.subject)
        return True

    def select_subject(self, ref: str) -> None:
        """An elder, worker or team clicked on the map: the card, the trail, the zone; an elder's
        open incident is selected in the queue."""
        self._set_selected(ref)
        person = self.state.people.get(ref)
        if person is None or person.kind == ELDER:
            self.elder_selected.emit(ref)
            open_ids = [i for i in self.state.incidents if i.subject == ref]
            if open_ids:
                self.incident_selected.emit(min(open_ids, key=lambda i: (i.priority, i.opened_at)).id)

    def _set_selected(self, ref: str | None) -> None:
        changed = ref != self.selected
        self.selected = ref
        self.canvas.select(ref)
        if changed and self.canvas.is_drawing():
            self.canvas.cancel_drawing()  # a zone is drawn for the elder it was started for
        self._update_zone_buttons()
        if ref is None:
            self.card.hide()
            self.canvas.set_trail([])
            self.canvas.set_zone()
            return
        self._refresh_card()
        self._show_zone(ref)
        if changed:
            self._trail_points = []
            self.canvas.set_trail([])
            task = asyncio.ensure_future(self._load_trail(ref))
            task.add_done_callback(_log_failure)

    async def _load_trail(self, ref: str) -> None:
        points = await asyncio.to_thread(
            read_trail, self.runtime.store, self.projection, ref, datetime.now(UTC)
        )
        if ref == self.selected and not self._closing:
            self._trail_points = points
            self._draw_trail()

    def _draw_trail(self) -> None:
        self.canvas.set_trail([(x, y) for x, y, _at in self._trail_points])

    def _show_zone(self, ref: str) -> None:
        person = self.state.people.get(ref)
        if person is None or person.kind != ELDER:
            self.canvas.set_zone()
            return
        zone = zone_from_profile(ref, person.data, self.state.zones.get(ref))
        if zone is None:
            self.canvas.set_zone()
        elif zone.polygon:
            self.canvas.set_zone(ring=[self.projection.forward(*p) for p in zone.polygon])
        elif zone.home is not None:
            self.canvas.set_zone(centre=self.projection.forward(*zone.home), radius_m=zone.radius_m)

    def _refresh_card(self) -> None:
        ref = self.selected
        person = self.state.people.get(ref or "")
        if ref is None or person is None or person.kind != ELDER:
            self.card.hide()
            return
        now = datetime.now(UTC)
        card = card_of(
            person,
            self.state.fixes.get(ref),
            self.state.devices.get(ref),
            self.state.incidents,
            now,
            self.state.zones.get(ref),
        )
        self.card.show_card(card, now)
        self._place_card()

    def _place_card(self) -> None:
        self.card.move(max(0, self.canvas.width() - self.card.width() - 10), 10)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_card()

    # ---- drawing a safe zone ---------------------------------------------------------------------------
    def _selected_elder(self) -> str | None:
        person = self.state.people.get(self.selected or "")
        return person.ref if person is not None and person.kind == ELDER else None

    def _update_zone_buttons(self) -> None:
        elder = self._selected_elder()
        drawing = self.canvas.is_drawing()
        self.draw_zone.setEnabled(elder is not None and not drawing)
        self.remove_zone.setEnabled(elder is not None and not drawing and elder in self.state.zones)

    def start_drawing(self) -> None:
        """ "Draw safe zone": the selected elder's corners are clicked on the map."""
        elder = self._selected_elder()
        if elder is None:
            return
        self._drawing_for = elder
        self.canvas.start_drawing()

    def _on_drawing_changed(self, drawing: bool) -> None:
        if drawing:
            self.zone_hint.setText(
                self.tr(
                    "Drawing the safe zone of {0}: click the corners; double-click or Enter to finish, "
                    "Backspace takes a corner back, Esc cancels."
                ).format(self._drawing_for or "")
            )
        else:
            self.zone_hint.setText("")
        self._update_zone_buttons()

    def _on_ring_drawn(self, corners: list[tuple[float, float]]) -> None:
        elder, self._drawing_for = self._drawing_for, None
        if elder is None:
            return
        try:
            ring = check_ring([self.projection.inverse(x, y) for x, y in corners])
        except ValueError:
            self.zone_hint.setText(self.tr("A safe zone needs three corners around an area; nothing saved."))
            return
        task = asyncio.ensure_future(self._write_zone(elder, ring))
        task.add_done_callback(_log_failure)

    def remove_drawn_zone(self) -> None:
        """ "Remove drawn zone": the selected elder is watched on home and radius again."""
        elder = self._selected_elder()
        if elder is not None and elder in self.state.zones:
            task = asyncio.ensure_future(self._write_zone(elder, None))
            task.add_done_callback(_log_failure)

    async def _write_zone(self, elder: str, ring: tuple[tuple[float, float], ...] | None) -> None:
        runtime: DrawsZones = self.runtime  # type: ignore[assignment]
        self.draw_zone.setEnabled(False)
        self.remove_zone.setEnabled(False)
        try:
            await runtime.set_safe_zone(elder, list(ring) if ring is not None else None, self.by)
        except Exception as exc:
            said = readable_reason(str(exc))
            self.zone_hint.setText(self.tr("The safe zone was not saved: {0}").format(said))
            self._update_zone_buttons()
            raise
        if self._closing:
            return
        if ring is None:
            self.state.zones.pop(elder, None)
            self.zone_hint.setText(self.tr("{0}: back to home and radius").format(elder))
        else:
            self.state.zones[elder] = ring
            self.zone_hint.setText(self.tr("{0}: safe zone saved ({1} corners)").format(elder, len(ring)))
        if self.selected == elder:
            self._show_zone(elder)
            self._refresh_card()
        self._update_zone_buttons()

    def drawn_zone(self, ref: str) -> tuple[tuple[float, float], ...] | None:
        """The polygon drawn for an elder ((lat, lon), WGS-84), if any."""
        return self.state.zones.get(ref)

    # ---- search ----------------------------------------------------------------------------------------
    def find_person(self, text: str) -> Person | None:
        """An elder (or worker, team) by ref or by a part of the name: centre on them and open the card."""
        text = text.strip()
        if not text:
            return None
        people = sorted(self.state.people.values(), key=lambda p: (p.kind != ELDER, p.ref))
        found = next((p for p in people if p.ref.lower() == text.lower()), None)
        if found is None:
            found = next((p for p in people if text in p.name), None)
        if found is None:
            self.status.setText(self.tr("Nobody found for “{0}”").format(text))
            return None
        fix = self.state.fixes.get(found.ref)
        if fix is not None:
            self.canvas.centre_on(fix.x, fix.y, m_per_px=min(self.canvas.metres_per_pixel, CLOSE_M_PER_PX))
            self.status.setText("")
        else:
            self.status.setText(self.tr("{0} has no position yet").format(found.ref))
        self.select_subject(found.ref)
        return found

    def close_down(self) -> None:
        """The window closes: no timer and no read after this."""
        self._closing = True
        self._tick_timer.stop()
        self._ages_timer.stop()
