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
