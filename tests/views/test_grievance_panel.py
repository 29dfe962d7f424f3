"""A grievance's case in the incident panel, against a real runtime and the simulator on loopback (which
takes `dispatch` and `reply`): sign → assign → reply → outcome → call-back → close, by key, in Chinese,
with the refused close saying why. A screenshot is kept with DESK_SAVE_SCREENSHOTS=1."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from services.store import CASE_WRITES
from services.writer import WRITES
from tests.support.shots import keep_for_docs
from tests.views.live import run_on_qasync, until
from tests.views.panel_live import OWNER, LivePanel, live_panel, staff_profiles, tree_rows
from views.prompts import InputPrompt

pytestmark = pytest.mark.skipif(
    not CASE_WRITES <= WRITES, reason="services/writer.py WRITES does not list services.store.CASE_WRITES yet"
)


def _pigeons(n: int = 1) -> dict[str, Any]:
    """The neighbour's pigeons, in grid G-06 (whose grid worker is OWNER)."""
    return {
        "id": f"wx:pigeons-{n}",
        "type": "grievance",
        "source": "wechat-oa",
        "time": "2026-12-03T22:41:00+08:00",
        "channel": "wechat",
        "category": "animals",
        "title": "楼顶养鸽子",
        "text": "邻居在房顶养了<b>一百多只</b>鸽子，噪音和气味影响休息。",
        "reporter": {"name": "李女士", "phone": "13855123456"},
        "location": {"lat": 31.8612, "lon": 117.2598, "place": "丁香家园二期 3栋"},
    }


async def _press(live: LivePanel, qtbot: QtBot, key: Qt.Key) -> None:
    await live.focus()
    qtbot.keyClick(live.panel, key)


async def _prompt(live: LivePanel) -> InputPrompt:
    await until(lambda: live.panel.prompt is not None and live.panel.prompt.isVisible(), "the prompt")
    prompt = live.panel.prompt
    assert prompt is not None
    return prompt


def _message(live: LivePanel) -> str:
    return live.panel.message.text() if live.panel.message.isVisible() else ""


def _case(live: LivePanel) -> str:
    return live.panel.case_status_label.text()


async def _case_is(live: LivePanel, text: str) -> None:
    await until(lambda: _case(live) == text, f"the case to show {text} (it shows {_case(live)})")


def test_a_grievance_from_signing_to_closing_after_the_call_back(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path, zh: None
) -> None:
    shot = tmp_path / "grievance-case-zh.png"

    async def scenario() -> None:
        async with live_panel(qtbot, db_url, field_delay_scale=100, size=(1100, 1000)) as live:
            panel = live.panel
            for event in staff_profiles():
                live.simulator.inject(event)
            await until(lambda: len(live.runtime.store.profiles()) == 2, "the grid workers")
            incident_id = await live.show(_pigeons())

            # what the operator sees of a new request: its case, deadlines, category; the text as typed
            assert panel.case_box.isVisible()
            assert _case(live) == "待签收" and live.status() == "待确认"
            assert panel.category_combo.currentText() == "动物扰民"
            assert panel.sign_by_label.text() and panel.answer_by_label.text()
            assert panel.sla_label.text().startswith("时限 签收 "), panel.sla_label.text()
            assert "<b>一百多只</b>" in panel.grievance_text.toPlainText()
            for label in panel.findChildren(QLabel):
                assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
            assert not panel.panel_actions["close"].isEnabled()
            assert not panel.panel_actions["resolve"].isEnabled()

            # closing now is refused, with the reason, in the panel
            await _press(live, qtbot, Qt.Key.Key_C)
            await until(lambda: bool(_message(live)), "the refusal")
            assert _message(live) == "无法办结此诉求：尚未签收。"
            assert panel.message.property("error") is True

            # sign for (A = acknowledge)
            await _press(live, qtbot, Qt.Key.Key_A)
            await _case_is(live, "已签收")
            assert live.status() == "已确认"
            assert panel.sign_by_label.property("clock_state") == "met"

            # categorise (G): the neighbour's pigeons on the roof are a safety hazard; priority follows
            await _press(live, qtbot, Qt.Key.Key_G)
            prompt = await _prompt(live)
            assert prompt.choice is not None and prompt.choice.currentText() == "动物扰民"
            prompt.choice.setCurrentIndex(prompt.choice.findData("safety"))
            qtbot.keyClick(prompt.choice, Qt.Key.Key_Return)
            await until(lambda: panel.category_combo.currentText() == "安全隐患", "the new category")
            assert panel.priority_label.text() == "P3"
            assert panel.category_combo.toolTip() == "原类别：动物扰民"

            # assign (D): the grid worker of the place comes first, Enter sends
            await _press(live, qtbot, Qt.Key.Key_D)
            await until(
                lambda: panel.dispatch_dialog is not None and panel.dispatch_dialog.isVisible(), "dialog"
            )
            dialog = panel.dispatch_dialog
            assert dialog is not None
            first = dialog.selected()
            assert first is not None and first.ref == OWNER
            qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
            await until(lambda: _message(live).startswith("已派单给"), "the assignment")
            await _case_is(live, "已交办")

            # record outcome is not yet possible: the resident was not answered
            await _press(live, qtbot, Qt.Key.Key_U)
            await until(lambda: _message(live).startswith("此诉求无法登记办理结果"), "the outcome refusal")
            assert (
                _message(live) == "此诉求无法登记办理结果：当前为“已交办”（仅在“已答复”或“待回访”时可以）。"
            )

            # reply (Y) through the channel it came in on: the simulator takes it
            await _press(live, qtbot, Qt.Key.Key_Y)
            prompt = await _prompt(live)
            assert prompt.text is not None
            prompt.text.setText("您好，网格员陈晓东已上门协调。")
            qtbot.keyClick(prompt.text, Qt.Key.Key_Return)
            await _case_is(live, "已答复")
            assert panel.answer_by_label.property("clock_state") == "met"
            assert panel.sla_label.text() == "时限：无计时"

            # record the outcome (U)
            await _press(live, qtbot, Qt.Key.Key_U)
            prompt = await _prompt(live)
            assert prompt.text is not None
            prompt.text.setText("鸽舍已拆除，约定不再饲养")
            qtbot.keyClick(prompt.text, Qt.Key.Key_Return)
            await _case_is(live, "待回访")
            assert panel.case_outcome_label.text() == "鸽舍已拆除，约定不再饲养"

            # closing without the call-back is refused, and says so
            await _press(live, qtbot, Qt.Key.Key_C)
            await until(lambda: "回访" in _message(live), "the close refusal")
            assert _message(live) == "无法办结此诉求：尚未回访居民（询问是否满意）。"
            assert live.status() != "已关闭"
            await asyncio.sleep(0.05)
            assert panel.grab().save(str(shot))

            # call back (B): satisfied
            await _press(live, qtbot, Qt.Key.Key_B)
            prompt = await _prompt(live)
            assert prompt.choice is not None
            assert [prompt.choice.itemText(i) for i in range(prompt.choice.count())] == [
                "满意",
                "不满意（退回承办人）",
                "联系不上",
            ]
            qtbot.keyClick(prompt.choice, Qt.Key.Key_Return)
            await _case_is(live, "已回访")
            assert panel.callback_label.text().startswith("满意")
            assert _message(live) == "回访已登记：满意。"

            # close (C): the case and the incident
            assert panel.panel_actions["close"].isEnabled()
            await _press(live, qtbot, Qt.Key.Key_C)
            await _case_is(live, "已办结")
            assert live.status() == "已关闭"
            assert not panel.category_combo.isEnabled()

            record = [row[2] for row in tree_rows(panel.log_view)]
            for step in ("诉求签收", "改类别", "诉求交办", "答复", "登记办理结果", "回访", "诉求办结"):
                assert step in record, (step, record)
            moves = {row[2]: row[3] for row in tree_rows(panel.log_view)}
            assert moves["回访"].startswith("待回访 → 已回访")
            assert moves["答复"].startswith("已交办 → 已答复")
            assert all(row[1] == "lead-zhang" for row in tree_rows(panel.log_view)[1:] if row[2] != "回访")
            assert live.runtime.store.incidents_by_id([incident_id])[0].outcome is not None

    run_on_qasync(qapp, scenario())
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1100, 1000)
    keep_for_docs(shot)


def test_f1_lists_the_case_actions_with_their_keys(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            await live.show(_pigeons(2))
            await _press(live, qtbot, Qt.Key.Key_F1)
            await until(lambda: live.panel.shortcut_sheet is not None, "the shortcut sheet")
            sheet = live.panel.shortcut_sheet
            assert sheet is not None
            rows = {keys: (action, help_text) for keys, action, help_text in sheet.rows()}
            assert rows["G"][0] == "分类" and rows["U"][0] == "办理结果" and rows["B"][0] == "回访"
            assert rows["B"][1] == "询问居民是否满意（回访后才能办结）"
            assert rows["Y"][0] == "答复" and rows["C"][0] == "关闭"

    run_on_qasync(qapp, scenario())
