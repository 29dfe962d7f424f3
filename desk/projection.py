"""The map's plane: local metres east and north of a reference point, every input in WGS-84.

Why local metres and not Web-Mercator: the desk's map is one community (a few km across), drawn
offline from GeoJSON with no tile pyramid to line up with, so Mercator's one advantage does not
apply; its scale (1/cos φ, 1.18 at Hefei) would make every distance on the map need a correction.
In metres a safe-zone radius, a scale bar and a click tolerance are plain numbers. The error of an
equirectangular plane tangent at the centre is below 0.05 % within 5 km (checked in the tests).

CRS: CES/1 locations say `crs` "wgs84" or "gcj02"; the GeoJSON map is WGS-84 (RFC 7946). Everything
is drawn in WGS-84: GCJ-02 positions are converted back with `desk.geo.gcj02_to_wgs84`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from desk.geo import EARTH_RADIUS_M, gcj02_to_wgs84

WGS84 = "wgs84"
GCJ02 = "gcj02"
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0


def to_wgs84(lat: float, lon: float, crs: str | None) -> tuple[float, float]:
    """A position as WGS-84, whatever CRS it came in (None and unknown names are taken as WGS-84)."""
    if crs == GCJ02:
        return gcj02_to_wgs84(lat, lon)
    return lat, lon


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular plane tangent at (lat0, lon0): x metres east, y metres north."""

    lat0: float
    lon0: float

    @property
    def _kx(self) -> float:
        return _M_PER_DEG * math.cos(math.radians(self.lat0))

    def forward(self, lat: float, lon: float) -> tuple[float, float]:
        """(lat, lon) in WGS-84 → (x east, y north) in metres."""
        return (lon - self.lon0) * self._kx, (lat - self.lat0) * _M_PER_DEG

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        """(x east, y north) in metres → (lat, lon)."""
        return self.lat0 + y / _M_PER_DEG, self.lon0 + x / self._kx

    def project(self, lat: float, lon: float, crs: str | None = WGS84) -> tuple[float, float]:
        """A position in any CES/1 CRS → the plane."""
        return self.forward(*to_wgs84(lat, lon, crs))

    @classmethod
    def centred_on(cls, points: Iterable[tuple[float, float]]) -> LocalProjection:
        """The plane tangent at the middle of the bounding box of (lat, lon) points."""
        pts = list(points)
        if not pts:
            raise ValueError("no points to centre a projection on")
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        return cls((min(lats) + max(lats)) / 2.0, (min(lons) + max(lons)) / 2.0)


def nice_scale_length(metres_per_pixel: float, max_pixels: float = 160.0) -> float:
    """The longest 1-2-5 × 10ⁿ metres that fit in `max_pixels` (the scale bar's length)."""
    if metres_per_pixel <= 0:
        raise ValueError("metres_per_pixel must be positive")
    limit = metres_per_pixel * max_pixels
    exp = math.floor(math.log10(limit))
    best = 10.0**exp
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * 10.0**exp <= limit:
            best = step * 10.0**exp
    return best
