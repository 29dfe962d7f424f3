"""A desk's ingest and one feed client, on a real SQLite file, for protocol tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from desk.feeds import FeedState, FeedStatus
from services.config import FeedConfig
from services.db import make_engine, migrate
from services.feeds import FeedClient
from services.ingest import IngestService
from services.store import Changes
from services.writer import ThreadBackend


class DeskUnderTest:
    def __init__(self, url: str, db_url: str, **feed: Any) -> None:
        opts: dict[str, Any] = {"backoff_base_s": 0.05, "backoff_max_s": 0.2, "auth_retry_s": 60.0, **feed}
        self.config = FeedConfig(name="f1", url=url, **opts)
        self.engine = make_engine(db_url)
        migrate(self.engine)
        self.backend = ThreadBackend(db_url, [("f1", url)])
        self.store = self.backend.store  # the writer's own store: its cursors are the committed ones
        self.changes: list[Changes] = []
        self.states: list[FeedStatus] = []
        self.ingest = IngestService(self.backend, on_changes=self.changes.append)
        self.client = FeedClient(self.config, "desk-test", self.ingest, self.states.append)

    async def start(self) -> DeskUnderTest:
        await self.ingest.start()
        await self.client.start()
        return self

    async def stop(self) -> None:
        await self.client.stop()
        await self.ingest.stop()
        self.engine.dispose()

    async def until(self, check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        try:
            async with asyncio.timeout(timeout):
                while not check():
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(
                f"timed out waiting for {what}; feed state {self.client.state}: {self.client.detail}"
            ) from None

    async def until_state(self, state: FeedState, timeout: float = 10.0) -> None:
        await self.until(lambda: self.client.state is state, timeout, f"state {state.value}")

    async def until_cursor(self, seq: int, timeout: float = 10.0) -> None:
        await self.until(lambda: self.store.cursor("f1").cursor >= seq, timeout, f"cursor {seq}")
