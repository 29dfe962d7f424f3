"""The dispatch dialog against a real runtime and the simulator: the grid owner first with the reasons
why (in both languages), Enter sends the first suggestion, someone off duty needs a confirmation, and
the duty status set in the dialog reaches the store."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.incidents import Incident
from tests.support.events import fall
from tests.views.live import run_on_qasync, until
from tests.views.panel_live import (
    NEIGHBOUR,
    OPERATOR,
    OWNER,
    LivePanel,
    live_panel,
    staff_profiles,
    tree_rows,
)
from views.dispatch_dialog import DispatchDialog
from views.incident_data import load_grids


def _at_the_fall(subject: str) -> dict[str, Any]:
    """A fresh position of `subject` right at the test fall (timed now, so it is not stale)."""
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds")
    return {
        "id": f"pos:{subject}:now",
        "type": "position",
        "source": "field-app",
        "time": now,
        "subject": subject,
        "location": {"lat": 31.8612, "lon": 117.2599},
    }


async def _dialog(live: LivePanel) -> tuple[DispatchDialog, Incident]:
    for event in [*staff_profiles(), _at_the_fall(NEIGHBOUR)]:
        live.simulator.inject(event)
    await until(lambda: bool(live.runtime.store.last_positions()), "the neighbour's position")
    incident_id = await live.incident_of(str(fall(1)["id"]))
    incident = live.runtime.store.incidents_by_id([incident_id])[0]
    dialog = DispatchDialog(live.runtime, incident, OPERATOR, live.panel)
    await dialog.load()
    dialog.open()
    dialog.activateWindow()
    await until(lambda: QApplication.activeWindow() is dialog, "the dialog to be active")
    return dialog, incident


def test_the_demo_grids_are_read_with_their_owners() -> None:
    grids = load_grids()
    assert [g.ref for g in grids] == [f"G-{n:02d}" for n in range(1, 13)]
    g06 = grids[5]
    assert g06.owner == OWNER and g06.name == "第6网格（丁香家园二期）"
    assert all(31.85 < lat < 31.87 and 117.25 < lon < 117.27 for lat, lon in g06.ring)


def test_enter_dispatches_to_the_grid_owner_ahead_of_a_nearer_worker_and_says_why(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url, field_delay_scale=100) as live:
            live.simulator.inject(fall(1))
            dialog, incident = await _dialog(live)
            rows = tree_rows(dialog.list)
            assert [r[0] for r in rows] == [f"陈晓东 ({OWNER})", f"李海燕 ({NEIGHBOUR})"]
            assert rows[0][1:3] == ["网格员", "在岗"]
            assert rows[0][3] == "负责该网格（第6网格（丁香家园二期）），位置未知，手上没有任务"
            assert rows[1][3] == "离现场最近，距离约 10 米，手上没有任务"
            assert dialog.summary.text() == f"#{incident.id} 跌倒报警 丁香家园二期 3栋"
            sent: list[tuple[str, str]] = []
            dialog.dispatched.connect(lambda ref, name: sent.append((ref, name)))

            qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # one keystroke
            await until(lambda: bool(sent), "the dispatch")
            assert sent == [(OWNER, "陈晓东")]
            tasks = live.runtime.store.tasks()
            assert [(t["incident_id"], t["assignee"], t["status"]) for t in tasks] == [
                (incident.id, OWNER, "sent")
            ]
            assert tasks[0]["summary"] == f"#{incident.id} 跌倒报警 丁香家园二期 3栋"
            assert not dialog.isVisible()

    run_on_qasync(qapp, scenario())


def test_an_off_duty_assignee_needs_a_confirmation_and_the_status_is_set_from_the_dialog(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url, field_delay_scale=100) as live:
            live.simulator.inject(fall(1))
            dialog, _ = await _dialog(live)
            assert dialog.selected() is not None and dialog.selected().ref == OWNER  # type: ignore[union-attr]
            # the lead marks the owner off duty with the dialog's status control
            dialog.status_box.setCurrentIndex(dialog.status_box.findData("off_duty"))
            dialog.status_box.activated.emit(dialog.status_box.currentIndex())
            await until(lambda: live.runtime.store.staff_statuses().get(OWNER) == "off_duty", "the status")
            await until(lambda: tree_rows(dialog.list)[0][0].startswith("李海燕"), "the list re-ordered")
            rows = tree_rows(dialog.list)
            assert rows[1][0] == f"陈晓东 ({OWNER})" and rows[1][2] == "不在岗"
            assert rows[1][3].endswith("不在岗")
            assert dialog.selected().ref == OWNER  # type: ignore[union-attr]  # still the one selected

            qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
            await until(lambda: dialog.prompt is not None and dialog.prompt.isVisible(), "the confirmation")
            assert dialog.prompt is not None
            assert dialog.prompt.question.text() == "陈晓东不在岗，仍然派单？"
            dialog.prompt.reject()
            await until(lambda: dialog.prompt is None, "the confirmation to close")
            assert live.runtime.store.tasks() == [], "nothing sent without the confirmation"
            assert dialog.isVisible()

            qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
            await until(lambda: dialog.prompt is not None and dialog.prompt.isVisible(), "the confirmation")
            assert dialog.prompt is not None
            qtbot.keyClick(dialog.prompt, Qt.Key.Key_Return)  # confirm with Enter too
            await until(lambda: bool(live.runtime.store.tasks()), "the task")
            assert [t["assignee"] for t in live.runtime.store.tasks()] == [OWNER]

    run_on_qasync(qapp, scenario())


def test_in_english_the_reasons_read_in_english(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            live.simulator.inject(fall(1))
            dialog, _ = await _dialog(live)
            rows = tree_rows(dialog.list)
            assert rows[0][1:] == [
                "Grid worker",
                "On duty",
                "responsible for this grid (第6网格（丁香家园二期）); position unknown; no open tasks",
            ]
            assert rows[1][3] == "nearest to the scene; about 10 m away; no open tasks"
            assert dialog.dispatch_button.text() == "Dispatch" and dialog.dispatch_button.isDefault()
            dialog.reject()

    run_on_qasync(qapp, scenario())
