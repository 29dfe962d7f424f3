"""Pictures of the window after a fall, an alarm, a grievance and an invalid event, in Chinese and in
English, in the day and the night theme: not blank, Chinese not tofu, the priority chips in their
colours, the window in its theme's colours.

With DESK_SAVE_SCREENSHOTS=1 they are also kept as docs/screenshots/window-{day,night}-{zh,en}.png
(1920 × 1080, the desk's usual screen).

"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.incidents import Status
from tests.support.events import alarm, examples, fall
from tests.support.shots import keep_for_docs
from tests.views.live import LEAD, live_desk, run_on_qasync, until
from tests.views.panel_live import OWNER, staff_profiles
from views.queue import COL_ASSIGNEE
from views.theme import Theme, resolve
from widgets.priority_chip import PRIORITY_COLORS


def _glyph(font: QFont, char: str) -> bytes:
    image = QImage(48, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, char)
    painter.end()
    return bytes(image.constBits())


def _colours(image: QImage, step: int = 3) -> set[int]:
    return {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}


def test_chinese_text_renders_as_real_glyphs_not_tofu(qapp: QApplication) -> None:
    font = QFont()
    font.setPointSize(12)
    blank = _glyph(font, " ")
    glyphs = {c: _glyph(font, c) for c in "跌倒报警"}
    assert all(g != blank for g in glyphs.values()), "a Chinese character rendered as nothing"
    # missing glyphs all draw the same box; real ones differ from each other
    assert len(set(glyphs.values())) == 4, "Chinese renders as boxes: install a CJK font (fonts-wqy-microhei)"


@pytest.mark.parametrize("theme", [Theme.DAY, Theme.NIGHT])
@pytest.mark.parametrize(
    ("lang", "fall_kind", "invalid_kind"), [("zh", "跌倒", "无效事件"), ("en", "Fall", "Invalid event")]
)
def test_screenshot_after_a_fall_an_alarm_a_grievance_and_an_invalid_event(
    qapp: QApplication,
    qtbot: QtBot,
    db_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    lang: str,
    fall_kind: str,
    invalid_kind: str,
    theme: Theme,
) -> None:
    request.getfixturevalue(lang)
    grievance = next(e for e in examples("valid") if e["type"] == "grievance")
    invalid = {"id": "broken-1", "type": "fall", "source": "fall-detectors", "elder": "E-0042"}
    shot = tmp_path / f"window-{theme.value}-{lang}.png"
    empty: list[QPoint] = []  # a point of the queue below its rows

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, theme=theme) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            for event in (*staff_profiles(), fall(1), alarm(1, kind="smoke"), grievance, invalid):
                desk.simulator.inject(event)
            await until(lambda: len(desk.incidents()) == 3, "three incidents in the table")
            await until(
                lambda: desk.window.problem_model.rowCount() == 1, "the invalid event in the problems"
            )
            await until(lambda: desk.window.feed_model.status(0).cursor == 6, "the feed's count to reach 6")
            model = desk.window.incident_model
            # the smoke alarm is dispatched to the grid worker; the fall, a P1, still waits
            smoke = next(i for i in desk.runtime.store.incidents() if i.kind == "smoke")
            result = await desk.runtime.dispatch(smoke.id, OWNER, "查看烟感报警", LEAD)
            assert result.ok
            await until(
                lambda: model.item(model.row_of(smoke.id) or 0).incident.status is not Status.NEW,
                "the smoke alarm dispatched in the queue",
            )
            assert model.index(model.row_of(smoke.id) or 0, COL_ASSIGNEE).data() == "陈晓东"
            fall_row = model.row_of(next(i.id for i in desk.runtime.store.incidents() if i.kind == "fall"))
            assert fall_row == 0
            assert desk.window.select_incident(model.item(0).incident.id)
            await until(lambda: desk.window.panel.incident_id == model.item(0).incident.id, "the fall beside")
            await asyncio.sleep(0.3)  # the panel's detail read
            titles = [model.index(r, 2).data() for r in range(3)]
            assert titles == ["跌倒报警", "烟感报警：5栋 3楼 楼道", grievance["title"]]
            assert model.index(0, 1).data() == fall_kind
            assert desk.window.problem_model.index(0, 2).data() == invalid_kind
            # the title keeps room to be read in every language: the type, place and names give way
            view = desk.window.incident_view
            widths = [view.columnWidth(c) for c in range(model.columnCount())]
            assert widths[2] >= 220, (str(widths), view.viewport().width())
            viewport = desk.window.incident_view.viewport()
            empty.append(viewport.mapTo(desk.window, QPoint(viewport.width() - 20, viewport.height() - 20)))
            assert desk.window.grab().save(str(shot))

    run_on_qasync(qapp, scenario())

    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1920, 1080)
    # text, stripes, headers and chips: a blank or a one-colour window has a handful of colours
    assert len(_colours(image)) > 100
    # the P1 chips in the priority red and the P4 chip in its slate, in the first column
    for priority in (1, 4):
        rgb = PRIORITY_COLORS[priority][0].rgb()
        assert any(image.pixel(QPoint(x, y)) == rgb for x in range(0, 80) for y in range(100, 1080, 2)), (
            priority
        )
    # the window is in its theme: the queue below its rows is the theme's base colour, dark at
    # night and white by day
    assert image.pixelColor(empty[0]) == resolve(theme).base
    keep_for_docs(shot)
