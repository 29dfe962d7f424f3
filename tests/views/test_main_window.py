"""The desk window end to end: what a real CES/1 server sends shows up in the window, in the
operator's language, readable, with the problems the desk found in the data."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import time

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QTableView
from pytestqt.qtbot import QtBot

from services.config import Config, FeedConfig
from services.signals import DeskSignals
from tests.support.events import alarm, examples, fall, position
from tests.support.scripted import Script, ScriptedServer
from tests.support.users import PASSWORD
from tests.views.live import LiveDesk, live_desk, run_on_qasync, until
from views import (
    main_window,
    queue,  # the window shows the dispatch queue
)
from views.main_window import DeskWindow


def test_a_fall_sent_by_the_feed_appears_in_the_incident_table(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
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
            assert (row["P"], row["Type"], row["Title"]) == ("P1", "Fall", "跌倒报警")
            assert row["Place"] == "丁香家园二期 3栋" and row["Status"] == "New"
            assert desk.window.incident_title.text() == "Open incidents: 1"
            assert "stored this session: 1;" in desk.window.summary.text()
            # commit + a 150 ms flush: ~0.15 s here; 1.5 s leaves room for a loaded machine
            assert shown_after < 1.5, f"the fall took {shown_after:.2f} s to show"
            await until(lambda: desk.feeds()[0]["Received"] == "1", "the feed's count to reach 1")
            assert desk.feed_is_live()

    run_on_qasync(qapp, scenario())


@pytest.mark.slow
def test_while_the_database_refuses_to_write_the_window_says_so_and_nothing_is_lost(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    """Another program holds the database locked past the writer's 10 s patience: the window says
    that events are held, the fall waits unacknowledged, and when the lock goes it is stored,
    shown, and the notice goes."""

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            banner = desk.window.storage_banner
            assert banner.isHidden()
            locker = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=5)
            try:
                locker.execute("BEGIN EXCLUSIVE")
                desk.simulator.inject(fall(1, elder="E-0042"))
                await until(lambda: not banner.isHidden(), "the storage notice", timeout=20)
                assert banner.text().endswith("Call technical support. (database is locked)")
                assert desk.incidents() == []
                # the desk locked meanwhile: an unlock is recorded, so it is refused, saying why
                lock = desk.window.lock
                lock.lock()
                lock.panel.password.setText(PASSWORD)
                assert not await lock.submit()
                assert lock.locked and lock.panel.error.text() == (
                    "Still locked: the database refuses to write (database is locked); try again shortly"
                )
            finally:
                locker.rollback()
                locker.close()
            await until(lambda: len(desk.incidents()) == 1, "the held fall in the queue", timeout=10)
            await until(banner.isHidden, "the storage notice to go")
            assert desk.simulator.acked("desk-test") >= 1
            assert await lock.submit() and not lock.locked

    run_on_qasync(qapp, scenario())


def test_events_without_an_incident_still_count_and_a_repeat_updates_its_row(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
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
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
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


# ---- the operator's language ----------------------------------------------------------------------


def _stream_prefix(desk: LiveDesk) -> str:
    stream = desk.window.feed_model.status(0).stream
    assert stream is not None and len(stream) > 8
    return stream[:8]


def test_with_the_shipped_translation_the_window_reads_in_chinese(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            desk.simulator.inject(fall(1))
            desk.simulator.inject(alarm(1, kind="door_forced"))
            await until(lambda: len(desk.incidents()) == 2, "the fall and the alarm in the table")
            fall_row, door_row = desk.incidents()
            assert (fall_row["级别"], fall_row["类型"], fall_row["状态"]) == ("P1", "跌倒", "待确认")
            assert fall_row["标题"] == "跌倒报警" and fall_row["地点"] == "丁香家园二期 3栋"
            assert (door_row["类型"], door_row["状态"]) == ("强行开门", "待确认")
            age = door_row["已持续"]
            assert re.fullmatch(r"\d+ (秒|分 \d\d 秒|小时 \d\d 分|天)", age), age
            feed = desk.feeds()[0]
            assert feed["状态"] == "在线"
            # live: the stream's first characters, not "stream <uuid>, head N"
            assert feed["详情"] == f"数据流 {_stream_prefix(desk)}"
            assert feed["最近事件"].endswith("秒前")
            await until(lambda: desk.feeds()[0]["已接收"] == "2", "the feed's count to reach 2")
            assert desk.window.incident_title.text() == "待处置事件：2"
            assert desk.window.feed_title.text() == "数据源"
            assert desk.window.windowTitle() == "社区值班台 — 社区指挥中心"
            assert desk.window.summary.text() == "本次运行已接收事件 2 条；无效已隔离 0 条"

    run_on_qasync(qapp, scenario())


def test_in_english_the_same_window_reads_in_english(
    qapp: QApplication, qtbot: QtBot, db_url: str, en: None
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            desk.simulator.inject(fall(1))
            desk.simulator.inject(alarm(1, kind="door_forced"))
            await until(lambda: len(desk.incidents()) == 2, "the fall and the alarm in the table")
            fall_row, door_row = desk.incidents()
            assert (fall_row["Type"], fall_row["Status"]) == ("Fall", "New")
            assert door_row["Type"] == "Door forced"
            feed = desk.feeds()[0]
            assert feed["State"] == "live" and feed["Detail"] == f"stream {_stream_prefix(desk)}"
            assert desk.window.windowTitle() == "Duty Desk — community command center"

    run_on_qasync(qapp, scenario())


# ---- the problems pane -------------------------------------------------------------------------------


def _plain(tooltip: str) -> str:
    """What a tooltip shows a person (Qt renders it as rich text)."""
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


@pytest.mark.parametrize(
    ("lang", "headers", "invalid", "missing_time", "unreadable", "not_json"),
    [
        (
            "zh",
            ("时间", "数据源", "类别", "原因", "事件编号 / 序号"),
            "无效事件",
            "缺少字段 'time'",
            "无法解析的帧",
            "不是 JSON：",
        ),
        (
            "en",
            ("Time", "Feed", "Kind", "Reason", "Event / seq"),
            "Invalid event",
            "missing field 'time'",
            "Unreadable frame",
            "not JSON: ",
        ),
    ],
)
def test_the_problems_pane_shows_an_invalid_event_and_an_unreadable_frame_with_their_reasons(
    qapp: QApplication,
    qtbot: QtBot,
    db_url: str,
    request: pytest.FixtureRequest,
    lang: str,
    headers: tuple[str, ...],
    invalid: str,
    missing_time: str,
    unreadable: str,
    not_json: str,
) -> None:
    request.getfixturevalue(lang)
    time_h, feed_h, kind_h, reason_h, ref_h = headers

    async def scenario() -> None:
        # a second feed whose server slips an unreadable frame in after its welcome
        lab = ScriptedServer(Script(before_events=["not json {<b>"]))
        await lab.start()
        try:
            feed = FeedConfig(name="lab", url=lab.url, backoff_base_s=0.05, backoff_max_s=0.2)
            async with live_desk(qtbot, db_url, feed) as desk:
                await until(desk.feed_is_live, "the demo feed to say live")
                await until(lambda: len(desk.problems()) == 1, "the unreadable frame in the problems")
                frame = desk.problems()[0]
                assert (frame[feed_h], frame[kind_h], frame[ref_h]) == ("lab", unreadable, "—")
                assert frame[reason_h].startswith(not_json), frame[reason_h]
                assert len(frame[time_h]) == 8 and frame[time_h].count(":") == 2  # HH:MM:SS
                model = desk.window.problem_model
                assert _plain(model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)) == "not json {<b>"

                desk.simulator.inject({"id": "broken-1", "type": "fall", "source": "fall-detectors"})
                await until(lambda: len(desk.problems()) == 2, "the invalid event in the problems")
                event = desk.problems()[0]  # newest first
                assert (event[feed_h], event[kind_h], event[ref_h]) == ("demo", invalid, "broken-1")
                assert event[reason_h] == missing_time
                sample = _plain(model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole))
                assert '"broken-1"' in sample and len(sample) <= 300
                assert desk.window.bottom_tabs.tabText(0).endswith("2")
        finally:
            await lab.stop()

    run_on_qasync(qapp, scenario())


# ---- readable from a metre away, nothing cut ---------------------------------------------------------


def test_at_full_hd_titles_and_places_are_whole_the_text_is_large_and_the_feeds_pane_fits_its_rows(
    qapp: QApplication, qtbot: QtBot, db_url: str, zh: None
) -> None:
    grievance = next(e for e in examples("valid") if e["type"] == "grievance")
    long_place = dict(fall(2, elder="E-0077"))
    long_place["location"] = {
        **long_place["location"],
        "place": "滨湖世纪城 丁香家园二期 3栋 2单元 1102室 卫生间",
    }

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            for event in (fall(1), alarm(1, kind="smoke"), grievance, long_place):
                desk.simulator.inject(event)
            await until(lambda: len(desk.incidents()) == 4, "four incidents in the table")
            await asyncio.sleep(0.2)  # a flush: the columns are fitted after the rows arrive
            view = desk.window.incident_view
            assert desk.window.width() == 1920
            for col in (queue.COL_TITLE, queue.COL_TYPE, queue.COL_STATUS):
                assert view.columnWidth(col) >= view.sizeHintForColumn(col), (col, view.columnWidth(col))
            # the detail panel stands beside the queue: a very long place is cut at a limit, and its
            # tooltip holds it whole
            place = view.columnWidth(queue.COL_PLACE)
            assert place >= min(view.sizeHintForColumn(queue.COL_PLACE), main_window.PLACE_MAX_PX)
            model = view.model()
            tips = [
                model.index(r, queue.COL_PLACE).data(Qt.ItemDataRole.ToolTipRole)
                for r in range(model.rowCount())
            ]
            assert any(tip and long_place["location"]["place"] in tip for tip in tips)
            age = view.columnWidth(queue.COL_AGE)
            assert age <= 220, "the age column is narrow"
            # a metre away: 12 pt and more in every table, bold headers
            for table in (view, desk.window.feed_view, desk.window.problem_view):
                assert table.font().pointSize() >= 12
                assert table.horizontalHeader().font().bold()
                assert table.horizontalHeader().font().pointSize() >= 12
            # the feeds pane is as tall as its one row, not 200 px of white
            feeds = desk.window.feed_view
            rows_bottom = feeds.rowViewportPosition(0) + feeds.rowHeight(0)
            assert rows_bottom <= feeds.viewport().height() <= rows_bottom + 4
            # text from residents and feeds is never rendered as rich text
            for label in desk.window.findChildren(QLabel):
                assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
            for table in desk.window.findChildren(QTableView):
                assert table.wordWrap() is False

    run_on_qasync(qapp, scenario())


class _NoRuntime:
    """Enough of a runtime for a window that is built and closed without running."""

    def __init__(self) -> None:
        self.feeds: dict[str, object] = {}
        self.config = Config(desk_id="desk-t", database_url="sqlite://", feeds=())
        self.storage_trouble: str | None = None

    def statuses(self) -> list[object]:
        return []


def test_the_window_opens_maximised_the_first_time_then_as_it_was_left(qtbot: QtBot) -> None:
    first = DeskWindow(_NoRuntime(), DeskSignals())  # type: ignore[arg-type]
    qtbot.addWidget(first)
    assert first.windowState() & Qt.WindowState.WindowMaximized, "a first start fills the screen"
    first.setWindowState(Qt.WindowState.WindowNoState)
    first.resize(760, 700)  # within the offscreen screen (800 × 800)
    first.show()
    left_as = (first.width(), first.height())  # what Qt allowed (not below the window's minimum)
    assert left_as[1] == 700
    first.close()

    again = DeskWindow(_NoRuntime(), DeskSignals())  # type: ignore[arg-type]
    qtbot.addWidget(again)
    assert not again.windowState() & Qt.WindowState.WindowMaximized
    assert (again.width(), again.height()) == left_as


# ---- the problems pane reads the database at most once a second ----------------------------------------


class _CountingRuntime(_NoRuntime):
    """Counts the problem reads the window makes."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[float] = []

    async def problems(self, limit: int = 200) -> list[object]:
        self.reads.append(time.monotonic())
        return []

    async def queue_items(self, ids: list[int] | None = None) -> list[object]:
        return []

    async def incidents_by_id(self, ids: list[int]) -> list[object]:
        return []


def test_a_burst_of_quarantined_events_reads_the_problems_at_most_once_a_second(
    qapp: QApplication, qtbot: QtBot
) -> None:
    from desk.feeds import FeedState, FeedStatus
    from services.store import Changes

    runtime = _CountingRuntime()
    window = DeskWindow(runtime, DeskSignals())  # type: ignore[arg-type]

    async def scenario() -> None:
        await window.load()
        assert len(runtime.reads) == 1
        start = time.monotonic()
        while time.monotonic() - start < 2.5:  # 50 commits with an invalid event, 20 a second
            window.on_changes(Changes(quarantined=[("demo", "bad-1", "missing field 'time'")]))
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # the last of the burst is read too
        during = runtime.reads[1:]
        assert 2 <= len(during) <= 4, during
        gaps = [b - a for a, b in zip(runtime.reads, runtime.reads[1:], strict=False)]
        assert min(gaps) >= 0.99, gaps
        assert runtime.reads[-1] > start + 2.5  # after the burst's last commit

        # a feed status reads again only when a figure the pane shows grew or the state changed
        before = len(runtime.reads)
        status = FeedStatus("demo", "ws://x/", FeedState.LIVE, None, "s", 5, 0, 0, None)
        window.on_feed_status(status)
        await asyncio.sleep(0.1)
        window.on_feed_status(status)  # the same again: nothing new
        await asyncio.sleep(2.0)
        after_first = len(runtime.reads)
        assert after_first - before >= 1
        window.on_feed_status(status)  # unchanged: no read
        await asyncio.sleep(1.3)
        assert len(runtime.reads) == after_first
        window.on_feed_status(FeedStatus("demo", "ws://x/", FeedState.LIVE, None, "s", 5, 0, 1, None))
        await asyncio.sleep(1.3)
        assert len(runtime.reads) > after_first  # a protocol error more: read
        window.close()
        window.deleteLater()
        await until(lambda: not shiboken6.isValid(window), "Qt to delete the window")

    run_on_qasync(qapp, scenario())
