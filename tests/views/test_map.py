"""The map in the live desk: markers placed and coloured as the operator reads them, selection in step
with the queue both ways, the elder card, the search, View → Map; loading another community's map.

With DESK_SAVE_SCREENSHOTS=1 the live map is also kept as docs/screenshots/map-*.png."""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.community_map import MapFileError, load_community_map
from desk.geo import gcj02_to_wgs84, haversine_m, offset_m
from desk.incidents import Action, Priority
from tests.support.events import fall
from tests.views.live import LEAD, LiveDesk, live_desk, run_on_qasync, until
from tests.views.map_scene import Scene, demo_scene
from views.map_data import Fix, extend_trail
from views.map_view import MapView
from views.queue import INCIDENT_ID_ROLE

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAVE = os.environ.get("DESK_SAVE_SCREENSHOTS") == "1"


def _current_incident(desk: LiveDesk) -> int | None:
    index = desk.window.incident_view.currentIndex()
    value = index.data(INCIDENT_ID_ROLE) if index.isValid() else None
    return int(value) if value is not None else None


def _incident_of(desk: LiveDesk, kind: str) -> int | None:
    return next((i.id for i in desk.window.map_view.state.incidents if i.kind == kind), None)


async def _play(desk: LiveDesk, scene: Scene) -> MapView:
    await until(desk.feed_is_live, "the feed to be live")
    for event in scene.events:
        desk.simulator.inject(event)
    view = desk.window.map_view
    await until(lambda: len(view.canvas.markers.positions) >= 150, "the elders on the map", timeout=8)
    await until(
        lambda: len(view.canvas.incident_marks()) == 3,
        "the fall, the alarm, the offline wristband",
        timeout=8,
    )
    await until(lambda: scene.team in view.canvas.markers.positions, "the patrol team on the map")
    return view


def test_a_trail_takes_each_fix_once_and_keeps_the_last_hour() -> None:
    t0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    read = [(0.0, 0.0, t0), (1.0, 1.0, t0 + timedelta(minutes=1))]
    # the tick brings the fix the trail's own read already had: not drawn twice
    trail = extend_trail(list(read), Fix(1.0, 1.0, t0 + timedelta(minutes=1), None, "wgs84"), t0)
    assert trail == read
    trail = extend_trail(trail, Fix(2.0, 2.0, t0 + timedelta(minutes=2), None, "wgs84"), t0)
    assert len(trail) == 3
    later = t0 + timedelta(minutes=61, seconds=30)
    trail = extend_trail(trail, Fix(3.0, 3.0, later, None, "wgs84"), later)
    assert [p[0] for p in trail] == [2.0, 3.0]  # older than an hour: gone


def _click(view: MapView, x: float, y: float) -> None:
    canvas = view.canvas
    at = canvas.mapFromScene(QPointF(x, -y))
    QtBot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)


def test_live_markers_selection_both_ways_and_the_card(qapp: QApplication, qtbot: QtBot, db_url: str) -> None:
    community = None

    async def scenario() -> None:
        nonlocal community
        async with live_desk(qtbot, db_url) as desk:
            community = desk.simulator.community
            scene = demo_scene(community)
            desk.window.show_map(True)
            view = await _play(desk, scene)
            assert view.isVisible() and desk.window.map_action.isChecked()
            proj = view.projection
            styles = {ref: style for ref, (_x, _y, style) in view.canvas.markers.positions.items()}
            # what each marker says
            assert styles[scene.fallen] == "elder:incident"
            assert styles[scene.low_battery] == "elder:low_battery"
            assert styles[scene.stale] == "elder:stale"
            assert styles[scene.offline] == "elder:offline"
            assert styles[scene.team] == "team"
            assert sum(s == "worker" for s in styles.values()) == len(community.grid_workers)
            assert not any(ref.startswith("S-") and s.startswith("elder") for ref, s in styles.items())
            # the wristband back online: its elder turns normal at the next read, not at the next
            # 5-s look at the ages (the device's own record moved, not the elder's position)
            off = next(e for e in community.elders if e.ref == scene.offline)
            desk.simulator.inject(
                {
                    "id": "map-dev-on",
                    "type": "device",
                    "source": "fall-detectors",
                    "time": datetime.now(UTC).isoformat(),
                    "device": off.device,
                    "elder": off.ref,
                    "status": "online",
                }
            )
            await until(
                lambda: view.canvas.markers.positions[scene.offline][2] == "elder:normal",
                "the wristband drawn online again",
                timeout=2,
            )
            # a GCJ-02 wearable is drawn on its WGS-84 home, not ~500 m off
            gcj = next(e for e in community.elders if e.ref == scene.gcj02_elder)
            x, y = view.canvas.marker_position(gcj.ref) or (math.inf, math.inf)
            hx, hy = proj.forward(*gcj.home)
            assert math.hypot(x - hx, y - hy) < 0.5
            # the fall is a P1 on the map, where it happened
            fall_id = _incident_of(desk, "fall")
            assert fall_id is not None
            mark = view.canvas.incident_marks()[fall_id]
            assert mark.priority == Priority.P1
            fx, fy = proj.forward(*scene.fall_point)
            assert math.hypot(mark.x - fx, mark.y - fy) < 0.5

            # map → queue: clicking the fall's marker selects it in the queue and shows the card
            await until(
                lambda: desk.window.incident_model.row_of(fall_id) is not None, "the fall in the queue"
            )
            view.canvas.centre_on(mark.x, mark.y, m_per_px=0.5)
            _click(view, mark.x, mark.y)
            await until(lambda: _current_incident(desk) == fall_id, "the fall selected in the queue")
            assert view.card.isVisible()
            card = view.card.text()
            assert scene.fallen_name not in card and scene.fallen_name[0] in card  # masked: 王*英
            assert scene.contact_phone not in card and scene.contact_phone[-4:] in card
            assert "****" in card and "P1" in card and f"#{fall_id}" in card
            assert view.canvas.zone_shown()  # the safe zone around the home
            # the team's trail of the last hour, after clicking it
            tx, ty = view.canvas.marker_position(scene.team) or (0.0, 0.0)
            view.canvas.centre_on(tx, ty)
            _click(view, tx, ty)
            await until(lambda: view.canvas.trail_length() == 9, "the team's trail of nine fixes")
            assert not view.card.isVisible()  # a team has no elder card

            # queue → map: selecting the alarm in the queue centres the map on it
            alarm_id = _incident_of(desk, "door_forced")
            assert alarm_id is not None
            view.canvas.centre_on(fx + 2000, fy + 2000)
            assert desk.window.select_incident(alarm_id)
            amark = view.canvas.incident_marks()[alarm_id]
            await until(lambda: view.canvas.is_in_view(amark.x, amark.y), "the map on the alarm")
            cx, cy = view.canvas.centre()
            assert math.hypot(cx - amark.x, cy - amark.y) < 5

            # search by name centres on the elder and opens the card
            other = next(e for e in community.elders if e.ref == scene.low_battery)
            view.search.setText(other.name)
            QtBot.keyClick(view.search, Qt.Key.Key_Return)
            cx, cy = view.canvas.centre()
            ox, oy = view.canvas.marker_position(other.ref) or (0.0, 0.0)
            assert math.hypot(cx - ox, cy - oy) < 5
            assert view.selected == other.ref and "8%" in view.card.text()
            view.search.setText("nobody-like-this")
            QtBot.keyClick(view.search, Qt.Key.Key_Return)
            assert "nobody-like-this" in view.status.text()

            # View → Map hides it and the choice is kept
            desk.window.map_action.trigger()
            assert not view.isVisible()
            assert QSettings().value("window/map", type=bool) is False
            desk.window.map_action.trigger()
            assert view.isVisible()

    run_on_qasync(qapp, scenario())


def test_a_new_p1_is_followed_and_screenshots(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            scene = demo_scene(desk.simulator.community)
            desk.window.show_map(True)
            view = await _play(desk, scene)
            view.canvas.fit()
            shots = {"map-overview": view.grab()}
            # a second fall far from where the map looks: the map follows it
            second = next(
                e
                for e in desk.simulator.community.elders
                if e.ref not in (scene.fallen,) and e.home[1] > 117.263
            )
            view.canvas.centre_on(-400, -250, m_per_px=0.4)
            desk.simulator.inject(
                {
                    "id": "map-fall-2",
                    "type": "fall",
                    "source": "fall-detectors",
                    "time": datetime.now(UTC).isoformat(),
                    "device": second.device,
                    "elder": second.ref,
                    "confidence": 0.9,
                    "location": {"lat": second.home[0], "lon": second.home[1]},
                }
            )
            sx, sy = view.projection.forward(*second.home)
            await until(
                lambda: math.hypot(view.canvas.centre()[0] - sx, view.canvas.centre()[1] - sy) < 5,
                "the map to follow the new P1",
            )
            assert view.selected == second.ref and view.card.isVisible()
            # the first fall with the patrol en route, close in
            fx, fy = view.projection.forward(*scene.fall_point)
            view.canvas.centre_on(fx + 60, fy - 60, m_per_px=0.45)
            tx, ty = view.canvas.marker_position(scene.team) or (0.0, 0.0)
            _click(view, tx, ty)
            await until(lambda: view.canvas.trail_length() == 9, "the team's trail")
            shots["map-fall-patrol"] = view.grab()
            desk.window.resize(1920, 1080)
            shots["map-window"] = desk.window.grab()
            for name, pixmap in shots.items():
                image = pixmap.toImage()
                assert not image.isNull() and image.width() > 300
                colours = {
                    image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
                }
                assert len(colours) > 30, f"{name} looks blank"
                path = tmp_path / f"{name}.png"
                assert pixmap.save(str(path))
                if SAVE:
                    DOCS.mkdir(parents=True, exist_ok=True)
                    pixmap.save(str(DOCS / f"{name}.png"))

    run_on_qasync(qapp, scenario())


def _position(ref: str, n: int, lat: float, lon: float) -> dict:
    return {
        "id": f"zone-pos-{ref}-{n}",
        "type": "position",
        "source": "fall-detectors",
        "time": datetime.now(UTC).isoformat(),
        "subject": ref,
        "location": {"lat": lat, "lon": lon},
        "battery": 0.6,
    }


def test_the_shift_lead_draws_a_safe_zone_and_leaving_it_raises_wandering(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            scene = demo_scene(desk.simulator.community)
            desk.window.show_map(True)
            view = await _play(desk, scene)
            canvas = view.canvas
            elder = next(e for e in desk.simulator.community.elders if e.dementia and e.safe_radius_m >= 80)
            hx, hy = view.projection.forward(*elder.home)
            canvas.centre_on(hx, hy, m_per_px=0.5)
            _click(view, hx, hy)
            assert view.selected == elder.ref and view.draw_zone.isEnabled()
            assert not view.remove_zone.isEnabled()  # nothing drawn yet
            # a first try, cancelled with Esc: nothing saved, the circle still shown
            view.draw_zone.click()
            assert canvas.is_drawing() and not view.draw_zone.isEnabled()
            assert elder.ref in view.zone_hint.text()
            _click(view, hx - 30, hy + 30)
            _click(view, hx + 30, hy + 30)
            assert len(canvas.corners()) == 2
            QtBot.keyClick(canvas, Qt.Key.Key_Return)  # two corners enclose nothing: still drawing
            assert canvas.is_drawing()
            QtBot.keyClick(canvas, Qt.Key.Key_Escape)
            assert not canvas.is_drawing() and view.drawn_zone(elder.ref) is None
            # drawn: four corners 30 m around the home (Backspace takes a stray one back),
            # the last one double-clicked
            view.draw_zone.click()
            for dx, dy in ((-30, 30), (30, 30), (80, -80)):
                _click(view, hx + dx, hy + dy)
            QtBot.keyClick(canvas, Qt.Key.Key_Backspace)
            assert len(canvas.corners()) == 2
            _click(view, hx + 30, hy - 30)
            at = canvas.mapFromScene(QPointF(hx - 30, -(hy - 30)))
            QtBot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=at)
            assert not canvas.is_drawing()
            await until(lambda: view.drawn_zone(elder.ref) is not None, "the drawn zone saved")
            ring = view.drawn_zone(elder.ref) or ()
            assert len(ring) == 4
            south = min(lat for lat, _lon in ring)
            assert haversine_m(south, elder.home[1], *elder.home) == pytest.approx(30, abs=1.5)
            assert desk.runtime.store.safe_zones()[elder.ref] == ring
            log = desk.runtime.store.desk_log()
            assert [e["kind"] for e in log] == ["safe_zone_drawn"] and elder.ref in log[0]["note"]
            assert "drawn on the map" in view.card.text() and view.remove_zone.isEnabled()
            bounds = canvas._zone.path().boundingRect()  # the polygon, not the circle
            assert bounds.width() == pytest.approx(60, abs=2)
            if SAVE:
                canvas.centre_on(hx, hy + 15, m_per_px=0.35)
                DOCS.mkdir(parents=True, exist_ok=True)
                view.grab().save(str(DOCS / "map-safe-zone.png"))

            # 60 m north of home: inside the profile's circle, beyond the drawn square
            lat, lon = offset_m(*elder.home, 60, 0)
            for n in range(3):
                desk.simulator.inject(_position(elder.ref, n, lat, lon))

            def wandering() -> bool:
                return any(i.kind == "wandering" and i.subject == elder.ref for i in view.state.incidents)

            await until(wandering, "the wandering incident", timeout=8)

            # removed: back to home and radius
            view.remove_zone.click()
            await until(lambda: view.drawn_zone(elder.ref) is None, "the drawn zone removed")
            assert desk.runtime.store.safe_zones() == {}
            kinds = [e["kind"] for e in desk.runtime.store.desk_log()]
            assert kinds == ["safe_zone_drawn", "safe_zone_removed"]
            assert not view.remove_zone.isEnabled() and view.draw_zone.isEnabled()
            assert canvas._zone.path().boundingRect().width() == pytest.approx(2 * elder.safe_radius_m, abs=2)
            # a triangle, finished with Enter
            view.draw_zone.click()
            for dx, dy in ((-40, -30), (40, -30), (0, 40)):
                _click(view, hx + dx, hy + dy)
            QtBot.keyClick(canvas, Qt.Key.Key_Enter)
            await until(lambda: len(view.drawn_zone(elder.ref) or ()) == 3, "the triangle saved")

    run_on_qasync(qapp, scenario())


class _NoStore:
    """A store with nothing in it (the map of another community before any event)."""

    def profiles(self, kind: str | None = None) -> list[dict]:
        return []

    def last_positions(self) -> dict:
        return {}

    def last_positions_of(self, subjects: list[str]) -> dict:
        return {}

    def devices(self) -> dict:
        return {}

    def incidents(self, *, open_only: bool = False) -> list:
        return []

    def incidents_by_id(self, ids: object) -> list:
        return []

    def trail(self, subject: str, since: datetime) -> list:
        return []

    def safe_zones(self) -> dict:
        return {}


class _Runtime:
    store = _NoStore()


def test_another_communitys_map_is_one_geojson_file_away(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    # a small estate in Shanghai, traced off a Chinese web map: GCJ-02, said so at the top
    def ring(lat: float, lon: float, d: float) -> list[list[float]]:
        return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]

    def feature(kind: str, geometry: dict, **props: object) -> dict:
        return {"type": "Feature", "geometry": geometry, "properties": {"kind": kind, **props}}

    data = {
        "type": "FeatureCollection",
        "name": "梅园新村",
        "crs": "gcj02",
        "features": [
            feature("grid", {"type": "Polygon", "coordinates": [ring(31.230, 121.470, 0.004)]},
                    name="梅园第1网格", ref="MY-G1", worker="MY-S1"),
            feature("building", {"type": "Polygon", "coordinates": [ring(31.231, 121.471, 0.0004)]},
                    name="梅园新村 8号楼", number=8, ref="MY-B8"),
            feature("road", {"type": "LineString", "coordinates": [[121.470, 31.232], [121.474, 31.232]]},
                    name="梅园路", width_m=12),
            feature("gate", {"type": "Point", "coordinates": [121.472, 31.230]}, name="梅园新村 南门"),
        ],
    }  # fmt: skip
    path = tmp_path / "meiyuan.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    view = MapView(_Runtime(), path)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    assert view.community is not None and view.community.name == "梅园新村"
    view.canvas.set_metres_per_pixel(0.3)
    assert "梅园新村 8号楼" in view.canvas.visible_labels("building")
    view.canvas.set_metres_per_pixel(1.0)
    assert "8" in view.canvas.visible_labels("building_number")
    assert "梅园新村 8号楼" not in view.canvas.visible_labels("building")  # too small to read: hidden
    view.canvas.set_metres_per_pixel(2.5)
    assert "梅园第1网格" in view.canvas.visible_labels("grid")
    assert view.canvas.scale_bar_metres() == 200.0
    # the map is placed in WGS-84: the GCJ-02 corner is taken back by the offset (~500 m here)
    south, west = view.projection.inverse(view.community.bounds[0], view.community.bounds[1])
    assert (south, west) == pytest.approx(gcj02_to_wgs84(31.230, 121.470), abs=1e-5)  # within a metre
    assert haversine_m(south, west, 31.230, 121.470) > 400
    # and back to the demo community
    view.set_community(Path(__file__).resolve().parents[2] / "resources" / "demo-community.geojson")
    assert len(view.canvas.map.of_kind("building")) == 69 if view.canvas.map else False
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(MapFileError):
        load_community_map(bad)


def test_the_map_reads_only_the_incidents_that_changed(qapp: QApplication, qtbot: QtBot, db_url: str) -> None:
    """A burst of thousands of incidents read every open incident (and every event link) at each
    change; now the map reads the ones a commit names, and a closed one leaves the map."""

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            community = desk.simulator.community
            desk.window.show_map(True)
            view = await _play(desk, demo_scene(community))
            store = desk.runtime.store
            full_reads = 0
            every = store.incidents

            def counted(*, open_only: bool = False) -> list:
                nonlocal full_reads
                full_reads += 1
                return every(open_only=open_only)

            store.incidents = counted  # type: ignore[method-assign]
            alarm_id = _incident_of(desk, "door_forced")
            assert alarm_id is not None and alarm_id in view.canvas.incident_marks()
            await desk.runtime.act(alarm_id, Action.FALSE_ALARM, LEAD)
            await until(lambda: alarm_id not in view.canvas.incident_marks(), "the false alarm off the map")
            assert _incident_of(desk, "door_forced") is None
            desk.simulator.inject(fall(90, elder=community.elders[7].ref))
            await until(lambda: len(view.canvas.incident_marks()) == 3, "the new fall on the map")
            assert _incident_of(desk, "fall") is not None
            assert full_reads == 0

    run_on_qasync(qapp, scenario())
