"""The alarm banner across the top of the window, the red "audio alarm not working" banner, the
night check-in request, and the flash over the whole window when an alarm climbs the ladder.

The banner shows the most severe alarm waiting — what, who, where, how long ago — and how many
more wait; F2 acknowledges it from anywhere in the window, and a green line confirms that the
acknowledgement was taken (by whom, after how long). A lower-class alarm may be snoozed (F6) for
a few minutes with a reason; a P1 says it cannot be. Texts from the field are plain text.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPaintEvent, QPen, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk.alarms import Alarm, AlarmClass, AlarmEvent, AlarmRefused
from desk.auth import PermissionDenied
from views.access import permission_refusal
from views.labels import QT_TRANSLATE_NOOP, readable_reason
from views.prompts import InputPrompt, ask, plain_label
from views.timespan import span_text

log = logging.getLogger("desk.ui.alarms")

ACK_KEY = "F2"
CHECKIN_KEY = "F3"
SNOOZE_KEY = "F6"
#: the green confirmation stays this long
CONFIRM_MS = 5000
FLASH_MS = 450
SNOOZE_CHOICES = (2, 5, 10)

ALARM_CLASS_TEXTS: dict[AlarmClass, str] = {
    AlarmClass.LIFE: QT_TRANSLATE_NOOP("AlarmClass", "LIFE"),
    AlarmClass.FIRE: QT_TRANSLATE_NOOP("AlarmClass", "FIRE"),
    AlarmClass.CHECKIN: QT_TRANSLATE_NOOP("AlarmClass", "CHECK-IN MISSED"),
    AlarmClass.SECURITY: QT_TRANSLATE_NOOP("AlarmClass", "SECURITY"),
    AlarmClass.WELFARE: QT_TRANSLATE_NOOP("AlarmClass", "WELFARE"),
    AlarmClass.GRIEVANCE: QT_TRANSLATE_NOOP("AlarmClass", "REQUEST"),
}
# background, text: red for life and fire, orange for security, slate for the rest
_COLOURS: dict[AlarmClass, tuple[str, str]] = {
    AlarmClass.LIFE: ("#b71c1c", "#ffffff"),
    AlarmClass.FIRE: ("#b71c1c", "#ffffff"),
    AlarmClass.CHECKIN: ("#b71c1c", "#ffffff"),
    AlarmClass.SECURITY: ("#e65100", "#ffffff"),
    AlarmClass.WELFARE: ("#37474f", "#ffffff"),
    AlarmClass.GRIEVANCE: ("#37474f", "#ffffff"),
}


def class_text(cls: AlarmClass) -> str:
    return QCoreApplication.translate("AlarmClass", ALARM_CLASS_TEXTS[cls])


class AlarmActions(Protocol):
    """What the banner needs of services.alarms.AlarmService."""

    def top(self) -> Alarm | None: ...
    def count(self) -> int: ...
    def escalated(self) -> bool: ...
    async def acknowledge(self, key: str, by: str) -> AlarmEvent: ...
    def snooze(self, key: str, minutes: float, reason: str, by: str) -> AlarmEvent: ...
    def check_in(self, by: str) -> AlarmEvent: ...


def _label(points: int, *, bold: bool = True) -> QLabel:
    label = plain_label()
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    return label


class AlarmBanner(QFrame):
    """The most severe alarm waiting, its buttons, the confirmation and the check-in request.

    acknowledged(str): an alarm was acknowledged here (its key).
    refused(str): an action was refused; the reason (also shown in the banner).
    """

    acknowledged = Signal(str)
    refused = Signal(str)

    def __init__(self, alarms: AlarmActions, desk_id: str, window: QWidget) -> None:
        super().__init__(window)
        self.alarms = alarms
        self.desk_id = desk_id
        self.setObjectName("alarmBanner")
        self.headline = _label(17)
        self.detail = _label(13, bold=False)
        self.more = _label(12)
        self.ack_button = QPushButton(self.tr("Acknowledge ({0})").format(ACK_KEY))
        self.snooze_button = QPushButton(self.tr("Snooze… ({0})").format(SNOOZE_KEY))
        for button in (self.ack_button, self.snooze_button):
            font = button.font()
            font.setPointSize(13)
            font.setBold(True)
            button.setFont(font)
        self.ack_button.clicked.connect(self.acknowledge_top)
        self.snooze_button.clicked.connect(self.snooze_top)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.headline)
        text.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addLayout(text, 1)
        row.addWidget(self.more)
        row.addWidget(self.snooze_button)
        row.addWidget(self.ack_button)

        # below the banner: the confirmation, the check-in request
        self.confirmation = _label(13)
        self.confirmation.setStyleSheet("QLabel { background:#1b5e20; color:white; padding:6px 12px; }")
        self.confirmation.hide()
        self.checkin_request = _label(14)
        self.checkin_request.setStyleSheet("QLabel { background:#f9a825; color:black; padding:6px 12px; }")
        self.checkin_request.hide()

        for key, slot in (
            (ACK_KEY, self.acknowledge_top),
            (SNOOZE_KEY, self.snooze_top),
            (CHECKIN_KEY, self.check_in),
        ):
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._confirm_timer = QTimer(self)
        self._confirm_timer.setSingleShot(True)
        self._confirm_timer.setInterval(CONFIRM_MS)
        self._confirm_timer.timeout.connect(self.confirmation.hide)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._top: Alarm | None = None
        self._busy = False
        self.prompt: InputPrompt | None = None
        self.refresh()

    # ---- showing ------------------------------------------------------------------------------------
    def refresh(self, now: datetime | None = None) -> None:
        """Show the alarms as they are now (called on every change and every second)."""
        now = now or datetime.now(UTC)
        self._top = self.alarms.top()  # thousands may wait: not sorted all every second
        if self._top is None:
            self.hide()
            return
        a = self._top
        bg, fg = _COLOURS[a.cls]
        style = f"QFrame#alarmBanner {{ background:{bg}; }} QFrame#alarmBanner QLabel {{ color:{fg}; }}"
        if style != self.styleSheet():  # a new style sheet restyles every label: only when it changes
            self.setStyleSheet(style)
        step = (
            self.tr(" — ESCALATED") if a.level == 1 else self.tr(" — ESCALATED TWICE") if a.level >= 2 else ""
        )
        self.headline.setText(f"{class_text(a.cls)} · P{a.priority} · {a.title}{step}")
        where = " · ".join(x for x in (a.person, a.place) if x)
        ago = self.tr("{0} ago").format(span_text(a.waited(now)))
        snoozed = ""
        if a.snoozed(now) and a.snoozed_until is not None:
            left = span_text((a.snoozed_until - now).total_seconds())
            snoozed = self.tr(" · snoozed, {0} left: {1}").format(left, a.snooze_reason or "")
        self.detail.setText(f"{where} · {ago}{snoozed}" if where else f"{ago}{snoozed}")
        others = self.alarms.count() - 1
        self.more.setText(self.tr("+%n more waiting", "", others) if others else "")
        self.snooze_button.setEnabled(a.can_snooze)
        self.snooze_button.setToolTip(
            "" if a.can_snooze else self.tr("A P1 alarm cannot be silenced: acknowledge it")
        )
        self.ack_button.setText(
            self.tr("Check in ({0})").format(CHECKIN_KEY)
            if a.cls is AlarmClass.CHECKIN
            else self.tr("Acknowledge ({0})").format(ACK_KEY)
        )
        self.show()

    def show_checkin_request(self, due: bool) -> None:
        self.checkin_request.setText(
            self.tr("Night check-in: press {0} to show you are at the desk").format(CHECKIN_KEY)
        )
        self.checkin_request.setVisible(due)

    def confirm(self, text: str) -> None:
        self.confirmation.setStyleSheet("QLabel { background:#1b5e20; color:white; padding:6px 12px; }")
        self.confirmation.setText(text)
        self.confirmation.show()
        self._confirm_timer.start()

    def _refuse(self, reason: str) -> None:
        self.confirmation.setStyleSheet("QLabel { background:#c62828; color:white; padding:6px 12px; }")
        self.confirmation.setText(reason)
        self.confirmation.show()
        self._confirm_timer.start()
        self.refused.emit(reason)

    # ---- acting -------------------------------------------------------------------------------------
    def acknowledge_top(self) -> None:
        """F2: acknowledge the alarm at the top (a missed check-in: check in)."""
        top = self._top
        if top is None:
            self._refuse(self.tr("No alarm is waiting."))
            return
        if top.cls is AlarmClass.CHECKIN:
            self.check_in()
            return
        if self._busy:
            return
        self._busy = True
        task = asyncio.ensure_future(self._acknowledge(top))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _acknowledge(self, alarm: Alarm) -> None:
        try:
            event = await self.alarms.acknowledge(alarm.key, self.desk_id)
        except AlarmRefused as exc:
            self._refuse(self.tr("Not acknowledged: {0}").format(exc))
            return
        except PermissionDenied as exc:
            self._refuse(self.tr("Not acknowledged: {0}").format(permission_refusal(exc)))
            return
        except Exception as exc:  # the store or the writer failed: said, never swallowed
            log.warning("acknowledging %s failed: %s", alarm.key, exc)
            self._refuse(self.tr("Not acknowledged: {0}").format(readable_reason(str(exc))))
            return
        finally:
            self._busy = False
            self.refresh()
        self.confirm(
            self.tr("Acknowledged: {0} · by {1} after {2}").format(
                alarm.title, event.by or self.desk_id, span_text(event.after_s or 0)
            )
        )
        self.acknowledged.emit(alarm.key)

    def snooze_top(self) -> None:
        top = self._top
        if top is None:
            return
        if not top.can_snooze:
            self._refuse(self.tr("A P1 alarm cannot be silenced: acknowledge it"))
            return
        task = asyncio.ensure_future(self._snooze(top))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _snooze(self, alarm: Alarm) -> None:
        self.prompt = InputPrompt(
            self,
            self.tr("Snooze the alarm"),
            self.tr("{0}: for how long, and why may it wait? (kept in the record)").format(alarm.title),
            choices=[(str(m), self.tr("{0} minutes").format(m)) for m in SNOOZE_CHOICES],
            text_label=self.tr("Reason"),
            text_required=True,
            ok_text=self.tr("Snooze"),
        )
        if not await ask(self.prompt):
            return
        minutes = int(self.prompt.chosen() or SNOOZE_CHOICES[0])
        try:
            self.alarms.snooze(alarm.key, minutes, self.prompt.entered(), self.desk_id)
        except AlarmRefused as exc:
            self._refuse(self.tr("Not snoozed: {0}").format(exc))
            return
        except PermissionDenied as exc:
            self._refuse(self.tr("Not snoozed: {0}").format(permission_refusal(exc)))
            return
        self.confirm(self.tr("Snoozed for {0} minutes: {1}").format(minutes, alarm.title))
        self.refresh()

    def check_in(self) -> None:
        """F3: the night operator is at the desk."""
        try:
            event = self.alarms.check_in(self.desk_id)
        except PermissionDenied as exc:
            self._refuse(permission_refusal(exc) or str(exc))
            return
        self.show_checkin_request(False)
        self.confirm(self.tr("Checked in at {0}").format(event.at.astimezone().strftime("%H:%M:%S")))
        self.refresh()


class AudioFailureBanner(QLabel):
    """Red, and it stays: the speaker cannot sound an alarm. The visual alarms still work."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont()
        font.setPointSize(14)
        font.setBold(True)
        self.setFont(font)
        self.setStyleSheet("QLabel { background:#c62828; color:white; padding:6px 12px; }")
        self.setWordWrap(True)
        self.reason = ""
        self.hide()

    def failed(self, reason: str) -> None:
        self.reason = reason
        self.setText(
            self.tr("AUDIO ALARM NOT WORKING: {0}. Alarms are shown on screen only — watch the desk.").format(
                reason
            )
        )
        self.show()

    def recovered(self) -> None:
        self.reason = ""
        self.hide()


class Flash(QWidget):
    """A red frame and tint over the whole window, blinking while an escalated alarm waits."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._window = window
        self.lit = False
        self._timer = QTimer(self)
        self._timer.setInterval(FLASH_MS)
        self._timer.timeout.connect(self._blink)
        window.installEventFilter(self)
        self.setGeometry(window.rect())
        self.hide()

    @property
    def flashing(self) -> bool:
        return self._timer.isActive()

    def set_flashing(self, on: bool) -> None:
        if on and not self._timer.isActive():
            self._timer.start()
            self.lit = True
            self.setGeometry(self._window.rect())
            self.raise_()
            self.show()
        elif not on and self._timer.isActive():
            self._timer.stop()
            self.lit = False
            self.hide()

    def _blink(self) -> None:
        self.lit = not self.lit
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._window.rect())
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self.lit:
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(198, 40, 40, 60))
        pen = QPen(QColor("#d50000"))
        pen.setWidth(14)
        painter.setPen(pen)
        painter.drawRect(QRect(7, 7, self.width() - 14, self.height() - 14))
        painter.end()
