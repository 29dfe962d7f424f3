"""The demo community as GeoJSON (RFC 7946, WGS-84), for the desk's map.

``python -m services.simulator.mapdata resources/demo-community.geojson`` writes the file that ships;
a test checks that the shipped file is exactly what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .community import Community, Device, Point, Ring, build_community

KINDS = ("grid", "green", "road", "building", "gate", "camera", "sensor")


def _xy(point: Point) -> list[float]:
    return [round(point[1], 7), round(point[0], 7)]


def _polygon(ring: Ring) -> dict[str, Any]:
    coords = [_xy(p) for p in ring]
    return {"type": "Polygon", "coordinates": [[*coords, coords[0]]]}


def _feature(
    geometry: dict[str, Any],
    kind: str,
    ref: str,
    name: str,
    number: int | None = None,
    grid: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    props = {"kind": kind, "name": name, "number": number, "grid": grid, "ref": ref, **extra}
    return {"type": "Feature", "id": f"{kind}:{ref}", "geometry": geometry, "properties": props}


def _device(d: Device) -> dict[str, Any]:
    kind = "camera" if d.kind == "camera" else "sensor"
    geometry = {"type": "Point", "coordinates": _xy(d.point)}
    return _feature(geometry, kind, d.id, d.site, grid=d.grid, device_kind=d.kind, building=d.building)


def community_geojson(community: Community) -> dict[str, Any]:
    """A FeatureCollection of grids, gardens, roads, buildings, gates, cameras and sensors."""
    c = community
    features = [
        *(
            _feature(_polygon(g.ring), "grid", g.ref, g.name, g.number, g.ref, worker=g.worker)
            for g in c.grids
        ),
        *(_feature(_polygon(g.ring), "green", g.ref, g.name, grid=g.grid) for g in c.greens),
        *(
            _feature(
                {"type": "LineString", "coordinates": [_xy(p) for p in r.line]},
                "road",
                r.ref,
                r.name,
                width_m=r.width_m,
            )
            for r in c.roads
        ),
        *(
            _feature(
                _polygon(b.ring), "building", b.ref, b.name, b.number, b.grid, floors=b.floors, units=b.units
            )
            for b in c.buildings
        ),
        *(
            _feature(
                {"type": "Point", "coordinates": _xy(g.point)},
                "gate",
                g.ref,
                g.name,
                grid=g.grid,
                devices=list(g.devices),
            )
            for g in c.gates
        ),
        *(_device(d) for d in c.devices if d.kind == "camera"),
        *(_device(d) for d in c.devices if d.kind != "camera"),
    ]
    return {"type": "FeatureCollection", "name": "demo-community", "seed": c.seed, "features": features}


def render(collection: dict[str, Any]) -> str:
    """The file's text: one feature a line, so that a change to the community reads well in a diff."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m services.simulator.mapdata OUT.geojson", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.write_text(render(community_geojson(build_community())), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
