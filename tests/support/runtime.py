"""A running desk without a window: the simulator on loopback (no random events, a quick field side)
and a DeskRuntime on a SQLite file with a shift lead signed in — for tests of the services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from desk.auth import Role
from desk.feeds import FeedState
from services.config import Config, FeedConfig
from services.runtime import DeskRuntime
from services.simulator import SimulatorConfig, SimulatorServer
from tests.support.users import FAST_HASHER, sign_in


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


@asynccontextmanager
async def live_runtime(tmp_path: Path) -> AsyncIterator[tuple[DeskRuntime, SimulatorServer]]:
    sim = SimulatorServer(SimulatorConfig(port=0, live=False, field_delay_scale=0.01, decline_share=0.0))
    await sim.start()
    cfg = Config(
        desk_id="desk-t",
        database_url=f"sqlite:///{tmp_path / 'desk.db'}",
        feeds=(FeedConfig(name="demo", url=sim.url, commands=True, backoff_base_s=0.05),),
    )
    runtime = DeskRuntime(cfg, hasher=FAST_HASHER)
    await runtime.start()
    try:
        await sign_in(runtime, "lead", Role.LEAD)
        await until(lambda: runtime.feeds["demo"].state is FeedState.LIVE)
        yield runtime, sim
    finally:
        await runtime.stop()
        await sim.stop()
