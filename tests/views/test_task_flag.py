"""A task sent to a grid worker who does not accept it in time is flagged in the incident panel for
re-dispatch (the limit is `[dispatch] accept_within_s`, three minutes by default)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from services.config import parse
from tests.support.events import examples, fall
from tests.views.live import run_on_qasync, until
from tests.views.panel_live import OWNER, elder_profile, live_panel, staff_profiles, tree_rows
from views import theme


def test_a_task_nobody_accepts_turns_into_a_re_dispatch_flag(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        # the field answers after minutes, not seconds: the task stays sent
        async with live_panel(qtbot, db_url, field_delay_scale=1000) as live:
            panel = live.panel
            panel.accept_within = timedelta(seconds=1.5)
            live.simulator.inject(elder_profile())
            for event in staff_profiles():
                live.simulator.inject(event)
            live.simulator.inject(next(e for e in examples("valid") if e["type"] == "position"))
            await until(lambda: len(live.runtime.store.profiles()) == 3, "the profiles")
            await live.show(fall(1))
            await live.focus()
            qtbot.keyClick(panel, Qt.Key.Key_D)
            await until(
                lambda: panel.dispatch_dialog is not None and panel.dispatch_dialog.isVisible(), "dialog"
            )
            assert panel.dispatch_dialog is not None
            qtbot.keyClick(panel.dispatch_dialog.list, Qt.Key.Key_Return)
            await until(
                lambda: (
                    bool(panel.tasks_view.topLevelItemCount())
                    and tree_rows(panel.tasks_view)[0][0].endswith(f"({OWNER})")
                ),
                "the task",
            )

            def task_state() -> str:  # the panel draws its task list anew on every change
                first = panel.tasks_view.topLevelItem(0)
                return first.text(1) if first is not None else ""

            assert task_state() == "sent"
            assert panel.overdue_tasks() == []
            await until(lambda: task_state().startswith("NOT ACCEPTED for"), "the flag", timeout=5)
            assert task_state().endswith("dispatch again")
            first = panel.tasks_view.topLevelItem(0)
            assert first is not None and first.background(1).color() == theme.colors().flag
            assert len(panel.overdue_tasks()) == 1

    run_on_qasync(qapp, scenario())


def test_the_limit_comes_from_the_config() -> None:
    assert parse({}, "t").accept_within == timedelta(minutes=3)
    assert parse({"dispatch": {"accept_within_s": 90}}, "t").accept_within == timedelta(seconds=90)
