"""The selected incident: what happened, to whom, where, how the clock stands, what was done, and the
actions (each a key and a button) that move it on.

Refusals (the lifecycle does not allow a move, a command is refused) show as a message in the panel,
never as a modal box; the panel stays usable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QFontMetrics, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desk.assignment import task_overdue
from desk.auth import ACTION_PERMISSION, Permission, Role
from desk.grievances import (
    CATEGORIES,
    NOT_RESOLVED_LIKE_AN_ALARM,
    CallbackResult,
    GrievanceAction,
    GrievanceCase,
    GrievanceStatus,
    case_clock,
    grievance_deadlines,
)
from desk.grievances import next_status as case_next_status
from desk.incidents import TRANSITIONS, Action, IllegalTransition, Incident, Outcome, Status, TaskStatus
from desk.privacy import MIN_REASON, mask_address, mask_name, mask_phone, reveal_problem
from desk.sla import SHANGHAI, ClockState, SlaPolicy, Stage, clock, deadline
from services.store import Changes
from views import theme
from views.access import denied_text, permission_refusal
from views.dispatch_dialog import DispatchDialog, Dispatcher
from views.incident_data import IncidentDetail, TaskView, load_incident, load_open_incidents
from views.labels import (
    QT_TRANSLATE_NOOP,
    callback_text,
    category_text,
    grievance_status_text,
    incident_kind,
    one_line,
    readable_reason,
    status_text,
)
from views.prompts import InputPrompt, ask, plain_label
from views.shortcuts import ACTIONS, ShortcutSheet
from widgets.button_grid import ButtonGrid
from widgets.priority_chip import PRIORITY_COLORS

log = logging.getLogger("desk.ui")

#: committed changes naming this incident are re-read after this pause (bursts become one read)
REFRESH_COALESCE_MS = 150
#: the age and the SLA clock tick
TICK_MS = 1000
BODY_POINTS = 12
TITLE_POINTS = 16

_OUTCOME = "Outcome"
OUTCOMES: dict[Outcome, str] = {
    Outcome.HELPED_ON_SITE: QT_TRANSLATE_NOOP("Outcome", "Helped on site"),
    Outcome.HOSPITAL_120: QT_TRANSLATE_NOOP("Outcome", "Taken to hospital / 120 called"),
    Outcome.FALSE_ALARM: QT_TRANSLATE_NOOP("Outcome", "False alarm"),
    Outcome.DEVICE_FAULT: QT_TRANSLATE_NOOP("Outcome", "Device fault"),
    Outcome.COULD_NOT_REACH: QT_TRANSLATE_NOOP("Outcome", "Could not reach"),
    Outcome.HANDLED: QT_TRANSLATE_NOOP("Outcome", "Handled"),
    Outcome.REFERRED: QT_TRANSLATE_NOOP("Outcome", "Referred"),
    Outcome.MERGED: QT_TRANSLATE_NOOP("Outcome", "Merged into another incident"),
}
_TASK = "TaskStatus"
TASK_STATUSES: dict[TaskStatus, str] = {
    TaskStatus.SENT: QT_TRANSLATE_NOOP("TaskStatus", "sent"),
    TaskStatus.ACCEPTED: QT_TRANSLATE_NOOP("TaskStatus", "accepted"),
    TaskStatus.DECLINED: QT_TRANSLATE_NOOP("TaskStatus", "declined"),
    TaskStatus.EN_ROUTE: QT_TRANSLATE_NOOP("TaskStatus", "en route"),
    TaskStatus.ON_SCENE: QT_TRANSLATE_NOOP("TaskStatus", "on scene"),
    TaskStatus.COMPLETED: QT_TRANSLATE_NOOP("TaskStatus", "completed"),
    TaskStatus.UNABLE: QT_TRANSLATE_NOOP("TaskStatus", "unable"),
    TaskStatus.RECALLED: QT_TRANSLATE_NOOP("TaskStatus", "recalled"),
}
_STAGE = "SlaStage"
STAGES: dict[Stage, str] = {
    Stage.ACKNOWLEDGE: QT_TRANSLATE_NOOP("SlaStage", "acknowledge"),
    Stage.DISPATCH: QT_TRANSLATE_NOOP("SlaStage", "dispatch"),
    Stage.RESOLVE: QT_TRANSLATE_NOOP("SlaStage", "resolve"),
}
_VERB = "ActionVerb"
# the lifecycle's actions as the refusal message names them ("cannot close …")
VERBS: dict[Action, str] = {
    Action.ACKNOWLEDGE: QT_TRANSLATE_NOOP("ActionVerb", "acknowledge"),
    Action.DISPATCH: QT_TRANSLATE_NOOP("ActionVerb", "dispatch"),
    Action.ARRIVE: QT_TRANSLATE_NOOP("ActionVerb", "mark on scene"),
    Action.RECALL: QT_TRANSLATE_NOOP("ActionVerb", "recall"),
    Action.ESCALATE: QT_TRANSLATE_NOOP("ActionVerb", "escalate"),
    Action.RESOLVE: QT_TRANSLATE_NOOP("ActionVerb", "resolve"),
    Action.FALSE_ALARM: QT_TRANSLATE_NOOP("ActionVerb", "mark as false alarm"),
    Action.CLOSE: QT_TRANSLATE_NOOP("ActionVerb", "close"),
    Action.REOPEN: QT_TRANSLATE_NOOP("ActionVerb", "reopen"),
    Action.MERGE: QT_TRANSLATE_NOOP("ActionVerb", "merge"),
}
_EVENT = "EventType"
EVENT_TYPES: dict[str, str] = {
    "fall": QT_TRANSLATE_NOOP("EventType", "Fall"),
    "sos": QT_TRANSLATE_NOOP("EventType", "SOS"),
    "alarm": QT_TRANSLATE_NOOP("EventType", "Alarm"),
    "device": QT_TRANSLATE_NOOP("EventType", "Device"),
    "grievance": QT_TRANSLATE_NOOP("EventType", "Request"),
    "task": QT_TRANSLATE_NOOP("EventType", "Task"),
    "position": QT_TRANSLATE_NOOP("EventType", "Position"),
    "profile": QT_TRANSLATE_NOOP("EventType", "Profile"),
}
_LOG = "LogAction"
LOG_ACTIONS: dict[str, str] = {
    "opened": QT_TRANSLATE_NOOP("LogAction", "opened"),
    "acknowledge": QT_TRANSLATE_NOOP("LogAction", "acknowledged"),
    "dispatch": QT_TRANSLATE_NOOP("LogAction", "dispatched"),
    "arrive": QT_TRANSLATE_NOOP("LogAction", "on scene"),
    "recall": QT_TRANSLATE_NOOP("LogAction", "recalled"),
    "escalate": QT_TRANSLATE_NOOP("LogAction", "escalated"),
    "resolve": QT_TRANSLATE_NOOP("LogAction", "resolved"),
    "false_alarm": QT_TRANSLATE_NOOP("LogAction", "marked false alarm"),
    "close": QT_TRANSLATE_NOOP("LogAction", "closed"),
    "reopen": QT_TRANSLATE_NOOP("LogAction", "reopened"),
    "merge": QT_TRANSLATE_NOOP("LogAction", "merged"),
    "note": QT_TRANSLATE_NOOP("LogAction", "note"),
    "reply": QT_TRANSLATE_NOOP("LogAction", "reply"),
    "dispatch_refused": QT_TRANSLATE_NOOP("LogAction", "dispatch refused"),
    "cleared_at_source": QT_TRANSLATE_NOOP("LogAction", "cleared at the source"),
    "task_accepted": QT_TRANSLATE_NOOP("LogAction", "task accepted"),
    "task_declined": QT_TRANSLATE_NOOP("LogAction", "task declined"),
    "task_en_route": QT_TRANSLATE_NOOP("LogAction", "task en route"),
    "task_on_scene": QT_TRANSLATE_NOOP("LogAction", "task on scene"),
    "task_completed": QT_TRANSLATE_NOOP("LogAction", "task completed"),
    "task_unable": QT_TRANSLATE_NOOP("LogAction", "task unable"),
    "task_recalled": QT_TRANSLATE_NOOP("LogAction", "task recalled"),
    "case_sign": QT_TRANSLATE_NOOP("LogAction", "request signed for"),
    "case_assign": QT_TRANSLATE_NOOP("LogAction", "request assigned"),
    "record_outcome": QT_TRANSLATE_NOOP("LogAction", "outcome recorded"),
    "callback": QT_TRANSLATE_NOOP("LogAction", "called back"),
    "categorise": QT_TRANSLATE_NOOP("LogAction", "categorised"),
    "case_close": QT_TRANSLATE_NOOP("LogAction", "request closed"),
    "case_reopen": QT_TRANSLATE_NOOP("LogAction", "request reopened"),
}
# the record's actions whose from/to are a grievance case's statuses (not the incident's)
CASE_LOG_ACTIONS = frozenset(
    {"case_sign", "case_assign", "reply", "record_outcome", "callback", "case_close", "case_reopen"}
)
_CASE_VERB = "CaseVerb"
# a grievance case's actions as desk.grievances' refusals name them ("cannot record the outcome of …")
CASE_VERBS: dict[str, str] = {
    "sign for": QT_TRANSLATE_NOOP("CaseVerb", "sign for"),
    "assign": QT_TRANSLATE_NOOP("CaseVerb", "assign"),
    "reply to": QT_TRANSLATE_NOOP("CaseVerb", "answer"),
    "record the outcome of": QT_TRANSLATE_NOOP("CaseVerb", "record the outcome of"),
    "call back about": QT_TRANSLATE_NOOP("CaseVerb", "call back about"),
    "close": QT_TRANSLATE_NOOP("CaseVerb", "close"),
    "reopen": QT_TRANSLATE_NOOP("CaseVerb", "reopen"),
}
# why a case cannot close yet (desk.grievances._CLOSE_MISSING, word for word)
CLOSE_MISSING: dict[str, str] = {
    "it is not even signed for yet": QT_TRANSLATE_NOOP("CaseRefusal", "it is not even signed for yet"),
    "it is not assigned, answered, its outcome recorded or the resident called back": QT_TRANSLATE_NOOP(
        "CaseRefusal", "it is not assigned, answered, its outcome recorded or the resident called back"
    ),
    "the resident has not been answered, the outcome is not recorded and there was no call-back": (
        QT_TRANSLATE_NOOP(
            "CaseRefusal",
            "the resident has not been answered, the outcome is not recorded and there was no call-back",
        )
    ),
    "the outcome is not recorded and the resident has not been called back": QT_TRANSLATE_NOOP(
        "CaseRefusal", "the outcome is not recorded and the resident has not been called back"
    ),
    "the resident has not been called back (asked whether they are satisfied)": QT_TRANSLATE_NOOP(
        "CaseRefusal", "the resident has not been called back (asked whether they are satisfied)"
    ),
    "it is already closed": QT_TRANSLATE_NOOP("CaseRefusal", "it is already closed"),
}
_CASE_REFUSAL = re.compile(r"cannot (.+) a grievance that is ([\w ]+) \(only when: (.*)\)")
_CLOSE_REFUSAL = re.compile(r"cannot close this grievance: (.*)")
# the panel's actions that are moves of the lifecycle (enabled from desk.incidents.TRANSITIONS)
LIFECYCLE: dict[str, Action] = {
    "acknowledge": Action.ACKNOWLEDGE,
    "dispatch": Action.DISPATCH,
    "recall": Action.RECALL,
    "escalate": Action.ESCALATE,
    "false_alarm": Action.FALSE_ALARM,
    "resolve": Action.RESOLVE,
    "close": Action.CLOSE,
    "reopen": Action.REOPEN,
    "merge": Action.MERGE,
}
_REFUSAL = re.compile(r"cannot (\w+) an incident that is (\w+) \(only when: (.*)\)")
# the permission each of the panel's actions needs (desk.auth): the services refuse it to other roles,
# the panel shows it disabled with the reason
PANEL_PERMISSIONS: dict[str, Permission] = {
    **{name: ACTION_PERMISSION[action] for name, action in LIFECYCLE.items()},
    "note": Permission.NOTE,
    "reply": Permission.REPLY,
    "categorise": Permission.GRIEVANCE_CASE,
    "record_outcome": Permission.GRIEVANCE_CASE,
    "callback": Permission.GRIEVANCE_CASE,
}


def _tr(context: str, source: str) -> str:
    return QCoreApplication.translate(context, source)


def task_status_text(status: TaskStatus) -> str:
    return _tr(_TASK, TASK_STATUSES[status])


def outcome_text(outcome: Outcome) -> str:
    return _tr(_OUTCOME, OUTCOMES[outcome])


def _status_name(value: str) -> str:
    try:
        return status_text(Status(value))
    except ValueError:
        return value


def _case_status_name(words: str) -> str:
    try:
        return grievance_status_text(GrievanceStatus(words.strip().replace(" ", "_")))
    except ValueError:
        return words


def _case_refusal_text(message: str) -> str | None:
    """A refusal of desk.grievances in the operator's words, or None when it is none of them."""
    match = _CLOSE_REFUSAL.fullmatch(message)
    if match:
        why = match.group(1)
        reason = _tr("CaseRefusal", CLOSE_MISSING[why]) if why in CLOSE_MISSING else why
        return QCoreApplication.translate("IncidentPanel", "Cannot close this request: {0}.").format(reason)
    match = _CASE_REFUSAL.fullmatch(message)
    if match:
        verb = _tr(_CASE_VERB, CASE_VERBS[match.group(1)]) if match.group(1) in CASE_VERBS else match.group(1)
        allowed = QCoreApplication.translate("IncidentPanel", " or ").join(
            _case_status_name(s) for s in match.group(3).split(",")
        )
        return QCoreApplication.translate(
            "IncidentPanel", "Cannot {0} this request: it is {1} (only when it is {2})."
        ).format(verb, _case_status_name(match.group(2)), allowed)
    known = {
        NOT_RESOLVED_LIKE_AN_ALARM: QT_TRANSLATE_NOOP(
            "IncidentPanel",
            "A request is not resolved like an alarm: record its outcome, call back, then close it.",
        ),
        "an outcome needs some text": QT_TRANSLATE_NOOP("IncidentPanel", "An outcome needs some text."),
        "cannot categorise a grievance that is closed (reopen it first)": QT_TRANSLATE_NOOP(
            "IncidentPanel", "A closed request cannot be categorised (reopen it first)."
        ),
    }
    return _tr("IncidentPanel", known[message]) if message in known else None


def refusal_text(exc: Exception) -> str:
    """An IllegalTransition in the operator's words: what cannot be done, the state, when it could."""
    denied = permission_refusal(exc)
    if denied is not None:
        return denied
    message = str(exc)
    case_text = _case_refusal_text(message)
    if case_text is not None:
        return case_text
    match = _REFUSAL.fullmatch(message)
    if match:
        try:
            verb = _tr(_VERB, VERBS[Action(match.group(1))])
        except (KeyError, ValueError):
            verb = match.group(1)
        allowed = QCoreApplication.translate("IncidentPanel", " or ").join(
            _status_name(s.strip()) for s in match.group(3).split(",")
        )
        return QCoreApplication.translate(
            "IncidentPanel", "Cannot {0} this incident: it is {1} (only when it is {2})."
        ).format(verb, _status_name(match.group(2)), allowed)
    known = {
        "resolving needs an outcome": QT_TRANSLATE_NOOP("IncidentPanel", "Resolving needs an outcome."),
        "a note needs some text": QT_TRANSLATE_NOOP("IncidentPanel", "A note needs some text."),
        "a reply needs some text": QT_TRANSLATE_NOOP("IncidentPanel", "A reply needs some text."),
        "cannot merge an incident into itself": QT_TRANSLATE_NOOP(
            "IncidentPanel", "An incident cannot be merged into itself."
        ),
    }
    if message in known:
        return _tr("IncidentPanel", known[message])
    return QCoreApplication.translate("IncidentPanel", "Refused: {0}").format(readable_reason(message))


def _local(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "—"
    local = when.astimezone(SHANGHAI)
    today = (now or datetime.now(UTC)).astimezone(SHANGHAI).date()
    return local.strftime("%H:%M:%S") if local.date() == today else local.strftime("%m-%d %H:%M")


def duration_text(value: timedelta) -> str:
    """A span as a clock reads it: 0:45, 12:05, 3 h 04 min, 2 d."""
    secs = int(abs(value.total_seconds()))
    if secs < 3600:
        return f"{secs // 60}:{secs % 60:02d}"
    if secs < 86400:
        return QCoreApplication.translate("IncidentPanel", "{0} h {1} min").format(
            secs // 3600, f"{secs % 3600 // 60:02d}"
        )
    return QCoreApplication.translate("IncidentPanel", "{0} d {1} h").format(
        secs // 86400, secs % 86400 // 3600
    )


def _font(points: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setColumnCount(len(headers))
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setWordWrap(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return tree


def _event_summary(event: dict[str, Any]) -> str:
    """A line about one event (its own texts stay as they came: they are shown as plain text)."""
    raw = event.get("event")
    body: dict[str, Any] = raw if isinstance(raw, dict) else {}
    t = event.get("type")
    parts: list[str] = []

    def add(value: object, fmt: str = "{0}") -> None:
        if value not in (None, ""):
            parts.append(fmt.format(value))

    if t in ("fall", "sos"):
        add(body.get("elder"))
        add(body.get("device"))
        conf = body.get("confidence")
        if isinstance(conf, int | float):
            add(f"{conf:.0%}")
    elif t == "alarm":
        add(incident_kind(str(body.get("kind") or "other")))
        add(body.get("state"))
        add(body.get("device"))
        add(body.get("severity"))
    elif t == "device":
        add(body.get("device"))
        add(body.get("status"))
        batt = body.get("battery")
        if isinstance(batt, int | float):
            add(f"{batt:.0%}")
    elif t == "grievance":
        add(body.get("channel"))
        add(body.get("title"))
        add(one_line(str(body.get("text") or ""))[:80])
    elif t == "task":
        add(body.get("task"))
        add(body.get("status"))
        add(body.get("by"))
    loc = body.get("location")
    if isinstance(loc, dict):
        add(loc.get("place"))
    return " · ".join(str(p) for p in parts)


class IncidentPanel(QWidget):
    """One incident in full, and its actions.

    Signals (past tense):
    - incident_changed(int): an action on the incident (id) was committed; the queue may re-read it.
    - action_failed(str): an action was refused or failed; the text is what the panel shows.
    - message_shown(str): the panel showed a message (a refusal or a confirmation of what was done).

    `await show_incident(id)`, `clear()`, `await refresh()` (re-read), `on_changes(changes)` (for
    `DeskSignals.changes_committed`: re-reads, coalesced, when the changes name this incident).
    Every action is a QAction in `panel_actions` (with its keys, active while the focus is in the panel or
    `shortcut_context` says otherwise) and a button in `buttons`.
    """

    incident_changed = Signal(int)
    action_failed = Signal(str)
    message_shown = Signal(str)

    def __init__(
        self,
        runtime: Dispatcher,
        by: str,
        parent: QWidget | None = None,
        *,
        policy: SlaPolicy | None = None,
        shortcut_context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
        accept_within: timedelta = timedelta(minutes=3),
    ) -> None:
        super().__init__(parent)
        self.runtime: Any = runtime
        self._by = by
        # an elder's personal data in clear for the incident shown (incident, ref, data, reason, by)
        self.revealed: dict[str, Any] | None = None
        self.reveal_button: QPushButton | None = None
        self.policy = policy or SlaPolicy.default()
        #: a task still not accepted this long after it was sent is flagged for re-dispatch
        self.accept_within = accept_within
        self._task_items: list[tuple[QTreeWidgetItem, TaskView]] = []
        self.detail: IncidentDetail | None = None
        self.prompt: InputPrompt | None = None
        self.dispatch_dialog: DispatchDialog | None = None
        self.shortcut_sheet: ShortcutSheet | None = None
        self._incident_id: int | None = None
        self._generation = 0
        self.setFont(_font(BODY_POINTS))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)

        # ---- header: chip, kind, status, title; place, age, clock
        head = QHBoxLayout()
        self.priority_label = plain_label()
        self.priority_label.setFont(_font(TITLE_POINTS, bold=True))
        self.priority_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.priority_label.setMinimumWidth(56)
        self.kind_label = plain_label()
        self.kind_label.setFont(_font(TITLE_POINTS, bold=True))
        self.status_label = plain_label()
        self.status_label.setFont(_font(TITLE_POINTS - 2, bold=True))
        self.status_label.setStyleSheet(
            "QLabel { border:2px solid #78909c; border-radius:4px; padding:0px 8px; }"
        )
        # the whole line of text inside its border, whatever the style's margins
        self.status_label.setMinimumHeight(QFontMetrics(self.status_label.font()).height() + 10)
        self.title_label = plain_label(wrap=True)
        self.title_label.setFont(_font(TITLE_POINTS))
        self.title_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for w in (self.priority_label, self.kind_label, self.status_label):
            head.addWidget(w)
        head.addWidget(self.title_label, 1)
        outer.addLayout(head)

        # the place on a line of its own (a long address wraps there, never into a column of
        # characters), then how long it has been open and the clock
        self.place_label = plain_label(wrap=True)
        self.place_label.setFont(_font(BODY_POINTS + 1))
        outer.addWidget(self.place_label)
        facts = QHBoxLayout()
        self.age_label = plain_label()
        self.sla_label = plain_label()
        self.sla_label.setFont(_font(BODY_POINTS + 1, bold=True))
        self.sla_label.setWordWrap(True)
        facts.addWidget(self.age_label)
        facts.addWidget(self.sla_label, 1)
        outer.addLayout(facts)

        # ---- actions: a QAction each (keys) and a button each
        self.panel_actions: dict[str, QAction] = {}
        self.buttons: dict[str, QToolButton] = {}
        self._refusing: dict[str, list[QShortcut]] = {}
        self._tips: dict[str, str] = {}
        slots: dict[str, Callable[[], object]] = {
            "acknowledge": self.acknowledge,
            "dispatch": self.dispatch,
            "recall": self.recall,
            "note": self.add_note,
            "escalate": self.escalate,
            "false_alarm": self.mark_false_alarm,
            "resolve": self.resolve,
            "close": self.close_incident,
            "reopen": self.reopen,
            "merge": self.merge,
            "reply": self.reply,
            "categorise": self.categorise,
            "record_outcome": self.record_outcome,
            "callback": self.call_back,
            "shortcuts": self.show_shortcuts,
        }
        grid = ButtonGrid(spacing=6)  # as many columns as whole labels allow at the panel's width
        for spec in ACTIONS:
            action = QAction(spec.label_text(), self)
            action.setShortcuts(spec.key_sequences())
            action.setShortcutContext(shortcut_context)
            action.setIconText(f"{spec.label_text()} ({spec.keys_text()})")
            self._tips[spec.name] = f"{spec.help_text()} ({spec.keys_text()})"
            action.setToolTip(self._tips[spec.name])
            action.triggered.connect(slots[spec.name])
            self.addAction(action)
            self.panel_actions[spec.name] = action
            # the same keys while the action is disabled: the slot runs and refuses with a message
            refusers = []
            for seq in spec.key_sequences():
                shortcut = QShortcut(seq, self)
                shortcut.setContext(shortcut_context)
                shortcut.setEnabled(False)
                shortcut.activated.connect(
                    lambda name=spec.name, slot=slots[spec.name]: self._refused_key(name, slot)
                )
                refusers.append(shortcut)
            self._refusing[spec.name] = refusers
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFont(_font(BODY_POINTS))
            button.setMinimumHeight(34)
            grid.add(button)
            self.buttons[spec.name] = button
        self.button_grid = grid
        outer.addWidget(grid)

        self.message = plain_label(wrap=True)
        self.message.setVisible(False)
        self.message.setFont(_font(BODY_POINTS, bold=True))
        outer.addWidget(self.message)

        # ---- a grievance's case: status, deadlines, category, outcome, call-back
        self.case_box = QGroupBox(self.tr("Request case"))
        case_form = QFormLayout(self.case_box)
        self.case_status_label = plain_label()
        self.case_status_label.setFont(_font(BODY_POINTS, bold=True))
        self.sign_by_label = plain_label()
        self.answer_by_label = plain_label()
        self.category_combo = QComboBox()
        for category in CATEGORIES:
            self.category_combo.addItem(category_text(category), category)
        self.category_combo.activated.connect(self._category_chosen)
        self.case_outcome_label = plain_label(wrap=True)
        self.callback_label = plain_label(wrap=True)
        for label, widget in (
            (self.tr("Case"), self.case_status_label),
            (self.tr("Sign for by"), self.sign_by_label),
            (self.tr("Answer by"), self.answer_by_label),
            (self.tr("Category"), self.category_combo),
            (self.tr("Outcome"), self.case_outcome_label),
            (self.tr("Call-back"), self.callback_label),
        ):
            name = plain_label(label)
            name.setFont(_font(BODY_POINTS, bold=True))
            case_form.addRow(name, widget)
        self.case_box.setVisible(False)
        outer.addWidget(self.case_box)

        # ---- body: subject and tasks above, timeline / notes / record below
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.subject_box = QGroupBox()
        self.subject_form = QFormLayout(self.subject_box)
        self.subject_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.grievance_text = QPlainTextEdit()  # replaced with each grievance shown (the form owns it)
        top_layout.addWidget(self.subject_box, 3)
        tasks_box = QGroupBox(self.tr("Tasks"))
        tasks_layout = QVBoxLayout(tasks_box)
        self.tasks_view = _tree(
            [self.tr("Task / update"), self.tr("Status"), self.tr("Time"), self.tr("Who")]
        )
        self.tasks_view.setRootIsDecorated(True)
        tasks_layout.addWidget(self.tasks_view)
        top_layout.addWidget(tasks_box, 4)
        split.addWidget(top)

        self.tabs = QTabWidget()
        self.timeline = _tree([self.tr("Time"), self.tr("Type"), self.tr("Summary")])
        self.notes_view = _tree([self.tr("Time"), self.tr("By"), self.tr("Note")])
        self.log_view = _tree([self.tr("Time"), self.tr("By"), self.tr("What"), self.tr("Detail")])
        self.tabs.addTab(self.timeline, self.tr("Timeline"))
        self.tabs.addTab(self.notes_view, self.tr("Notes"))
        self.tabs.addTab(self.log_view, self.tr("Record"))
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        self.placeholder = plain_label(self.tr("No incident selected."))
        outer.addWidget(self.placeholder)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_COALESCE_MS)
        self._refresh_timer.timeout.connect(self._refresh_soon)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._update_clock)
        self.clear()

    # ---- who acts --------------------------------------------------------------------------------
    @property
    def by(self) -> str:
        """The signed-in operator the panel acts as; setting it (the window does after every sign-in)
        enables the actions for their role again."""
        return self._by

    @by.setter
    def by(self, name: str) -> None:
        self._by = name
        self.operator_changed()

    def operator_changed(self) -> None:
        """Another operator signed in: what they may do, and no personal data revealed for another."""
        if self.revealed is not None:
            self.revealed = None
            if self.detail is not None:
                self._render(self.detail)
        self._enable_actions()

    def _role(self) -> Role | None:
        op = getattr(getattr(self.runtime, "auth", None), "current", None)
        return op.role if op is not None else None

    def _may(self, permission: Permission) -> bool:
        may = getattr(self.runtime, "may", None)
        return bool(may(permission)) if may is not None else True

    def _denied(self, permission: Permission | None) -> str | None:
        """Why the signed-in operator may not (the domain's refusal, translated), or None when they may."""
        if permission is None or self._may(permission):
            return None
        return denied_text(self._role(), permission)

    def denied(self, name: str) -> str | None:
        """Why the signed-in operator's role may not use the action `name`, or None when it may."""
        return self._denied(PANEL_PERMISSIONS.get(name))

    # ---- what is shown ---------------------------------------------------------------------------
    @property
    def incident_id(self) -> int | None:
        return self._incident_id

    @property
    def incident(self) -> Incident | None:
        return self.detail.incident if self.detail is not None else None

    def clear(self) -> None:
        """Show nothing (no incident selected); every action is disabled."""
        self._generation += 1
        self._incident_id = None
        self.detail = None
        self.revealed = None
        self._tick.stop()
        for label in (
            self.priority_label,
            self.kind_label,
            self.status_label,
            self.title_label,
            self.place_label,
            self.age_label,
            self.sla_label,
        ):
            label.clear()
        self.priority_label.setStyleSheet("")
        self.sla_label.setStyleSheet("")
        self.status_label.setVisible(False)
        self.case_box.setVisible(False)
        self._clear_subject()
        for tree in (self.tasks_view, self.timeline, self.notes_view, self.log_view):
            tree.clear()
        self.hide_message()
        self.placeholder.setVisible(True)
        self._enable_actions()

    async def show_incident(self, incident_id: int) -> None:
        """Show incident `incident_id` (read off the GUI thread); clears when there is no such incident."""
        if incident_id != self._incident_id:
            self.hide_message()
            self.revealed = None  # a reveal holds for the incident it was asked for
        self._incident_id = incident_id
        await self.refresh()

    async def refresh(self) -> None:
        """Read the shown incident again and show it as it is now."""
        incident_id = self._incident_id
        if incident_id is None:
            return
        self._generation += 1
        generation = self._generation
        detail = await load_incident(self.runtime, incident_id)
        if generation != self._generation or incident_id != self._incident_id:
            return  # another incident (or a newer read) took over meanwhile
        if detail is None:
            self.clear()
            return
        self.detail = detail
        self._render(detail)

    def on_changes(self, changes: Changes) -> None:
        """For `changes_committed`: re-read (once per burst) when the changes name this incident."""
        if self._incident_id is not None and self._incident_id in changes.incidents:
            self._refresh_timer.start()

    @asyncSlot()
    async def _refresh_soon(self) -> None:
        try:
            await self.refresh()
        except Exception:  # a failed read leaves the last picture; the next change tries again
            log.exception("reading incident %s failed", self._incident_id)

    # ---- rendering -------------------------------------------------------------------------------
    def _render(self, d: IncidentDetail) -> None:
        inc = d.incident
        now = datetime.now(UTC)
        self.placeholder.setVisible(False)
        chip, ink = PRIORITY_COLORS.get(int(inc.priority), PRIORITY_COLORS[4])
        self.priority_label.setText(f"P{int(inc.priority)}")
        self.priority_label.setStyleSheet(
            f"QLabel {{ background:{chip.name()}; color:{ink.name()}; border-radius:4px; padding:2px 8px; }}"
        )
        self.kind_label.setText(incident_kind(inc.kind))
        self.status_label.setText(status_text(inc.status))
        self.status_label.setVisible(True)
        title = inc.title if inc.count <= 1 else self.tr("{0} (×{1})").format(inc.title, inc.count)
        self.title_label.setText(f"#{inc.id}  {title}")
        place = inc.place or self.tr("place unknown")
        if inc.merged_into is not None:
            place = self.tr("{0} — merged into #{1}").format(place, inc.merged_into)
        elif inc.outcome is not None:
            place = self.tr("{0} — outcome: {1}").format(place, outcome_text(inc.outcome))
        self.place_label.setText(place)
        self._render_subject(d, now)
        self._render_case(d, now)
        self._render_tasks(d, now)
        self._render_timeline(d, now)
        self._enable_actions()
        self._update_clock()
        self._tick.start()

    def _render_case(self, d: IncidentDetail, now: datetime) -> None:
        case = d.case
        self.case_box.setVisible(case is not None)
        if case is None:
            return
        self.case_status_label.setText(grievance_status_text(case.status))
        self.case_status_label.setProperty("case_status", case.status.value)
        index = self.category_combo.findData(case.category)
        self.category_combo.setCurrentIndex(index)
        self.category_combo.setEnabled(case.status is not GrievanceStatus.CLOSED)
        if case.recategorised:
            tip = self.tr("Came in as: {0}").format(category_text(case.original_category))
            self.category_combo.setToolTip(tip)
        else:
            self.category_combo.setToolTip("")
        self.case_outcome_label.setText(case.outcome or "—")
        if case.callback is not None:
            parts = [callback_text(case.callback), _local(case.callback_at, now), case.callback_by or ""]
            if case.callback_note:
                parts.append(one_line(case.callback_note))
            self.callback_label.setText("  ".join(p for p in parts if p))
        else:
            self.callback_label.setText(self.tr("not yet"))

    def _deadline(
        self, label: QLabel, due: datetime | None, warn: datetime | None, done: datetime | None
    ) -> None:
        """One deadline of a case: when, and amber from the warning, red past it, green once met."""
        now = datetime.now(UTC)
        if due is None:
            label.setText("—")
            label.setProperty("clock_state", None)
            label.setStyleSheet("")
            return
        if done is not None:
            state, style = ClockState.MET, "color:#2e7d32;"
            text = self.tr("{0} — done {1}").format(_local(due, now), _local(done, now))
        elif now > due:
            state, style = ClockState.BREACHED, "background:#c62828; color:white;"
            text = self.tr("{0} — overdue {1}").format(_local(due, now), duration_text(now - due))
        else:
            warning = warn is not None and now >= warn
            state = ClockState.WARNING if warning else ClockState.OK
            style = "background:#f9a825; color:black;" if warning else ""
            text = self.tr("{0} — {1} left").format(_local(due, now), duration_text(due - now))
        label.setText(text)
        label.setProperty("clock_state", state.value)
        label.setStyleSheet(f"QLabel {{ {style} padding:1px 6px; border-radius:3px; }}")

    def _update_case_clock(self, inc: Incident, case: GrievanceCase, now: datetime) -> None:
        deadlines = grievance_deadlines(inc.opened_at, self.policy)
        target = self.policy.target(inc.kind, inc.cls)
        sign_warn = None
        if target.acknowledge is not None:
            sign_warn = deadline(
                inc.opened_at, target.acknowledge * target.warn_at, target, self.policy.hours
            )
        self._deadline(self.sign_by_label, deadlines.sign_by, sign_warn, case.signed_at)
        self._deadline(self.answer_by_label, deadlines.answer_by, deadlines.warn_from, case.replied_at)
        c = case_clock(self.policy, inc.opened_at, case, now)
        if c.stage is None or c.due_at is None or c.remaining is None or not inc.is_open:
            self.sla_label.setText(self.tr("SLA: no clock running"))
            self.sla_label.setStyleSheet("QLabel { color:#2e7d32; padding:2px 8px; }")
            self.sla_label.setProperty("clock_state", ClockState.MET.value)
            return
        stage = self.tr("sign for") if c.stage is Stage.ACKNOWLEDGE else self.tr("answer")
        self._show_clock(stage, c.due_at, c.remaining, c.state, now)

    def _show_clock(
        self, stage: str, due_at: datetime, remaining: timedelta, state: ClockState, now: datetime
    ) -> None:
        due = _local(due_at, now)
        if state is ClockState.BREACHED:
            text = self.tr("SLA {0} by {1}: overdue {2}").format(stage, due, duration_text(remaining))
            style = "background:#c62828; color:white;"
        else:
            text = self.tr("SLA {0} by {1}: {2} left").format(stage, due, duration_text(remaining))
            style = "background:#f9a825; color:black;" if state is ClockState.WARNING else ""
        self.sla_label.setText(text)
        self.sla_label.setProperty("clock_state", state.value)
        self.sla_label.setStyleSheet(f"QLabel {{ {style} padding:2px 8px; border-radius:4px; }}")

    def overdue_tasks(self, now: datetime | None = None) -> list[str]:
        """The tasks shown that nobody accepted in time (desk.assignment.task_overdue): re-dispatch."""
        now = now or datetime.now(UTC)
        return [
            t.ref
            for _item, t in self._task_items
            if t.status is TaskStatus.SENT and task_overdue(t.created_at, None, now, self.accept_within)
        ]

    def _flag_tasks(self, now: datetime) -> None:
        """A task sent and not accepted within the limit turns into a flag that asks for re-dispatch."""
        late = set(self.overdue_tasks(now))
        c = theme.colors()
        for item, t in self._task_items:
            if t.ref in late:
                waited = duration_text(now - t.created_at)
                item.setText(1, self.tr("NOT ACCEPTED for {0} — dispatch again").format(waited))
                item.setBackground(1, QBrush(c.flag))
                item.setForeground(1, QBrush(c.flag_text))
            else:
                item.setText(1, task_status_text(t.status))
                item.setData(1, Qt.ItemDataRole.BackgroundRole, None)
                item.setData(1, Qt.ItemDataRole.ForegroundRole, None)

    def _update_clock(self) -> None:
        inc = self.incident
        if inc is None:
            return
        now = datetime.now(UTC)
        if self._task_items:
            self._flag_tasks(now)
        age = max(timedelta(0), now - inc.opened_at)
        self.age_label.setText(self.tr("Open for {0}").format(duration_text(age)))
        case = self.detail.case if self.detail is not None else None
        if case is not None:  # a grievance's clocks are its case's: sign for, then answer (working days)
            self._update_case_clock(inc, case, now)
            return
        c = clock(
            self.policy, inc.kind, inc.cls, inc.opened_at, inc.acknowledged_at, inc.dispatched_at,
            inc.resolved_at, now,
        )  # fmt: skip
        if c.stage is None or c.due_at is None or c.remaining is None or not inc.is_open:
            self.sla_label.setText(self.tr("SLA: no clock running"))
            self.sla_label.setStyleSheet("QLabel { color:#2e7d32; padding:2px 8px; }")
            return
        self._show_clock(_tr(_STAGE, STAGES[c.stage]), c.due_at, c.remaining, c.state, now)

    def _clear_subject(self) -> None:
        self.reveal_button = None  # removing its row deletes it
        while self.subject_form.rowCount():
            self.subject_form.removeRow(0)
        self.grievance_text = QPlainTextEdit(self.subject_box)
        self.grievance_text.setReadOnly(True)
        self.grievance_text.setVisible(False)
        self.subject_box.setTitle("")

    def subject_rows(self) -> list[tuple[str, str]]:
        """The profile / alarm / request box as its reader sees it: (label, value) per line."""
        out = []
        for r in range(self.subject_form.rowCount()):
            name = self.subject_form.itemAt(r, QFormLayout.ItemRole.LabelRole)
            value = self.subject_form.itemAt(r, QFormLayout.ItemRole.FieldRole)
            label_w = name.widget() if name is not None else None
            value_w = value.widget() if value is not None else None
            if isinstance(label_w, QLabel) and isinstance(value_w, QLabel):
                out.append((label_w.text(), value_w.text()))
        return out

    def _row(self, label: str, value: str) -> QLabel:
        field = plain_label(value, wrap=True)
        field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        name = plain_label(label)
        name.setFont(_font(BODY_POINTS, bold=True))
        self.subject_form.addRow(name, field)
        return field

    def _render_subject(self, d: IncidentDetail, now: datetime) -> None:
        self._clear_subject()
        inc = d.incident
        events: list[dict[str, Any]] = [e["event"] for e in d.events if isinstance(e.get("event"), dict)]
        if inc.kind == "grievance":
            self.subject_box.setTitle(self.tr("Resident's request"))
            first = next((e for e in events if e.get("type") == "grievance"), {})
            found = first.get("reporter")
            reporter: dict[str, Any] = found if isinstance(found, dict) else {}
            self._row(self.tr("Channel"), str(first.get("channel") or "—"))
            self._row(self.tr("Category"), category_text(str(first.get("category") or "other")))
            who = [mask_name(reporter.get("name")), mask_phone(reporter.get("phone"))]
            self._row(self.tr("Reporter"), "  ".join(w for w in who if w) or "—")
            if reporter.get("address"):
                self._row(self.tr("Address"), mask_address(str(reporter.get("address"))))
            texts = [str(e.get("text") or "") for e in events if e.get("type") == "grievance"]
            self.grievance_text.setPlainText("\n\n".join(t for t in texts if t))
            self.grievance_text.setMinimumHeight(90)
            self.subject_form.addRow(self.grievance_text)
            self.grievance_text.setVisible(True)
            return
        if inc.kind in ("fall", "sos") or inc.kind.startswith("device_"):
            self._render_elder(d, now)
            return
        self.subject_box.setTitle(self.tr("Alarm"))
        first = next((e for e in events if e.get("type") == "alarm"), {})
        self._row(self.tr("Site"), str(first.get("site") or inc.place or "—"))
        self._row(self.tr("Device"), str(first.get("device") or inc.subject or "—"))
        if first.get("severity"):
            self._row(self.tr("Severity"), str(first.get("severity")))
        if inc.cleared_at is not None:
            self._row(self.tr("Cleared at the source"), _local(inc.cleared_at, now))

    def _render_elder(self, d: IncidentDetail, now: datetime) -> None:
        inc = d.incident
        p = d.subject
        self.subject_box.setTitle(self.tr("Elder"))
        if p is None:
            self._row(self.tr("Elder"), self.tr("{0} (no profile on file)").format(inc.subject or "?"))
        else:
            shown = self._revealed_for(inc)
            clear = shown["data"] if shown is not None else None
            name = str(clear.get("name") or "") if clear is not None else mask_name(p.get("name"))
            self._row(self.tr("Name"), f"{name}  ({inc.subject})")
            year = p.get("birth_year")
            if isinstance(year, int):
                age = now.astimezone(SHANGHAI).year - year
                self._row(self.tr("Age"), self.tr("{0} years (born {1})").format(age, year))
            conditions = [str(c) for c in p.get("conditions") or []]
            self._row(self.tr("Conditions"), self.tr(", ").join(conditions) if conditions else "—")
            source = clear if clear is not None else p
            if source.get("address"):
                address = str(source.get("address"))
                self._row(self.tr("Address"), address if clear is not None else mask_address(address))
            contacts = []
            for c in source.get("contacts") or []:
                if isinstance(c, dict):
                    relation = c.get("relation") or "?"
                    if clear is not None:
                        contacts.append(f"{c.get('name') or ''} ({relation})  {c.get('phone') or ''}")
                    else:
                        contacts.append(
                            f"{mask_name(c.get('name'))} ({relation})  {mask_phone(c.get('phone'))}"
                        )
            self._row(self.tr("Emergency contacts"), "\n".join(contacts) if contacts else "—")
            self._reveal_row(shown)
        device = (p or {}).get("device") or (d.device or {}).get("device")
        battery = None
        if d.position is not None and d.position.get("battery") is not None:
            battery = d.position["battery"]
        elif d.device is not None and isinstance(d.device.get("battery"), int | float):
            battery = d.device["battery"]
        parts = [str(device)] if device else []
        if isinstance(battery, int | float):
            parts.append(self.tr("battery {0}").format(f"{battery:.0%}"))
        self._row(self.tr("Wristband"), "  ".join(parts) or "—")
        pos = d.position
        if pos is not None:
            ago = duration_text(max(timedelta(0), now - pos["at"]))
            self._row(
                self.tr("Last position"),
                self.tr("{0:.5f}, {1:.5f} at {2} ({3} ago)").format(
                    pos["lat"], pos["lon"], _local(pos["at"], now), ago
                ),
            )
        else:
            self._row(self.tr("Last position"), self.tr("none received"))

    def _revealed_for(self, inc: Incident) -> dict[str, Any] | None:
        r = self.revealed
        if r is not None and r["incident"] == inc.id and r["ref"] == inc.subject:
            return r
        return None

    def _reveal_row(self, shown: dict[str, Any] | None) -> None:
        """Under a masked profile the Reveal… button (disabled with the reason for a role that may not);
        under a revealed one who revealed it and why."""
        self.reveal_button = None
        if shown is not None:
            field = self._row(
                self.tr("Revealed"), self.tr("by {0}, reason: {1}").format(shown["by"], shown["reason"])
            )
            field.setStyleSheet("QLabel { color:#b71c1c; font-weight:bold; }")
            return
        button = QPushButton(self.tr("Reveal…"))
        button.clicked.connect(self.reveal)
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        self.subject_form.addRow(plain_label(), row)
        self.reveal_button = button
        self._enable_reveal()

    def _enable_reveal(self) -> None:
        button = self.reveal_button
        if button is None:
            return
        denied = self._denied(Permission.REVEAL)
        button.setEnabled(denied is None)
        button.setToolTip(
            denied
            if denied is not None
            else self.tr("Show the name, address and phone numbers in full (asks for a reason; audited)")
        )

    @asyncSlot()
    async def reveal(self) -> None:
        """Reveal the shown elder's personal data for a reason (audited); it shows until another incident
        is selected or another operator signs in."""
        incident_id = self._need_incident()
        inc = self.incident
        if incident_id is None or inc is None or not inc.subject:
            return
        denied = self._denied(Permission.REVEAL)
        if denied is not None:
            self.show_message(denied)
            return
        ref = inc.subject
        prompt = InputPrompt(
            self, self.tr("Reveal the personal data of {0}").format(ref),
            self.tr("Why do you need the name, address and phone numbers in full? "
                    "The reason goes into the audit trail with your name."),
            text_label=self.tr("Reason:"), text_required=True, ok_text=self.tr("Reveal"),
        )  # fmt: skip
        if not await self._ask(prompt):
            return
        reason = prompt.entered()
        if reveal_problem(reason) is not None:
            self.show_message(
                self.tr("A reveal needs a reason of at least {0} characters (what it is for).").format(
                    MIN_REASON
                )
            )
            return
        by = self.by
        try:
            data = await self.runtime.reveal(by, ref, reason)
        except IllegalTransition as exc:
            self.show_message(refusal_text(exc))
            return
        except Exception as exc:
            log.warning("revealing %s failed: %s", ref, exc)
            self.show_message(self.tr("Failed: {0}").format(readable_reason(str(exc))))
            return
        if self._incident_id != incident_id or self.by != by:
            return  # another incident or operator took over meanwhile: nothing shown
        self.revealed = {"incident": incident_id, "ref": ref, "data": data, "reason": reason, "by": by}
        self.show_message(self.tr("Personal data of {0} revealed (audited).").format(ref), error=False)
        if self.detail is not None:
            self._render(self.detail)

    def _render_tasks(self, d: IncidentDetail, now: datetime) -> None:
        self.tasks_view.clear()
        self._task_items = []
        for t in d.tasks:
            who = f"{t.assignee_name} ({t.assignee})" if t.assignee_name else (t.assignee or "?")
            item = QTreeWidgetItem(
                [f"{t.ref} → {who}", task_status_text(t.status), _local(t.created_at, now), ""]
            )
            bold = _font(BODY_POINTS, bold=True)
            item.setFont(0, bold)
            item.setFont(1, bold)
            item.setToolTip(0, t.summary or "")
            for u in t.updates:
                item.addChild(
                    QTreeWidgetItem(
                        [
                            "",
                            task_status_text(u.status),
                            _local(u.at, now),
                            u.by,
                        ]
                    )
                )
            self.tasks_view.addTopLevelItem(item)
            item.setExpanded(True)
            self._task_items.append((item, t))
        self._flag_tasks(now)
        if not d.tasks:
            self.tasks_view.addTopLevelItem(QTreeWidgetItem([self.tr("No task sent yet"), "", "", ""]))

    def _render_timeline(self, d: IncidentDetail, now: datetime) -> None:
        self.timeline.clear()
        for e in d.events:
            kind = str(e.get("type") or "?")
            label = _tr(_EVENT, EVENT_TYPES[kind]) if kind in EVENT_TYPES else kind
            self.timeline.addTopLevelItem(
                QTreeWidgetItem([_local(e.get("time"), now), label, _event_summary(e)])
            )
        self.notes_view.clear()
        for n in d.notes:
            self.notes_view.addTopLevelItem(
                QTreeWidgetItem([_local(n["at"], now), str(n["by"]), one_line(str(n["text"]))])
            )
        self.tabs.setTabText(1, self.tr("Notes ({0})").format(len(d.notes)))
        self.log_view.clear()
        for entry in d.log:
            action = str(entry.get("action"))
            what = _tr(_LOG, LOG_ACTIONS[action]) if action in LOG_ACTIONS else action
            moves = ""
            if entry.get("from_status") or entry.get("to_status"):
                name = _case_status_name if action in CASE_LOG_ACTIONS else _status_name
                src = name(str(entry.get("from_status") or "—"))
                moves = f"{src} → {name(str(entry.get('to_status') or '—'))}"
            detail = "  ".join(x for x in (moves, one_line(str(entry.get("note") or ""))) if x)
            self.log_view.addTopLevelItem(
                QTreeWidgetItem([_local(entry["at"], now), str(entry["by"]), what, detail])
            )

    # ---- enabling --------------------------------------------------------------------------------
    def allowed(self, name: str) -> bool:
        """Whether the action `name` makes sense for the incident as shown (the store decides in the end)."""
        d = self.detail
        if d is None:
            return name == "shortcuts"
        status = d.incident.status
        case = d.case
        if name in ("categorise", "record_outcome", "callback"):
            return case is not None and self._case_refusal(name) is None
        if case is not None and name == "resolve":
            return False  # a request is settled by its outcome, the call-back and closing
        if case is not None and name == "close" and status is not Status.FALSE_ALARM:
            return case.status is GrievanceStatus.CALLBACK_DONE
        if name in LIFECYCLE:
            ok = status in TRANSITIONS[LIFECYCLE[name]][0]
            if name == "recall":
                ok = ok and any(t.running for t in d.tasks)
            return ok
        if name == "reply":
            return d.incident.kind == "grievance"
        return True  # note, shortcuts

    def _enable_actions(self) -> None:
        """An action is enabled when the incident's state allows it and the operator's role may."""
        for name, action in self.panel_actions.items():
            denied = self.denied(name)
            on = self.allowed(name) and denied is None
            action.setToolTip(denied if denied is not None else self._tips[name])
            action.setEnabled(on)
            for shortcut in self._refusing[name]:
                shortcut.setEnabled(not on and self.detail is not None)
        self._enable_reveal()

    def _refused_key(self, name: str, slot: Callable[[], object]) -> None:
        """The keys of a disabled action: the role's refusal as a message, else the slot says why."""
        denied = self.denied(name)
        if denied is not None:
            self.show_message(denied)
            return
        slot()

    # ---- messages --------------------------------------------------------------------------------
    def show_message(self, text: str, *, error: bool = True) -> None:
        """A message in the panel (not a box): red for a refusal, green for what was done."""
        colours = "background:#c62828; color:white;" if error else "background:#2e7d32; color:white;"
        self.message.setStyleSheet(f"QLabel {{ {colours} padding:6px 10px; border-radius:4px; }}")
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setVisible(True)
        self.message_shown.emit(text)
        if error:
            self.action_failed.emit(text)

    def hide_message(self) -> None:
        self.message.clear()
        self.message.setVisible(False)

    # ---- the actions -----------------------------------------------------------------------------
    async def _do(self, call: Callable[[], Awaitable[Any]], done: str) -> bool:
        """Run one runtime call; a refusal or failure becomes a message. True when it went through."""
        incident_id = self._incident_id
        try:
            result = await call()
        except IllegalTransition as exc:
            self.show_message(refusal_text(exc))
            return False
        except Exception as exc:  # a command the platform did not answer, no command feed, …
            log.warning("action on incident %s failed: %s", incident_id, exc)
            self.show_message(self.tr("Failed: {0}").format(readable_reason(str(exc))))
            return False
        if result is not None and hasattr(result, "ok") and not result.ok:
            self.show_message(self.tr("The field platform refused: {0}").format(result.error))
            if incident_id is not None:
                self.incident_changed.emit(incident_id)
            await self.refresh()
            return False
        self.show_message(done, error=False)
        if incident_id is not None:
            self.incident_changed.emit(incident_id)
        await self.refresh()
        return True

    def _need_incident(self) -> int | None:
        if self._incident_id is None or self.detail is None:
            self.show_message(self.tr("No incident selected."))
            return None
        return self._incident_id

    async def _act(self, action: Action, done: str, **kwargs: Any) -> None:
        incident_id = self._need_incident()
        if incident_id is None:
            return
        await self._do(lambda: self.runtime.act(incident_id, action, self.by, **kwargs), done)

    @asyncSlot()
    async def acknowledge(self) -> None:
        await self._act(Action.ACKNOWLEDGE, self.tr("Acknowledged."))

    @asyncSlot()
    async def escalate(self) -> None:
        await self._act(Action.ESCALATE, self.tr("Escalated."))

    @asyncSlot()
    async def mark_false_alarm(self) -> None:
        await self._act(Action.FALSE_ALARM, self.tr("Marked as a false alarm."))

    @asyncSlot()
    async def close_incident(self) -> None:
        await self._act(Action.CLOSE, self.tr("Closed."))

    @asyncSlot()
    async def reopen(self) -> None:
        await self._act(Action.REOPEN, self.tr("Reopened."))

    async def _ask(self, prompt: InputPrompt) -> bool:
        self.prompt = prompt
        try:
            return await ask(prompt)
        finally:
            self.prompt = None
            prompt.deleteLater()

    @asyncSlot()
    async def resolve(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None:
            return
        choices = [(o.value, outcome_text(o)) for o in Outcome if o is not Outcome.MERGED]
        prompt = InputPrompt(
            self,
            self.tr("Resolve #{0}").format(incident_id),
            self.tr("What was the outcome?"),
            choices=choices,
            text_label=self.tr("Note (optional):"),
        )
        if self.detail is not None and self.detail.incident.kind == "grievance" and prompt.choice is not None:
            prompt.choice.setCurrentIndex(prompt.choice.findData(Outcome.HANDLED.value))
        if prompt.choice is not None:
            prompt.choice.setFocus()
        if not await self._ask(prompt):
            return
        outcome = Outcome(str(prompt.chosen()))
        note = prompt.entered() or None
        await self._act(
            Action.RESOLVE,
            self.tr("Resolved: {0}.").format(outcome_text(outcome)),
            outcome=outcome,
            note=note,
        )

    @asyncSlot()
    async def add_note(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None:
            return
        prompt = InputPrompt(
            self, self.tr("Note on #{0}").format(incident_id), self.tr("Notes are kept as written."),
            text_label=self.tr("Note:"), text_required=True,
        )  # fmt: skip
        if not await self._ask(prompt):
            return
        text = prompt.entered()
        await self._do(lambda: self.runtime.add_note(incident_id, text, self.by), self.tr("Note added."))

    @asyncSlot()
    async def reply(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None:
            return
        prompt = InputPrompt(
            self, self.tr("Reply on #{0}").format(incident_id),
            self.tr("The resident gets this through the channel the request came in on."),
            text_label=self.tr("Reply:"), text_required=True,
        )  # fmt: skip
        if not await self._ask(prompt):
            return
        text = prompt.entered()
        await self._do(lambda: self.runtime.reply(incident_id, text, self.by), self.tr("Reply sent."))

    @asyncSlot()
    async def recall(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None or self.detail is None:
            return
        running = [t for t in self.detail.tasks if t.running]
        if not running:
            # no task to withdraw: let the lifecycle say why (the store refuses a recall of nothing)
            self.show_message(refusal_text(IllegalTransition(self._recall_refusal())))
            return
        choices = [
            (t.ref, f"{t.ref} → {t.assignee_name or t.assignee or '?'} ({task_status_text(t.status)})")
            for t in running
        ]
        prompt = InputPrompt(
            self, self.tr("Recall a task of #{0}").format(incident_id), self.tr("Which task?"),
            choices=choices, text_label=self.tr("Reason:"), text_required=True,
        )  # fmt: skip
        if not await self._ask(prompt):
            return
        ref, reason = str(prompt.chosen()), prompt.entered()
        await self._do(
            lambda: self.runtime.recall(ref, reason, self.by), self.tr("Task {0} recalled.").format(ref)
        )

    def _recall_refusal(self) -> str:
        inc = self.incident
        allowed, _ = TRANSITIONS[Action.RECALL]
        if inc is not None and inc.status not in allowed:
            names = ", ".join(sorted(s.value for s in allowed))
            return f"cannot recall an incident that is {inc.status.value} (only when: {names})"
        return "no running task to recall"

    @asyncSlot()
    async def merge(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None:
            return
        others = [i for i in await load_open_incidents(self.runtime) if i.id != incident_id]
        if not others:
            self.show_message(self.tr("There is no other open incident to merge into."))
            return
        choices = [
            (str(i.id), f"#{i.id}  {incident_kind(i.kind)}  {i.title}  {i.place or ''}".strip())
            for i in others
        ]
        prompt = InputPrompt(
            self, self.tr("Merge #{0}").format(incident_id),
            self.tr("Join #{0} into which incident? It closes; its events move over.").format(incident_id),
            choices=choices,
        )  # fmt: skip
        if not await self._ask(prompt):
            return
        target = int(str(prompt.chosen()))
        await self._do(
            lambda: self.runtime.merge(target, incident_id, self.by),
            self.tr("Merged into #{0}.").format(target),
        )

    @asyncSlot()
    async def dispatch(self) -> None:
        incident_id = self._need_incident()
        if incident_id is None or self.detail is None:
            return
        denied = self.denied("dispatch")
        if denied is not None:  # the dialog would only end in the service's refusal
            self.show_message(denied)
            return
        inc = self.detail.incident
        if inc.status not in TRANSITIONS[Action.DISPATCH][0]:
            names = ", ".join(sorted(s.value for s in TRANSITIONS[Action.DISPATCH][0]))
            self.show_message(
                refusal_text(
                    IllegalTransition(
                        f"cannot dispatch an incident that is {inc.status.value} (only when: {names})"
                    )
                )
            )
            return
        dialog = DispatchDialog(self.runtime, inc, self.by, self)
        self.dispatch_dialog = dialog
        dialog.dispatched.connect(self._dispatched)
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        try:
            await dialog.load()
        except Exception as exc:
            log.warning("reading the directory failed: %s", exc)
            self.show_message(self.tr("Failed: {0}").format(readable_reason(str(exc))))
            self._dialog_closed(dialog)
            return
        dialog.open()

    def _dialog_closed(self, dialog: DispatchDialog) -> None:
        if self.dispatch_dialog is dialog:
            self.dispatch_dialog = None
        dialog.deleteLater()

    @asyncSlot(str, str)
    async def _dispatched(self, ref: str, name: str) -> None:
        self.show_message(self.tr("Dispatched to {0} ({1}).").format(name, ref), error=False)
        if self._incident_id is not None:
            self.incident_changed.emit(self._incident_id)
        await self.refresh()

    # ---- a grievance's case --------------------------------------------------------------------------
    def _case_refusal(self, name: str) -> str | None:
        """Why the case action `name` cannot be done now (in the operator's words), or None."""
        case = self.detail.case if self.detail is not None else None
        if case is None:
            return self.tr("Only a resident's request has a case.")
        if name == "categorise":
            if case.status is GrievanceStatus.CLOSED:
                return refusal_text(
                    IllegalTransition("cannot categorise a grievance that is closed (reopen it first)")
                )
            return None
        action = GrievanceAction.RECORD_OUTCOME if name == "record_outcome" else GrievanceAction.CALLBACK
        result = CallbackResult.SATISFIED if action is GrievanceAction.CALLBACK else None
        try:
            case_next_status(case.status, action, result)
        except IllegalTransition as exc:
            return refusal_text(exc)
        return None

    def _case_ready(self, name: str) -> int | None:
        incident_id = self._need_incident()
        if incident_id is None:
            return None
        refusal = self._case_refusal(name)
        if refusal is not None:
            self.show_message(refusal)
            return None
        return incident_id

    @asyncSlot()
    async def categorise(self) -> None:
        incident_id = self._case_ready("categorise")
        if incident_id is None or self.detail is None or self.detail.case is None:
            return
        choices = [(c, category_text(c)) for c in CATEGORIES]
        prompt = InputPrompt(
            self, self.tr("Categorise #{0}").format(incident_id),
            self.tr("File the request under which category? It came in as: {0}.").format(
                category_text(self.detail.case.original_category)
            ),
            choices=choices,
        )  # fmt: skip
        if prompt.choice is not None:
            prompt.choice.setCurrentIndex(prompt.choice.findData(self.detail.case.category))
        if not await self._ask(prompt):
            return
        await self._categorise(incident_id, str(prompt.chosen()))

    @asyncSlot(int)
    async def _category_chosen(self, index: int) -> None:
        incident_id = self._incident_id
        case = self.detail.case if self.detail is not None else None
        category = self.category_combo.itemData(index)
        if incident_id is None or case is None or category == case.category:
            return
        await self._categorise(incident_id, str(category))

    async def _categorise(self, incident_id: int, category: str) -> None:
        await self._do(
            lambda: self.runtime.categorise_grievance(incident_id, category, self.by),
            self.tr("Filed under {0}.").format(category_text(category)),
        )

    @asyncSlot()
    async def record_outcome(self) -> None:
        incident_id = self._case_ready("record_outcome")
        if incident_id is None:
            return
        prompt = InputPrompt(
            self, self.tr("Outcome of #{0}").format(incident_id),
            self.tr("What came of the request? The resident is called back about it."),
            text_label=self.tr("Outcome:"), text_required=True,
        )  # fmt: skip
        case = self.detail.case if self.detail is not None else None
        if prompt.text is not None and case is not None and case.outcome:
            prompt.text.setText(case.outcome)  # recording again corrects it
        if not await self._ask(prompt):
            return
        text = prompt.entered()
        await self._do(
            lambda: self.runtime.record_grievance_outcome(incident_id, text, self.by),
            self.tr("Outcome recorded."),
        )

    @asyncSlot()
    async def call_back(self) -> None:
        incident_id = self._case_ready("callback")
        if incident_id is None:
            return
        choices = [(r.value, callback_text(r)) for r in CallbackResult]
        prompt = InputPrompt(
            self, self.tr("Call-back on #{0}").format(incident_id),
            self.tr("Is the resident satisfied with how the request was handled?"),
            choices=choices, text_label=self.tr("Note (optional):"),
        )  # fmt: skip
        if prompt.choice is not None:
            prompt.choice.setFocus()
        if not await self._ask(prompt):
            return
        result = CallbackResult(str(prompt.chosen()))
        note = prompt.entered() or None
        await self._do(
            lambda: self.runtime.record_callback(incident_id, result, self.by, note),
            self.tr("Call-back recorded: {0}.").format(callback_text(result)),
        )

    def show_shortcuts(self) -> None:
        """The F1 sheet: every action and its keys."""
        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self)
        self.shortcut_sheet.show()
        self.shortcut_sheet.raise_()
