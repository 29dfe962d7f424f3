"""Buttons in as many equal columns as their longest label allows at the width they are given.

A fixed number of columns elided the labels ("Ackn…ace)") where the words are long (English) and
left room unused where they are short (Chinese); this grid counts its columns again when its width
changes, so every label is read whole and the rows are as few as the width allows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QGridLayout, QLayout, QWidget


class ButtonGrid(QWidget):
    def __init__(self, spacing: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(spacing)
        self._grid.setVerticalSpacing(spacing)
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._spacing = spacing
        self._buttons: list[QAbstractButton] = []
        self._columns = 0

    @property
    def columns(self) -> int:
        return self._columns

    def add(self, button: QAbstractButton) -> None:
        self._buttons.append(button)
        self._place(self._columns_for(self.width()), force=True)

    def _widest(self) -> int:
        return max((b.sizeHint().width() for b in self._buttons), default=0)

    def _columns_for(self, width: int) -> int:
        if not self._buttons:
            return 1
        fit = (width + self._spacing) // (self._widest() + self._spacing)
        return max(1, min(len(self._buttons), fit))

    def _place(self, columns: int, *, force: bool = False) -> None:
        if columns == self._columns and not force:
            return
        self._columns = columns
        for button in self._buttons:
            self._grid.removeWidget(button)
        for i, button in enumerate(self._buttons):
            self._grid.addWidget(button, i // columns, i % columns)
        self.updateGeometry()

    # ---- Qt -------------------------------------------------------------------------------------------
    def minimumSizeHint(self) -> QSize:
        """As narrow as the widest button (one column), as tall as the rows are now: the grid's own
        minimum would hold the width of all its columns and never let it count fewer."""
        return QSize(self._widest(), self._grid.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place(self._columns_for(event.size().width()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._place(self._columns_for(self.width()), force=True)  # the labels' widths changed
