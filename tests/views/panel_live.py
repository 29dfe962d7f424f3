"""A live incident panel for view tests: the simulator on loopback, a real DeskRuntime on a SQLite
file, the real IncidentPanel offscreen and shown, on one qasync loop (see tests/views/live.py).

The panel hears `changes_committed` as the window will wire it (`panel.on_changes`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTreeWidget
from pytestqt.qtbot import QtBot

from desk.auth import Role
from services.config import Config, FeedConfig
from services.runtime import DeskRuntime
from services.signals import DeskSignals
from services.simulator import SimulatorConfig, SimulatorServer
from tests.support.users import FAST_HASHER, sign_in
from tests.views.live import until
from views.incident_panel import IncidentPanel

OPERATOR = "lead-zhang"

#: a grid worker of grid G-06 (丁香家园二期), whose grid holds the test fall at 31.8612, 117.2598
OWNER = "S-006"
#: a grid worker of another grid, standing right at the fall (nearer, but not the owner)
NEIGHBOUR = "S-002"


def profile_event(ref: str, kind: str, name: str, **data: Any) -> dict[str, Any]:
    return {
        "id": f"profile:{ref}:t",
        "type": "profile",
        "source": "civil-affairs",
        "time": "2026-11-30T10:00:00+08:00",
        "kind": kind,
        "ref": ref,
        "name": name,
        **data,
    }


def elder_profile() -> dict[str, Any]:
    return profile_event(
        "E-0042",
        "elder",
        "王桂英",
        birth_year=1938,
        address="丁香家园二期 3栋 1单元 502",
        conditions=["高血压", "独居"],
        contacts=[{"name": "王军", "relation": "儿子", "phone": "13655512345"}],
        device="FD-7731",
        home={"lat": 31.8612, "lon": 117.2598},
        safe_radius_m=400,
    )


def staff_profiles() -> list[dict[str, Any]]:
    return [
        profile_event(OWNER, "staff", "陈晓东", role="grid", phone="13912340006", grid="G-06"),
        profile_event(NEIGHBOUR, "staff", "李海燕", role="grid", phone="13912340002", grid="G-02"),
    ]


def tree_rows(tree: QTreeWidget) -> list[list[str]]:
    """Every line of a tree as its reader sees it, children after their parent."""
    out: list[list[str]] = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        assert item is not None
        out.append([item.text(c) for c in range(tree.columnCount())])
        for j in range(item.childCount()):
            child = item.child(j)
            assert child is not None
            out.append([child.text(c) for c in range(tree.columnCount())])
    return out


@dataclass
class LivePanel:
    simulator: SimulatorServer
    runtime: DeskRuntime
    signals: DeskSignals
    panel: IncidentPanel

    async def incident_of(self, event_id: str) -> int:
        """The id of the incident the event opened (waiting for it to be committed)."""
        found: list[int] = []

        def check() -> bool:
            for inc in self.runtime.store.incidents():
                if event_id in inc.event_ids:
                    found.append(inc.id)
                    return True
            return False

        await until(check, f"an incident for event {event_id}")
        return found[0]

    async def show(self, event: dict[str, Any]) -> int:
        """Send `event`, wait for its incident, show it in the panel; returns the incident id."""
        self.simulator.inject(event)
        incident_id = await self.incident_of(str(event["id"]))
        await self.panel.show_incident(incident_id)
        return incident_id

    async def focus(self) -> None:
        """Give the panel's window the focus, as the operator's clicks would (keys reach it then)."""
        self.panel.activateWindow()
        self.panel.setFocus()
        await until(lambda: QApplication.activeWindow() is self.panel, "the panel to be the active window")

    def status(self) -> str:
        return self.panel.status_label.text()


@asynccontextmanager
async def live_panel(
    qtbot: QtBot,
    db_url: str,
    *,
    field_delay_scale: float = 1.0,
    decline_share: float = 0.0,
    size: tuple[int, int] = (1100, 900),
) -> AsyncIterator[LivePanel]:
    simulator = SimulatorServer(
        SimulatorConfig(port=0, live=False, field_delay_scale=field_delay_scale, decline_share=decline_share)
    )
    await simulator.start()
    signals = DeskSignals()
    feed = FeedConfig(name="demo", url=simulator.url, backoff_base_s=0.05, backoff_max_s=0.2, commands=True)
    config = Config(desk_id="desk-test", database_url=db_url, feeds=(feed,), source="test")
    runtime = DeskRuntime(
        config,
        on_changes=signals.emit_changes,
        on_feed_status=signals.emit_feed_status,
        writer_process=False,
        hasher=FAST_HASHER,
    )
    panel: IncidentPanel | None = None
    try:
        await runtime.start()
        await sign_in(runtime, OPERATOR, Role.LEAD)  # the panel acts as a signed-in shift lead
        panel = IncidentPanel(runtime, OPERATOR)
        signals.changes_committed.connect(panel.on_changes)
        panel.setWindowState(Qt.WindowState.WindowNoState)
        panel.resize(*size)
        panel.show()
        live = LivePanel(simulator, runtime, signals, panel)
        await until(lambda: runtime.feeds["demo"].status().state.value == "live", "the feed to be live")
        yield live
    finally:
        if panel is not None:
            panel.close()
        await runtime.stop()
        await simulator.stop()
        if panel is not None:
            panel.deleteLater()
            await until(lambda: not shiboken6.isValid(panel), "Qt to delete the panel")
        await asyncio.sleep(0)
