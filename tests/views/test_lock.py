"""The lock of an idle desk in the live window: idle time or Ctrl+L covers the queue; a fall arriving
while locked shows its banner above the lock and F2 acknowledges it as the signed-in operator; a
wrong password keeps the desk locked and says so, the right one unlocks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.incidents import Status
from tests.support.events import fall
from tests.support.users import PASSWORD
from tests.views.live import LEAD, live_desk, run_on_qasync, until
from tests.views.test_alarms import Speaker, log_actions, status

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_an_idle_desk_locks_and_hides_the_queue_and_the_right_password_unlocks(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=Speaker()) as desk:
            window, lock = desk.window, desk.window.lock
            assert window.incident_view.isVisible() and not lock.locked
            lock.set_lock_after(0.3)
            await until(lambda: lock.locked, "the idle desk to lock", timeout=3)
            assert not window.incident_view.isVisible() and not window.panel.isVisible()
            assert lock.panel.isVisible()
            assert f"Signed in: {LEAD}" in lock.panel.who.text()
            assert not window.map_action.isEnabled()  # the menus with personal data are shut
            lock.panel.password.setText("not-the-password-1")
            assert not await lock.submit()
            assert lock.locked and not window.incident_view.isVisible()
            assert lock.panel.error.text() == "Wrong user name or password."
            assert lock.panel.password.text() == ""
            lock.set_lock_after(600)
            qtbot.keyClicks(lock.panel.password, PASSWORD)
            qtbot.keyClick(lock.panel.password, Qt.Key.Key_Return)
            await until(lambda: not lock.locked, "the right password to unlock")
            assert window.incident_view.isVisible() and not lock.panel.isVisible()
            assert window.map_action.isEnabled()
            assert window.auth.current.username == LEAD

    run_on_qasync(qapp, scenario())


def test_ctrl_l_locks_and_a_fall_shows_above_the_lock_and_f2_acknowledges_it(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            window, lock, banner = desk.window, desk.window.lock, desk.window.alarm_banner
            assert banner is not None
            await until(desk.feed_is_live, "the feed to be live")
            window.search.setFocus()
            qtbot.keyClick(window.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
            assert lock.locked and not window.incident_view.isVisible()
            desk.simulator.inject(fall(1))
            await until(lambda: speaker.looping == "life", "the fall's sound to loop")
            await until(lambda: banner.isVisible(), "the alarm banner above the lock")
            # the banner is above the lock panel, not under it
            assert banner.geometry().bottom() <= lock.panel.geometry().top()
            assert banner.headline.text().startswith("LIFE · P1 · ")
            assert not window.incident_view.isVisible()
            qtbot.keyClick(lock.panel.password, Qt.Key.Key_F2)
            await until(lambda: speaker.looping is None, "the sound to stop")
            await until(lambda: banner.confirmation.isVisible(), "the confirmation")
            assert f"by {LEAD} after" in banner.confirmation.text()
            inc_id = desk.runtime.store.incidents()[0].id
            assert status(desk, inc_id) is Status.ACKNOWLEDGED
            await until(lambda: "alarm_acknowledged" in log_actions(desk, inc_id), "the record")
            assert lock.locked  # acknowledging does not unlock the desk

    run_on_qasync(qapp, scenario())


def test_the_lock_screen_in_chinese_with_a_sounding_fall(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None, tmp_path: Path
) -> None:
    """With DESK_SAVE_SCREENSHOTS=1 the grab is kept as docs/screenshots/lock-with-alarm-zh.png."""
    speaker = Speaker()
    shot = tmp_path / "lock-with-alarm-zh.png"

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker, size=(1400, 900)) as desk:
            window, lock, banner = desk.window, desk.window.lock, desk.window.alarm_banner
            assert banner is not None
            await until(desk.feed_is_live, "the feed to be live")
            window.lock.action.trigger()
            desk.simulator.inject(fall(1))
            await until(lambda: speaker.looping == "life", "the fall's sound to loop")
            await until(lambda: banner.isVisible(), "the alarm banner above the lock")
            assert lock.panel.title.text() == "值班台已锁定"
            assert lock.panel.unlock_button.text() == "解锁"
            assert window.grab().save(str(shot))

    run_on_qasync(qapp, scenario())
    if os.environ.get("DESK_SAVE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, DOCS / shot.name)
