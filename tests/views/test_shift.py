"""The shift at a live desk: who is on shift, the shift log tab, the handover with the report and
both signatures, the managers' review with its CSV (real simulator, runtime, writer and window); the
handover report in Chinese, signed by the outgoing lead (screenshot: handover-sign-zh.png)."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from desk.auth import Role
from desk.shifts import LogCategory
from tests.support.shots import keep_for_docs
from tests.support.users import PASSWORD, add_user
from tests.views.live import LEAD, live_desk, rows, run_on_qasync, until
from tests.views.shown_text import english_words, shown_texts


def _tab(tabs: QTabWidget, title: str) -> int:
    return next(i for i in range(tabs.count()) if tabs.tabText(i) == title)


def test_a_shift_from_opening_to_the_signed_report(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            window = desk.window
            shift = window.shift_desk
            await until(lambda: shift.label.text() == "No shift open", "the status line to say no shift")
            assert [a.text() for a in window.menuBar().actions()][-1] == "S&hift"
            assert not shift.handover_action.isEnabled() and shift.open_action.isEnabled()

            await shift.open_shift("王班长", ["李四", "张三"])
            assert shift.label.text().startswith("On shift: 王班长 (lead) since ")
            assert shift.label.text().endswith("· 李四、张三")
            assert shift.handover_action.isEnabled() and not shift.open_action.isEnabled()

            tabs = window.bottom_tabs
            tabs.setCurrentIndex(_tab(tabs, "Shift log"))
            log = shift.log_view
            await shift.add_entry("call", "居民来电询问停水时间")
            await until(lambda: log.model.rowCount() >= 2, "the opening and the call in the log")
            table = rows(log.model)
            assert table[0]["Category"] == "Phone call" and table[0]["What"] == "居民来电询问停水时间"
            assert table[0]["By"] == "王班长"
            assert any(
                r["Category"] == "Shift" and r["What"].startswith("shift opened 王班长") for r in table
            )
            log.category.setCurrentIndex(log.category.findData(LogCategory.CALL.value))
            assert [r["Category"] for r in rows(log.model)] == ["Phone call"]
            log.category.setCurrentIndex(0)
            log.search.setText("停水")
            assert len(rows(log.model)) == 1
            log.search.setText("")

            dialog = await shift.hand_over("赵六", "5栋独居老人夜间注意")
            assert dialog is not None and shift.label.text() == "No shift open"
            page = dialog.browser.toPlainText()
            assert "社区指挥中心 值班交接报告" in page and "接班值班长：赵六" in page
            assert "5栋独居老人夜间注意" in page
            assert dialog.state.text() == "Not signed yet."
            assert not dialog.sign_in_button.isEnabled()
            # each lead signs with their own account: the outgoing one is the lead signed in here
            assert dialog.out_user.text() == LEAD
            dialog.out_password.setText("not-the-password-1")
            await dialog.sign(incoming=False)
            assert dialog.state.text() == "Not signed: Wrong user name or password."
            assert dialog.out_password.text() == ""  # a password is never left in the dialog
            dialog.out_password.setText(PASSWORD)
            await dialog.sign(incoming=False)
            assert dialog.state.text() == "Signed by the outgoing lead; the incoming lead signs next."
            await add_user(desk.runtime, "zhao6", Role.LEAD)
            await add_user(desk.runtime, "manager-1", Role.MANAGER)
            dialog.confirm.setChecked(True)
            dialog.in_user.setText(LEAD)
            dialog.in_password.setText(PASSWORD)
            await dialog.sign(incoming=True)  # the same person twice: refused
            assert dialog.state.text() == "The incoming lead signs second, not the outgoing lead again."
            dialog.in_user.setText("manager-1")
            dialog.in_password.setText(PASSWORD)
            await dialog.sign(incoming=True)
            assert dialog.state.text() == "Not signed: manager-1 is not a shift lead."
            dialog.confirm.setChecked(False)
            dialog.in_user.setText("zhao6")
            dialog.in_password.setText(PASSWORD)
            await dialog.sign(incoming=True)  # not confirmed yet: refused
            assert dialog.state.text() == "The incoming lead confirms the open incidents before signing."
            assert dialog.in_password.text() == ""  # cleared on a refusal too
            dialog.confirm.setChecked(True)
            dialog.in_password.setText(PASSWORD)
            await dialog.sign(incoming=True)
            assert dialog.state.text() == "Signed by both leads and sealed: it can no longer change."
            trail = [e.action for e in desk.runtime.store.audit_entries()]
            # each password given to sign is in the trail as that, not as a sign-in at this desk
            assert trail.count("user.signature_failed") == 1  # the wrong one
            assert trail.count("user.signature") == 4  # lead-test twice, manager-1, zhao6
            assert not dialog.in_user.isEnabled() and not dialog.in_password.isEnabled()
            signed = (await shift.service.reports())[0]
            assert (signed.signed_out_by, signed.signed_in_by) == (LEAD, "zhao6")
            assert "☑ 已确认未结事项" in dialog.browser.toPlainText()
            pdf = tmp_path / "handover.pdf"
            dialog.export(pdf=True, path=str(pdf))
            assert pdf.read_bytes().startswith(b"%PDF")

            review = shift.open_review()
            await review.load()
            assert review.model.rowCount() == 1
            row = rows(review.model)[0]
            assert (row["Lead"], row["Handed to"], row["Report"]) == ("王班长", "赵六", "signed")
            out = tmp_path / "shifts.csv"
            review.export_csv(str(out))
            with out.open(encoding="utf-8-sig") as f:
                lines = list(csv.reader(f))
            assert lines[0][:2] == ["Shift", "Lead"] and lines[1][1] == "王班长" and lines[1][10] == "signed"
            review.close()
            dialog.close()

    run_on_qasync(qapp, scenario())


def test_the_handover_report_in_chinese_signed_by_the_outgoing_lead(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None, tmp_path: Path
) -> None:
    """The report dialog's labels, fields and states read in Chinese; the outgoing lead signs with their
    own account. With DESK_SAVE_SCREENSHOTS=1 the grab is kept as docs/screenshots/handover-sign-zh.png."""
    shot = tmp_path / "handover-sign-zh.png"

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            shift = desk.window.shift_desk
            await shift.open_shift("王班长", ["李四", "张三"])
            await shift.add_entry("call", "居民来电询问停水时间")
            dialog = await shift.hand_over("赵六", "5栋独居老人夜间注意")
            assert dialog is not None
            assert dialog.windowTitle() == f"第 {dialog.report.shift_id} 班交接报告"
            assert dialog.state.text() == "尚未签字。"
            assert dialog.out_user.text() == LEAD and dialog.out_password.placeholderText() == "密码"
            assert dialog.in_user.placeholderText() == "赵六 的用户名"
            assert not dialog.sign_in_button.isEnabled()
            dialog.out_password.setText(PASSWORD)
            dialog.sign_out_button.click()
            await until(lambda: dialog.report.signed_out_by is not None, "the outgoing lead's signature")
            assert dialog.state.text() == "交班值班长已签字，请接班值班长签字。"
            assert dialog.out_password.text() == "" and not dialog.out_user.isEnabled()
            assert dialog.sign_in_button.isEnabled() and dialog.in_user.isEnabled()
            assert [b.text() for b in (dialog.sign_out_button, dialog.sign_in_button)] == [
                "交班值班长签字",
                "接班值班长签字",
            ]
            assert dialog.confirm.text() == "我已核对未结事件并接手"
            page = dialog.browser.toPlainText()
            assert "社区指挥中心 值班交接报告" in page and "十、签字" in page and "（尚未封签）" in page
            texts = shown_texts(dialog)
            assert "交班值班长" in texts and "接班值班长" in texts
            # the signed-in lead's user name, and the export formats
            assert english_words(texts, allowed={"lead", "test", "PDF", "HTML"}) == {}
            # the signatures, at the end of the report, in view
            bar = dialog.browser.verticalScrollBar()
            bar.setValue(bar.maximum())
            assert not dialog.browser.horizontalScrollBar().isVisible()
            await asyncio.sleep(0.05)
            assert dialog.grab().save(str(shot))
            # a refused signature says why in Chinese too
            dialog.confirm.setChecked(True)
            dialog.in_user.setText("zhao6")
            dialog.in_password.setText("not-the-password-1")
            await dialog.sign(incoming=True)
            assert dialog.state.text() == "未签字：用户名或密码错误。"
            dialog.in_user.setText(LEAD)
            dialog.in_password.setText(PASSWORD)
            await dialog.sign(incoming=True)
            assert dialog.state.text() == "接班值班长须另一人签字，不能由交班值班长再签。"
            dialog.close()

    run_on_qasync(qapp, scenario())
    assert not QImage(str(shot)).isNull()
    keep_for_docs(shot)
