"""The lock of an idle desk: after `[security] lock_after_s` without a key or a click (or at once with
Ctrl+L) the queue, the panel, the map and the bottom tabs give way to an opaque lock panel that names
who is signed in and asks for their password. The alarm banners stay above it: a lock never hides a
sounding alarm, and F2 acknowledges from the lock screen as the signed-in operator. The password is
checked in services.auth (argon2id in a thread); another person signs in through "Change operator".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.incidents import IllegalTransition
from views.labels import readable_reason
from views.prompts import ask, plain_label
from views.sign_in import SignInDialog, operator_text, refusal_words

log = logging.getLogger("desk.window")

LOCK_KEY = "Ctrl+L"
# what counts as the operator at the desk (the same events as the night check-in's)
ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)


class LockPanel(QFrame):
    """Who is signed in, the password field, Unlock and Change operator; an opaque cover."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockPanel")
        self.setAutoFillBackground(True)  # opaque: nothing of the desk shows through
        self.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QVBoxLayout()
        box.setSpacing(12)
        self.title = plain_label(self.tr("The desk is locked"))
        font = QFont(self.title.font())
        font.setPointSize(20)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.title)
        self.who = plain_label("", wrap=True)
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.who)
        self.hint = plain_label(
            self.tr("Alarms still show above and F2 acknowledges them while the desk is locked."), wrap=False
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.hint)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.setMinimumWidth(320)
        box.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        self.error = plain_label("", wrap=True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.unlock_button)
        self.change_button = QPushButton(self.tr("Change operator…"))
        buttons.addWidget(self.change_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)


class DeskLock(QObject):
    """Locks `window` after `lock_after_s` idle seconds or on Ctrl+L, and unlocks for the same operator.

    The lock panel takes the place of `content` (the widgets below the banners in the central layout);
    the menus in `closed_menus` are shut while it is locked. `on_operator_changed` runs after another
    person signed in from the lock screen.
    """

    def __init__(
        self,
        window: QWidget,
        auth: Any,
        layout: QBoxLayout,
        content: Sequence[QWidget],
        *,
        lock_after_s: float,
        closed_menus: Sequence[QMenu] = (),
        on_operator_changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.auth = auth
        self.content = list(content)
        self.closed_menus = list(closed_menus)
        self.on_operator_changed = on_operator_changed
        self.locked = False
        self._hidden: list[QWidget] = []
        self._disabled: list[QAction] = []
        self._task: asyncio.Future[bool] | None = None
        self.panel = LockPanel()
        self.panel.hide()
        first = min((layout.indexOf(w) for w in self.content), default=layout.count())
        layout.insertWidget(first, self.panel, 1)
        self.panel.password.returnPressed.connect(self._submit)
        self.panel.unlock_button.clicked.connect(self._submit)
        self.panel.change_button.clicked.connect(self._change_operator)
        self.action = QAction(self.tr("Lock the desk"), window)
        self.action.setShortcut(QKeySequence(LOCK_KEY))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.lock)
        window.addAction(self.action)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self.set_lock_after(lock_after_s)
        self.action.setEnabled(auth is not None)  # a stand-in runtime without users has nobody to lock out
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_lock_after(self, seconds: float) -> None:
        self.idle.setInterval(max(1, int(seconds * 1000)))
        if self.auth is not None:
            self.idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and not self.locked and self.auth is not None:
            self.idle.start()  # a key or a click: the idle time starts again
        return False

    # ---- locking -------------------------------------------------------------------------------
    def lock(self) -> None:
        """Cover the desk (the banners stay above); nothing happens if it is locked already."""
        if self.locked:
            return
        self.locked = True
        self.idle.stop()
        op = self.auth.current if self.auth is not None else None
        self.panel.who.setText(operator_text(op))
        self.panel.error.setText("")
        self.panel.password.clear()
        self.panel.password.setEnabled(op is not None)
        self.panel.unlock_button.setEnabled(op is not None)
        self._hidden = [w for w in self.content if not w.isHidden()]
        for widget in self._hidden:
            widget.hide()
        self._disabled = [
            a for menu in self.closed_menus for a in [menu.menuAction(), *menu.actions()] if a.isEnabled()
        ]
        for action in self._disabled:
            action.setEnabled(False)
        self.panel.show()
        self.panel.password.setFocus()
        log.info("desk locked (%s)", op.username if op is not None else "nobody signed in")

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.panel.hide()
        self.panel.password.clear()
        for widget in self._hidden:
            widget.show()
        for action in self._disabled:
            action.setEnabled(True)
        self._hidden, self._disabled = [], []
        self.idle.start()
        log.info("desk unlocked")

    # ---- the password, another operator --------------------------------------------------------
    def _submit(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.ensure_future(self.submit())

    async def submit(self) -> bool:
        """The signed-in operator's password: unlock, or say why not and stay locked."""
        self.panel.error.setText(self.tr("Checking…"))
        self.panel.unlock_button.setEnabled(False)
        try:
            await self.auth.unlock(self.panel.password.text())
        except IllegalTransition as exc:
            self.panel.error.setText(refusal_words(exc))
            self.panel.password.clear()
            self.panel.password.setFocus()
            return False
        except Exception as exc:  # the database refuses to write (an unlock is recorded), …
            log.warning("unlocking failed: %s", exc)
            self.panel.error.setText(self.tr("Still locked: {0}").format(readable_reason(str(exc))))
            return False
        finally:
            self.panel.unlock_button.setEnabled(True)
        self.panel.error.setText("")
        self.unlock()
        return True

    def _change_operator(self) -> None:
        task = asyncio.ensure_future(self.change_operator())
        task.add_done_callback(_log_failure)

    async def change_operator(self) -> bool:
        """Another person signs in (the ordinary sign-in); the desk unlocks for them."""
        dialog = SignInDialog(self.auth, self.window, title=self.tr("Change operator"))
        self.sign_in_dialog = dialog
        if not await ask(dialog):
            return False
        if self.on_operator_changed is not None:
            self.on_operator_changed()
        self.unlock()
        return True


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("changing the operator at the lock failed", exc_info=task.exception())
