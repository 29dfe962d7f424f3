"""The incident actions and their keys (one table for the panel's actions and the F1 sheet), and the
F1 shortcut sheet itself."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from views.labels import QT_TRANSLATE_NOOP

_CTX = "IncidentActions"
#: the name of the space bar, as the sheet and the buttons show it
SPACE = QT_TRANSLATE_NOOP("IncidentActions", "Space")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One incident action: its name in the panel, its label and help (English source), its keys."""

    name: str
    label: str
    help: str
    keys: tuple[str, ...]

    def label_text(self) -> str:
        return QCoreApplication.translate(_CTX, self.label)

    def help_text(self) -> str:
        return QCoreApplication.translate(_CTX, self.help)

    def key_sequences(self) -> list[QKeySequence]:
        return [QKeySequence(k) for k in self.keys]

    def keys_text(self) -> str:
        """The keys as the keyboard shows them ("A / Space" in English, "A / 空格" in Chinese)."""
        names = [QCoreApplication.translate(_CTX, SPACE) if k == "Space" else k for k in self.keys]
        return " / ".join(names)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "acknowledge",
        QT_TRANSLATE_NOOP("IncidentActions", "Acknowledge"),
        QT_TRANSLATE_NOOP(
            "IncidentActions", "Say that the desk has seen the incident (stops the first clock)"
        ),
        ("A", "Space"),
    ),
    ActionSpec(
        "dispatch",
        QT_TRANSLATE_NOOP("IncidentActions", "Dispatch"),
        QT_TRANSLATE_NOOP("IncidentActions", "Send a grid worker or patrol team (suggests who)"),
        ("D",),
    ),
    ActionSpec(
        "recall",
        QT_TRANSLATE_NOOP("IncidentActions", "Recall"),
        QT_TRANSLATE_NOOP("IncidentActions", "Withdraw a running task, with a reason"),
        ("R",),
    ),
    ActionSpec(
        "note",
        QT_TRANSLATE_NOOP("IncidentActions", "Add note"),
        QT_TRANSLATE_NOOP("IncidentActions", "Add a note to the record (notes are never changed)"),
        ("N",),
    ),
    ActionSpec(
        "escalate",
        QT_TRANSLATE_NOOP("IncidentActions", "Escalate"),
        QT_TRANSLATE_NOOP("IncidentActions", "Hand the incident up (police, fire, 120, the leader on call)"),
        ("E",),
    ),
    ActionSpec(
        "false_alarm",
        QT_TRANSLATE_NOOP("IncidentActions", "False alarm"),
        QT_TRANSLATE_NOOP("IncidentActions", "Mark the incident as a false alarm"),
        ("F",),
    ),
    ActionSpec(
        "resolve",
        QT_TRANSLATE_NOOP("IncidentActions", "Resolve"),
        QT_TRANSLATE_NOOP("IncidentActions", "Record the outcome and resolve"),
        ("S",),
    ),
    ActionSpec(
        "close",
        QT_TRANSLATE_NOOP("IncidentActions", "Close"),
        QT_TRANSLATE_NOOP("IncidentActions", "Close a resolved incident or a false alarm"),
        ("C",),
    ),
    ActionSpec(
        "reopen",
        QT_TRANSLATE_NOOP("IncidentActions", "Reopen"),
        QT_TRANSLATE_NOOP("IncidentActions", "Open a resolved or closed incident again"),
        ("O",),
    ),
    ActionSpec(
        "merge",
        QT_TRANSLATE_NOOP("IncidentActions", "Merge"),
        QT_TRANSLATE_NOOP("IncidentActions", "Join this incident into another open one"),
        ("M",),
    ),
    ActionSpec(
        "reply",
        QT_TRANSLATE_NOOP("IncidentActions", "Reply"),
        QT_TRANSLATE_NOOP(
            "IncidentActions", "Answer the resident through the channel the request came in on"
        ),
        ("Y",),
    ),
    ActionSpec(
        "categorise",
        QT_TRANSLATE_NOOP("IncidentActions", "Categorise"),
        QT_TRANSLATE_NOOP(
            "IncidentActions", "File the request under another category (its priority follows)"
        ),
        ("G",),
    ),
    ActionSpec(
        "record_outcome",
        QT_TRANSLATE_NOOP("IncidentActions", "Record outcome"),
        QT_TRANSLATE_NOOP(
            "IncidentActions", "Record what came of the request, once the resident was answered"
        ),
        ("U",),
    ),
    ActionSpec(
        "callback",
        QT_TRANSLATE_NOOP("IncidentActions", "Call back"),
        QT_TRANSLATE_NOOP(
            "IncidentActions", "Ask the resident whether they are satisfied (a request closes only after it)"
        ),
        ("B",),
    ),
    ActionSpec(
        "shortcuts",
        QT_TRANSLATE_NOOP("IncidentActions", "Shortcuts"),
        QT_TRANSLATE_NOOP("IncidentActions", "Show this list of keys"),
        ("F1",),
    ),
)
ACTION_BY_NAME = {spec.name: spec for spec in ACTIONS}


class ShortcutSheet(QDialog):
    """Every incident action with its keys and what it does, in the operator's language (F1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 13))
        self.setFont(font)
        layout = QVBoxLayout(self)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(3)
        self.table.setHeaderLabels([self.tr("Key"), self.tr("Action"), self.tr("What it does")])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bold = QFont(font)
        bold.setBold(True)
        for spec in ACTIONS:
            item = QTreeWidgetItem([spec.keys_text(), spec.label_text(), spec.help_text()])
            item.setFont(0, bold)
            self.table.addTopLevelItem(item)
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        rows = self.table.sizeHintForRow(0) * (len(ACTIONS) + 1) + 40
        width = sum(self.table.sizeHintForColumn(c) for c in range(3)) + 80
        self.resize(max(width, 640), rows + 80)

    def rows(self) -> list[tuple[str, str, str]]:
        """The sheet as its reader sees it: (keys, action, what it does) per line."""
        out = []
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            assert item is not None
            out.append((item.text(0), item.text(1), item.text(2)))
        return out
