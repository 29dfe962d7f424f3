"""The priority chip: readable colour pairs, and the chip stays visible on a selected row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from widgets.priority_chip import PRIORITY_COLORS, PriorityChipDelegate, contrast


def test_contrast_matches_known_values() -> None:
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("priority", [1, 2, 3, 4])
def test_every_chip_text_has_at_least_4_5_to_1_contrast(priority: int) -> None:
    chip, text = PRIORITY_COLORS[priority]
    assert contrast(chip, text) >= 4.5, (priority, chip.name(), text.name())


def test_p3_is_amber_with_black_text_and_p1_red_with_white() -> None:
    amber, ink = PRIORITY_COLORS[3]
    assert amber.red() > 200 and 120 < amber.green() < 200 and amber.blue() < 80 and ink == QColor("black")
    red, ink = PRIORITY_COLORS[1]
    assert red == QColor("#c62828") and ink == QColor("white")


def _table(qtbot: QtBot) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(2, 2)
    for row, priority in enumerate((1, 3)):
        chip, ink = PRIORITY_COLORS[priority]
        item = QStandardItem(f"P{priority}")
        item.setBackground(QBrush(chip))
        item.setForeground(QBrush(ink))
        model.setItem(row, 0, item)
        model.setItem(row, 1, QStandardItem("跌倒报警"))
    view = QTableView()
    view.setModel(model)
    view.setItemDelegateForColumn(0, PriorityChipDelegate(view))
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.resize(400, 200)
    qtbot.addWidget(view)
    view.show()
    return view, model


def _colours_in(view: QTableView, row: int, column: int) -> set[int]:
    image = view.viewport().grab().toImage()
    rect = view.visualRect(view.model().index(row, column))
    return {
        image.pixel(x, y) for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())
    }


def test_a_selected_row_keeps_its_chip_colour_and_text(qapp: QApplication, qtbot: QtBot) -> None:
    view, model = _table(qtbot)
    view.selectionModel().select(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    selected = _colours_in(view, 0, 0)
    assert QColor("#c62828").rgb() in selected, "the P1 red is gone on a selected row"
    assert QColor("white").rgb() in selected  # its text
    amber = _colours_in(view, 1, 0)
    assert PRIORITY_COLORS[3][0].rgb() in amber and QColor("black").rgb() in amber
