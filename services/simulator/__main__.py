"""Run the simulator on its own: ``python -m services.simulator --rate 10 --state sim.sqlite``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from pathlib import Path

from .server import SimulatorConfig, SimulatorServer


def parse_args(argv: list[str] | None = None) -> SimulatorConfig:
    """The configuration from the command line; the token may also come from DESK_SIM_TOKEN."""
    p = argparse.ArgumentParser(prog="python -m services.simulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 takes any free port")
    p.add_argument("--token", default=os.environ.get("DESK_SIM_TOKEN"), help="Bearer token desks must send")
    p.add_argument("--rate", type=float, default=1.0, help="multiplies how often everything happens")
    p.add_argument("--state", type=Path, help="SQLite file that keeps the history across restarts")
    p.add_argument("--scenario", type=Path, help="JSONL file of {at, event} lines to play")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--field-delay-scale", type=float, default=1.0, help="multiplies how long staff take")
    p.add_argument("--quiet", action="store_true", help="no random live events (scenario and commands only)")
    a = p.parse_args(argv)
    return SimulatorConfig(
        host=a.host,
        port=a.port,
        token=a.token,
        rate=a.rate,
        state_path=a.state,
        scenario=a.scenario,
        seed=a.seed,
        field_delay_scale=a.field_delay_scale,
        live=not a.quiet,
    )


async def run(config: SimulatorConfig) -> None:
    server = SimulatorServer(config)
    await server.start()
    print(f"CES/1 simulator on {server.url} (stream {server.stream}, head {server.head})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
