"""Signing in at the window: who is signed in is always visible; a change of operator asks for the next
person's password and the desk acts as them from then on; a wrong password says so and changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.auth import Role
from desk.incidents import IllegalTransition
from tests.support.users import PASSWORD, add_user
from tests.views.live import LEAD, live_desk, run_on_qasync, until

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_change_of_operator_from_the_menu(qapp: QApplication, qtbot: QtBot, db_url: str) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            window = desk.window
            assert window.operator_label.text() == f"Signed in: {LEAD} (shift lead)"
            assert window.panel.by == LEAD
            await add_user(desk.runtime, "night-li", Role.OPERATOR)
            window.change_operator_action.trigger()  # Operator → Change operator…
            await until(
                lambda: window.sign_in_dialog is not None and window.sign_in_dialog.isVisible(), "dialog"
            )
            dialog = window.sign_in_dialog
            assert dialog is not None
            dialog.username.setText("night-li")
            dialog.password.setText("not-my-password-1")
            assert not await dialog.submit()
            assert dialog.error.text() == "Wrong user name or password." and dialog.isVisible()
            assert window.operator_label.text() == f"Signed in: {LEAD} (shift lead)"
            dialog.password.setText(PASSWORD)
            assert await dialog.submit()
            await until(lambda: window.panel.by == "night-li", "the desk to act as the new operator")
            assert window.operator_label.text() == "Signed in: night-li (night operator)"
            # the services now refuse what a night operator may not do, whatever the window shows
            try:
                await desk.runtime.set_staff_status("S-001", "busy", "night-li")
            except IllegalTransition as exc:
                assert str(exc).startswith("a night operator may not staff status")
            else:
                raise AssertionError("a night operator set a duty status")

    run_on_qasync(qapp, scenario())


def test_the_sign_in_dialog_in_chinese(qapp: QApplication, qtbot: QtBot, db_url: str, zh: None) -> None:
    from views.sign_in import SignInDialog

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=None) as desk:
            dialog = SignInDialog(desk.runtime.auth)
            dialog.resize(460, 260)
            dialog.show()
            dialog.username.setText("operator")
            dialog.password.setText("wrong-password-1")
            await dialog.submit()
            assert dialog.error.text() == "用户名或密码错误。"
            assert dialog.windowTitle() == "登录 — 值班台"
            if os.environ.get("DESK_SAVE_SCREENSHOTS"):
                DOCS.mkdir(parents=True, exist_ok=True)
                dialog.grab().save(str(DOCS / "sign-in-zh.png"))
            dialog.close()

    run_on_qasync(qapp, scenario())


def test_a_sign_in_the_database_cannot_record_says_why_in_chinese(
    qapp: QApplication, qtbot: QtBot, zh: None
) -> None:
    """Every sign-in is written to the audit trail: while the database refuses to write, the
    dialog says so (it stayed at 'Checking…' before) and stays open for another try."""
    from services.writer import StorageUnavailable
    from views.sign_in import SignInDialog

    class _Refusing:
        async def sign_in(self, username: str, password: str) -> object:
            raise StorageUnavailable("database is locked")

    async def scenario() -> None:
        dialog = SignInDialog(_Refusing())
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.username.setText("lead")
        dialog.password.setText(PASSWORD)
        assert not await dialog.submit()
        assert dialog.error.text() == "未能登录：数据库暂时拒绝写入（database is locked），请稍后再试"
        assert dialog.isVisible() and dialog.buttons.isEnabled()

    run_on_qasync(qapp, scenario())
