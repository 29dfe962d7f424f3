"""A picture of the window after a fall, an alarm and a grievance: not blank, Chinese not tofu.

With DESK_SAVE_SCREENSHOTS=1 the picture is also kept as docs/screenshots/plain-window.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.events import alarm, examples, fall
from tests.views.live import live_desk, run_on_qasync, until

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


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


def test_screenshot_after_a_fall_an_alarm_and_a_grievance(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path
) -> None:
    grievance = next(e for e in examples("valid") if e["type"] == "grievance")
    shot = tmp_path / "plain-window.png"

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:
            await until(desk.feed_is_live, "the feed row to say live")
            for event in (fall(1), alarm(1, kind="smoke"), grievance):
                desk.simulator.inject(event)
            await until(lambda: len(desk.incidents()) == 3, "three incidents in the table")
            await until(lambda: desk.feeds()[0]["Cursor"] == "3", "the feed's cursor to reach 3")
            titles = [r["Title"] for r in desk.incidents()]
            assert titles == ["跌倒报警", "烟感报警：5栋 3楼 楼道", grievance["title"]]
            assert desk.window.grab().save(str(shot))

    run_on_qasync(qapp, scenario())

    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1400, 900)
    # text, stripes, headers and chips: a blank or a one-colour window has a handful of colours
    assert len(_colours(image)) > 100
    # the P1 chips are painted in the priority red (#c62828) in the first column
    p1_red = QColor("#c62828").rgb()
    assert any(image.pixel(QPoint(x, y)) == p1_red for x in range(0, 60) for y in range(200, 900, 2))
    if os.environ.get("DESK_SAVE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / "plain-window.png")
