"""The day and night themes: readable pairs, the clock's choice, and the window switching and
remembering its theme."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.events import fall
from tests.views.live import live_desk, run_on_qasync, until
from views import queue, theme
from views.theme import DAY, NIGHT, Colors, Theme, resolve
from widgets.priority_chip import contrast


def _pairs(c: Colors) -> dict[str, tuple[object, object]]:
    return {
        "text on base": (c.text, c.base),
        "text on stripes": (c.text, c.alternate),
        "text on window": (c.text, c.window),
        "text on header": (c.text, c.header),
        "quiet text": (c.quiet, c.base),
        "unacknowledged P1 row": (c.p1_unseen_text, c.p1_unseen),
        "amber clock": (c.warn_text, c.warn),
        "breached clock": (c.breach_text, c.breach),
        "loud text": (c.alarm_text, c.base),
        "live feed": (c.ok_text, c.base),
        "caution text": (c.caution_text, c.base),
        "flag": (c.flag_text, c.flag),
        "selection": (c.highlight_text, c.highlight),
    }


@pytest.mark.parametrize("colors", [DAY, NIGHT], ids=["day", "night"])
def test_every_pair_of_a_theme_reads_at_4_5_to_1(colors: Colors) -> None:
    weak = {
        name: round(contrast(fg, bg), 2)  # type: ignore[arg-type]
        for name, (fg, bg) in _pairs(colors).items()
        if contrast(fg, bg) < 4.5  # type: ignore[arg-type]
    }
    assert weak == {}


def test_the_night_theme_is_dark_and_the_day_theme_light() -> None:
    assert NIGHT.base.lightness() < 60 and NIGHT.window.lightness() < 60
    assert DAY.base.lightness() > 230


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (3, 0, NIGHT),
        (6, 59, NIGHT),
        (7, 0, DAY),
        (12, 0, DAY),
        (18, 59, DAY),
        (19, 0, NIGHT),
        (23, 30, NIGHT),
    ],
)
def test_auto_follows_the_clock(hour: int, minute: int, expected: Colors) -> None:
    assert resolve(Theme.AUTO, datetime(2026, 12, 4, hour, minute)) is expected
    assert resolve(Theme.DAY, datetime(2026, 12, 4, hour, minute)) is DAY
    assert resolve(Theme.NIGHT, datetime(2026, 12, 4, hour, minute)) is NIGHT


def test_the_operator_switches_to_night_and_the_desk_remembers(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url, theme=Theme.DAY) as desk:
            window = desk.window
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            await until(lambda: window.incident_model.rowCount() == 1, "the fall in the queue")
            model = window.incident_model
            title = model.index(0, queue.COL_TITLE)
            assert window.theme_actions[Theme.DAY].isChecked()
            assert qapp.palette().color(QPalette.ColorRole.Base) == DAY.base
            assert model.data(title, queue.Qt.ItemDataRole.BackgroundRole).color() == DAY.p1_unseen

            window.theme_actions[Theme.NIGHT].trigger()  # View → Night theme
            assert window.theme_choice is Theme.NIGHT
            assert qapp.palette().color(QPalette.ColorRole.Base) == NIGHT.base
            assert qapp.palette().color(QPalette.ColorRole.Text) == NIGHT.text
            # the unacknowledged P1 stays loud, in the night's colours
            assert model.data(title, queue.Qt.ItemDataRole.BackgroundRole).color() == NIGHT.p1_unseen
            assert model.data(title, queue.Qt.ItemDataRole.ForegroundRole).color() == NIGHT.p1_unseen_text
            assert NIGHT.header.name() in window.incident_view.horizontalHeader().styleSheet()
            # a label with a style sheet of its own (the incident's state box) writes in the night's ink
            status = window.panel.status_label
            assert status.styleSheet() and status.palette().color(QPalette.ColorRole.WindowText) == NIGHT.text
        assert QSettings().value("ui/theme") == "night"
        # the next start, with no theme asked for, is in the night theme again
        async with live_desk(qtbot, db_url, theme=None) as desk:
            assert desk.window.theme_choice is Theme.NIGHT
            assert desk.window.theme_actions[Theme.NIGHT].isChecked()
            assert theme.colors() is NIGHT

    run_on_qasync(qapp, scenario())
