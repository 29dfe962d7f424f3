"""Small questions an action asks before it runs (a reason, an outcome, a target), awaited without a
nested event loop: `await ask(dialog)` opens the dialog window-modal and resumes when it closes.

`QDialog.exec()` would spin a second event loop inside a qasync task (CONVENTIONS: nothing but
`main.py` runs a loop); `open()` plus a future keeps the one loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


async def ask(dialog: QDialog) -> bool:
    """Open `dialog` (window-modal, not blocking) and wait until it is accepted (True) or not."""
    future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(code: int) -> None:
        if not future.done():
            future.set_result(code == QDialog.DialogCode.Accepted.value)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(finished)


def plain_label(text: str = "", *, wrap: bool = False) -> QLabel:
    """A label that shows its text literally (names and texts from outside are never rich text)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


class InputPrompt(QDialog):
    """A question with an optional choice (`choice`) and an optional line of text (`text`).

    OK is the default button: Enter answers. With `text_required`, OK stays disabled until the text
    holds more than spaces.
    """

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        question: str,
        *,
        choices: list[tuple[str, str]] | None = None,
        text_label: str | None = None,
        text_required: bool = False,
        ok_text: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.question = plain_label(question, wrap=True)
        layout.addWidget(self.question)
        self.choice: QComboBox | None = None
        if choices is not None:
            self.choice = QComboBox()
            for data, text in choices:
                self.choice.addItem(text, data)
            layout.addWidget(self.choice)
        self.text: QLineEdit | None = None
        if text_label is not None:
            layout.addWidget(plain_label(text_label))
            self.text = QLineEdit()
            self.text.setMaxLength(2000)
            layout.addWidget(self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        if ok_text:
            ok.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if self.text is not None and text_required:
            self.text.textChanged.connect(lambda value: ok.setEnabled(bool(value.strip())))
            ok.setEnabled(False)
        focus = self.choice if self.choice is not None and self.text is None else self.text
        if focus is not None:
            focus.setFocus()

    def chosen(self) -> str | None:
        return self.choice.currentData() if self.choice is not None else None

    def entered(self) -> str:
        return self.text.text().strip() if self.text is not None else ""
