"""The incident panel against a real runtime and the simulator on loopback: what it shows of a fall, an
alarm and a grievance, every action from its key and from its button, refusals as messages, and the
F1 sheet. A screenshot of a dispatched fall is kept with DESK_SAVE_SCREENSHOTS=1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from desk.incidents import Outcome, Status
from tests.support.events import alarm, examples, fall
from tests.support.shots import keep_for_docs
from tests.views.live import run_on_qasync, until
from tests.views.panel_live import (
    OWNER,
    LivePanel,
    elder_profile,
    live_panel,
    staff_profiles,
    tree_rows,
)
from views.prompts import InputPrompt


def _grievance(text: str = "楼上<b>楼上</b>每晚敲打到半夜 & 不停") -> dict[str, object]:
    event = dict(next(e for e in examples("valid") if e["type"] == "grievance"))
    event["id"] = "wx:test-1"
    event["text"] = text
    return event


async def _press(live: LivePanel, qtbot: QtBot, key: Qt.Key) -> None:
    await live.focus()
    qtbot.keyClick(live.panel, key)


async def _prompt(live: LivePanel) -> InputPrompt:
    await until(
        lambda: live.panel.prompt is not None and live.panel.prompt.isVisible(), "the action's prompt"
    )
    prompt = live.panel.prompt
    assert prompt is not None
    return prompt


async def _status(live: LivePanel, status: Status) -> None:
    from views.labels import status_text

    await until(lambda: live.status() == status_text(status), f"the panel to show {status.value}")


def _message(live: LivePanel) -> str:
    return live.panel.message.text() if live.panel.message.isVisible() else ""


# ---- what the panel shows ----------------------------------------------------------------------------


def test_a_fall_shows_the_elder_masked_with_age_conditions_contacts_battery_and_the_clock(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            live.simulator.inject(elder_profile())
            position = next(e for e in examples("valid") if e["type"] == "position")
            live.simulator.inject(position)
            await until(lambda: bool(live.runtime.store.last_positions()), "the elder's position")
            await live.show(fall(1))
            panel = live.panel
            assert panel.priority_label.text() == "P1"
            assert panel.kind_label.text() == "跌倒" and live.status() == "待确认"
            assert panel.title_label.text().endswith("跌倒报警")
            assert panel.place_label.text() == "丁香家园二期 3栋"
            # the SLA clock: acknowledge within 30 s of the fall; the test fall is long past, so red
            assert panel.sla_label.text().startswith("时限 确认 "), panel.sla_label.text()
            assert "前：已超时 " in panel.sla_label.text()
            assert panel.sla_label.property("clock_state") == "breached"
            assert "#c62828" in panel.sla_label.styleSheet()
            form = dict(panel.subject_rows())
            assert form["姓名"] == "王*英  (E-0042)"
            assert "王桂英" not in " ".join(form.values()), "the elder's name is masked"
            assert form["年龄"].startswith(f"{__import__('datetime').date.today().year - 1938} 岁")
            assert form["病史"] == "高血压、独居"
            assert form["紧急联系人"] == "王* (儿子)  136****2345"
            assert form["住址"] == "丁香家园二期 3栋 1单元 ***"
            assert form["手环"] == "FD-7731  电量 61%"
            assert form["最近位置"].startswith("31.86120, 117.25980")
            timeline = tree_rows(panel.timeline)
            assert len(timeline) == 1 and timeline[0][1] == "跌倒"
            assert "FD-7731" in timeline[0][2] and "90%" in timeline[0][2]
            assert tree_rows(panel.log_view)[0][2] == "新建"
            # what the state machine does not allow is disabled; a new incident cannot be closed
            actions = panel.panel_actions
            assert actions["acknowledge"].isEnabled() and actions["dispatch"].isEnabled()
            assert not actions["close"].isEnabled() and not actions["reopen"].isEnabled()
            assert not actions["recall"].isEnabled() and not actions["reply"].isEnabled()
            assert not panel.buttons["close"].isEnabled()

    run_on_qasync(qapp, scenario())


def test_a_grievance_shows_its_text_literally_and_an_alarm_its_site_and_device(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            await live.show(_grievance())
            text = panel.grievance_text
            assert isinstance(text, QPlainTextEdit) and text.isVisible()
            assert text.toPlainText() == "楼上<b>楼上</b>每晚敲打到半夜 & 不停"
            # what a person sees: the characters "<b>", not bold text
            assert "<b>楼上</b>" in text.document().toPlainText()
            assert live.status() == "待确认" and panel.kind_label.text() == "居民诉求"
            for label in panel.findChildren(QLabel):
                assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
            assert panel.panel_actions["reply"].isEnabled()

            await live.show(alarm(1, kind="smoke", device="SMK-B5-0301"))
            assert panel.kind_label.text() == "烟感"
            fields = [value for _, value in panel.subject_rows()]
            assert fields[:3] == ["5栋 3楼 楼道", "SMK-B5-0301", "critical"]
            assert not panel.grievance_text.isVisible()
            assert not panel.panel_actions["reply"].isEnabled()

    run_on_qasync(qapp, scenario())


# ---- the actions, by key and by button -------------------------------------------------------------


@pytest.mark.parametrize("how", ["key", "button"])
def test_the_lifecycle_from_acknowledge_to_reopen_by_key_and_by_button(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None, how: str
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            incident_id = await live.show(fall(1))
            changed: list[int] = []
            panel.incident_changed.connect(changed.append)

            async def do(name: str, key: Qt.Key) -> None:
                if how == "key":
                    await _press(live, qtbot, key)
                else:
                    qtbot.mouseClick(panel.buttons[name], Qt.MouseButton.LeftButton)

            await do("acknowledge", Qt.Key.Key_Space if how == "key" else Qt.Key.Key_A)
            await _status(live, Status.ACKNOWLEDGED)
            assert _message(live) == "Acknowledged."
            await do("escalate", Qt.Key.Key_E)
            await _status(live, Status.ESCALATED)
            await do("acknowledge", Qt.Key.Key_A)
            await _status(live, Status.ACKNOWLEDGED)

            await do("note", Qt.Key.Key_N)
            prompt = await _prompt(live)
            assert prompt.text is not None
            prompt.text.setText("家属已电话联系")  # QTest types Latin keys only
            qtbot.keyClick(prompt.text, Qt.Key.Key_Return)
            await until(lambda: len(tree_rows(panel.notes_view)) == 1, "the note in the notes")
            assert tree_rows(panel.notes_view)[0][1:] == ["lead-zhang", "家属已电话联系"]
            assert panel.tabs.tabText(1) == "Notes (1)"

            await do("resolve", Qt.Key.Key_S)
            prompt = await _prompt(live)
            assert prompt.choice is not None
            outcomes = [prompt.choice.itemText(i) for i in range(prompt.choice.count())]
            assert outcomes == [
                "Helped on site",
                "Taken to hospital / 120 called",
                "False alarm",
                "Device fault",
                "Could not reach",
                "Handled",
                "Referred",
            ]
            prompt.choice.setCurrentIndex(1)
            qtbot.keyClick(prompt.choice, Qt.Key.Key_Return)
            await _status(live, Status.RESOLVED)
            assert panel.place_label.text().endswith("outcome: Taken to hospital / 120 called")
            assert live.runtime.store.incidents_by_id([incident_id])[0].outcome is Outcome.HOSPITAL_120
            assert panel.sla_label.text() == "SLA: no clock running"

            await do("close", Qt.Key.Key_C)
            await _status(live, Status.CLOSED)
            assert not panel.panel_actions["close"].isEnabled()
            await do("reopen", Qt.Key.Key_O)
            await _status(live, Status.ACKNOWLEDGED)
            await do("false_alarm", Qt.Key.Key_F)
            await _status(live, Status.FALSE_ALARM)

            record = [row[2] for row in tree_rows(panel.log_view)]
            assert record == [
                "opened",
                "acknowledged",
                "escalated",
                "acknowledged",
                "note",
                "resolved",
                "closed",
                "reopened",
                "marked false alarm",
            ]
            assert all(row[1] == "lead-zhang" for row in tree_rows(panel.log_view)[1:])
            assert set(changed) == {incident_id} and len(changed) == 8

    run_on_qasync(qapp, scenario())


def test_a_refused_action_says_why_in_the_panel_and_the_panel_stays_usable(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            failures: list[str] = []
            panel.action_failed.connect(failures.append)
            await live.show(fall(1))
            assert not panel.panel_actions["close"].isEnabled()
            await _press(live, qtbot, Qt.Key.Key_C)  # close a new incident: disabled, yet the key answers
            await until(lambda: bool(_message(live)), "the refusal message")
            assert _message(live) == "无法关闭此事件：当前为“待确认”（仅在“误报”或“已处置”时可以）。"
            assert panel.message.property("error") is True
            assert failures == [_message(live)]
            assert live.status() == "待确认"
            panel.close_incident()  # called directly (e.g. from a menu): refused the same way, by the store
            await until(lambda: len(failures) == 2, "the second refusal")
            assert not QApplication.activeModalWidget(), "no modal box"
            await _press(live, qtbot, Qt.Key.Key_A)
            await _status(live, Status.ACKNOWLEDGED)
            assert _message(live) == "已确认。"

    run_on_qasync(qapp, scenario())


def test_merge_into_another_open_incident_and_reply_to_a_grievance(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            target = await live.show(alarm(1, kind="smoke", device="SMK-1"))
            source = await live.show(alarm(2, kind="smoke", device="SMK-2"))
            await _press(live, qtbot, Qt.Key.Key_M)
            prompt = await _prompt(live)
            assert prompt.choice is not None
            assert prompt.choice.count() == 1 and prompt.choice.itemText(0).startswith(f"#{target}  Smoke")
            qtbot.mouseClick(prompt.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # OK
            await _status(live, Status.CLOSED)
            assert panel.place_label.text().endswith(f"merged into #{target}")
            assert _message(live) == f"Merged into #{target}."
            assert live.runtime.store.incidents_by_id([source])[0].merged_into == target

            await live.show(_grievance("噪音"))
            qtbot.mouseClick(panel.buttons["reply"], Qt.MouseButton.LeftButton)
            prompt = await _prompt(live)
            assert prompt.text is not None
            prompt.text.setText("已联系楼上住户，今晚起停止敲打。")
            qtbot.keyClick(prompt.text, Qt.Key.Key_Return)
            await until(lambda: tree_rows(panel.log_view)[-1][2] == "reply", "the reply in the record")
            assert _message(live) == "Reply sent."
            assert "reply sent: 已联系楼上住户" in tree_rows(panel.log_view)[-1][3]

    run_on_qasync(qapp, scenario())


def test_f1_opens_the_shortcut_sheet_with_every_action_and_its_key(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            await live.show(fall(1))
            await _press(live, qtbot, Qt.Key.Key_F1)
            await until(lambda: live.panel.shortcut_sheet is not None, "the shortcut sheet")
            sheet = live.panel.shortcut_sheet
            assert sheet is not None and sheet.isVisible()
            assert sheet.windowTitle() == "快捷键"
            rows = {keys: action for keys, action, _ in sheet.rows()}
            assert rows == {
                "A / 空格": "确认",
                "D": "派单",
                "R": "召回",
                "N": "添加备注",
                "E": "升级",
                "F": "误报",
                "S": "办结",
                "C": "关闭",
                "O": "重新打开",
                "M": "合并",
                "Y": "答复",
                "G": "分类",
                "U": "办理结果",
                "B": "回访",
                "F1": "快捷键",
            }
            assert all(help_text for _, _, help_text in sheet.rows())

    run_on_qasync(qapp, scenario())


# ---- dispatch from the panel, live field updates, and the picture -----------------------------------


def test_dispatch_with_d_and_enter_sends_the_grid_owner_and_the_field_updates_show_live(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path, zh: None
) -> None:
    shot = tmp_path / "incident-panel-zh.png"

    async def scenario() -> None:
        async with live_panel(qtbot, db_url, field_delay_scale=0.004, size=(1100, 900)) as live:
            panel = live.panel
            live.simulator.inject(elder_profile())
            for event in staff_profiles():
                live.simulator.inject(event)
            live.simulator.inject(next(e for e in examples("valid") if e["type"] == "position"))
            await until(lambda: len(live.runtime.store.profiles()) == 3, "the profiles")
            incident_id = await live.show(fall(1))
            await _press(live, qtbot, Qt.Key.Key_D)
            await until(
                lambda: panel.dispatch_dialog is not None and panel.dispatch_dialog.isVisible(), "dialog"
            )
            dialog = panel.dispatch_dialog
            assert dialog is not None
            first = dialog.selected()
            assert first is not None and first.ref == OWNER
            qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # one keystroke: the first suggestion
            await until(lambda: _message(live).startswith("已派单给"), "the dispatch to be confirmed")
            assert _message(live) == f"已派单给 陈晓东（{OWNER}）。"
            tasks = [t for t in live.runtime.store.tasks() if t["incident_id"] == incident_id]
            assert [t["assignee"] for t in tasks] == [OWNER]
            await until(lambda: live.status() in ("已派单", "已到场"), "the incident to be dispatched")

            def updates() -> list[str]:
                return [row[1] for row in tree_rows(panel.tasks_view)[1:]]

            await until(lambda: "已到场" in updates(), "the on-scene update in the panel", timeout=4)
            assert updates()[:2] == ["已派出", "已接单"]
            assert "已出发" in updates()
            await _status(live, Status.ON_SCENE)
            assert panel.panel_actions["recall"].isEnabled()
            await asyncio.sleep(0.05)
            assert panel.grab().save(str(shot))

    run_on_qasync(qapp, scenario())
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1100, 900)
    keep_for_docs(shot)


def test_recall_a_running_task_with_r_and_a_reason(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        # the field answers slowly: the task is still running when it is recalled
        async with live_panel(qtbot, db_url, field_delay_scale=100) as live:
            panel = live.panel
            for event in staff_profiles():
                live.simulator.inject(event)
            incident_id = await live.show(fall(1))
            result = await live.runtime.dispatch(incident_id, OWNER, "go", "lead-zhang")
            assert result.ok
            await panel.refresh()
            await _status(live, Status.DISPATCHED)
            await _press(live, qtbot, Qt.Key.Key_R)
            prompt = await _prompt(live)
            assert prompt.choice is not None and prompt.choice.itemText(0).endswith("陈晓东 (sent)")
            assert prompt.text is not None
            qtbot.keyClicks(prompt.text, "family arrived first")
            qtbot.keyClick(prompt.text, Qt.Key.Key_Return)
            await _status(live, Status.ACKNOWLEDGED)
            assert _message(live).startswith("Task T-") and _message(live).endswith("recalled.")
            task_line = tree_rows(panel.tasks_view)[0]
            assert task_line[1] == "recalled"
            assert not panel.panel_actions["recall"].isEnabled()

    run_on_qasync(qapp, scenario())
