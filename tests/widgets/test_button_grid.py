"""The panel's buttons keep their labels whole at any width: as many columns as fit, no fewer."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QScrollArea, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from widgets.button_grid import ButtonGrid

LABELS = [
    "Acknowledge (A / Space)",
    "Dispatch (D)",
    "Recall (R)",
    "Add note (N)",
    "Escalate (E)",
    "False alarm (F)",
    "Resolve (S)",
    "Record outcome (U)",
]


def test_every_label_is_whole_and_the_columns_follow_the_width(qapp: QApplication) -> None:
    page = QWidget()
    lay = QVBoxLayout(page)
    grid = ButtonGrid(spacing=6)
    buttons = []
    for text in LABELS:
        button = QToolButton()
        button.setText(text)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        grid.add(button)
        buttons.append(button)
    lay.addWidget(grid)
    lay.addStretch(1)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(page)
    widest = max(b.sizeHint().width() for b in buttons)
    seen = []
    for width in (widest * 2 + 80, widest + 60, widest * 5 + 100, widest * 3 + 60):
        area.resize(width, 900)
        area.show()
        qapp.processEvents()
        qapp.processEvents()
        have = grid.width()
        assert grid.columns == max(1, min(len(LABELS), (have + 6) // (widest + 6)))
        for b in buttons:
            assert b.isVisible() and b.width() >= b.sizeHint().width(), (width, b.text(), b.width())
        rows = -(-len(LABELS) // grid.columns)
        assert grid.height() >= rows * buttons[0].sizeHint().height()
        seen.append(grid.columns)
    assert seen[1] == 1 and seen[0] >= 2 and seen[2] >= 5  # narrow: one column; wide: many
    area.close()
