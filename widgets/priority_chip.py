"""The priority chip: "P1" on its colour, readable at a glance and still there on a selected row.

Colours: P1 red and P4 slate carry white text, P2 orange and P3 amber black text; each pair has a
contrast of at least 4.5:1 (WCAG AA for normal text).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: priority → (chip colour, text colour)
PRIORITY_COLORS: dict[int, tuple[QColor, QColor]] = {
    1: (QColor("#c62828"), QColor("white")),
    2: (QColor("#ef6c00"), QColor("black")),
    3: (QColor("#f9a825"), QColor("black")),
    4: (QColor("#546e7a"), QColor("white")),
}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    """Relative luminance (WCAG 2)."""
    r, g, b = (_linear(c) for c in (color.redF(), color.greenF(), color.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


class PriorityChipDelegate(QStyledItemDelegate):
    """Paints a cell whose BackgroundRole is a brush as a rounded chip with its ForegroundRole text.

    The row's own background (stripes, selection) stays around the chip, so selecting a row does
    not hide its priority.
    """

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        chip = index.data(Qt.ItemDataRole.BackgroundRole)
        if not isinstance(chip, QBrush):
            super().paint(painter, option, index)
            return
        ink = index.data(Qt.ItemDataRole.ForegroundRole)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.backgroundBrush = QBrush()
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = QRectF(opt.rect).adjusted(3, 3, -3, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip)
        painter.drawRoundedRect(rect, 4, 4)
        font = QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(ink.color() if isinstance(ink, QBrush) else QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(text or ""))
        painter.restore()
