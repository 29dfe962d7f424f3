"""Whole processes: `main.py ingest` killed mid-stream and restarted, clean stop, the JSON commands."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.events import examples, fall, position
from tests.support.scripted import ScriptedServer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest_asyncio.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    yield srv
    await srv.stop()


def write_config(tmp_path: Path, url: str) -> Path:
    cfg = tmp_path / "desk.toml"
    cfg.write_text(
        f'[desk]\nid = "desk-e2e"\n[database]\nurl = "sqlite:///{tmp_path / "desk.db"}"\n'
        f'[[feeds]]\nname = "wearables"\nurl = "{url}"\nbackoff_base_s = 0.1\nbackoff_max_s = 0.5\n',
        encoding="utf-8",
    )
    return cfg


def start_ingest(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "main.py", "--config", str(cfg), "ingest"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def cli(cfg: Path, *args: str) -> object:
    out = subprocess.run(
        [sys.executable, "main.py", "--config", str(cfg), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def stored_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("select event_id from events order by pk")]


@pytest.mark.asyncio
async def test_sigkill_mid_stream_then_restart_loses_nothing_and_stores_nothing_twice(
    server: ScriptedServer, tmp_path: Path
) -> None:
    n = 6000
    server.add_many([position(i, subject=f"E-{i % 150:04d}", second=i % 3600) for i in range(1, n + 1)])
    cfg = write_config(tmp_path, server.url)
    log = tmp_path / "ingest.log"
    proc = start_ingest(cfg, log)
    try:
        async with asyncio.timeout(60):
            while not server.acks or server.acks[-1] < 1500:
                await asyncio.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # a power cut, as far as the process can tell
        proc.wait(10)
        acked_before_kill = server.acks[-1]
        assert acked_before_kill < n, "the kill came too late to test anything"
        ids = stored_ids(tmp_path / "desk.db")
        # everything acknowledged was committed
        assert len(ids) >= acked_before_kill
        proc = start_ingest(cfg, log)
        await server.wait_for_ack(n, timeout=60)
        ids = stored_ids(tmp_path / "desk.db")
        assert ids == [f"pos-{i}" for i in range(1, n + 1)], "lost or doubled events"
        assert server.hellos[-1]["since"] >= acked_before_kill
    finally:
        proc.kill()
        proc.wait(10)


@pytest.mark.asyncio
async def test_ingest_stops_cleanly_on_sigterm_and_the_json_commands(
    server: ScriptedServer, tmp_path: Path
) -> None:
    events = (
        examples("valid") + examples("invalid") + [fall(1, elder="E-0777"), fall(2, elder="E-0777", minute=3)]
    )
    server.add_many(events)
    cfg = write_config(tmp_path, server.url)
    proc = start_ingest(cfg, tmp_path / "ingest.log")
    try:
        await server.wait_for_ack(len(events), timeout=30)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 10) == 0
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
    stored = cli(cfg, "events", "--json")
    assert isinstance(stored, list) and len(stored) == len(events)
    by_status = {s: [e for e in stored if e["status"] == s] for s in ("applied", "quarantined")}
    assert len(by_status["quarantined"]) == 7 and all(e["reason"] for e in by_status["quarantined"])
    assert {"id", "type", "feed", "seq", "status", "reason"} <= set(stored[0])
    assert stored[0]["feed"] == "wearables" and stored[0]["seq"] == 1
    incidents = cli(cfg, "incidents", "--json")
    assert isinstance(incidents, list)
    falls = [i for i in incidents if i["type"] == "fall"]
    assert falls and falls[0]["priority"] == 1
    joined = next(i for i in falls if "fall-1" in i["event_ids"])
    assert joined["event_ids"] == ["fall-1", "fall-2"] and joined["count"] == 2
    assert {"id", "type", "priority", "status", "opened_at", "event_ids"} <= set(incidents[0])
    (feed,) = cli(cfg, "feeds", "--json")  # type: ignore[misc]
    assert feed["name"] == "wearables" and feed["cursor"] == len(events) and feed["stream"] == "stream-A"
    assert feed["state"] == "stopped" and feed["gaps"] == 0 and feed["protocol_errors"] == 0
    assert {"url", "last_event_at"} <= set(feed)


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[feeds]]\nname = "x"\nurl = "http://nope"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "main.py", "--config", str(cfg), "feeds", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert out.returncode == 2 and "url must start with ws:// or wss://" in out.stderr


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_the_embedded_simulator_plays_the_first_night_once(tmp_path: Path) -> None:
    """The demo path without a window: simulator inside the desk, its first-run scenario, resume."""
    port = free_port()
    cfg = tmp_path / "demo.toml"
    scenario = ROOT / "resources" / "scenarios" / "night-fall.jsonl"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "desk.db"}"\n'
        f'[[feeds]]\nname = "demo"\nurl = "ws://127.0.0.1:{port}/"\ncommands = true\n'
        f'[simulator]\nenabled = true\nport = {port}\nstate_path = "{tmp_path / "sim.db"}"\n'
        f'first_run_scenario = "{scenario}"\n',
        encoding="utf-8",
    )
    proc = start_ingest(cfg, tmp_path / "ingest.log")
    try:
        async with asyncio.timeout(40):
            while True:
                await asyncio.sleep(0.5)
                incidents = await asyncio.to_thread(cli, cfg, "incidents", "--json")
                kinds = {i["type"] for i in incidents}  # type: ignore[union-attr]
                if {"fall", "sos", "smoke", "grievance"} <= kinds:
                    break
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 15) == 0
        profiles = (
            sqlite3.connect(tmp_path / "desk.db").execute("select count(*) from profiles").fetchone()[0]
        )
        assert profiles >= 150 + 12 + 3  # the directory came first
        grievance = next(i for i in incidents if i["type"] == "grievance")  # type: ignore[union-attr]
        assert "<b>楼上</b>" in grievance["title"]  # kept as plain text
        # a restart resumes the same history and does not play the first night again
        proc = start_ingest(cfg, tmp_path / "ingest.log")
        await asyncio.sleep(6)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 15) == 0
        (feed,) = cli(cfg, "feeds", "--json")  # type: ignore[misc]
        assert feed["gaps"] == 0 and feed["protocol_errors"] == 0
        falls = [i for i in cli(cfg, "incidents", "--json") if i["type"] == "fall"]  # type: ignore[union-attr]
        assert len(falls) == 1 and falls[0]["count"] == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
