"""Map benchmark: 5,000 elders each moving once a second for 30 s, the map live and being panned.

A writer process (spawned, as the desk's writer is) stores the elders' profiles, then commits 500
positions every 100 ms through the real `Store.commit_batch` into a SQLite file and reports the
subjects of each commit, as the desk's `Changes.positions` do. The GUI process runs the real
`MapView` over a `Store` reading that file: it reads the moved subjects off the GUI thread on its
250 ms tick and moves their markers. Meanwhile the operator pans the map (a 1-pixel scroll every
10 ms: a repaint as often as the view will paint). Measured: frames the map painted per second,
and the GUI's worst stall (the worst lateness of a 10 ms timer). The last line is one JSON object.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/map.py [--elders 5000] [--seconds 30]
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_FPS = 20.0
GOAL_STALL_MS = 100.0
CENTRE = (31.861, 117.260)


def _writer(url: str, elders: int, seconds: float, conn: Any) -> None:
    """The writer process: profiles, then every elder's position once a second."""
    import random

    from desk.geo import offset_m
    from services.db import make_engine, migrate
    from services.store import Inbound, Store

    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    store.load([("bench", "ws://127.0.0.1:1/")])
    store.set_stream("bench", "S", reset=False)
    seq = 0
    rng = random.Random(5)
    spots = [(rng.uniform(-320, 320), rng.uniform(-470, 470)) for _ in range(elders)]

    def frames(events: list[dict[str, Any]]) -> list[Inbound]:
        nonlocal seq
        out = []
        for e in events:
            seq += 1
            raw = json.dumps({"op": "event", "seq": seq, "event": e}, ensure_ascii=False)
            out.append(Inbound("bench", "S", seq, raw, datetime.now(UTC), time.perf_counter()))
        return out

    now = datetime.now(UTC).isoformat()
    profiles = [
        {"id": f"p-{i}", "type": "profile", "source": "bench", "time": now, "kind": "elder",
         "ref": f"B-{i:05d}", "name": f"老人{i}", "conditions": []}
        for i in range(elders)
    ]  # fmt: skip
    for i in range(0, elders, 500):
        store.commit_batch(frames(profiles[i : i + 500]))
    conn.send(("ready", []))
    start = time.perf_counter()
    tick, per_tick = 0.1, max(1, elders // 10)
    n = 0
    while time.perf_counter() - start < seconds:
        batch = []
        stamp = datetime.now(UTC).isoformat()
        for _ in range(per_tick):
            i = n % elders
            n += 1
            north, east = spots[i]
            spots[i] = (north + rng.uniform(-1.2, 1.2), east + rng.uniform(-1.2, 1.2))
            lat, lon = offset_m(*CENTRE, *spots[i])
            batch.append(
                {"id": f"pos-{n}", "type": "position", "source": "bench", "time": stamp,
                 "subject": f"B-{i:05d}", "location": {"lat": lat, "lon": lon}, "battery": 0.7}
            )  # fmt: skip
        changes = store.commit_batch(frames(batch))
        conn.send(("positions", sorted(changes.positions)))
        wait = start + tick * (n // per_tick) - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    conn.send(("done", [n]))
    store.close()


async def run(elders: int, seconds: float) -> dict[str, Any]:
    from PySide6.QtCore import QTimer

    from services.db import make_engine
    from services.store import Changes, Store
    from main import settle_heap
    from views.map_view import MapView

    tmp = Path(tempfile.mkdtemp(prefix="bench-map-"))
    url = f"sqlite:///{tmp / 'desk.db'}"
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_writer, args=(url, elders, seconds, there), daemon=True)
    proc.start()
    while not here.poll(0.05):
        await asyncio.sleep(0.05)
    assert here.recv()[0] == "ready"

    class Runtime:
        store = Store(make_engine(url))

    view = MapView(Runtime())
    view.resize(1000, 800)
    view.show()
    await view.load()
    view.canvas.set_metres_per_pixel(1.2)
    settle_heap()  # as main.py does once the window has loaded
    stalls: list[float] = []
    last = time.perf_counter()
    done: list[int] = []
    positions = 0

    def stall_tick() -> None:
        nonlocal last
        now = time.perf_counter()
        stalls.append((now - last) * 1000 - 10)
        last = now

    step = 0

    def pan() -> None:
        nonlocal step
        step += 1
        angle = step / 200.0
        view.canvas.centre_on(180 * math.cos(angle), 120 * math.sin(angle))

    def poll() -> None:
        nonlocal positions
        while here.poll():
            kind, payload = here.recv()
            if kind == "positions":
                positions += len(payload)
                view.on_changes(Changes(positions=set(payload)))
            elif kind == "done":
                done.append(payload[0])

    timers = []
    for interval, slot in ((10, stall_tick), (10, pan), (20, poll)):
        timer = QTimer()
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        timer.start()
        timers.append(timer)
    frames0, t0 = view.canvas.frames, time.perf_counter()
    per_second: list[int] = []
    mark_frames, mark_t = frames0, t0
    while not done:
        await asyncio.sleep(0.05)
        if time.perf_counter() - mark_t >= 1.0:
            per_second.append(view.canvas.frames - mark_frames)
            mark_frames, mark_t = view.canvas.frames, time.perf_counter()
    elapsed = time.perf_counter() - t0
    frames = view.canvas.frames - frames0
    for timer in timers:
        timer.stop()
    shown = len(view.canvas.markers.positions)
    view.close_down()
    view.close()
    proc.join(10)
    worst = max(stalls[5:]) if len(stalls) > 5 else 0.0
    fps = frames / elapsed
    p99 = sorted(stalls)[int(0.99 * len(stalls))] if stalls else 0.0
    print(f"{elders} elders × 1 position/s for {seconds:g} s: {positions} read by the map, {shown} markers")
    print(
        f"map: {frames} frames in {elapsed:.1f} s = {fps:.1f} fps (slowest second: {min(per_second or [0])})"
    )
    print(f"GUI: worst stall of a 10 ms timer {worst:.1f} ms, p99 lateness {p99:.1f} ms")
    return {
        "bench": "map",
        "elders": elders,
        "seconds": seconds,
        "positions_committed": done[0] if done else 0,
        "positions_read": positions,
        "markers": shown,
        "fps": round(fps, 1),
        "slowest_second_frames": min(per_second or [0]),
        "worst_stall_ms": round(worst, 1),
        "p99_lateness_ms": round(p99, 1),
        "goals": {"fps_at_least_20": fps >= GOAL_FPS, "stall_under_100ms": worst < GOAL_STALL_MS},
    }


def main() -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--elders", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        result = runner.run(run(args.elders, args.seconds))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
