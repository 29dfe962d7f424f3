"""desk.projection: the map's local plane in metres, CRS handling, the scale bar's lengths."""

from __future__ import annotations

import math

import pytest

from desk.geo import haversine_m, wgs84_to_gcj02
from desk.projection import GCJ02, WGS84, LocalProjection, nice_scale_length, to_wgs84

HEFEI = LocalProjection(31.86, 117.26)


def test_one_hundredth_of_a_degree_north_and_east_in_metres() -> None:
    assert HEFEI.forward(31.87, 117.26) == pytest.approx((0.0, 1111.9508), abs=1e-3)
    # a degree of longitude shrinks with cos(latitude): 1111.95 m × cos 31.86° = 944.42 m
    assert HEFEI.forward(31.86, 117.27) == pytest.approx((944.4247, 0.0), abs=1e-3)
    assert HEFEI.forward(31.86, 117.26) == (0.0, 0.0)


def test_west_and_south_are_negative_and_inverse_undoes_forward() -> None:
    x, y = HEFEI.forward(31.85, 117.25)
    assert x < 0 and y < 0
    assert HEFEI.inverse(x, y) == pytest.approx((31.85, 117.25), abs=1e-12)


@pytest.mark.parametrize(("north", "east"), [(0.02, 0.025), (-0.03, 0.01), (0.0, -0.04)])
def test_distances_on_the_plane_match_great_circles_within_a_community(north: float, east: float) -> None:
    lat, lon = 31.86 + north, 117.26 + east
    x, y = HEFEI.forward(lat, lon)
    true = haversine_m(31.86, 117.26, lat, lon)
    assert true > 900
    assert abs(math.hypot(x, y) - true) / true < 5e-4  # under 0.05 % up to ~4.5 km


def test_gcj02_positions_land_where_the_wgs84_point_is() -> None:
    # the published pair (wandergis/coordtransform): WGS-84 (39.915, 116.404) is GCJ-02 below
    gcj = (39.91640428150164, 116.41024449916938)
    assert to_wgs84(*gcj, GCJ02) == pytest.approx((39.915, 116.404), abs=1e-8)
    beijing = LocalProjection(39.915, 116.404)
    x, y = beijing.project(*gcj, GCJ02)
    assert math.hypot(x, y) < 0.01  # drawn on the WGS-84 point, not ~570 m away
    raw = beijing.project(*gcj, WGS84)
    assert 500 < math.hypot(*raw) < 650


def test_a_hefei_gcj02_fix_is_pulled_back_by_its_offset() -> None:
    wgs = (31.862, 117.259)
    gcj = wgs84_to_gcj02(*wgs)
    x, y = HEFEI.project(*gcj, "gcj02")
    assert (x, y) == pytest.approx(HEFEI.forward(*wgs), abs=0.01)
    assert to_wgs84(*wgs, None) == wgs  # no crs: WGS-84, as in CES/1


def test_centred_on_takes_the_middle_of_the_bounding_box() -> None:
    proj = LocalProjection.centred_on([(31.0, 117.0), (32.0, 118.0), (31.2, 117.9)])
    assert (proj.lat0, proj.lon0) == (31.5, 117.5)
    with pytest.raises(ValueError):
        LocalProjection.centred_on([])


@pytest.mark.parametrize(
    ("m_per_px", "expected"), [(1.0, 100.0), (0.37, 50.0), (3.3, 500.0), (0.05, 5.0), (12.0, 1000.0)]
)
def test_scale_bar_lengths_are_round(m_per_px: float, expected: float) -> None:
    assert nice_scale_length(m_per_px, 160) == expected
    assert expected / m_per_px <= 160
