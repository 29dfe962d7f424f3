"""Safe zones of elders and the wandering rule: leaving the zone raises an incident, returning is recorded.

A safe zone is the home and a radius from the elder's profile (`home`, `safe_radius_m`), or a
polygon the shift lead drew on the map (it takes precedence). Only elders flagged for it are watched
(a condition such as 认知障碍 in `conditions`, or `wander_watch: true` in the profile).

GPS jitters by 5–25 m, so a crossing needs hysteresis: an elder is outside only after
`confirm` fixes in a row more than `hysteresis_m` beyond the edge, and back only after `confirm`
fixes more than `hysteresis_m` inside it; fixes in the band between change nothing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from desk.geo import haversine_m, point_in_polygon
from desk.incidents import IncidentClass, Priority, Signal
from desk.projection import LocalProjection, to_wgs84

#: conditions that put an elder on the wandering watch
WANDER_CONDITIONS = frozenset({"认知障碍", "阿尔茨海默病", "老年痴呆", "痴呆", "dementia", "alzheimer"})
WANDERING_KIND = "wandering"
WANDERING_TITLE = "走失预警：离开安全区"
#: an exit within this long after the last one joins the open incident
WANDERING_WINDOW = timedelta(hours=6)
DEFAULT_HYSTERESIS_M = 25.0
DEFAULT_CONFIRM = 2

Ring = tuple[tuple[float, float], ...]


def flagged_for_wandering(data: Mapping[str, Any]) -> bool:
    """Whether an elder's profile puts them on the wandering watch."""
    if data.get("wander_watch") is True:
        return True
    conditions = data.get("conditions") or ()
    if not isinstance(conditions, list | tuple):
        return False
    return any(str(c).strip().lower() in WANDER_CONDITIONS for c in conditions)


@dataclass(frozen=True, slots=True)
class SafeZone:
    """Home and radius, or a polygon of (lat, lon) in WGS-84 (the polygon wins when both are set)."""

    elder: str
    home: tuple[float, float] | None = None
    radius_m: float | None = None
    polygon: Ring | None = None

    def overshoot_m(self, lat: float, lon: float) -> float:
        """Metres beyond the edge: positive outside, negative inside (a WGS-84 point)."""
        if self.polygon is not None and len(self.polygon) >= 3:
            edge = _distance_to_ring_m(lat, lon, self.polygon)
            return -edge if point_in_polygon(lat, lon, self.polygon) else edge
        if self.home is None or self.radius_m is None:
            raise ValueError(f"safe zone of {self.elder} has neither a polygon nor home and radius")
        return haversine_m(lat, lon, *self.home) - self.radius_m


def _distance_to_ring_m(lat: float, lon: float, ring: Ring) -> float:
    """The shortest distance from a point to a ring's edges, in metres (on the local plane)."""
    proj = LocalProjection(lat, lon)
    pts = [proj.forward(*p) for p in ring]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    best = math.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(pts):
        dx, dy = x2 - x1, y2 - y1
        seg = dx * dx + dy * dy
        t = 0.0 if seg == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / seg))
        best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
    return best


def zone_from_profile(ref: str, data: Mapping[str, Any], polygon: Ring | None = None) -> SafeZone | None:
    """The safe zone a profile describes (`home` {lat, lon} and `safe_radius_m`), or the drawn polygon."""
    if polygon:
        return SafeZone(ref, polygon=tuple(polygon))
    home = data.get("home")
    radius = data.get("safe_radius_m")
    if not isinstance(home, Mapping) or not isinstance(radius, int | float) or isinstance(radius, bool):
        return None
    try:
        lat, lon = float(home["lat"]), float(home["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if radius <= 0:
        return None
    crs = home.get("crs")
    return SafeZone(ref, to_wgs84(lat, lon, crs if isinstance(crs, str) else None), float(radius))


def check_ring(points: Sequence[tuple[float, float]]) -> Ring:
    """A drawn polygon as a ring of (lat, lon): a closing repeat of the first corner and repeated
    corners dropped; ValueError unless three corners or more remain, in range, enclosing an area."""
    ring: list[tuple[float, float]] = []
    for lat, lon in points:
        lat, lon = float(lat), float(lon)
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"not a WGS-84 point: {lat}, {lon}")
        if not ring or ring[-1] != (lat, lon):
            ring.append((lat, lon))
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        raise ValueError("a safe zone needs three corners or more")
    proj = LocalProjection(*ring[0])
    xy = [proj.forward(*p) for p in ring]
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise([*xy, xy[0]])) / 2
    if abs(area) < 1.0:  # square metres: the corners lie on a line
        raise ValueError("the corners of a safe zone must enclose an area")
    return tuple(ring)


class FenceState(StrEnum):
    UNKNOWN = "unknown"
    INSIDE = "inside"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class Crossing:
    """A confirmed exit (`left`) or return of an elder, at the fix that confirmed it."""

    elder: str
    left: bool
    at: datetime
    lat: float
    lon: float
    overshoot_m: float


@dataclass(slots=True)
class _Track:
    state: FenceState = FenceState.UNKNOWN
    outside_run: int = 0
    inside_run: int = 0


@dataclass
class GeofenceWatch:
    """Follows flagged elders' positions against their safe zones; `observe` reports crossings."""

    hysteresis_m: float = DEFAULT_HYSTERESIS_M
    confirm: int = DEFAULT_CONFIRM
    _profiles: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    _polygons: dict[str, Ring] = field(default_factory=dict)
    _zones: dict[str, SafeZone] = field(default_factory=dict)
    _tracks: dict[str, _Track] = field(default_factory=dict)

    def set_profile(self, ref: str, kind: str | None, data: Mapping[str, Any]) -> None:
        """A directory record arrived: watch the elder if flagged (and while flagged), else stop."""
        if kind != "elder" or not flagged_for_wandering(data):
            self._profiles.pop(ref, None)
            self._zones.pop(ref, None)
            return
        self._profiles[ref] = data
        self._rezone(ref)

    def set_polygon(self, ref: str, ring: Sequence[tuple[float, float]] | None) -> None:
        """The shift lead drew (or removed, with None) a polygon safe zone for an elder."""
        if ring:
            self._polygons[ref] = tuple((float(a), float(b)) for a, b in ring)
        else:
            self._polygons.pop(ref, None)
        self._rezone(ref)

    def _rezone(self, ref: str) -> None:
        data = self._profiles.get(ref)
        zone = zone_from_profile(ref, data, self._polygons.get(ref)) if data is not None else None
        if zone is None:
            self._zones.pop(ref, None)
        else:
            self._zones[ref] = zone

    def zone(self, ref: str) -> SafeZone | None:
        return self._zones.get(ref)

    def watched(self) -> set[str]:
        return set(self._zones)

    def state(self, ref: str) -> FenceState:
        track = self._tracks.get(ref)
        return track.state if track else FenceState.UNKNOWN

    def observe(self, ref: str, lat: float, lon: float, crs: str | None, at: datetime) -> Crossing | None:
        """One position fix; a Crossing when it confirms an exit or a return, else None."""
        zone = self._zones.get(ref)
        if zone is None:
            return None
        wlat, wlon = to_wgs84(lat, lon, crs)
        over = zone.overshoot_m(wlat, wlon)
        track = self._tracks.setdefault(ref, _Track())
        if over > self.hysteresis_m:
            track.outside_run += 1
            track.inside_run = 0
            if track.state is not FenceState.OUTSIDE and track.outside_run >= self.confirm:
                track.state = FenceState.OUTSIDE
                return Crossing(ref, True, at, wlat, wlon, over)
        elif over < -self.hysteresis_m:
            track.inside_run += 1
            track.outside_run = 0
            if track.state is FenceState.UNKNOWN:
                track.state = FenceState.INSIDE  # first seen at home: nothing to report
            elif track.state is FenceState.OUTSIDE and track.inside_run >= self.confirm:
                track.state = FenceState.INSIDE
                return Crossing(ref, False, at, wlat, wlon, over)
        else:  # in the band around the edge: jitter, not a crossing
            track.outside_run = 0
            track.inside_run = 0
        return None


def wandering_signal(crossing: Crossing, place: str | None = None) -> Signal:
    """The incident signal of a crossing: an exit opens (or joins) a wandering incident, a return clears."""
    return Signal(
        f"{WANDERING_KIND}:{crossing.elder}",
        WANDERING_KIND,
        IncidentClass.EMERGENCY,
        Priority.P2,
        WANDERING_TITLE,
        place,
        crossing.elder,
        WANDERING_WINDOW,
        clears=not crossing.left,
    )
