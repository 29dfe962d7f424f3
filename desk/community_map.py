"""A community's offline map read from GeoJSON, projected to the map's plane (metres, y north).

Features are told apart by `properties.kind`: grid, building, road, gate, green (others such as
camera and sensor are kept too, the map may ignore them). Names come from `properties.name`,
building numbers from `properties.number`, a road's width from `properties.width_m`, a grid's
worker from `properties.worker`. Coordinates are WGS-84 as RFC 7946 says; a file traced off a
Chinese web map may say so with a top-level `"crs": "gcj02"` and is taken back to WGS-84.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk.projection import LocalProjection, to_wgs84

Point = tuple[float, float]
#: the kinds the map draws, bottom to top
BASE_KINDS = ("grid", "green", "road", "building", "gate")


class MapFileError(ValueError):
    """A GeoJSON file the map cannot use; the message says why."""


@dataclass(frozen=True, slots=True)
class MapFeature:
    kind: str
    ref: str
    name: str
    geometry: str  # "polygon", "line" or "point"
    points: tuple[Point, ...]  # on the plane: (x east, y north) in metres
    number: int | None = None
    grid: str | None = None
    width_m: float | None = None
    worker: str | None = None

    def centre(self) -> Point:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return (min(xs) + max(xs)) / 2.0, (min(ys) + max(ys)) / 2.0


@dataclass(frozen=True)
class CommunityMap:
    name: str
    projection: LocalProjection
    features: tuple[MapFeature, ...]
    bounds: tuple[float, float, float, float]  # min x, min y, max x, max y
    _by_kind: dict[str, tuple[MapFeature, ...]] = field(default_factory=dict, compare=False, repr=False)

    def of_kind(self, kind: str) -> tuple[MapFeature, ...]:
        if kind not in self._by_kind:
            self._by_kind[kind] = tuple(f for f in self.features if f.kind == kind)
        return self._by_kind[kind]


def _lonlat_rings(geometry: dict[str, Any]) -> tuple[str, list[list[float]]]:
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    if gtype == "Polygon" and coords:
        return "polygon", coords[0]
    if gtype == "MultiPolygon" and coords:
        return "polygon", coords[0][0]  # the map draws the first part (the demo has none)
    if gtype == "LineString" and coords:
        return "line", coords
    if gtype == "Point" and coords:
        return "point", [coords]
    return "", []


def parse_community_map(data: dict[str, Any], name: str = "") -> CommunityMap:
    """A FeatureCollection as a CommunityMap on a plane centred on its own bounding box."""
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise MapFileError("not a GeoJSON FeatureCollection")
    crs = data.get("crs") if isinstance(data.get("crs"), str) else None
    raw: list[tuple[dict[str, Any], str, list[tuple[float, float]]]] = []
    for feature in data["features"]:
        if not isinstance(feature, dict):
            continue
        geometry, lonlats = _lonlat_rings(feature.get("geometry") or {})
        if not geometry:
            continue
        try:
            latlons = [to_wgs84(float(c[1]), float(c[0]), crs) for c in lonlats]
        except (TypeError, ValueError, IndexError) as exc:
            raise MapFileError(f"feature {feature.get('id')!r}: bad coordinates") from exc
        raw.append((feature, geometry, latlons))
    if not raw:
        raise MapFileError("the file has no features with coordinates")
    projection = LocalProjection.centred_on(p for _, _, pts in raw for p in pts)
    features: list[MapFeature] = []
    for feature, geometry, latlons in raw:
        props = feature.get("properties") or {}
        kind = str(props.get("kind") or "")
        ref = str(props.get("ref") or feature.get("id") or f"{kind}-{len(features)}")
        number = props.get("number")
        width = props.get("width_m")
        features.append(
            MapFeature(
                kind,
                ref,
                str(props.get("name") or ""),
                geometry,
                tuple(projection.forward(lat, lon) for lat, lon in latlons),
                number if isinstance(number, int) and not isinstance(number, bool) else None,
                str(props["grid"]) if props.get("grid") else None,
                float(width) if isinstance(width, int | float) and not isinstance(width, bool) else None,
                str(props["worker"]) if props.get("worker") else None,
            )
        )
    xs = [p[0] for f in features for p in f.points]
    ys = [p[1] for f in features for p in f.points]
    return CommunityMap(
        str(data.get("name") or name), projection, tuple(features), (min(xs), min(ys), max(xs), max(ys))
    )


def load_community_map(path: Path | str) -> CommunityMap:
    """Read a community's GeoJSON file; MapFileError when it cannot be used."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MapFileError(f"{p}: {exc}") from exc
    if not isinstance(data, dict):
        raise MapFileError(f"{p}: not a GeoJSON object")
    return parse_community_map(data, p.stem)
