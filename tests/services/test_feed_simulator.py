"""The desk's feed client against the built-in simulator: directory, restarts, dispatch round trip, gaps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desk.feeds import FeedState
from desk.incidents import Status
from services.config import FeedConfig
from services.db import make_engine, migrate
from services.feeds import FeedClient
from services.ingest import IngestService
from services.simulator import SimulatorConfig, SimulatorServer
from services.writer import ThreadBackend
from tests.support.events import fall

pytestmark = pytest.mark.asyncio


class Desk:
    def __init__(self, db_url: str, url: str) -> None:
        migrate(make_engine(db_url))
        self.backend = ThreadBackend(db_url, [("demo", url)])
        self.store = self.backend.store
        self.ingest = IngestService(self.backend)
        self.client = FeedClient(
            FeedConfig(name="demo", url=url, backoff_base_s=0.05, backoff_max_s=0.2), "desk-test", self.ingest
        )

    async def __aenter__(self) -> Desk:
        await self.ingest.start()
        await self.client.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.stop()
        await self.ingest.stop()

    async def until(self, check: object, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():  # type: ignore[operator]
                await asyncio.sleep(0.02)


async def test_directory_first_then_resume_across_a_simulator_restart(tmp_path: Path, db_url: str) -> None:
    state = tmp_path / "sim.db"
    sim = SimulatorServer(SimulatorConfig(port=0, state_path=state, rate=20.0))
    await sim.start()
    port = sim.port
    async with Desk(db_url, sim.url) as desk:
        await desk.until(lambda: desk.ingest.cursor("demo").cursor >= sim.head > 0)
        assert len(desk.store.profiles("elder")) >= 150 and len(desk.store.profiles("team")) == 3
        before = desk.ingest.cursor("demo")
        await sim.stop()  # the simulator goes away while the desk stays
        await desk.until(lambda: desk.client.state is FeedState.RECONNECTING)
        sim = SimulatorServer(SimulatorConfig(port=port, state_path=state, rate=20.0))
        await sim.start()
        await desk.until(lambda: desk.client.state is FeedState.LIVE)
        await desk.until(lambda: desk.ingest.cursor("demo").cursor >= sim.head > before.cursor)
        assert desk.ingest.cursor("demo").stream == before.stream  # same history, resumed
        rows = desk.store.events()
        ids = [r["event_id"] for r in rows]
        assert len(ids) == len(set(ids)) and [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
        assert all(r["status"] == "applied" for r in rows)
    await sim.stop()


async def test_dispatch_round_trip_moves_task_and_incident(db_url: str) -> None:
    sim = SimulatorServer(SimulatorConfig(port=0, live=False, field_delay_scale=0.01, decline_share=0.0))
    await sim.start()
    async with Desk(db_url, sim.url) as desk:
        await desk.until(lambda: desk.client.state is FeedState.LIVE)
        sim.inject(fall(1, elder="E-0042"))
        await desk.until(lambda: len(desk.store.incidents()) == 1)
        (inc,) = desk.store.incidents()
        await desk.ingest.write("add_task", "T-000777", inc.id, "S-003", "3栋跌倒，请上门查看", "lead")
        result = await desk.client.command(
            "dispatch",
            {
                "task": "T-000777",
                "incident": str(inc.id),
                "assignee": "S-003",
                "summary": "3栋跌倒，请上门查看",
            },
        )
        assert result.ok
        await desk.until(lambda: desk.store.tasks()[0]["status"] == "completed", timeout=20)
        (inc,) = desk.store.incidents()
        assert inc.status is Status.ON_SCENE  # the field arrived; closing it is a person's job
        actions = [r["action"] for r in desk.store.incident_log(inc.id)]
        assert actions[:2] == ["opened", "dispatch"] and "arrive" in actions and "task_completed" in actions
        reply = await desk.client.command("reply", {"event": "no-such-grievance", "text": "已处理"})
        assert not reply.ok and "unknown grievance" in (reply.error or "")
    await sim.stop()


async def test_a_desk_that_was_away_too_long_sees_the_gap(db_url: str) -> None:
    sim = SimulatorServer(SimulatorConfig(port=0, live=False, max_events=10))
    await sim.start()
    for i in range(1, 31):
        sim.inject(fall(i, elder=f"E-{i:04d}"))
    async with Desk(db_url, sim.url) as desk:
        await desk.until(lambda: desk.ingest.cursor("demo").cursor == 30)
        assert desk.client.gaps == 20
        assert desk.store.notices("demo")[-1]["kind"] == "gap"
        assert len(desk.store.events()) == 10
    await sim.stop()
