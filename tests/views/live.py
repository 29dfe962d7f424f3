"""A live desk window for view tests: a real simulator on loopback, a real DeskRuntime on a SQLite
file, the real DeskWindow offscreen, all on one qasync loop as in `main.py cmd_window`.

Waiting happens inside the async scenario (`until`), not with `qtbot.waitUntil`: that spins a
nested Qt event loop in the middle of a task's step, where qasync would try to run other tasks.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import qasync
import shiboken6
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.alarms import AlarmPolicy
from desk.auth import Role
from services.alarms import AlarmService, SoundPlayer, incident_recorder
from services.config import Config, FeedConfig
from services.runtime import DeskRuntime
from services.signals import DeskSignals
from services.simulator import SimulatorConfig, SimulatorServer
from tests.support.users import FAST_HASHER, sign_in
from views.feed_health import STATE_ROLE
from views.main_window import DeskWindow
from views.theme import Theme

T = TypeVar("T")

#: the shift lead a live desk is signed in as (unless a test asks for another operator)
LEAD = "lead-test"

#: the whole scenario of one test, start and stop included, must finish within this
SCENARIO_TIMEOUT_S = 15.0


def run_on_qasync(qapp: QApplication, scenario: Coroutine[Any, Any, T]) -> T:
    """Run a scenario on a fresh qasync loop the way `main.py` does, and close the loop after it."""
    # as in main.py: closing the window must not quit the Qt loop while the services still stop
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
            return runner.run(asyncio.wait_for(scenario, SCENARIO_TIMEOUT_S))
    finally:
        qapp.setQuitOnLastWindowClosed(quits)
        # Free this scenario's Qt objects (the loop's timers, models, …) here, on the GUI thread. Left
        # to the cyclic garbage collector they may be freed during the next scenario on one of its
        # asyncio.to_thread workers, while Qt still has their timers: "QObject::~QObject: Timers
        # cannot be stopped from another thread", then a segfault in QTimerInfoList::activateTimers.
        gc.collect()


async def until(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Wait (letting the loop and Qt run) until `check()` holds, or fail saying what was awaited."""
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}") from None


def rows(model: QAbstractItemModel) -> list[dict[str, str]]:
    """A table as its user reads it: one dict a row, keyed by the column headers."""
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [{h: model.index(r, c).data() for c, h in enumerate(headers)} for r in range(model.rowCount())]


@dataclass
class LiveDesk:
    simulator: SimulatorServer
    runtime: DeskRuntime
    window: DeskWindow
    alarms: AlarmService | None = None

    def incidents(self) -> list[dict[str, str]]:
        return rows(self.window.incident_view.model())

    def feeds(self) -> list[dict[str, str]]:
        return rows(self.window.feed_view.model())

    def problems(self) -> list[dict[str, str]]:
        return rows(self.window.problem_view.model())

    def feed_is_live(self, name: str = "demo") -> bool:
        """In any language: the feed's row says it is live."""
        model = self.window.feed_model
        return any(
            model.index(r, 0).data() == name and model.index(r, 1).data(STATE_ROLE) == "live"
            for r in range(model.rowCount())
        )


@asynccontextmanager
async def live_desk(
    qtbot: QtBot,
    db_url: str,
    *extra_feeds: FeedConfig,
    size: tuple[int, int] = (1920, 1080),
    theme: Theme | None = Theme.DAY,
    sound: SoundPlayer | None = None,
    alarm_clock: Callable[[], datetime] | None = None,
    alarm_policy: AlarmPolicy | None = None,
    operator: tuple[str, Role] | None = (LEAD, Role.LEAD),
) -> AsyncIterator[LiveDesk]:
    """Simulator (no random live events) → feed "demo" (and `extra_feeds`) → runtime → window,
    shown at `size` (a full-HD screen: the offscreen one is 800 × 800) in `theme` (the day one
    unless a test asks; None: what the settings remember, as the desk starts); all stopped after.

    With a `sound` player the desk has its alarms (services.alarms.AlarmService) on that player,
    on `alarm_clock` (default: the real one) and `alarm_policy`. `operator` (user name, role) is signed
    in before the window opens (a shift lead unless a test asks; None: nobody)."""
    simulator = SimulatorServer(SimulatorConfig(port=0, live=False))
    await simulator.start()
    signals = DeskSignals()
    demo = FeedConfig(name="demo", url=simulator.url, backoff_base_s=0.05, backoff_max_s=0.2)
    config = Config(desk_id="desk-test", database_url=db_url, feeds=(demo, *extra_feeds), source="test")
    runtime = DeskRuntime(
        config,
        on_changes=signals.emit_changes,
        on_feed_status=signals.emit_feed_status,
        on_storage_trouble=signals.emit_storage_trouble,
        hasher=FAST_HASHER,
    )
    window: DeskWindow | None = None
    alarms: AlarmService | None = None
    try:
        await runtime.start()
        if sound is not None:
            alarms = AlarmService(
                runtime,
                sound,
                config.desk_id,
                policy=alarm_policy,
                record=incident_recorder(runtime.ingest, config.desk_id),
                clock=alarm_clock,
            )
            signals.changes_committed.connect(alarms.on_changes)
        window = DeskWindow(runtime, signals, theme, alarms)
        if alarms is not None:
            alarms.start()
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(*size)
        window.show()
        await window.load()
        if operator is not None:  # after the window is up, as at the desk: it hears the sign-in
            await sign_in(runtime, *operator)
        yield LiveDesk(simulator, runtime, window, alarms)
    finally:
        if alarms is not None:
            await alarms.stop()
        if window is not None:
            window.close()
        await runtime.stop()
        await simulator.stop()
        if window is not None:
            # deleted here, on the GUI thread: left to Python's garbage collector, a window can be
            # freed on a worker thread (asyncio.to_thread) while Qt still knows its timers
            window.deleteLater()
            await until(lambda: not shiboken6.isValid(window), "Qt to delete the window")
