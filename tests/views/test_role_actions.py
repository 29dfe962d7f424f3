"""The incident panel as each role sees it, against a live desk: actions the signed-in role may not use
are disabled with the domain's refusal in the tooltip (the services refuse them anyway), and an elder's
personal data is revealed for a reason, audited, until another incident is selected. A screenshot of a
revealed profile (Chinese) is kept with DESK_SAVE_SCREENSHOTS=1."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.auth import Role
from tests.support.events import alarm, fall
from tests.support.shots import keep_for_docs
from tests.support.users import sign_in
from tests.views.live import run_on_qasync, until
from tests.views.panel_live import OPERATOR, LivePanel, elder_profile, live_panel
from views.prompts import InputPrompt


async def _as(live: LivePanel, username: str, role: Role) -> None:
    """`username` signs in; the window then tells the panel (MainWindow.set_operator_name)."""
    await sign_in(live.runtime, username, role)
    live.panel.by = username


def _row(live: LivePanel, label: str) -> str:
    return dict(live.panel.subject_rows()).get(label, "")


async def _prompt(live: LivePanel) -> InputPrompt:
    await until(lambda: live.panel.prompt is not None and live.panel.prompt.isVisible(), "the prompt")
    prompt = live.panel.prompt
    assert prompt is not None
    return prompt


def test_a_night_operator_sees_dispatch_and_close_disabled_with_the_reason(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            await live.show(fall(1))
            assert panel.panel_actions["dispatch"].isEnabled()  # the shift lead may
            await _as(live, "night", Role.OPERATOR)
            dispatch, close = panel.panel_actions["dispatch"], panel.panel_actions["close"]
            assert not dispatch.isEnabled() and not close.isEnabled()
            assert dispatch.toolTip() == "A night operator may not dispatch (allowed: shift lead)."
            assert close.toolTip() == "A night operator may not close incidents (allowed: shift lead)."
            assert panel.buttons["dispatch"].toolTip() == dispatch.toolTip()
            ack = panel.panel_actions["acknowledge"]
            assert ack.isEnabled() and "may not" not in ack.toolTip()
            assert panel.panel_actions["note"].isEnabled()
            # the keys of a refused action say why (no dialog opens)
            await live.focus()
            qtbot.keyClick(panel, Qt.Key.Key_D)
            await until(lambda: panel.message.isVisible(), "the refusal")
            assert panel.message.text() == dispatch.toolTip() and panel.dispatch_dialog is None
            # acknowledging goes through; the state then allows dispatch, the role still does not
            ack.trigger()
            await until(lambda: live.status() == "Acknowledged", "the acknowledgement")
            assert not panel.panel_actions["dispatch"].isEnabled()
            # a shift lead signs in: dispatch is enabled again, its tooltip is the help
            await _as(live, OPERATOR, Role.LEAD)
            assert panel.panel_actions["dispatch"].isEnabled()
            assert "may not" not in panel.panel_actions["dispatch"].toolTip()

    run_on_qasync(qapp, scenario())


def test_a_manager_may_not_act_on_incidents_nor_reveal(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            live.simulator.inject(elder_profile())
            await until(lambda: live.runtime.store.profile("E-0042") is not None, "the elder's profile")
            await live.show(fall(1))
            await _as(live, "boss", Role.MANAGER)
            panel = live.panel
            for name in ("acknowledge", "dispatch", "note", "escalate", "resolve", "close"):
                assert not panel.panel_actions[name].isEnabled(), name
            assert panel.panel_actions["shortcuts"].isEnabled()
            button = panel.reveal_button
            assert button is not None and not button.isEnabled()
            assert button.toolTip() == (
                "A manager may not reveal personal data (allowed: night operator, shift lead, administrator)."
            )
            assert _row(live, "Name").startswith("王*英")

    run_on_qasync(qapp, scenario())


def test_reveal_with_a_reason_shows_the_profile_until_another_incident_and_is_audited(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None, tmp_path: Path
) -> None:
    shot = tmp_path / "revealed-profile-zh.png"

    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            live.simulator.inject(elder_profile())
            await until(lambda: live.runtime.store.profile("E-0042") is not None, "the elder's profile")
            other = await live.show(alarm(1))
            incident_id = await live.show(fall(1))
            await _as(live, "night", Role.OPERATOR)  # a night operator may reveal
            assert _row(live, "姓名").startswith("王*英")
            assert "136****2345" in _row(live, "紧急联系人")
            button = panel.reveal_button
            assert button is not None and button.isEnabled()
            # cancelled: nothing revealed, nothing audited
            button.click()
            prompt = await _prompt(live)
            prompt.reject()
            await until(lambda: panel.prompt is None, "the prompt to close")
            assert live.runtime.store.audit_entries("profile:E-0042") == []
            assert _row(live, "姓名").startswith("王*英")
            # with a reason: in clear, and in the trail
            button.click()
            prompt = await _prompt(live)
            ok = prompt.buttons.button(prompt.buttons.StandardButton.Ok)
            assert not ok.isEnabled()  # the reason is required
            assert prompt.text is not None
            prompt.text.setText("老人跌倒未应答，联系家属王军")
            ok.click()
            await until(lambda: _row(live, "姓名").startswith("王桂英"), "the name in clear")
            assert _row(live, "姓名") == "王桂英  (E-0042)"
            assert "13655512345" in _row(live, "紧急联系人") and "王军" in _row(live, "紧急联系人")
            assert _row(live, "住址") == "丁香家园二期 3栋 1单元 502"
            assert "老人跌倒未应答，联系家属王军" in _row(live, "已查看明文")
            assert panel.reveal_button is None
            last = live.runtime.store.audit_entries("profile:E-0042")[-1]
            assert (last.actor, last.action) == ("night", "personal.reveal")
            assert '"reason":"老人跌倒未应答，联系家属王军"' in last.after
            # a refresh of the same incident keeps it in clear
            await panel.refresh()
            assert _row(live, "姓名").startswith("王桂英")
            await asyncio.sleep(0.05)
            assert panel.grab().save(str(shot))
            # another incident, then back: masked again
            await panel.show_incident(other)
            await panel.show_incident(incident_id)
            assert _row(live, "姓名").startswith("王*英")
            assert "136****2345" in _row(live, "紧急联系人")
            assert len(live.runtime.store.audit_entries("profile:E-0042")) == 1

    run_on_qasync(qapp, scenario())
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1100, 900)
    keep_for_docs(shot)


def test_another_operator_signing_in_masks_a_revealed_profile_again(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_panel(qtbot, db_url) as live:
            panel = live.panel
            live.simulator.inject(elder_profile())
            await until(lambda: live.runtime.store.profile("E-0042") is not None, "the elder's profile")
            await live.show(fall(1))
            assert panel.reveal_button is not None
            panel.reveal_button.click()
            prompt = await _prompt(live)
            assert prompt.text is not None
            prompt.text.setText("call the son")
            prompt.accept()
            await until(lambda: _row(live, "Name").startswith("王桂英"), "the name in clear")
            assert "by lead-zhang, reason: call the son" in _row(live, "Revealed")
            await _as(live, "night", Role.OPERATOR)
            assert _row(live, "Name").startswith("王*英")

    run_on_qasync(qapp, scenario())
