"""Operator → Users…: the administrators' list of users, and adding, disabling, enabling, resetting the
password of and changing the role of one. The rules (who may, the password policy, no administrator
taking their own administration away) live in services.auth; the dialog asks and shows the answer.
Hashing a password takes argon2id's time: the services run it in a thread, the window stays live.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.auth import Permission, Role
from desk.incidents import IllegalTransition
from services.accounts import UserRecord
from views.access import denied_text, permission_refusal, role_text
from views.labels import QT_TRANSLATE_NOOP, readable_reason
from views.prompts import plain_label
from views.sign_in import refusal_words

log = logging.getLogger("desk.window")

# what a new password lacks, as desk.auth.password_problems words it
PASSWORD_NEEDS: dict[str, str] = {
    "letters and digits": QT_TRANSLATE_NOOP("UsersAdminDialog", "letters and digits"),
    "not the user name": QT_TRANSLATE_NOOP("UsersAdminDialog", "not the user name"),
    "not a common or repetitive password": QT_TRANSLATE_NOOP(
        "UsersAdminDialog", "not a common or repetitive password"
    ),
}
_AT_LEAST = re.compile(r"at least (\d+) characters")
_NEEDS = ("the password needs ", "the new password needs ")


def password_needs_text(needs: str) -> str:
    """'at least 10 characters, letters and digits' (services.auth) in the administrator's language."""
    words = []
    for need in needs.split(", "):
        length = _AT_LEAST.fullmatch(need)
        if length is not None:
            words.append(
                QCoreApplication.translate("UsersAdminDialog", "at least {0} characters").format(length[1])
            )
        elif need in PASSWORD_NEEDS:
            words.append(QCoreApplication.translate("UsersAdminDialog", PASSWORD_NEEDS[need]))
        else:
            words.append(need)
    return QCoreApplication.translate("UsersAdminDialog", "The password needs: {0}").format(
        QCoreApplication.translate("UsersAdminDialog", ", ").join(words)
    )


def _refusal(exc: Exception) -> str:
    """A refusal of the services in the administrator's language (one nobody foresaw: as it is)."""
    denied = permission_refusal(exc)
    if denied is not None:
        return denied
    message = str(exc)
    own = {
        "an administrator cannot disable their own account": QCoreApplication.translate(
            "UsersAdminDialog", "An administrator cannot disable their own account."
        ),
        "an administrator cannot take their own administration away": QCoreApplication.translate(
            "UsersAdminDialog", "An administrator cannot take their own administration away."
        ),
        "a user needs a user name": QCoreApplication.translate(
            "UsersAdminDialog", "A new user needs a user name and a display name."
        ),
    }
    if message in own:
        return own[message]
    for prefix in _NEEDS:
        if message.startswith(prefix):
            return password_needs_text(message.removeprefix(prefix))
    exists = re.fullmatch(r"user (.+) exists already", message)
    if exists is not None:
        return QCoreApplication.translate("UsersAdminDialog", "There is already a user {0}.").format(
            exists[1]
        )
    if message.startswith("no user "):
        return QCoreApplication.translate("UsersAdminDialog", "There is no user {0}.").format(
            message.removeprefix("no user ")
        )
    return refusal_words(exc)


class UsersAdminDialog(QDialog):
    """The users (name, display name, role, active, locked) and the administrators' changes to them.

    Each change is an awaitable method (`add`, `set_active`, `reset_password`, `set_role`) returning
    whether the services accepted it; a refusal is shown in `error`."""

    def __init__(self, runtime: Any, by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.auth = runtime.auth
        self.by = by
        self.records: list[UserRecord] = []
        self.busy: asyncio.Future[Any] | None = None
        self.setWindowTitle(self.tr("Users"))
        self.setMinimumSize(760, 520)
        lay = QVBoxLayout(self)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("User name"),
                self.tr("Display name"),
                self.tr("Role"),
                self.tr("Active"),
                self.tr("Locked"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        lay.addWidget(self.table)

        # the selected user
        chosen = QGroupBox(self.tr("Selected user"))
        row = QHBoxLayout(chosen)
        self.active_button = QPushButton(self.tr("Disable"))
        self.active_button.clicked.connect(lambda: self._run(self.toggle_active()))
        row.addWidget(self.active_button)
        self.role_choice = self._role_combo()
        row.addWidget(self.role_choice)
        self.role_button = QPushButton(self.tr("Set role"))
        self.role_button.clicked.connect(
            lambda: self._run(self.set_role(self.selected(), self.role_choice.currentData()))
        )
        row.addWidget(self.role_button)
        self.reset_password_edit = QLineEdit()
        self.reset_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_password_edit.setPlaceholderText(self.tr("New password"))
        row.addWidget(self.reset_password_edit)
        self.reset_button = QPushButton(self.tr("Reset password"))
        self.reset_button.setToolTip(self.tr("The user must change it at the next sign-in."))
        self.reset_button.clicked.connect(
            lambda: self._run(self.reset_password(self.selected(), self.reset_password_edit.text()))
        )
        row.addWidget(self.reset_button)
        lay.addWidget(chosen)

        # a new user
        new = QGroupBox(self.tr("New user"))
        form = QFormLayout(new)
        self.new_name = QLineEdit()
        self.new_display = QLineEdit()
        self.new_role = self._role_combo()
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("User name"), self.new_name)
        form.addRow(self.tr("Display name"), self.new_display)
        form.addRow(self.tr("Role"), self.new_role)
        form.addRow(self.tr("Initial password"), self.new_password)
        self.add_button = QPushButton(self.tr("Add user"))
        self.add_button.setToolTip(self.tr("The new user must change the password at the first sign-in."))
        self.add_button.clicked.connect(
            lambda: self._run(
                self.add(
                    self.new_name.text(),
                    self.new_display.text(),
                    self.new_role.currentData(),
                    self.new_password.text(),
                )
            )
        )
        form.addRow("", self.add_button)
        lay.addWidget(new)

        self.error = plain_label(wrap=True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        lay.addWidget(self.error)
        self.message = plain_label(wrap=True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._selection_changed()

    def _role_combo(self) -> QComboBox:
        combo = QComboBox()
        for role in (Role.OPERATOR, Role.LEAD, Role.MANAGER, Role.ADMIN):
            combo.addItem(role_text(role), role)
        return combo

    # ---- the list --------------------------------------------------------------------------------
    async def refresh(self) -> bool:
        """Read the users again (refused to anyone but an administrator: then the error says why)."""
        try:
            records = await self.auth.users(self.by)
        except IllegalTransition as exc:
            self._show_error(_refusal(exc))
            return False
        keep = self.selected()
        self.records = list(records)
        now = datetime.now(UTC)
        self.table.setRowCount(len(self.records))
        for r, user in enumerate(self.records):
            locked = ""
            if user.locked_until is not None:
                until = (
                    user.locked_until if user.locked_until.tzinfo else user.locked_until.replace(tzinfo=UTC)
                )
                if until > now:
                    locked = self.tr("until {0}").format(until.astimezone().strftime("%Y-%m-%d %H:%M"))
            cells = [
                user.username,
                user.display_name,
                role_text(user.role),
                self.tr("yes") if user.active else self.tr("no (disabled)"),
                locked,
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if keep is not None:
            self.select(keep)
        self._selection_changed()
        return True

    def usernames(self) -> list[str]:
        return [u.username for u in self.records]

    def record(self, username: str) -> UserRecord | None:
        return next((u for u in self.records if u.username == username), None)

    def select(self, username: str) -> None:
        for r, user in enumerate(self.records):
            if user.username == username:
                self.table.selectRow(r)
                return

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()].username

    def _selection_changed(self) -> None:
        user = self.record(self.selected() or "")
        for widget in (self.active_button, self.role_button, self.reset_button, self.role_choice):
            widget.setEnabled(user is not None)
        if user is not None:
            self.active_button.setText(self.tr("Disable") if user.active else self.tr("Enable"))
            self.role_choice.setCurrentIndex(self.role_choice.findData(user.role))

    # ---- the changes -----------------------------------------------------------------------------
    def _run(self, change: Awaitable[bool]) -> None:
        async def run() -> None:
            await change

        self.busy = asyncio.ensure_future(run())
        self.busy.add_done_callback(_log_failure)

    async def _apply(self, change: Awaitable[Any], done: str) -> bool:
        self._show_error("")
        self.setEnabled(False)
        try:
            await change
        except IllegalTransition as exc:
            self._show_error(_refusal(exc))
            return False
        except Exception as exc:  # the database refuses to write, …
            log.warning("changing a user failed: %s", exc)
            self._show_error(self.tr("Not changed: {0}").format(readable_reason(str(exc))))
            return False
        finally:
            self.setEnabled(True)
        self.message.setText(done)
        await self.refresh()
        return True

    async def add(self, username: str, display_name: str, role: Role, password: str) -> bool:
        username, display_name = username.strip(), display_name.strip()
        if not username or not display_name:
            self._show_error(self.tr("A new user needs a user name and a display name."))
            return False
        if self.record(username) is not None:
            self._show_error(self.tr("There is already a user {0}.").format(username))
            return False
        ok = await self._apply(
            self.auth.add_user(self.by, username, display_name, role, password),
            self.tr("Added {0} ({1}); they must change the password at the first sign-in.").format(
                username, role_text(role)
            ),
        )
        if ok:
            for edit in (self.new_name, self.new_display, self.new_password):
                edit.clear()
            self.select(username)
        return ok

    async def set_active(self, username: str | None, active: bool) -> bool:
        if username is None:
            return False
        done = self.tr("{0} is enabled.") if active else self.tr("{0} is disabled: they cannot sign in.")
        return await self._apply(self.auth.set_active(self.by, username, active), done.format(username))

    async def toggle_active(self) -> bool:
        user = self.record(self.selected() or "")
        if user is None:
            return False
        return await self.set_active(user.username, not user.active)

    async def reset_password(self, username: str | None, password: str) -> bool:
        if username is None:
            return False
        ok = await self._apply(
            self.auth.reset_password(self.by, username, password),
            self.tr("New password for {0}: they must change it at the next sign-in.").format(username),
        )
        if ok:
            self.reset_password_edit.clear()
        return ok

    async def set_role(self, username: str | None, role: Role) -> bool:
        if username is None:
            return False
        return await self._apply(
            self.auth.set_role(self.by, username, role),
            self.tr("{0} is now a {1}.").format(username, role_text(role)),
        )

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if text:
            self.message.clear()


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("user administration failed", exc_info=task.exception())


class AdminMenu(QObject):
    """Operator → Users… and Import directory…: enabled for the roles that may, else the reason as tooltip
    (`update()` after every change of operator)."""

    def __init__(self, runtime: Any, menu: QMenu, parent: QWidget) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.window = parent
        self.dialog: QDialog | None = None
        self.users_action = QAction(self.tr("Users…"), parent)
        self.users_action.triggered.connect(self.open_users)
        self.import_action = QAction(self.tr("Import directory…"), parent)
        self.import_action.triggered.connect(self.open_import)
        menu.addSeparator()
        menu.addAction(self.users_action)
        menu.addAction(self.import_action)
        self.update()

    def _by(self) -> str:
        op = getattr(getattr(self.runtime, "auth", None), "current", None)
        return op.username if op is not None else ""

    def update(self) -> None:
        op = getattr(getattr(self.runtime, "auth", None), "current", None)
        may = getattr(self.runtime, "may", None)
        for action, permission in (
            (self.users_action, Permission.USERS),
            (self.import_action, Permission.DIRECTORY),
        ):
            allowed = may is not None and bool(may(permission))
            action.setEnabled(allowed)
            action.setToolTip("" if allowed else denied_text(op.role if op is not None else None, permission))

    def open_users(self) -> UsersAdminDialog:
        dialog = UsersAdminDialog(self.runtime, self._by(), self.window)
        self.dialog = dialog
        dialog.open()
        task = asyncio.ensure_future(dialog.refresh())
        task.add_done_callback(_log_failure)
        return dialog

    def open_import(self) -> QDialog:
        from views.directory_import import DirectoryImportDialog

        dialog = DirectoryImportDialog(self.runtime, self._by(), self.window)
        self.dialog = dialog
        dialog.open()
        return dialog
