"""The administrators' screens in the live window: Operator → Users… (add a user who can then sign in;
a weak password refused in the dialog; a shift lead sees the action disabled with the reason) and
Operator → Import directory… (a bad row named and Import disabled; a good file imported); both in
Chinese, every problem and message included (screenshots: users-admin-zh.png, directory-import-zh.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.auth import Role
from desk.directory import Problem, ProblemCode, parse_rows
from desk.incidents import IllegalTransition
from services.auth import SignInRefused
from tests.support.shots import keep_for_docs
from tests.views.live import live_desk, run_on_qasync, until
from tests.views.shown_text import CJK, english_words, shown_texts
from views.directory_import import PROBLEM_TEXTS, DirectoryImportDialog, problem_text, row_problems_text
from views.users_admin import UsersAdminDialog, _refusal

ADMIN = ("admin-test", Role.ADMIN)
NEW_PASSWORD = "Night-shift-2024"


def table(widget: object) -> list[list[str]]:
    """The dialog's table as its cells' texts, row by row."""
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


def headers(widget: object) -> list[str]:
    t = widget.table  # type: ignore[attr-defined]
    return [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]


def test_the_users_dialog_in_chinese(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None, tmp_path: Path
) -> None:
    """Labels, the list, the refusals (a weak password, the administrator's own account) and the messages
    read in Chinese. With DESK_SAVE_SCREENSHOTS=1 the grab is kept as docs/screenshots/users-admin-zh.png."""
    shot = tmp_path / "users-admin-zh.png"

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=ADMIN) as desk:
            assert desk.window.admin.users_action.text() == "用户…"
            dialog = desk.window.admin.open_users()
            await until(lambda: "admin-test" in dialog.usernames(), "the list of users")
            assert dialog.windowTitle() == "用户"
            assert headers(dialog) == ["用户名", "显示名", "角色", "启用", "锁定"]
            assert ["admin-test", "admin-test", "系统管理员", "是", ""] in table(dialog)
            assert await dialog.add("nina", "夜班李娜", Role.OPERATOR, NEW_PASSWORD)
            assert dialog.message.text() == "已添加 nina（夜班值守员）；首次登录时必须修改密码。"
            assert await dialog.set_role("nina", Role.LEAD)
            assert dialog.message.text() == "nina 现在是值班长。"
            assert not await dialog.set_active("admin-test", False)
            assert dialog.error.text() == "管理员不能停用自己的账号。"
            assert not await dialog.reset_password("nina", "nina-night-2024")
            assert dialog.error.text() == "密码要求：不得包含用户名"
            # five wrong passwords lock nina out: the list says until when
            for _ in range(5):
                with pytest.raises(SignInRefused):
                    await desk.runtime.auth.check_password("nina", "wrong-password-1")
            assert await dialog.refresh()
            nina = next(r for r in table(dialog) if r[0] == "nina")
            assert nina[1:4] == ["夜班李娜", "值班长", "是"] and nina[4].startswith("至 20")
            dialog.select("nina")
            assert dialog.active_button.text() == "停用" and dialog.role_choice.currentText() == "值班长"
            # a new user typed in with a weak password: refused, in Chinese
            qtbot.keyClicks(dialog.new_name, "wangwei")
            dialog.new_display.setText("王伟")  # typed through an input method: keyClicks cannot
            dialog.new_role.setCurrentIndex(dialog.new_role.findData(Role.MANAGER))
            qtbot.keyClicks(dialog.new_password, "short")
            before = dialog.error.text()
            dialog.add_button.click()
            await until(lambda: dialog.error.text() != before and dialog.isEnabled(), "the refusal")
            assert dialog.error.text() == "密码要求：至少 10 个字符、同时包含字母和数字"
            assert "wangwei" not in dialog.usernames()
            texts = shown_texts(dialog)
            for expected in ("选中的用户", "新用户", "重置密码", "添加用户", "初始密码", "新密码", "关闭"):
                assert expected in texts
            # user names (stored data)
            allowed = {"admin", "test", "nina", "wangwei"}
            assert english_words(texts, allowed) == {}
            assert dialog.grab().save(str(shot))
            dialog.close()

    run_on_qasync(qapp, scenario())
    assert not QImage(str(shot)).isNull()
    keep_for_docs(shot)


# the refusals services.auth and services.accounts give an administrator, as they word them
REFUSALS = [
    "the password needs at least 10 characters, letters and digits, not the user name",
    "the password needs not a common or repetitive password",
    "user nina exists already",
    "no user nina",
    "a user needs a user name",
    "an administrator cannot take their own administration away",
]


def test_the_refusals_of_user_administration_read_in_chinese(zh: None) -> None:
    words = [_refusal(IllegalTransition(m)) for m in REFUSALS]
    assert words == [
        "密码要求：至少 10 个字符、同时包含字母和数字、不得包含用户名",
        "密码要求：不能是常见密码或重复字符",
        "已有用户 nina。",
        "没有用户 nina。",
        "新用户需要用户名和显示名。",
        "管理员不能取消自己的管理员角色。",
    ]


def test_the_refusals_of_user_administration_in_english(en: None) -> None:
    assert [_refusal(IllegalTransition(m)) for m in REFUSALS[:4]] == [
        "The password needs: at least 10 characters, letters and digits, not the user name",
        "The password needs: not a common or repetitive password",
        "There is already a user nina.",
        "There is no user nina.",
    ]


def test_every_directory_problem_has_its_chinese_words(zh: None) -> None:
    assert {code: PROBLEM_TEXTS.get(code) for code in ProblemCode} == {c: c.value for c in ProblemCode}
    words = {code: problem_text(Problem(code, ("E-9", "2"))) for code in ProblemCode}
    assert {c: w for c, w in words.items() if not CJK.search(w) or english_words([w])} == {}
    assert len(set(words.values())) == len(words), "two problems read the same"


def test_directory_problems_in_english_are_the_words_of_the_rules(en: None) -> None:
    preview = parse_rows(
        [["编号", "类型", "姓名", "电话"], ["E-1", "老人", "", "12345"], ["E-1", "居民", "张三", ""]], "x.csv"
    )
    assert [row_problems_text(e) for e in preview.errors] == [e.problem for e in preview.errors]
    assert [row_problems_text(e) for e in preview.errors] == [
        "姓名 (name) is empty; 电话 '12345' is not a phone number",
        "类型 (kind) '居民' is not 老人, 工作人员 or 队伍",
    ]


def test_the_directory_import_in_chinese_names_every_bad_row(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None, tmp_path: Path
) -> None:
    """Each bad row's problems, the summary and the buttons read in Chinese. With
    DESK_SAVE_SCREENSHOTS=1 the grab is kept as docs/screenshots/directory-import-zh.png."""
    shot = tmp_path / "directory-import-zh.png"
    path = tmp_path / "丁香家园名单.csv"
    path.write_text(
        "\n".join(
            [
                "编号,类型,姓名,电话,住址,身份证号,出生年份,岗位,备注",
                "E-0101,老人,王桂英,13812341234,丁香家园二期 3栋 1单元 502,11010519491231002X,1949,,独居",
                "E-0102,老人,李秀兰,1381234,丁香家园二期 3栋 1单元 503,,,,",
                "E-0101,居民,张三,,,,,,",
                "E-0104,老人,,,,110105194912310021,19x9,,",
                "S-0101,工作人员,张网格,13900001111,,,,保安,",
                ",老人,赵大爷,,丁香家园二期 5栋,,,,",
                ",居民,,12,,123,1800,,",
                "S-0102,工作人员,刘巡逻,13900002222,,,,巡逻,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, operator=ADMIN) as desk:
            assert desk.window.admin.import_action.text() == "导入名册…"
            dialog = desk.window.admin.open_import()
            assert isinstance(dialog, DirectoryImportDialog)
            assert dialog.windowTitle() == "导入名册"
            assert dialog.import_button.toolTip() == "请先选择文件。"
            assert not await dialog.load(path)
            assert headers(dialog) == ["行", "处理方式", "编号", "类型", "姓名 / 问题"]
            rows = table(dialog)
            assert rows[:5] == [
                ["3", "错误行", "", "", "电话“1381234”不是有效的电话号码"],
                ["4", "错误行", "", "", "编号 E-0101 与第 2 行重复；类型“居民”不是老人、工作人员或队伍"],
                [
                    "5",
                    "错误行",
                    "",
                    "",
                    "姓名为空；身份证号无效（位数或校验位不对）；出生年份“19x9”不是有效年份",
                ],
                ["6", "错误行", "", "", "岗位“保安”不是网格员或巡逻"],
                ["7", "错误行", "", "", "编号为空"],
            ]
            assert rows[5][4] == (
                "编号为空；姓名为空；类型“居民”不是老人、工作人员或队伍；电话“12”不是有效的电话号码；"
                "身份证号无效（位数或校验位不对）；出生年份“1800”不是有效年份"
            )
            # a row with many problems wraps instead of being cut at the table's edge
            assert dialog.table.rowHeight(5) > dialog.table.rowHeight(6)
            assert [r[1:4] for r in rows[6:]] == [
                ["将新增", "E-0101", "老人"],
                ["将新增", "S-0102", "工作人员"],
            ]
            assert dialog.summary.text() == (
                "6 个错误行：无法导入。请在文件中修正后重新选择。 忽略的列：备注"
            )
            assert not dialog.import_button.isEnabled()
            assert dialog.import_button.toolTip() == "存在错误行时无法导入。"
            assert dialog.file_label.text() == path.name and dialog.file_label.toolTip() == str(path)
            texts = [t for t in shown_texts(dialog) if t != path.name]  # the name is the file's own
            assert english_words(texts, allowed={"CSV", "Excel"}) == {}
            assert dialog.grab().save(str(shot))
            # a file that is not a spreadsheet: named on row 1, in Chinese but for the reader's own words
            broken = tmp_path / "名单.xlsx"
            broken.write_bytes(b"not a spreadsheet")
            assert not await dialog.load(broken)
            assert table(dialog)[0][:2] == ["1", "错误行"]
            assert table(dialog)[0][4].startswith("无法读取 名单.xlsx：")
            assert desk.runtime.store.profiles() == []
            dialog.close()

    run_on_qasync(qapp, scenario())
    assert not QImage(str(shot)).isNull()
    keep_for_docs(shot)
