"""desk.geofence: safe zones from profiles or drawn polygons, exit and return with hysteresis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.geo import offset_m, point_in_polygon, wgs84_to_gcj02
from desk.geofence import (
    FenceState,
    GeofenceWatch,
    SafeZone,
    flagged_for_wandering,
    wandering_signal,
    zone_from_profile,
)
from desk.incidents import Priority

HOME = (31.8625, 117.2560)
T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
PROFILE = {
    "conditions": ["高血压", "认知障碍"],
    "home": {"lat": HOME[0], "lon": HOME[1]},
    "safe_radius_m": 200,
}


def at(north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    return offset_m(*HOME, north_m, east_m)


def test_who_is_flagged_for_wandering() -> None:
    assert flagged_for_wandering(PROFILE)
    assert flagged_for_wandering({"conditions": ["Dementia"]})
    assert flagged_for_wandering({"conditions": [], "wander_watch": True})
    assert not flagged_for_wandering({"conditions": ["高血压", "独居"]})
    assert not flagged_for_wandering({"conditions": "认知障碍 as a string is not a list"})
    assert not flagged_for_wandering({})


def test_zone_from_profile_reads_home_and_radius_or_takes_the_polygon() -> None:
    zone = zone_from_profile("E-1", PROFILE)
    assert zone == SafeZone("E-1", HOME, 200.0)
    assert zone.overshoot_m(*at(250)) == pytest.approx(50.0, abs=0.05)
    assert zone.overshoot_m(*at(0, -150)) == pytest.approx(-50.0, abs=0.05)
    ring = ((31.86, 117.25), (31.86, 117.26), (31.87, 117.26), (31.87, 117.25))
    assert zone_from_profile("E-1", PROFILE, ring) == SafeZone("E-1", polygon=ring)
    assert zone_from_profile("E-1", {"home": {"lat": 1}, "safe_radius_m": 100}) is None
    assert zone_from_profile("E-1", {"home": {"lat": 31.8, "lon": 117.2}, "safe_radius_m": 0}) is None


def test_a_home_given_in_gcj02_is_taken_back_to_wgs84() -> None:
    glat, glon = wgs84_to_gcj02(*HOME)
    zone = zone_from_profile(
        "E-1", {"home": {"lat": glat, "lon": glon, "crs": "gcj02"}, "safe_radius_m": 100}
    )
    assert zone is not None and zone.home == pytest.approx(HOME, abs=1e-8)


def test_polygon_overshoot_is_the_distance_to_the_nearest_edge() -> None:
    # a 200 m × 200 m square around HOME
    sw, ne = at(-100, -100), at(100, 100)
    ring = ((sw[0], sw[1]), (sw[0], ne[1]), (ne[0], ne[1]), (ne[0], sw[1]))
    zone = SafeZone("E-1", polygon=ring)
    assert zone.overshoot_m(*HOME) == pytest.approx(-100.0, abs=0.1)
    assert zone.overshoot_m(*at(130, 0)) == pytest.approx(30.0, abs=0.1)
    assert zone.overshoot_m(*at(130, 140)) == pytest.approx(50.0, abs=0.1)  # past a corner: 30-40-50
    assert zone.overshoot_m(*at(0, 95)) == pytest.approx(-5.0, abs=0.1)


def test_point_in_polygon_edge_cases_the_fence_relies_on() -> None:
    square = ((0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0))
    concave = ((0.0, 0.0), (0.0, 3.0), (3.0, 3.0), (3.0, 2.0), (1.0, 2.0), (1.0, 1.0), (3.0, 1.0), (3.0, 0.0))
    assert point_in_polygon(0.5, 0.5, square)
    assert point_in_polygon(0.5, 0.5, (*square, square[0]))  # a closed ring: the same answer
    assert not point_in_polygon(0.5, 1.5, square)
    assert point_in_polygon(0.5, 1.5, concave)  # the back of the C (lat 0–1)
    assert point_in_polygon(2.0, 0.5, concave)  # an arm
    assert not point_in_polygon(2.0, 1.5, concave)  # in its mouth, between the arms
    assert not point_in_polygon(0.5, 0.5, square[:2])  # two points are no polygon
    # the even-odd rule on the half-open edges: the south-west boundary is in, the north-east out
    assert point_in_polygon(0.0, 0.5, square) and not point_in_polygon(1.0, 0.5, square)


def watch(confirm: int = 2, hysteresis_m: float = 25.0) -> GeofenceWatch:
    w = GeofenceWatch(hysteresis_m=hysteresis_m, confirm=confirm)
    w.set_profile("E-1", "elder", PROFILE)
    return w


def walk(w: GeofenceWatch, metres_north: list[float]) -> list[tuple[int, bool]]:
    out = []
    for i, north in enumerate(metres_north):
        crossing = w.observe("E-1", *at(north), "wgs84", T0 + timedelta(seconds=30 * i))
        if crossing is not None:
            out.append((i, crossing.left))
    return out


def test_leaving_is_reported_once_after_two_fixes_beyond_the_band_and_returning_once() -> None:
    w = watch()
    # 200 m radius, 25 m band: out at the second fix past 225 m, back at the second under 175 m
    crossings = walk(w, [0, 100, 210, 230, 260, 400, 600, 400, 170, 100, 0])
    assert crossings == [(4, True), (9, False)]
    assert w.state("E-1") is FenceState.INSIDE


def test_jitter_at_the_edge_does_not_flap() -> None:
    w = watch()
    walk(w, [0])
    # jumping about the edge by ±20 m (inside the band), and single fixes beyond it
    assert walk(w, [190, 215, 185, 220, 230, 210, 235, 200, 180, 226]) == []
    assert w.state("E-1") is FenceState.INSIDE


def test_an_elder_first_seen_far_out_is_reported() -> None:
    w = watch()
    crossings = walk(w, [500, 510])
    assert crossings == [(1, True)]


def test_only_flagged_elders_are_watched_and_a_drawn_polygon_replaces_the_circle() -> None:
    w = GeofenceWatch()
    w.set_profile("E-2", "elder", {**PROFILE, "conditions": ["高血压"]})
    w.set_profile("S-1", "staff", PROFILE)
    assert w.watched() == set()
    assert w.observe("E-2", *at(900), "wgs84", T0) is None
    w = watch(confirm=1)
    sw, ne = at(-50, -50), at(600, 50)  # a long strip to the north: 600 m is still inside it
    w.set_polygon("E-1", ((sw[0], sw[1]), (sw[0], ne[1]), (ne[0], ne[1]), (ne[0], sw[1])))
    assert walk(w, [0, 500, 580]) == []
    assert walk(w, [0, 640]) == [(1, True)]
    w.set_polygon("E-1", None)  # back to home + 200 m
    assert w.zone("E-1") == SafeZone("E-1", HOME, 200.0)
    # a profile that drops the condition stops the watch
    w.set_profile("E-1", "elder", {**PROFILE, "conditions": []})
    assert w.watched() == set()


def test_the_crossings_signals_open_and_clear_one_incident() -> None:
    w = watch(confirm=1)
    out = w.observe("E-1", *at(400), "wgs84", T0)
    back = w.observe("E-1", *at(0), "wgs84", T0 + timedelta(minutes=20))
    assert out is not None and back is not None
    opened, cleared = wandering_signal(out), wandering_signal(back)
    assert (opened.key, opened.kind, opened.priority, opened.subject) == (
        "wandering:E-1",
        "wandering",
        Priority.P2,
        "E-1",
    )
    assert not opened.clears and cleared.clears and cleared.key == opened.key
    assert out.overshoot_m == pytest.approx(200.0, abs=0.1)


def test_gcj02_fixes_are_fenced_in_wgs84() -> None:
    w = watch(confirm=1)
    # 150 m north: inside. Read as if it were WGS-84, its GCJ-02 form would be ~500 m away: outside
    assert w.observe("E-1", *wgs84_to_gcj02(*at(150)), "gcj02", T0) is None
    assert w.state("E-1") is FenceState.INSIDE
