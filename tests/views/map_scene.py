"""A demo community scene for the map's tests and screenshots: the directory, every elder at home
(every fifth wearable in GCJ-02), a few low batteries, stale positions and offline wristbands, grid
workers in their grids, a patrol team driving towards a fall in progress, and a P2 alarm."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from desk.geo import offset_m, wgs84_to_gcj02
from services.simulator.community import Community
from services.simulator.simulation import Simulation


@dataclass
class Scene:
    events: list[dict[str, Any]] = field(default_factory=list)
    fallen: str = ""
    gcj02_elder: str = ""
    low_battery: str = ""
    stale: str = ""
    offline: str = ""
    team: str = ""
    contact_phone: str = ""
    fallen_name: str = ""
    fall_point: tuple[float, float] = (0.0, 0.0)


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).isoformat()


def demo_scene(community: Community, now: datetime | None = None) -> Scene:
    now = now or datetime.now(UTC)
    scene = Scene()
    sim = Simulation(community, start=now, id_tag="mapscene")
    scene.events.extend(sim.profiles())
    elders = list(community.elders)
    fallen = next(e for e in elders if e.contacts)
    scene.fallen, scene.fallen_name = fallen.ref, fallen.name
    scene.contact_phone = fallen.contacts[0].phone
    scene.gcj02_elder = elders[5].ref
    scene.low_battery, scene.stale, scene.offline = elders[7].ref, elders[9].ref, elders[11].ref
    for i, e in enumerate(elders):
        lat, lon = e.home
        crs = "wgs84"
        if i % 5 == 0:
            lat, lon = wgs84_to_gcj02(lat, lon)
            crs = "gcj02"
        at = now - timedelta(minutes=40) if e.ref == scene.stale else now - timedelta(seconds=20)
        battery = 0.08 if e.ref == scene.low_battery else 0.6
        scene.events.append(
            {
                "id": f"map-pos-{e.ref}",
                "type": "position",
                "source": "fall-detectors",
                "time": _stamp(at),
                "subject": e.ref,
                "location": {"lat": lat, "lon": lon, "crs": crs},
                "battery": battery,
            }
        )
    off = next(e for e in elders if e.ref == scene.offline)
    scene.events.append(
        {
            "id": "map-dev-off",
            "type": "device",
            "source": "fall-detectors",
            "time": _stamp(now - timedelta(seconds=30)),
            "device": off.device,
            "elder": off.ref,
            "status": "offline",
        }
    )
    for worker in community.grid_workers:
        grid = next(g for g in community.grids if g.ref == worker.grid)
        lat, lon = grid.center
        scene.events.append(
            {
                "id": f"map-pos-{worker.ref}",
                "type": "position",
                "source": "field-app",
                "time": _stamp(now - timedelta(seconds=10)),
                "subject": worker.ref,
                "location": {"lat": lat, "lon": lon},
            }
        )
    # the fall, and a patrol team driving towards it over the last four minutes
    scene.fall_point = fallen.home
    scene.events.append(
        {
            "id": "map-fall-1",
            "type": "fall",
            "source": "fall-detectors",
            "time": _stamp(now - timedelta(minutes=2)),
            "device": fallen.device,
            "elder": fallen.ref,
            "confidence": 0.93,
            "location": {"lat": fallen.home[0], "lon": fallen.home[1], "place": fallen.address},
        }
    )
    team = community.teams[0]
    scene.team = team.ref
    for step in range(9):
        lat, lon = offset_m(*fallen.home, -320 + step * 30, 260 - step * 25)
        scene.events.append(
            {
                "id": f"map-pos-{team.ref}-{step}",
                "type": "position",
                "source": "field-app",
                "time": _stamp(now - timedelta(seconds=240 - step * 30)),
                "subject": team.ref,
                "location": {"lat": lat, "lon": lon},
                "speed_mps": 3.0,
            }
        )
    for other in community.teams[1:]:
        lat, lon = offset_m(*community.grids[-1].center, 30, -40)
        scene.events.append(
            {
                "id": f"map-pos-{other.ref}",
                "type": "position",
                "source": "field-app",
                "time": _stamp(now - timedelta(seconds=15)),
                "subject": other.ref,
                "location": {"lat": lat, "lon": lon},
            }
        )
    device = next(d for d in community.devices if d.kind == "smoke")
    scene.events.append(
        {
            "id": "map-alarm-1",
            "type": "alarm",
            "source": "security",
            "time": _stamp(now - timedelta(minutes=1)),
            "kind": "door_forced",
            "state": "raised",
            "site": device.site,
            "device": device.id,
            "severity": "high",
            "location": {"lat": device.point[0], "lon": device.point[1]},
        }
    )
    return scene
