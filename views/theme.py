"""Day and night themes: one palette for the whole desk, and the colours the tables paint with.

A command center runs around the clock: in the night a bright window dazzles the operator and
lights the room, in the day a dark one is hard to read against the glare. `Theme.AUTO` (the
default) follows the clock (night from 19:00 to 07:00 at the desk); the operator may fix either.

Models read their colours from `colors()` when they paint, so a switch needs only a repaint.
Every foreground/background pair here keeps a WCAG contrast of at least 4.5:1 (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


class Theme(StrEnum):
    AUTO = "auto"
    DAY = "day"
    NIGHT = "night"


#: AUTO is night from NIGHT_FROM to DAY_FROM (local time at the desk)
NIGHT_FROM = time(19, 0)
DAY_FROM = time(7, 0)


@dataclass(frozen=True, slots=True)
class Colors:
    name: str  # "day" or "night"
    window: QColor
    base: QColor  # tables, text fields
    alternate: QColor  # every other table row
    text: QColor
    quiet: QColor  # secondary text (a stopped feed, hints)
    button: QColor
    highlight: QColor
    highlight_text: QColor
    header: QColor  # table header sections
    header_line: QColor
    p1_unseen: QColor  # the whole row of a P1 nobody has acknowledged
    p1_unseen_text: QColor
    warn: QColor  # the SLA clock turning amber
    warn_text: QColor
    breach: QColor  # the SLA clock breached, a feed down, the P1 banner
    breach_text: QColor
    alarm_text: QColor  # loud text on the table's own background (a feed down, a refused event)
    ok_text: QColor  # a live feed, a clock well within its limit
    caution_text: QColor  # gaps, protocol errors, a reconnecting feed
    flag: QColor  # a flag that asks for an action (a task nobody accepted)
    flag_text: QColor


DAY = Colors(
    name="day",
    window=QColor("#eeeeee"),
    base=QColor("#ffffff"),
    alternate=QColor("#f3f5f7"),
    text=QColor("#111111"),
    quiet=QColor("#555555"),
    button=QColor("#e4e4e4"),
    highlight=QColor("#1e5fb4"),
    highlight_text=QColor("#ffffff"),
    header=QColor("#e2e5e8"),
    header_line=QColor("#c4c4c4"),
    p1_unseen=QColor("#ffcdd2"),
    p1_unseen_text=QColor("#111111"),
    warn=QColor("#ffb300"),
    warn_text=QColor("#000000"),
    breach=QColor("#c62828"),
    breach_text=QColor("#ffffff"),
    alarm_text=QColor("#b71c1c"),
    ok_text=QColor("#1b5e20"),
    caution_text=QColor("#a84300"),
    flag=QColor("#6a1b9a"),
    flag_text=QColor("#ffffff"),
)

NIGHT = Colors(
    name="night",
    window=QColor("#15181c"),
    base=QColor("#1d2126"),
    alternate=QColor("#24292f"),
    text=QColor("#e8eaed"),
    quiet=QColor("#a0a6ad"),
    button=QColor("#2c3238"),
    highlight=QColor("#2f6fc4"),
    highlight_text=QColor("#ffffff"),
    header=QColor("#2a2f35"),
    header_line=QColor("#3b424a"),
    p1_unseen=QColor("#6b1414"),
    p1_unseen_text=QColor("#ffffff"),
    warn=QColor("#ffb300"),
    warn_text=QColor("#000000"),
    breach=QColor("#d32f2f"),
    breach_text=QColor("#ffffff"),
    alarm_text=QColor("#ff8a80"),
    ok_text=QColor("#81c784"),
    caution_text=QColor("#ffb74d"),
    flag=QColor("#ce93d8"),
    flag_text=QColor("#000000"),
)

_current: Colors = DAY


def colors() -> Colors:
    """The colours of the theme in force (models call it when they paint)."""
    return _current


def resolve(theme: Theme, now: datetime | None = None) -> Colors:
    """DAY or NIGHT for a choice; AUTO by the desk's local clock."""
    if theme is Theme.DAY:
        return DAY
    if theme is Theme.NIGHT:
        return NIGHT
    t = (now or datetime.now()).time()
    return NIGHT if t >= NIGHT_FROM or t < DAY_FROM else DAY


def palette(c: Colors) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    for r, color in (
        (role.Window, c.window),
        (role.WindowText, c.text),
        (role.Base, c.base),
        (role.AlternateBase, c.alternate),
        (role.Text, c.text),
        (role.Button, c.button),
        (role.ButtonText, c.text),
        (role.BrightText, c.breach_text),
        (role.Highlight, c.highlight),
        (role.HighlightedText, c.highlight_text),
        (role.ToolTipBase, c.base),
        (role.ToolTipText, c.text),
        (role.PlaceholderText, c.quiet),
        (role.Link, c.highlight),
    ):
        pal.setColor(r, color)
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(disabled, r, c.quiet)
    return pal


def header_style(c: Colors) -> str:
    """A table header's sections: air around the texts and lines between them (set on each header:
    an application-wide style sheet would stop the widgets' own fonts from applying)."""
    line = c.header_line.name()
    return (
        "QHeaderView::section { padding: 4px 8px; border: none;"
        f" background: {c.header.name()}; color: {c.text.name()};"
        f" border-right: 1px solid {line}; border-bottom: 1px solid {line}; }}"
    )


def apply(app: QApplication, c: Colors) -> None:
    """Put the whole application in these colours (Fusion: it follows the palette everywhere)."""
    global _current
    _current = c
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette(c))
