"""The demo community and its shipped map: deterministic, complete, and every elder at home in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from desk.geo import point_in_polygon
from services.simulator.community import build_community
from services.simulator.mapdata import KINDS, community_geojson, main, render

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "resources" / "demo-community.geojson"
CHINESE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
PHONE = re.compile(r"^1\d{10}$")


def test_the_same_seed_builds_the_same_community_and_another_seed_another() -> None:
    assert build_community(7) == build_community(7)
    assert build_community(7).elders != build_community(8).elders


def test_directory_has_the_people_the_desk_needs() -> None:
    c = build_community()
    assert len(c.elders) >= 150
    assert [e.ref for e in c.elders[:2]] == ["E-0001", "E-0002"]
    assert len({e.device for e in c.elders}) == len(c.elders)
    assert all(re.fullmatch(r"FD-\d{4}", e.device) for e in c.elders)
    assert all(CHINESE.match(e.name) for e in c.elders)
    assert sum(e.dementia for e in c.elders) >= 5
    assert all(e.contacts and all(PHONE.match(k.phone) and k.relation for k in e.contacts) for e in c.elders)
    assert all(e.address.startswith(c.building_by_ref[e.building].name + " ") for e in c.elders)
    assert len({e.address for e in c.elders}) == len(c.elders)

    workers = c.grid_workers
    assert [s.ref for s in workers] == [f"S-{n:03d}" for n in range(1, 13)]
    assert (
        sorted(s.grid or "" for s in workers)
        == [g.ref for g in c.grids]
        == [f"G-{n:02d}" for n in range(1, 13)]
    )
    assert all(g.worker == s.ref for g, s in zip(c.grids, workers, strict=True))
    assert [t.ref for t in c.teams] == ["P-1", "P-2", "P-3"]
    for team in c.teams:
        assert 2 <= len(team.members) <= 3
        assert all(
            c.staff_by_ref[m].role == "patrol" and c.staff_by_ref[m].team == team.ref for m in team.members
        )


def test_every_elder_lives_inside_a_building_and_exactly_one_grid() -> None:
    c = build_community()
    for elder in c.elders:
        building = c.building_by_ref[elder.building]
        assert point_in_polygon(*elder.home, building.ring), elder.ref
        assert [g.ref for g in c.grids if point_in_polygon(*elder.home, g.ring)] == [building.grid], elder.ref


def test_shipped_geojson_is_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "map.geojson"
    assert main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == SHIPPED.read_text(encoding="utf-8"), (
        "resources/demo-community.geojson is stale: run python -m services.simulator.mapdata "
        "resources/demo-community.geojson"
    )


def test_geojson_features_carry_kind_name_number_grid_and_ref() -> None:
    c = build_community()
    collection = community_geojson(c)
    assert json.loads(render(collection)) == collection
    features = collection["features"]
    kinds = {f["properties"]["kind"] for f in features}
    assert kinds == set(KINDS)
    for f in features:
        assert {"kind", "name", "number", "grid", "ref"} <= set(f["properties"])
        geometry = f["geometry"]
        if geometry["type"] == "Polygon":
            ring = geometry["coordinates"][0]
            assert ring[0] == ring[-1]
            assert all(117.2 < lon < 117.3 and 31.8 < lat < 31.9 for lon, lat in ring)  # [lon, lat] order
    buildings = [f for f in features if f["properties"]["kind"] == "building"]
    assert len(buildings) == len(c.buildings)
    assert buildings[0]["properties"]["name"] == "丁香家园二期 1栋"
    assert buildings[0]["properties"]["number"] == 1
    homes_outside = [
        e.ref
        for e in c.elders
        if not any(
            point_in_polygon(*e.home, [(lat, lon) for lon, lat in b["geometry"]["coordinates"][0]])
            for b in buildings
        )
    ]
    assert homes_outside == []
