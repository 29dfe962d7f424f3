"""Signing in at the desk: the dialog at start and at every change of operator, and the forced change of a
password. The checks run in services.auth (argon2id, lockout); the dialog only asks and shows the answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk.auth import Operator
from desk.incidents import IllegalTransition
from views.access import role_text
from views.labels import readable_reason
from views.prompts import plain_label

log = logging.getLogger("desk.window")


def refusal_words(exc: Exception) -> str:
    """A sign-in refusal from services.auth in the operator's language."""
    message = str(exc)
    known = {
        "wrong user name or password": QCoreApplication.translate("SignIn", "Wrong user name or password."),
        "this account is disabled": QCoreApplication.translate(
            "SignIn", "This account is disabled: ask an administrator."
        ),
        "nobody is signed in at this desk": QCoreApplication.translate(
            "SignIn", "Nobody is signed in at this desk."
        ),
    }
    if message in known:
        return known[message]
    if message.startswith("account locked until "):
        until = message.removeprefix("account locked until ").split(" ")[0]
        return QCoreApplication.translate(
            "SignIn", "Locked after too many wrong passwords, until {0}."
        ).format(until.replace("T", " "))
    if message.startswith("the new password needs ") or message.startswith("the password needs "):
        return QCoreApplication.translate("SignIn", "The password needs: {0}").format(
            message.split(" needs ", 1)[1]
        )
    return message


class SignInDialog(QDialog):
    """User name and password; `operator` is set once the services accepted them."""

    def __init__(self, auth: Any, parent: QWidget | None = None, *, title: str | None = None) -> None:
        super().__init__(parent)
        self.auth = auth
        self.operator: Operator | None = None
        self.setWindowTitle(title or self.tr("Sign in — Duty Desk"))
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        head = QLabel(self.tr("Duty Desk · community command center"))
        font = QFont(head.font())
        font.setPointSize(15)
        font.setBold(True)
        head.setFont(font)
        lay.addWidget(head)
        lay.addWidget(
            plain_label(self.tr("Sign in with your own account: the record names who did what."), wrap=True)
        )
        form = QFormLayout()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        lay.addLayout(form)
        self.error = plain_label("", wrap=True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self._submit)
        lay.addWidget(self.buttons)
        self._task: asyncio.Future[bool] | None = None

    def _submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.ensure_future(self.submit())

    async def submit(self) -> bool:
        """Ask the services; accept on success, else say why and stay open."""
        self.error.setText(self.tr("Checking…"))
        self.buttons.setEnabled(False)
        try:
            self.operator = await self.auth.sign_in(self.username.text(), self.password.text())
        except IllegalTransition as exc:
            self.error.setText(refusal_words(exc))
            self.password.clear()
            self.password.setFocus()
            return False
        except Exception as exc:  # the database refuses to write (the sign-in is recorded), …
            log.warning("signing in failed: %s", exc)
            self.error.setText(self.tr("Not signed in: {0}").format(readable_reason(str(exc))))
            return False
        finally:
            self.buttons.setEnabled(True)
        self.error.setText("")
        self.accept()
        return True


class ChangePasswordDialog(QDialog):
    """The signed-in operator's own password: after a reset, or whenever they wish."""

    def __init__(self, auth: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.auth = auth
        self.setWindowTitle(self.tr("Change password"))
        lay = QVBoxLayout(self)
        op = auth.current
        if op is not None and op.must_change_password:
            lay.addWidget(
                plain_label(self.tr("Your password was set by someone else: choose your own now."), wrap=True)
            )
        form = QFormLayout()
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.again = QLineEdit()
        for edit in (self.old, self.new, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Current password"), self.old)
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("New password again"), self.again)
        lay.addLayout(form)
        lay.addWidget(
            plain_label(self.tr("At least 10 characters, letters and digits, not your user name."), wrap=True)
        )
        self.error = plain_label("", wrap=True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(lambda: asyncio.ensure_future(self.submit()))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    async def submit(self) -> bool:
        if self.new.text() != self.again.text():
            self.error.setText(self.tr("The two new passwords differ."))
            return False
        try:
            await self.auth.change_password(self.old.text(), self.new.text())
        except IllegalTransition as exc:
            self.error.setText(refusal_words(exc))
            return False
        except Exception as exc:
            log.warning("changing the password failed: %s", exc)
            self.error.setText(self.tr("Not changed: {0}").format(readable_reason(str(exc))))
            return False
        self.accept()
        return True


def operator_text(op: Operator | None) -> str:
    """The status line's 'who is at the desk': name and role, always visible."""
    if op is None:
        return QCoreApplication.translate("SignIn", "Nobody signed in")
    return QCoreApplication.translate("SignIn", "Signed in: {0} ({1})").format(op.label, role_text(op.role))
