"""The window under a stream of commits: the queue and the feeds' figures follow, one read at a time."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.feeds import FeedState, FeedStatus
from desk.incidents import Incident, IncidentClass, Priority, QueueItem, Status
from services.config import Config
from services.signals import DeskSignals
from services.store import Changes
from tests.views.live import run_on_qasync
from views.feed_health import COL_RECEIVED
from views.main_window import DeskWindow

T0 = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


class _Feed:
    def __init__(self) -> None:
        self.cursor = 0

    def status(self) -> FeedStatus:
        return FeedStatus("demo", "ws://x/", FeedState.LIVE, None, "s", self.cursor, 0, 0, None)


class _SlowRuntime:
    """A runtime whose queue reads take longer than the window's flush tick; the first can fail."""

    def __init__(self, *, fail_first: bool = False) -> None:
        self.feed = _Feed()
        self.feeds = {"demo": self.feed}
        self.config = Config(desk_id="desk-t", database_url="sqlite://", feeds=())
        self.reading = 0
        self.most_at_once = 0
        self.reads: list[list[int]] = []
        self.fail_first = fail_first
        self.storage_trouble: str | None = None

    def statuses(self) -> list[FeedStatus]:
        return [self.feed.status()]

    async def problems(self, limit: int = 200) -> list[object]:
        return []

    async def incidents_by_id(self, ids: list[int]) -> list[object]:
        return []

    async def queue_items(self, ids: list[int] | None = None) -> list[QueueItem]:
        if ids is None:
            return []
        self.reading += 1
        self.most_at_once = max(self.most_at_once, self.reading)
        try:
            await asyncio.sleep(0.25)
            self.reads.append(sorted(ids))
            if self.fail_first and len(self.reads) == 1:
                raise OSError("database is locked")
            return [_item(n) for n in ids]
        finally:
            self.reading -= 1


def _item(n: int) -> QueueItem:
    inc = Incident(
        n, f"k{n}", "fall", IncidentClass.EMERGENCY, Priority(1), Status.NEW, "跌倒", "3栋", f"E-{n}", T0, T0
    )
    return QueueItem(inc)


def _run(qapp: QApplication, qtbot: QtBot, runtime: _SlowRuntime) -> DeskWindow:
    window = DeskWindow(runtime, DeskSignals())  # type: ignore[arg-type]
    qtbot.addWidget(window)

    async def scenario() -> None:
        await window.load()
        for n in range(1, 61):  # 60 commits, 50 a second, each opening an incident
            runtime.feed.cursor = n
            window.on_changes(
                Changes(acks={"demo": n}, stored=1, incidents={n}, new_incidents=[n], feeds={"demo"})
            )
            await asyncio.sleep(0.02)
        deadline = time.monotonic() + 10
        while window.incident_model.total < 60 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a flush after the last commit

    run_on_qasync(qapp, scenario())
    return window


def test_a_stream_of_commits_shows_every_incident_reading_one_batch_at_a_time(
    qapp: QApplication, qtbot: QtBot
) -> None:
    runtime = _SlowRuntime()
    window = _run(qapp, qtbot, runtime)
    assert window.incident_model.total == 60
    assert runtime.most_at_once == 1  # an older read can never land after a newer one
    assert 2 <= len(runtime.reads) <= 10  # coalesced, not one read per commit
    assert sorted(n for read in runtime.reads for n in read) == list(range(1, 61))
    row = window.feed_model.index(0, COL_RECEIVED)
    assert row.data() == "60"  # the feed's figures follow the commits too


def test_a_queue_read_that_fails_is_made_again(qapp: QApplication, qtbot: QtBot) -> None:
    runtime = _SlowRuntime(fail_first=True)
    window = _run(qapp, qtbot, runtime)
    assert window.incident_model.total == 60
    failed = set(runtime.reads[0])
    assert all(any(n in read for read in runtime.reads[1:]) for n in failed)
