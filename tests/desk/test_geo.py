"""desk.geo against published reference points of the GCJ-02 offset, and the plane geometry helpers."""

from __future__ import annotations

import math

import pytest

from desk.geo import gcj02_to_wgs84, haversine_m, in_china, offset_m, point_in_polygon, wgs84_to_gcj02

HEFEI = (31.861, 117.260)


@pytest.mark.parametrize(
    ("wgs", "gcj", "tolerance"),
    [
        # wandergis/coordtransform test/app.js (also coordtransform_rs, hutool CoordinateUtilTest)
        ((39.915, 116.404), (39.91640428150164, 116.41024449916938), 1e-12),
        # an R package's wgs_to_gcj test, given to 8 decimals
        ((39.90734, 116.39089), (39.90874107, 116.39713094), 1e-8),
    ],
)
def test_wgs84_to_gcj02_matches_reference_points(
    wgs: tuple[float, float], gcj: tuple[float, float], tolerance: float
) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=tolerance)
    assert lon == pytest.approx(gcj[1], abs=tolerance)


def test_gcj02_to_wgs84_matches_reference_point() -> None:
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 [123, 45] -> WGS84, toBeCloseTo(..., 5)
    lat, lon = gcj02_to_wgs84(45.0, 123.0)
    assert lat == pytest.approx(44.99804071, abs=5e-6)
    assert lon == pytest.approx(122.99395597, abs=5e-6)


def test_the_offset_near_hefei_is_a_few_hundred_metres_to_the_south_east() -> None:
    glat, glon = wgs84_to_gcj02(*HEFEI)
    assert 300 < haversine_m(*HEFEI, glat, glon) < 800
    assert glat < HEFEI[0] and glon > HEFEI[1]


@pytest.mark.parametrize(
    "point",
    [
        HEFEI,
        (31.80, 117.20),
        (31.95, 117.35),
        (39.915, 116.404),
        (31.23, 121.47),
        (43.82, 87.61),
        (45.80, 126.53),
    ],
)
def test_round_trip_is_within_half_a_metre(point: tuple[float, float]) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
    assert haversine_m(*point, *back) < 0.5
    # and the inverse really is one: far better than the ~1 m of the usual one-step guess
    assert haversine_m(*point, *back) < 0.01


def test_points_outside_china_are_left_alone() -> None:
    london = (51.5074, -0.1278)
    assert not in_china(*london)
    assert wgs84_to_gcj02(*london) == london
    assert gcj02_to_wgs84(*london) == london


def test_haversine_of_one_degree_and_of_nothing() -> None:
    one_degree = 6371008.8 * math.pi / 180
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(one_degree, rel=1e-9)
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(one_degree, rel=1e-9)
    assert haversine_m(*HEFEI, *HEFEI) == 0.0
    # Hefei to Shanghai is about 400 km as the crow flies
    assert 380_000 < haversine_m(*HEFEI, 31.23, 121.47) < 420_000


def test_offset_m_moves_the_asked_distance() -> None:
    lat, lon = offset_m(*HEFEI, 300.0, 400.0)
    assert haversine_m(*HEFEI, lat, lon) == pytest.approx(500.0, rel=1e-3)
    assert lat > HEFEI[0] and lon > HEFEI[1]


SQUARE = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
# an L: the square with its north-east quarter cut away
L_SHAPE = [(0.0, 0.0), (0.0, 1.0), (0.5, 1.0), (0.5, 0.5), (1.0, 0.5), (1.0, 0.0)]


def test_point_in_polygon() -> None:
    assert point_in_polygon(0.5, 0.5, SQUARE)
    assert point_in_polygon(0.5, 0.5, [*SQUARE, SQUARE[0]])  # a closed ring reads the same
    assert not point_in_polygon(1.5, 0.5, SQUARE)
    assert not point_in_polygon(0.5, -0.1, SQUARE)
    assert point_in_polygon(0.25, 0.75, L_SHAPE)
    assert point_in_polygon(0.75, 0.25, L_SHAPE)
    assert not point_in_polygon(0.75, 0.75, L_SHAPE)
    assert not point_in_polygon(0.5, 0.5, SQUARE[:2])
