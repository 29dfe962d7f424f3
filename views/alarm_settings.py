"""Alarm settings: the speaker's volume and output device, and the test at the start of a shift.

The window owns what happens with the answer (services.alarms.AlarmService.set_output keeps it in
the record, QSettings keeps it for the next start); the dialog only asks. The device list comes
from the caller (`aplay -L` on the sound service's side), with "the system's default" first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from views.prompts import plain_label


class AlarmSettingsDialog(QDialog):
    """test_requested(): the operator pressed "Test the alarm" (the window plays and logs it)."""

    test_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        volume: int,
        device: str | None,
        devices: list[tuple[str, str]],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Alarm settings"))
        self.setMinimumWidth(560)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setValue(max(0, min(100, volume)))
        self.volume_text = QLabel()
        self.volume_text.setTextFormat(Qt.TextFormat.PlainText)
        self.volume_text.setMinimumWidth(48)
        self.volume.valueChanged.connect(self._show_volume)
        self.warning = plain_label(wrap=True)
        self.warning.setStyleSheet("QLabel { color:#b71c1c; font-weight:bold; }")
        self.device = QComboBox()
        self.device.addItem(self.tr("The system's default output"), "")
        for name, description in devices:
            self.device.addItem(f"{description} ({name})" if description else name, name)
        if device:
            index = self.device.findData(device)
            if index < 0:  # configured but not present now: keep it, say so
                self.device.addItem(self.tr("{0} (not found now)").format(device), device)
                index = self.device.count() - 1
            self.device.setCurrentIndex(index)
        self.test_button = QPushButton(self.tr("Test the alarm"))
        self.test_button.clicked.connect(self.test_requested.emit)
        volume_row = QHBoxLayout()
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_text)
        form = QFormLayout()
        form.addRow(self.tr("Volume"), volume_row)
        form.addRow("", self.warning)
        form.addRow(self.tr("Output device"), self.device)
        form.addRow("", self.test_button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._show_volume(self.volume.value())

    def _show_volume(self, value: int) -> None:
        self.volume_text.setText(f"{value} %")
        self.warning.setText(
            self.tr("At this volume an alarm may not be heard across the room.") if value < 40 else ""
        )
        self.warning.setVisible(value < 40)

    def chosen_volume(self) -> int:
        return int(self.volume.value())

    def chosen_device(self) -> str | None:
        return str(self.device.currentData() or "") or None
