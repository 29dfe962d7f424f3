"""The built-in CES/1 simulator of a demo community in Hefei (pure asyncio, websockets and sqlite3)."""

from .server import SimulatorConfig, SimulatorServer

__all__ = ["SimulatorConfig", "SimulatorServer"]
