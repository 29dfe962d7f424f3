"""The wandering rule through the real store: a flagged elder leaving the safe zone raises an incident,
the return is recorded on it; unflagged elders and jitter at the edge raise nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desk.geo import offset_m, wgs84_to_gcj02
from desk.incidents import Priority, Status
from services.db import make_engine, migrate
from services.store import Inbound, Store

HOME = (31.8625, 117.2560)
T0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Store:
    engine = make_engine(db_url)
    migrate(engine)
    s = Store(engine)
    s.load([("f1", "ws://127.0.0.1:1/")])
    s.set_stream("f1", "S", reset=False)
    return s


class Feed:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.seq = 0

    def send(self, *events: dict[str, Any]) -> None:
        items = []
        for e in events:
            self.seq += 1
            raw = json.dumps({"op": "event", "seq": self.seq, "event": e}, ensure_ascii=False)
            items.append(Inbound("f1", "S", self.seq, raw, datetime.now(UTC), time.perf_counter()))
        self.store.commit_batch(items)


def profile(ref: str, conditions: list[str], radius: int = 200) -> dict[str, Any]:
    return {
        "id": f"profile:{ref}",
        "type": "profile",
        "source": "civil-affairs",
        "time": T0.isoformat(),
        "kind": "elder",
        "ref": ref,
        "name": "王桂英",
        "conditions": conditions,
        "home": {"lat": HOME[0], "lon": HOME[1]},
        "safe_radius_m": radius,
    }


def pos(n: int, ref: str, north_m: float, crs: str = "wgs84") -> dict[str, Any]:
    lat, lon = offset_m(*HOME, north_m, 0.0)
    if crs == "gcj02":
        lat, lon = wgs84_to_gcj02(lat, lon)
    return {
        "id": f"pos-{ref}-{n}",
        "type": "position",
        "source": "fall-detectors",
        "time": (T0 + timedelta(seconds=30 * n)).isoformat(),
        "subject": ref,
        "location": {"lat": lat, "lon": lon, "crs": crs},
        "battery": 0.6,
    }


def walk(feed: Feed, ref: str, metres: list[float], crs: str = "wgs84", start: int = 0) -> None:
    for i, m in enumerate(metres):
        feed.send(pos(start + i, ref, m, crs))


def wandering(store: Store) -> list[Any]:
    return [i for i in store.incidents() if i.kind == "wandering"]


def test_a_flagged_elder_leaving_raises_one_wandering_incident_and_the_return_is_recorded(
    store: Store,
) -> None:
    feed = Feed(store)
    feed.send(profile("E-1", ["认知障碍"]))
    walk(feed, "E-1", [0, 120, 240, 300, 420, 420], crs="gcj02")
    [inc] = wandering(store)
    assert (inc.priority, inc.status, inc.subject, inc.title) == (
        Priority.P2,
        Status.NEW,
        "E-1",
        "走失预警：离开安全区",
    )
    assert inc.opened_at == T0 + timedelta(seconds=90)  # the second fix beyond 225 m confirmed it
    assert inc.cleared_at is None
    walk(feed, "E-1", [150, 60, 0], crs="gcj02", start=6)
    [inc] = wandering(store)
    assert inc.cleared_at == T0 + timedelta(seconds=30 * 7)  # the second fix back inside
    assert inc.status is Status.NEW  # a person closes it
    log = [e["action"] for e in store.incident_log(inc.id)]
    assert log == ["opened", "cleared_at_source"]


def test_an_unflagged_elder_and_jitter_at_the_edge_raise_nothing(store: Store) -> None:
    feed = Feed(store)
    feed.send(profile("E-2", ["高血压"]), profile("E-3", ["认知障碍"]))
    walk(feed, "E-2", [0, 900, 950, 1000])
    walk(feed, "E-3", [0, 190, 215, 185, 224, 240, 205, 226, 190])
    assert wandering(store) == []


def test_the_writer_remembers_flagged_elders_after_a_restart(store: Store) -> None:
    feed = Feed(store)
    feed.send(profile("E-1", ["认知障碍"]))
    fresh = Store(store.engine)
    fresh.load([("f1", "ws://127.0.0.1:1/")])
    feed.store = fresh
    walk(feed, "E-1", [0, 400, 420])
    assert [i.subject for i in wandering(fresh)] == ["E-1"]


def test_trail_and_devices_reads(store: Store) -> None:
    feed = Feed(store)
    walk(feed, "E-9", [0, 10, 20, 30])
    trail = store.trail("E-9", T0 + timedelta(seconds=45))
    assert [t["at"] for t in trail] == [T0 + timedelta(seconds=60), T0 + timedelta(seconds=90)]
    assert trail[0]["crs"] == "wgs84"
    feed.send(
        {
            "id": "dev-1",
            "type": "device",
            "source": "fall-detectors",
            "time": T0.isoformat(),
            "device": "FD-1",
            "elder": "E-9",
            "status": "low_battery",
            "battery": 0.12,
        }
    )
    assert store.devices()["FD-1"]["elder"] == "E-9"
    assert store.devices()["FD-1"]["battery"] == 0.12


def box(half_m: float) -> list[tuple[float, float]]:
    """A square of `half_m` around the home, as the shift lead would click it on the map."""
    return [
        offset_m(*HOME, n, e)
        for n, e in ((half_m, -half_m), (half_m, half_m), (-half_m, half_m), (-half_m, -half_m))
    ]


def test_a_drawn_polygon_replaces_the_circle_and_removing_it_falls_back_to_home_and_radius(
    store: Store,
) -> None:
    feed = Feed(store)
    feed.send(profile("E-1", ["认知障碍"], radius=200))
    walk(feed, "E-1", [0, 10])
    store.set_safe_zone("E-1", box(60), "李组长", "desk-01")
    assert store.safe_zones()["E-1"] == tuple(box(60))
    # 100 m and 120 m north: well inside the 200 m circle, beyond the drawn square
    walk(feed, "E-1", [100, 120], start=2)
    [inc] = wandering(store)
    assert inc.opened_at == T0 + timedelta(seconds=90) and inc.cleared_at is None
    walk(feed, "E-1", [0, 5], start=4)
    [inc] = wandering(store)
    assert inc.cleared_at == T0 + timedelta(seconds=150)  # the return is recorded
    # a restarted writer remembers the drawn zone: leaving it again joins the open incident
    fresh = Store(store.engine)
    fresh.load([("f1", "ws://127.0.0.1:1/")])
    feed.store = fresh
    walk(feed, "E-1", [0, 100, 120, 0, 5], start=6)
    [inc] = wandering(fresh)
    assert inc.count == 2
    # removed: home + radius again, so the same walk raises nothing
    fresh.set_safe_zone("E-1", None, "李组长", "desk-01")
    assert fresh.safe_zones() == {}
    walk(feed, "E-1", [100, 120, 150, 0], start=11)
    [inc] = wandering(fresh)
    assert inc.count == 2
    walk(feed, "E-1", [260, 280], start=15)  # beyond 200 + 25 m: the circle watches again
    [inc] = wandering(fresh)
    assert inc.count == 3
    # both steps in the desk log (and so in the shift log)
    log = [(e["kind"], e["by"], e["note"]) for e in fresh.desk_log()]
    assert log == [
        ("safe_zone_drawn", "李组长", "E-1：手绘安全区（4 个顶点）"),
        ("safe_zone_removed", "李组长", "E-1：删除手绘安全区，恢复住址与半径"),
    ]


def test_a_safe_zone_needs_three_corners_enclosing_an_area(store: Store) -> None:
    with pytest.raises(ValueError):
        store.set_safe_zone("E-1", box(60)[:2], "李组长", "desk-01")
    line = [offset_m(*HOME, n, 0.0) for n in (0, 10, 20)]
    with pytest.raises(ValueError):
        store.set_safe_zone("E-1", line, "李组长", "desk-01")
    closed = [*box(60), box(60)[0]]
    store.set_safe_zone("E-1", closed, "李组长", "desk-01")
    assert len(store.safe_zones()["E-1"]) == 4  # the closing repeat dropped
    store.set_safe_zone("E-2", None, "李组长", "desk-01")  # nothing to remove: nothing logged
    assert [e["kind"] for e in store.desk_log()] == ["safe_zone_drawn"]
