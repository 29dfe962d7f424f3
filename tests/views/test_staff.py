"""The staff board: every grid worker and patrol team of the directory with a duty status the shift
lead sets from the keyboard, kept in the store, and respected by the dispatch suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.assignment import DutyStatus, Responder, ResponderKind
from services.simulator.community import build_community
from services.simulator.simulation import Simulation
from tests.views.live import live_desk, rows, run_on_qasync, until
from views.staff import COL_POSITION, COL_STATUS, StaffModel

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def demo_directory() -> list[dict[str, Any]]:
    """The profiles of the demo community (its elders, grid workers and patrol teams)."""
    sim = Simulation(build_community(7), start=NOW, id_tag="staff-test", seed=7)
    return sim.profiles()


def _r(
    ref: str, status: DutyStatus = DutyStatus.ON_DUTY, minutes: float | None = 1, tasks: int = 0
) -> Responder:
    kind = ResponderKind.PATROL_TEAM if ref.startswith("P-") else ResponderKind.GRID
    at = NOW - timedelta(minutes=minutes) if minutes is not None else None
    return Responder(
        ref,
        f"name {ref}",
        kind,
        "G-01" if kind is ResponderKind.GRID else None,
        status,
        31.8,
        117.2,
        at,
        tasks,
    )


def test_rows_update_in_place_and_stale_positions_show(qapp: QApplication) -> None:
    model = StaffModel(grid_names={"G-01": "丁香一网格"})
    model.set_responders([_r("P-1"), _r("S-002"), _r("S-001", minutes=None)], now=NOW)
    # grid workers first, then the teams
    assert [model.responder(i).ref for i in range(3)] == ["S-001", "S-002", "P-1"]
    assert model.index(0, COL_POSITION).data() == "unknown"
    assert model.index(1, COL_POSITION).data() == "1 min 00 s ago"
    resets: list[int] = []
    changed: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, roles=(): changed.append(a.row()))
    model.set_responders(
        [_r("P-1"), _r("S-002", DutyStatus.OFF_DUTY, tasks=2), _r("S-001", minutes=None)], now=NOW
    )
    assert resets == [] and 1 in changed
    assert model.index(1, COL_STATUS).data() == "Off duty"
    assert model.counts() == {DutyStatus.ON_DUTY: 2, DutyStatus.BUSY: 0, DutyStatus.OFF_DUTY: 1}


def test_the_lead_sets_a_worker_off_duty_with_a_key(qapp: QApplication, qtbot: QtBot, db_url: str) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            window = desk.window
            await until(desk.feed_is_live, "the feed to be live")
            for event in demo_directory():
                desk.simulator.inject(event)
            window.show_staff()  # View → Staff and teams (Ctrl+Shift+S)
            board = window.staff_board
            # the demo community: twelve grid workers and three patrol teams
            await until(lambda: window.staff_model.rowCount() == 15, "the whole directory on the board", 8)
            table = rows(window.staff_model)
            assert [r["Role"] for r in table].count("Patrol team") == 3
            assert all(r["Status"] == "On duty" for r in table)
            assert board.summary.text() == "On duty 15 · busy 0 · off duty 0"

            assert board.select("S-003")
            name = window.staff_model.responder(window.staff_model.row_of("S-003")).name
            board.view.setFocus()
            qtbot.keyClick(board.view, Qt.Key.Key_3)  # 3: off duty
            await until(
                lambda: desk.runtime.store.staff_statuses().get("S-003") == "off_duty", "the store to keep it"
            )
            await until(
                lambda: (
                    window.staff_model.responder(window.staff_model.row_of("S-003")).status
                    is DutyStatus.OFF_DUTY
                ),
                "the board to show it",
            )
            assert board.message.text() == f"{name}: Off duty"
            assert board.summary.text() == "On duty 14 · busy 0 · off duty 1"
            # the button for the status the person already has is not offered
            assert not board.buttons[DutyStatus.OFF_DUTY].isEnabled()
            assert board.buttons[DutyStatus.ON_DUTY].isEnabled()

            board.buttons[DutyStatus.BUSY].click()
            await until(lambda: desk.runtime.store.staff_statuses().get("S-003") == "busy", "busy kept")

    run_on_qasync(qapp, scenario())


def test_no_selection_is_refused_with_a_reason(qapp: QApplication, qtbot: QtBot, db_url: str) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            board = desk.window.staff_board
            board.view.clearSelection()
            board.view.setCurrentIndex(board.model.index(-1, 0))
            board.set_selected(DutyStatus.OFF_DUTY)
            assert board.message.text() == "Select a person or team first."
            assert desk.runtime.store.staff_statuses() == {}

    run_on_qasync(qapp, scenario())
