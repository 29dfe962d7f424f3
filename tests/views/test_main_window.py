"""The desk window end to end: an event sent by a real CES/1 server shows up in the window."""

from __future__ import annotations

import socket
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from services.config import FeedConfig
from tests.support.events import fall, position
from tests.views.live import live_desk, run_on_qasync, until


def test_a_fall_sent_by_the_feed_appears_in_the_incident_table(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            feed = desk.feeds()[0]
            assert feed["Feed"] == "demo" and feed["Protocol errors"] == "0" and feed["Gaps"] == "0"
            assert desk.incidents() == []
            assert desk.window.incident_title.text() == "Open incidents: 0"

            sent = time.monotonic()
            desk.simulator.inject(fall(1, elder="E-0042"))
            await until(lambda: len(desk.incidents()) == 1, "the fall in the incident table")
            shown_after = time.monotonic() - sent

            row = desk.incidents()[0]
            assert (row["P"], row["Type"], row["Title"]) == ("P1", "fall", "跌倒报警")
            assert row["Place"] == "丁香家园二期 3栋" and row["Status"] == "new"
            assert desk.window.incident_title.text() == "Open incidents: 1"
            assert "stored this session: 1;" in desk.window.summary.text()
            # commit + a 150 ms flush: ~0.15 s here; 1.5 s leaves room for a loaded machine
            assert shown_after < 1.5, f"the fall took {shown_after:.2f} s to show"
            await until(lambda: desk.feeds()[0]["Cursor"] == "1", "the feed's cursor to reach 1")
            assert desk.feed_is_live()

    run_on_qasync(qapp, scenario())


def test_events_without_an_incident_still_count_and_a_repeat_updates_its_row(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            # a position opens no incident, a broken event is quarantined: both must still show
            desk.simulator.inject(position(1))
            await until(lambda: "stored this session: 1;" in desk.window.summary.text(), "stored: 1")
            desk.simulator.inject({"id": "broken-1", "type": "fall", "source": "fall-detectors"})
            await until(lambda: "quarantined: 1" in desk.window.summary.text(), "quarantined: 1")
            assert desk.incidents() == []

            desk.simulator.inject(fall(1, elder="E-0042", minute=0))
            await until(lambda: len(desk.incidents()) == 1, "the first fall")
            desk.simulator.inject(fall(2, elder="E-0042", minute=1))  # the same elder again: a repeat
            await until(lambda: desk.incidents()[0]["Repeats"] == "2", "the repeat count on the row")
            assert len(desk.incidents()) == 1
            assert desk.window.summary.text() == "Events stored this session: 4; quarantined: 1"

    run_on_qasync(qapp, scenario())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_feed_that_cannot_connect_is_red_and_its_state_and_reason_can_be_read(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    dead = FeedConfig(name="hotline", url=f"ws://127.0.0.1:{_free_port()}/", backoff_base_s=0.05)

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, dead) as desk:
            await until(desk.feed_is_live, "the demo feed to say live")
            await until(
                lambda: desk.feeds()[1]["State"] == "DOWN — reconnecting", "the dead feed to say DOWN"
            )
            view, model = desk.window.feed_view, desk.window.feed_model
            row = desk.feeds()[1]
            assert row["Detail"].startswith("cannot connect: ConnectionRefusedError")
            state = model.index(1, 1)
            assert state.data(Qt.ItemDataRole.BackgroundRole).color() == QColor("#c62828")
            # an operator reads the whole state and the whole reason, not "DOWN — re…"
            for col in (1, 2):
                needed = view.sizeHintForColumn(col)
                assert view.columnWidth(col) >= needed, (col, view.columnWidth(col), needed)

    run_on_qasync(qapp, scenario())
