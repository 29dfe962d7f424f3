"""The map canvas: an offline community map with live markers, drawn with QGraphicsView.

Why QGraphicsView and not pyqtgraph: the map is a scene of named shapes (buildings, roads, grids)
with labels that must keep their size on screen (`ItemIgnoresTransformations`), a cosmetic scale
bar and clickable markers; QGraphicsView gives exactly that with no extra dependency, while
pyqtgraph is a plotting layer built on the same classes, made for axes and dense numeric data.
Thousands of moving markers are not thousands of items: one `MarkerLayer` item paints them all,
one `drawPoints` call per style through the view's transform, so a frame costs little.

Scene units are metres on the plane of `desk.projection` with y pointing north (the view flips it).
The canvas gets everything through setters and reports clicks through signals.

Signals:
- marker_clicked(str): the operator clicked the marker of this subject (elder, worker or team).
- incident_clicked(int): the operator clicked the marker of this open incident.
- empty_clicked(float, float): a click on no marker, at (x, y) on the plane.
- zoom_changed(float): metres per pixel changed.
- ring_drawn(list): drawing finished (a double-click or Enter) with these corners, (x, y) on the plane.
- drawing_changed(bool): a drawing started (True) or ended, finished or cancelled (False).

Drawing (`start_drawing`): each click adds a corner (a drag still pans), Backspace takes the last
one back, a double-click or Enter finishes with three corners or more, Esc cancels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from desk.community_map import CommunityMap, MapFeature
from desk.projection import nice_scale_length

Point = tuple[float, float]

#: zoom limits in metres per pixel
MIN_M_PER_PX = 0.05
MAX_M_PER_PX = 8.0
#: a click this close to a marker (pixels) hits it
HIT_PX = 9.0


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    """How a class of marker is painted: fill, outline, diameter in pixels, round or square."""

    fill: str
    outline: str = "#1b1b1b"
    size: float = 9.0
    square: bool = False
    hollow: bool = False


@dataclass(frozen=True, slots=True)
class IncidentMark:
    """An open incident on the map."""

    id: int
    x: float
    y: float
    priority: int
    title: str


PRIORITY_COLOURS = {1: "#d50000", 2: "#ff6d00", 3: "#fbc02d", 4: "#607d8b"}


def _scene(p: Point) -> QPointF:
    return QPointF(p[0], -p[1])  # north up


def marker_sprite(spec: MarkerStyle, ratio: float = 1.0) -> QPixmap:
    """One marker of a style, painted once (antialiased) for `MarkerLayer` to stamp: outline, fill,
    and for a hollow marker the ring; `ratio` is the screen's device pixel ratio."""
    side = math.ceil(spec.size + 5.0)
    pix = QPixmap(math.ceil(side * ratio), math.ceil(side * ratio))
    pix.setDevicePixelRatio(ratio)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    cap = Qt.PenCapStyle.SquareCap if spec.square else Qt.PenCapStyle.RoundCap
    c = QPointF(side / 2, side / 2)
    p.setPen(QPen(QColor(spec.outline), spec.size + 3.0, Qt.PenStyle.SolidLine, cap))
    p.drawPoint(c)
    p.setPen(
        QPen(QColor("#ffffff") if spec.hollow else QColor(spec.fill), spec.size, Qt.PenStyle.SolidLine, cap)
    )
    p.drawPoint(c)
    if spec.hollow:
        p.setPen(QPen(QColor(spec.fill), spec.size * 0.45, Qt.PenStyle.SolidLine, cap))
        p.drawPoint(c)
    p.end()
    return pix


class MarkerLayer(QGraphicsItem):
    """Many markers painted at a constant pixel size: one sprite per style, stamped at every marker
    with one `drawPixmapFragments` call per style.

    Stroking thousands of wide antialiased points (`drawPoints`) cost ~50 ms a frame for 5,000
    elders, every frame of a pan; stamping a sprite costs ~1 ms. The markers' scene coordinates are
    kept in a numpy array per style (rebuilt only when markers change); a paint maps them through the
    view's transform in one step and hands Qt the fragment array as it lies in memory
    (`QPainter::PixmapFragment` is ten qreals, as pyqtgraph's scatter plots use it).
    """

    def __init__(self, styles: Mapping[str, MarkerStyle], bounds: QRectF) -> None:
        super().__init__()
        self.styles = dict(styles)
        self._bounds = bounds
        self.positions: dict[str, tuple[float, float, str]] = {}  # ref -> (scene x, scene y, style)
        self._xy: dict[str, np.ndarray] = {}  # style -> (n, 2) scene coordinates
        self._fragments: dict[str, np.ndarray] = {}  # style -> (n, 10) PixmapFragment rows
        self._sprites: dict[str, QPixmap] = {}
        self._ratio = 0.0
        self._dirty = True
        self.setZValue(20)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def set_bounds(self, bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self._bounds = bounds

    def set_all(self, markers: Mapping[str, tuple[float, float, str]]) -> None:
        self.positions = dict(markers)
        self._dirty = True
        self.update()

    def apply(self, changed: Mapping[str, tuple[float, float, str] | None]) -> None:
        """Move, restyle, add (a tuple) or remove (None) the named markers."""
        for ref, value in changed.items():
            if value is None:
                self.positions.pop(ref, None)
            else:
                self.positions[ref] = value
        self._dirty = True
        self.update()

    def _rebuild(self, ratio: float) -> None:
        if ratio != self._ratio:
            self._sprites = {name: marker_sprite(spec, ratio) for name, spec in self.styles.items()}
            self._ratio = ratio
        grouped: dict[str, list[tuple[float, float]]] = {}
        for x, y, style in self.positions.values():
            grouped.setdefault(style, []).append((x, y))
        order = list(self.styles)  # the styles' order: later ones on top
        self._xy, self._fragments = {}, {}
        for style in sorted(grouped, key=lambda s: order.index(s) if s in order else -1):
            sprite = self._sprites.get(style)
            if sprite is None:
                continue
            xy = np.array(grouped[style], dtype=np.float64)
            rows = np.empty((len(xy), 10), dtype=np.float64)
            rows[:, 2:4] = 0.0  # the whole sprite: source left, top,
            rows[:, 4] = sprite.width()  # width and height in the sprite's pixels,
            rows[:, 5] = sprite.height()
            rows[:, 6:8] = 1.0 / ratio  # drawn at its logical size,
            rows[:, 8] = 0.0  # not rotated,
            rows[:, 9] = 1.0  # opaque
            self._xy[style], self._fragments[style] = xy, rows
        self._dirty = False

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _x, _y, style in self.positions.values():
            out[style] = out.get(style, 0) + 1
        return out

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        if self._dirty or ratio != self._ratio:
            self._rebuild(ratio)
        w = painter.worldTransform()
        painter.save()
        painter.resetTransform()
        for style, xy in self._xy.items():
            rows = self._fragments[style]
            rows[:, 0] = xy[:, 0] * w.m11() + xy[:, 1] * w.m21() + w.dx()  # the sprite's centre
            rows[:, 1] = xy[:, 0] * w.m12() + xy[:, 1] * w.m22() + w.dy()
            first = cast(
                QPainter.PixmapFragment, shiboken6.wrapInstance(rows.ctypes.data, QPainter.PixmapFragment)
            )
            painter.drawPixmapFragments(first, len(rows), self._sprites[style])
        painter.restore()


class MapCanvas(QGraphicsView):
    """Pan (drag), zoom (wheel, keys + and -), a scale bar, labels by zoom, markers, trail, zone."""

    marker_clicked = Signal(str)
    incident_clicked = Signal(int)
    empty_clicked = Signal(float, float)
    zoom_changed = Signal(float)
    ring_drawn = Signal(list)
    drawing_changed = Signal(bool)

    def __init__(self, styles: Mapping[str, MarkerStyle], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setBackgroundBrush(QColor("#eef0e6"))
        self.markers = MarkerLayer(styles, QRectF())
        self.scene().addItem(self.markers)
        self.frames = 0  # paints of the viewport: the benchmark counts them
        self.map: CommunityMap | None = None
        self._labels: dict[str, list[QGraphicsSimpleTextItem]] = {}
        self._base_items: list[QGraphicsItem] = []
        self._incidents: dict[int, IncidentMark] = {}
        self._incident_items: list[QGraphicsItem] = []
        self._pulse: list[QGraphicsEllipseItem] = []
        self._pulse_step = 0
        self._pulse_timer = QTimer(self)
        self._pulse_timer.setInterval(120)
        self._pulse_timer.timeout.connect(self._on_pulse)
        self._trail = QGraphicsPathItem()
        self._trail.setPen(_cosmetic("#1e88e5", 3.0, Qt.PenStyle.SolidLine))
        self._trail.setZValue(15)
        self.scene().addItem(self._trail)
        self._zone = QGraphicsPathItem()
        self._zone.setPen(_cosmetic("#2e7d32", 2.0, Qt.PenStyle.DashLine))
        self._zone.setBrush(QColor(46, 125, 50, 28))
        self._zone.setZValue(14)
        self.scene().addItem(self._zone)
        self._selection = QGraphicsEllipseItem(-14, -14, 28, 28)
        self._selection.setPen(_cosmetic("#0d47a1", 3.0, Qt.PenStyle.SolidLine))
        self._selection.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._selection.setZValue(30)
        self._selection.hide()
        self.scene().addItem(self._selection)
        self._draft = QGraphicsPathItem()  # the safe zone being drawn
        pen = _cosmetic("#e65100", 2.5, Qt.PenStyle.SolidLine)
        self._draft.setPen(pen)
        self._draft.setBrush(QColor(230, 81, 0, 36))
        self._draft.setZValue(45)
        self.scene().addItem(self._draft)
        self._corners: list[Point] | None = None  # None: not drawing
        self._pointer: Point | None = None
        self._selected: str | None = None
        self._press: QPointF | None = None
        self._m_per_px = 1.0

    # ---- the base map ----------------------------------------------------------------------------
    def set_map(self, community: CommunityMap) -> None:
        """Draw a community's map (replacing any other) and fit it in view."""
        for item in self._base_items:
            self.scene().removeItem(item)
        self._base_items = []
        self._labels = {}
        self.map = community
        minx, miny, maxx, maxy = community.bounds
        margin = 60.0
        rect = QRectF(minx - margin, -maxy - margin, maxx - minx + 2 * margin, maxy - miny + 2 * margin)
        self.scene().setSceneRect(rect.adjusted(-400, -400, 400, 400))
        self.markers.set_bounds(rect.adjusted(-2000, -2000, 2000, 2000))
        for feature in community.of_kind("grid"):
            self._polygon(feature, "#fafaf5", "#7e57c2", 0, width=2.0, dash=True)
            # the short name ("第1网格"), in the grid's north-west corner: clear of the buildings
            short = feature.name.split("（")[0].split("(")[0]
            minx = min(p[0] for p in feature.points)
            maxy = max(p[1] for p in feature.points)
            self._label_at((minx, maxy), "grid", short, 10, bold=True, colour="#4527a0", corner=True)
        for feature in community.of_kind("green"):
            self._polygon(feature, "#c5e1a5", "#8bc34a", 1)
            self._label(feature, "green", feature.name, 10, colour="#33691e")
        for feature in community.of_kind("road"):
            self._road(feature)
        for feature in community.of_kind("building"):
            self._polygon(feature, "#d7ccc8", "#795548", 3)
            number = f"{feature.number}" if feature.number is not None else ""
            self._label(feature, "building_number", number, 10, bold=True, colour="#3e2723")
            self._label(feature, "building", feature.name, 10, colour="#3e2723")
        for feature in community.of_kind("gate"):
            self._gate(feature)
        self.fit()

    def _polygon(
        self, f: MapFeature, fill: str, edge: str, z: float, width: float = 1.0, dash: bool = False
    ) -> None:
        item = QGraphicsPolygonItem(QPolygonF([_scene(p) for p in f.points]))
        item.setBrush(QColor(fill))
        item.setPen(_cosmetic(edge, width, Qt.PenStyle.DashLine if dash else Qt.PenStyle.SolidLine))
        item.setZValue(z)
        item.setToolTip(f.name)
        self.scene().addItem(item)
        self._base_items.append(item)

    def _road(self, f: MapFeature) -> None:
        path = QPainterPath(_scene(f.points[0]))
        for p in f.points[1:]:
            path.lineTo(_scene(p))
        width = f.width_m or 8.0
        for colour, w, z in (("#b0a99f", width + 2.0, 2.0), ("#ffffff", width, 2.1)):
            item = QGraphicsPathItem(path)
            pen = QPen(QColor(colour), w)  # in metres: a road widens as the map zooms in
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            item.setPen(pen)
            item.setZValue(z)
            self.scene().addItem(item)
            self._base_items.append(item)
        mid = f.points[len(f.points) // 2] if len(f.points) > 2 else f.centre()
        self._label_at(mid, "road", f.name, 9, colour="#4e342e")

    def _gate(self, f: MapFeature) -> None:
        x, y = f.points[0]
        item = QGraphicsPolygonItem(QPolygonF([QPointF(0, -7), QPointF(7, 0), QPointF(0, 7), QPointF(-7, 0)]))
        item.setPos(_scene((x, y)))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setBrush(QColor("#00897b"))
        item.setPen(QPen(QColor("#004d40"), 1.5))
        item.setZValue(5)
        item.setToolTip(f.name)
        self.scene().addItem(item)
        self._base_items.append(item)
        short = f.name.split(" ")[-1] if " " in f.name else f.name
        self._label_at((x, y), "gate", short, 9, colour="#004d40", dy=10)

    def _label(self, f: MapFeature, layer: str, text: str, points: int, **kw: object) -> None:
        if text:
            self._label_at(f.centre(), layer, text, points, **kw)  # type: ignore[arg-type]

    def _label_at(
        self,
        at: Point,
        layer: str,
        text: str,
        points: int,
        *,
        bold: bool = False,
        italic: bool = False,
        colour: str = "#212121",
        dy: float = 0.0,
        corner: bool = False,
    ) -> None:
        if not text:
            return
        item = QGraphicsSimpleTextItem(text)  # plain text: names from the outside world
        font = QFont()
        font.setPointSize(points)
        font.setBold(bold)
        font.setItalic(italic)
        item.setFont(font)
        item.setBrush(QColor(colour))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        rect = item.boundingRect()
        if layer == "building":  # the name below the number
            dy += rect.height() * 0.55
        elif layer == "building_number":
            dy -= rect.height() * 0.45
        if corner:
            item.setTransform(QTransform.fromTranslate(4.0, 2.0))
        else:
            item.setTransform(QTransform.fromTranslate(-rect.width() / 2, -rect.height() / 2 + dy))
        item.setPos(_scene(at))
        item.setZValue(40 if layer in ("grid", "gate") else 12)
        self.scene().addItem(item)
        self._base_items.append(item)
        self._labels.setdefault(layer, []).append(item)

    def _show_labels(self) -> None:
        """Which labels stay readable at this zoom: grids far out, building names close in."""
        m = self._m_per_px
        visible = {
            "grid": m > 0.9,
            "green": m < 1.0,
            "road": m < 2.2,
            "gate": m < 1.3,
            "building_number": 0.45 <= m < 2.4,
            "building": m < 0.45,
        }
        for layer, items in self._labels.items():
            show = visible.get(layer, True)
            for item in items:
                item.setVisible(show)

    # ---- zoom and pan ----------------------------------------------------------------------------
    @property
    def metres_per_pixel(self) -> float:
        return self._m_per_px

    def fit(self) -> None:
        if self.map is None:
            return
        minx, miny, maxx, maxy = self.map.bounds
        self.fitInView(QRectF(minx, -maxy, maxx - minx, maxy - miny), Qt.AspectRatioMode.KeepAspectRatio)
        self._zoomed()

    def set_metres_per_pixel(self, m_per_px: float) -> None:
        m_per_px = min(MAX_M_PER_PX, max(MIN_M_PER_PX, m_per_px))
        centre = self.mapToScene(self.viewport().rect().center())
        self.setTransform(QTransform.fromScale(1.0 / m_per_px, 1.0 / m_per_px))
        self.centerOn(centre)
        self._zoomed()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_M_PER_PX, max(MIN_M_PER_PX, self._m_per_px / factor))
        real = self._m_per_px / target
        if abs(real - 1.0) > 1e-9:
            self.scale(real, real)
            self._zoomed()

    def _zoomed(self) -> None:
        scale = self.transform().m11()
        self._m_per_px = 1.0 / scale if scale > 0 else 1.0
        self._show_labels()
        self.zoom_changed.emit(self._m_per_px)
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps)
        event.accept()

    def keyPressEvent(self, event: object) -> None:
        key = event.key()  # type: ignore[attr-defined]
        if self._corners is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish_drawing()
        elif self._corners is not None and key == Qt.Key.Key_Escape:
            self.cancel_drawing()
        elif self._corners is not None and key == Qt.Key.Key_Backspace:
            if self._corners:
                self._corners.pop()
                self._draw_draft()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)  # type: ignore[arg-type]

    def centre_on(self, x: float, y: float, *, m_per_px: float | None = None) -> None:
        """Centre the map on a point of the plane (and zoom to `m_per_px` when given)."""
        if m_per_px is not None and abs(m_per_px - self._m_per_px) > 1e-6:
            self.setTransform(QTransform.fromScale(1.0 / m_per_px, 1.0 / m_per_px))
            self._zoomed()
        self.centerOn(QPointF(x, -y))

    def centre(self) -> Point:
        c = self.mapToScene(self.viewport().rect().center())
        return c.x(), -c.y()

    def is_in_view(self, x: float, y: float) -> bool:
        rect = self.mapToScene(self.viewport().rect()).boundingRect()
        return rect.contains(QPointF(x, -y))

    # ---- markers, incidents, trail, zone ---------------------------------------------------------
    def set_markers(self, markers: Mapping[str, tuple[float, float, str]]) -> None:
        """Every marker: ref -> (x, y, style) on the plane."""
        self.markers.set_all({ref: (x, -y, style) for ref, (x, y, style) in markers.items()})
        self._move_selection()

    def update_markers(self, changed: Mapping[str, tuple[float, float, str] | None]) -> None:
        """Only the markers that changed (None removes one)."""
        self.markers.apply({ref: (v[0], -v[1], v[2]) if v else None for ref, v in changed.items()})
        if self._selected in changed:
            self._move_selection()

    def marker_position(self, ref: str) -> Point | None:
        found = self.markers.positions.get(ref)
        return (found[0], -found[1]) if found else None

    def set_incidents(self, incidents: Iterable[IncidentMark]) -> None:
        """The open incidents: a triangle by priority, a P1 with a pulsing ring."""
        for item in self._incident_items:
            self.scene().removeItem(item)
        self._incident_items = []
        self._pulse = []
        self._incidents = {}
        for mark in sorted(incidents, key=lambda m: -m.priority):  # P1 on top
            self._incidents[mark.id] = mark
            size = 13.0 if mark.priority == 1 else 10.0
            tri = QPolygonF([QPointF(0, -size * 1.2), QPointF(size, size * 0.8), QPointF(-size, size * 0.8)])
            item = QGraphicsPolygonItem(tri)
            item.setBrush(QColor(PRIORITY_COLOURS.get(mark.priority, "#607d8b")))
            item.setPen(QPen(QColor("#ffffff" if mark.priority == 1 else "#212121"), 2.0))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            item.setPos(QPointF(mark.x, -mark.y))
            item.setZValue(35 - mark.priority)
            item.setToolTip(f"P{mark.priority} {mark.title}")
            item.setData(0, mark.id)
            self.scene().addItem(item)
            self._incident_items.append(item)
            if mark.priority == 1:
                ring = QGraphicsEllipseItem(-18, -18, 36, 36)
                ring.setPen(QPen(QColor("#d50000"), 3.0))
                ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                ring.setPos(QPointF(mark.x, -mark.y))
                ring.setZValue(33)
                self.scene().addItem(ring)
                self._incident_items.append(ring)
                self._pulse.append(ring)
        if self._pulse and not self._pulse_timer.isActive():
            self._pulse_timer.start()
        elif not self._pulse:
            self._pulse_timer.stop()

    def incident_marks(self) -> dict[int, IncidentMark]:
        return dict(self._incidents)

    def _on_pulse(self) -> None:
        if not self.isVisible():  # a hidden map (View → Map off) pulses nothing
            return
        self._pulse_step = (self._pulse_step + 1) % 10
        r = 14.0 + self._pulse_step * 2.2
        alpha = 255 - self._pulse_step * 22
        for ring in self._pulse:
            ring.setRect(-r, -r, 2 * r, 2 * r)
            pen = ring.pen()
            colour = QColor("#d50000")
            colour.setAlpha(alpha)
            pen.setColor(colour)
            ring.setPen(pen)

    def set_trail(self, points: Sequence[Point]) -> None:
        path = QPainterPath()
        if len(points) >= 2:
            path.moveTo(_scene(points[0]))
            for p in points[1:]:
                path.lineTo(_scene(p))
        self._trail.setPath(path)

    def trail_length(self) -> int:
        return self._trail.path().elementCount()

    def set_zone(
        self, *, centre: Point | None = None, radius_m: float | None = None, ring: Sequence[Point] = ()
    ) -> None:
        """The selected elder's safe zone: a circle or a polygon (nothing when neither is given)."""
        path = QPainterPath()
        if ring:
            path.addPolygon(QPolygonF([_scene(p) for p in ring]))
            path.closeSubpath()
        elif centre is not None and radius_m:
            path.addEllipse(_scene(centre), radius_m, radius_m)
        self._zone.setPath(path)

    def zone_shown(self) -> bool:
        return not self._zone.path().isEmpty()

    # ---- drawing a safe zone ---------------------------------------------------------------------
    def start_drawing(self) -> None:
        """Clicks add corners from now on, until a double-click or Enter (finish) or Esc (cancel)."""
        self._corners = []
        self._pointer = None
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self._draw_draft()
        self.drawing_changed.emit(True)

    def is_drawing(self) -> bool:
        return self._corners is not None

    def corners(self) -> list[Point]:
        """The corners drawn so far (on the plane)."""
        return list(self._corners or [])

    def add_corner(self, x: float, y: float) -> None:
        if self._corners is None:
            return
        if self._corners:
            last = self._corners[-1]
            if math.hypot(last[0] - x, last[1] - y) < 2 * self._m_per_px:  # the same spot twice
                return
        self._corners.append((x, y))
        self._draw_draft()

    def finish_drawing(self) -> bool:
        """End the drawing with its corners (ring_drawn); False (still drawing) under three corners."""
        if self._corners is None or len(self._corners) < 3:
            return False
        corners = self._corners
        self._end_drawing()
        self.ring_drawn.emit(corners)
        return True

    def cancel_drawing(self) -> None:
        if self._corners is not None:
            self._end_drawing()

    def _end_drawing(self) -> None:
        self._corners = None
        self._pointer = None
        self.viewport().unsetCursor()
        self._draw_draft()
        self.drawing_changed.emit(False)

    def _draw_draft(self) -> None:
        path = QPainterPath()
        corners = list(self._corners or [])
        if corners:
            if self._pointer is not None:
                corners.append(self._pointer)  # the edge to where the pointer is
            path.addPolygon(QPolygonF([_scene(p) for p in corners]))
            for p in self._corners or []:
                r = 4 * self._m_per_px
                path.addEllipse(_scene(p), r, r)
        self._draft.setPath(path)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if self._corners and not event.buttons():
            scene = self.mapToScene(event.position().toPoint())
            self._pointer = (scene.x(), -scene.y())
            self._draw_draft()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._corners is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        scene = self.mapToScene(event.position().toPoint())
        self.add_corner(scene.x(), -scene.y())  # the same spot as the click before it: not added twice
        self.finish_drawing()
        self._press = None  # the release that follows is no click
        event.accept()

    def select(self, ref: str | None) -> None:
        self._selected = ref
        self._move_selection()

    def _move_selection(self) -> None:
        pos = self.markers.positions.get(self._selected) if self._selected else None
        if pos is None:
            self._selection.hide()
            return
        self._selection.setPos(QPointF(pos[0], pos[1]))
        self._selection.show()

    # ---- clicks ------------------------------------------------------------------------------------
    def hit(self, view_pos: QPointF) -> tuple[str, str | int] | None:
        """What a click at this viewport point hits: ("incident", id), ("marker", ref) or None."""
        best: tuple[float, tuple[str, str | int]] | None = None
        for mark in self._incidents.values():
            d = _dist(self.mapFromScene(QPointF(mark.x, -mark.y)).toPointF(), view_pos)
            if d <= HIT_PX + 4 and (best is None or d < best[0]):
                best = (d, ("incident", mark.id))
        if best is not None:
            return best[1]
        scene = self.mapToScene(view_pos.toPoint())
        reach = HIT_PX * self._m_per_px
        for ref, (x, y, _style) in self.markers.positions.items():
            dx, dy = x - scene.x(), y - scene.y()
            if abs(dx) > reach or abs(dy) > reach:
                continue
            d = math.hypot(dx, dy)
            if d <= reach and (best is None or d < best[0]):
                best = (d, ("marker", ref))
        return best[1] if best else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        moved = _dist(self._press, event.position())
        self._press = None
        if moved > 4:  # a drag pans; only a click selects
            return
        if self._corners is not None:  # drawing: a click is a corner, wherever it falls
            scene = self.mapToScene(event.position().toPoint())
            self.add_corner(scene.x(), -scene.y())
            return
        found = self.hit(event.position())
        if found is None:
            scene = self.mapToScene(event.position().toPoint())
            self.empty_clicked.emit(scene.x(), -scene.y())
        elif found[0] == "incident":
            self.incident_clicked.emit(int(found[1]))
        else:
            self.marker_clicked.emit(str(found[1]))

    # ---- painting ----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.frames += 1

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        """The scale bar, bottom left, in screen pixels."""
        painter.save()
        painter.resetTransform()
        length_m = nice_scale_length(self._m_per_px, 160.0)
        px = length_m / self._m_per_px
        h = self.viewport().height()
        x0, y0 = 16.0, h - 22.0
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(QRectF(x0 - 6, y0 - 22, px + 70, 34), QColor(255, 255, 255, 200))
        painter.setPen(QPen(QColor("#212121"), 2.0))
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
        painter.drawLine(QPointF(x0, y0 - 6), QPointF(x0, y0))
        painter.drawLine(QPointF(x0 + px, y0 - 6), QPointF(x0 + px, y0))
        font = QFont()
        font.setPointSize(10)
        painter.setFont(font)
        text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
        painter.drawText(QPointF(x0 + px + 6, y0 + 4), text)
        painter.restore()

    def scale_bar_metres(self) -> float:
        return nice_scale_length(self._m_per_px, 160.0)

    def visible_labels(self, layer: str) -> list[str]:
        return [i.text() for i in self._labels.get(layer, []) if i.isVisible()]


def _cosmetic(colour: str, width: float, style: Qt.PenStyle) -> QPen:
    pen = QPen(QColor(colour), width, style)
    pen.setCosmetic(True)
    return pen


def _dist(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())
