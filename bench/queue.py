"""Queue benchmark: the desk window under a burst, offscreen.

A loopback server pushes 2,000 incident events (falls of distinct elders: each opens an incident)
and 200 position events a second for 30 s to the real desk (writer process, feed client) with its
real window. Measured: the longest stall of the GUI event loop (the worst lateness of a 10 ms
timer) and, per incident, the time from its event's send to its row being in the queue model
(an upper bound of arrival-to-visible: sending and arriving are microseconds apart on loopback).
The last line is one JSON object with the figures and whether each goal was met.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/queue.py [--seconds 30] [--alarms]

With --alarms the desk's alarm service runs as in the desk (sound through aplay on ALSA's null
output, every alarm step recorded in its incident's log): every one of those falls raises an alarm,
and 30 s later each climbs the ladder. It also reports how long the last alarm took to be raised.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the speaker (--alarms): ALSA's null output (a machine without a sound card still runs the player)
os.environ.setdefault(
    "ALSA_CONFIG_PATH", f"/usr/share/alsa/alsa.conf:{ROOT / 'tests' / 'data' / 'alsa-null.conf'}"
)

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from websockets.asyncio.server import ServerConnection, serve

from desk import protocol
from services.alarms import AlarmService, incident_recorder
from services.config import Config, FeedConfig
from services.runtime import DeskRuntime
from services.signals import DeskSignals
from services.sound import SoundService
from views.main_window import DeskWindow

GOAL_STALL_MS = 100.0
GOAL_P99_MS = 250.0


class BurstServer:
    """Says welcome, then sends `incidents` falls and `positions` positions a second, in 10 ms slices."""

    def __init__(self, seconds: float, incidents: int, positions: int) -> None:
        self.seconds, self.incidents, self.positions = seconds, incidents, positions
        self.sent_at: dict[str, float] = {}  # elder ref -> perf_counter when its fall was sent
        self.last_sent = 0.0
        self.done = asyncio.Event()

    async def handler(self, ws: ServerConnection) -> None:
        await ws.recv()  # hello
        await ws.send(protocol.welcome("burst", 0, 1))
        reader = asyncio.create_task(self._drain(ws))
        seq, n_inc, n_pos = 0, 0, 0
        start = time.perf_counter()
        slice_s = 0.01
        while (elapsed := time.perf_counter() - start) < self.seconds:
            want_inc = int(elapsed * self.incidents)
            want_pos = int(elapsed * self.positions)
            frames = []
            while n_inc < want_inc:
                n_inc += 1
                seq += 1
                elder = f"B-{n_inc:06d}"
                t = "2026-12-04T02:00:00+08:00"
                frames.append(
                    (
                        elder,
                        protocol.event_frame(
                            seq,
                            {
                                "id": f"fall:{n_inc}",
                                "type": "fall",
                                "source": "bench",
                                "time": t,
                                "device": f"FD-{n_inc}",
                                "elder": elder,
                                "location": {"lat": 31.861, "lon": 117.26, "place": "丁香家园二期 3栋"},
                            },
                        ),
                    )
                )
            while n_pos < want_pos:
                n_pos += 1
                seq += 1
                frames.append(
                    (
                        None,
                        protocol.event_frame(
                            seq,
                            {
                                "id": f"pos:{n_pos}",
                                "type": "position",
                                "source": "bench",
                                "time": "2026-12-04T02:00:00+08:00",
                                "subject": f"E-{n_pos % 150:04d}",
                                "location": {"lat": 31.86, "lon": 117.26},
                            },
                        ),
                    )
                )
            for elder, frame in frames:
                if elder is not None:
                    self.sent_at.setdefault(
                        elder, time.perf_counter()
                    )  # a resend after a reconnect is not new
                await ws.send(frame)
                if elder is not None:
                    self.last_sent = time.perf_counter()
            await asyncio.sleep(slice_s)
        self.done.set()
        await asyncio.sleep(5)  # let the desk finish
        reader.cancel()

    async def _drain(self, ws: ServerConnection) -> None:
        async for _ in ws:
            pass


async def run(seconds: float, with_alarms: bool) -> dict[str, Any]:
    server = BurstServer(seconds, 2000, 200)
    stalls: list[float] = []
    visible: dict[str, float] = {}
    async with serve(
        server.handler, "127.0.0.1", 0, compression=None, max_size=2**22, ping_interval=None
    ) as srv:
        url = f"ws://127.0.0.1:{next(iter(srv.sockets)).getsockname()[1]}/"
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Config(
                desk_id="bench",
                database_url=f"sqlite:///{tmp}/desk.db",
                feeds=(FeedConfig(name="burst", url=url),),
            )
            signals = DeskSignals()
            runtime = DeskRuntime(
                cfg, on_changes=signals.emit_changes, on_feed_status=signals.emit_feed_status
            )
            await runtime.start()
            alarms: AlarmService | None = None
            sound: SoundService | None = None
            raised: dict[int, float] = {}
            if with_alarms:
                sound = SoundService(cache_dir=Path(tmp) / "sounds")
                record = incident_recorder(runtime.ingest, "bench")
                alarms = AlarmService(runtime, sound, "bench", record=record)
                signals.changes_committed.connect(alarms.on_changes)

                def on_alarm(event: Any) -> None:
                    if event.kind.value == "raised" and event.incident_id is not None:
                        raised.setdefault(event.incident_id, time.perf_counter())

            window = DeskWindow(runtime, signals, None, alarms)
            if alarms is not None:
                shown = alarms.on_event

                def on_alarm_event(event: Any) -> None:
                    on_alarm(event)
                    if shown is not None:
                        shown(event)

                alarms.on_event = on_alarm_event
            window.resize(1920, 1080)
            window.show()
            await window.load()
            if alarms is not None:
                alarms.start()
            model = window.incident_model

            def on_rows(_parent: object, first: int, last: int) -> None:
                now = time.perf_counter()
                for row in range(first, last + 1):
                    subject = model.item(row).incident.subject
                    if subject and subject not in visible:
                        visible[subject] = now

            model.rowsInserted.connect(on_rows)
            last_tick = time.perf_counter()

            def tick() -> None:
                nonlocal last_tick
                now = time.perf_counter()
                stalls.append((now - last_tick) * 1000 - 10)
                last_tick = now

            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(tick)
            timer.start()
            await server.done.wait()
            deadline = time.perf_counter() + 60
            while len(visible) < len(server.sent_at) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            while alarms is not None and len(raised) < len(visible) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
            done_at = time.perf_counter()
            timer.stop()
            waiting = len(alarms.waiting()) if alarms is not None else 0
            log_rows = 0
            if alarms is not None:
                await alarms.stop()
                assert sound is not None
                sound.close()
                # every raise is in its incident's log once its write is through
                deadline = time.perf_counter() + 60
                while time.perf_counter() < deadline:
                    with sqlite3.connect(f"{tmp}/desk.db") as db:
                        log_rows = db.execute(
                            "SELECT count(*) FROM incident_log WHERE action = 'alarm_raised'"
                        ).fetchone()[0]
                    if log_rows >= len(raised):
                        break
                    await asyncio.sleep(0.2)
            recorded_s = time.perf_counter() - done_at
            window.close()
            await runtime.stop()
    latencies = sorted((visible[e] - server.sent_at[e]) * 1000 for e in visible if e in server.sent_at)
    worst = max(stalls) if stalls else 0.0
    p50 = latencies[len(latencies) // 2] if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    sent = len(server.sent_at)
    print(f"{sent} incidents sent in {seconds:.0f} s (+200 positions/s); {len(visible)} rows shown")
    print(
        f"GUI: worst stall of a 10 ms timer {worst:.1f} ms (goal < {GOAL_STALL_MS:.0f}); "
        f"p99 lateness {sorted(stalls)[int(0.99 * len(stalls))]:.1f} ms"
    )
    print(
        f"send → row in the queue: p50 {p50:.0f} ms, p99 {p99:.0f} ms (goal < {GOAL_P99_MS:.0f}); "
        f"mean {statistics.fmean(latencies) if latencies else float('nan'):.0f} ms"
    )
    alarm_figures: dict[str, Any] = {}
    alarm_goals: dict[str, bool] = {}
    if with_alarms:
        slowest = max(raised.values()) - server.last_sent if raised else float("nan")
        print(
            f"alarms raised {len(raised)} of {len(visible)} incidents, {waiting} waiting at the end; "
            f"the last raised {slowest:.1f} s after the last fall was sent; "
            f"{log_rows} raises in the incidents' logs, the last {recorded_s:.1f} s after"
        )
        alarm_figures = {
            "alarms_raised": len(raised),
            "alarms_waiting": waiting,
            "last_alarm_after_last_fall_s": round(slowest, 2),
            "alarm_log_rows": log_rows,
            "log_done_after_s": round(recorded_s, 1),
        }
        alarm_goals = {"every_fall_alarmed": len(raised) == len(visible) == waiting}
    return {
        "bench": "queue",
        "alarms": with_alarms,
        **alarm_figures,
        "seconds": seconds,
        "incidents_sent": len(server.sent_at),
        "rows_shown": len(visible),
        "worst_stall_ms": round(worst, 1),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "goals": {
            "stall_under_100ms": worst < GOAL_STALL_MS,
            "p99_under_250ms": p99 < GOAL_P99_MS,
            "all_shown": len(visible) == len(server.sent_at),
            **alarm_goals,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--alarms", action="store_true", help="run the desk's alarm service too")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        result = runner.run(run(args.seconds, args.alarms))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
