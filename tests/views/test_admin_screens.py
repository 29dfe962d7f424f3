"""The administrators' screens in the live window: Operator → Users… (add a user who can then sign in;
a weak password refused in the dialog; a shift lead sees the action disabled with the reason) and
Operator → Import directory… (a bad row named and Import disabled; a good file imported)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.auth import Role
from tests.views.live import live_desk, run_on_qasync, until
from views.directory_import import DirectoryImportDialog
from views.users_admin import UsersAdminDialog

ADMIN = ("admin-test", Role.ADMIN)
NEW_PASSWORD = "Night-shift-2024"


def table(widget: object) -> list[list[str]]:
    t = widget.table  # type: ignore[attr-defined]
    return [
        [t.item(r, c).text() if t.item(r, c) is not None else "" for c in range(t.columnCount())]
        for r in range(t.rowCount())
    ]


def test_an_administrator_adds_a_user_who_can_then_sign_in(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=ADMIN) as desk:
            action = desk.window.admin.users_action
            assert action.isEnabled()
            dialog = desk.window.admin.open_users()
            assert isinstance(dialog, UsersAdminDialog)
            await until(lambda: "admin-test" in dialog.usernames(), "the list of users")
            assert not await dialog.add("nina", "夜班 Nina", Role.OPERATOR, "short")
            assert dialog.error.isVisible() and dialog.error.text().startswith("The password needs: ")
            assert "nina" not in dialog.usernames()
            assert await dialog.add("nina", "夜班 Nina", Role.OPERATOR, NEW_PASSWORD)
            assert not dialog.error.isVisible()
            assert ["nina", "夜班 Nina", "night operator", "yes", ""] in table(dialog)
            op = await desk.runtime.auth.check_password("nina", NEW_PASSWORD)
            assert op.role is Role.OPERATOR and op.must_change_password
            assert await dialog.set_role("nina", Role.LEAD)
            assert await dialog.set_active("nina", False)
            assert ["nina", "夜班 Nina", "shift lead", "no (disabled)", ""] in table(dialog)
            assert not await dialog.set_active("admin-test", False)
            assert dialog.error.text() == "An administrator cannot disable their own account."
            assert await dialog.set_active("nina", True)
            assert await dialog.reset_password("nina", "Another-pass-2025")
            op = await desk.runtime.auth.check_password("nina", "Another-pass-2025")
            assert op.role is Role.LEAD and op.must_change_password
            dialog.close()

    run_on_qasync(qapp, scenario())


def test_a_shift_lead_sees_users_and_import_disabled_with_the_reason(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            admin = desk.window.admin
            assert not admin.users_action.isEnabled()
            assert (
                admin.users_action.toolTip() == "A shift lead may not manage users (allowed: administrator)."
            )
            assert not admin.import_action.isEnabled()
            assert "may not import the directory" in admin.import_action.toolTip()
            # the services refuse too, whatever the buttons say: the dialog shows it
            dialog = admin.open_users()
            assert not await dialog.refresh()
            assert dialog.error.text() == "A shift lead may not manage users (allowed: administrator)."
            dialog.close()

    run_on_qasync(qapp, scenario())


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(["编号,类型,姓名,电话,住址", *rows]) + "\n", encoding="utf-8")
    return path


def test_a_directory_with_a_bad_row_names_it_and_cannot_be_imported(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path / "名单.csv",
        [
            "E-0101,老人,王桂英,13812341234,丁香家园二期 3栋 1单元 502",
            "E-0102,老人,李秀兰,1381234,丁香家园二期 3栋 1单元 503",
        ],
    )

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=ADMIN) as desk:
            dialog = desk.window.admin.open_import()
            assert isinstance(dialog, DirectoryImportDialog)
            assert not dialog.import_button.isEnabled()
            assert not await dialog.load(path)
            assert ["3", "bad row", "", "", "电话 '1381234' is not a phone number"] in table(dialog)
            assert not dialog.import_button.isEnabled()
            assert dialog.import_button.toolTip() == "Nothing can be imported while a row is bad."
            assert dialog.summary.text().startswith("1 bad row(s): nothing can be imported.")
            assert not await dialog.run_import()
            assert desk.runtime.store.profiles() == []
            dialog.close()

    run_on_qasync(qapp, scenario())


def test_a_good_directory_is_previewed_and_imported(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path / "名单.csv",
        [
            "E-0101,老人,王桂英,13812341234,丁香家园二期 3栋 1单元 502",
            "S-0101,工作人员,张网格,13900001111,",
        ],
    )

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=ADMIN) as desk:
            dialog = desk.window.admin.open_import()
            assert isinstance(dialog, DirectoryImportDialog)
            assert await dialog.load(path)
            rows = table(dialog)
            assert [r[1:4] for r in rows] == [
                ["will be added", "E-0101", "elder"],
                ["will be added", "S-0101", "staff"],
            ]
            assert "王桂英" not in rows[0][4]  # masked in the preview
            assert dialog.summary.text() == "Ready: 2 to add, 0 to change."
            assert dialog.import_button.isEnabled()
            dialog.import_button.click()
            await until(lambda: dialog.imported is not None, "the import")
            assert dialog.imported == {"added": 2, "updated": 0}
            assert dialog.summary.text() == "Imported from 名单.csv: 2 added, 0 changed."
            assert not dialog.import_button.isEnabled()
            profiles = desk.runtime.store.profiles()
            assert [(p["ref"], p["kind"], p["name"]) for p in profiles] == [
                ("E-0101", "elder", "王桂英"),
                ("S-0101", "staff", "张网格"),
            ]
            assert await dialog.load(path)  # read again: now they would be changed
            assert [r[1] for r in table(dialog)] == ["will be changed", "will be changed"]
            dialog.close()

    run_on_qasync(qapp, scenario())
