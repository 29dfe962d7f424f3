"""The report's charts (pyqtgraph to PNG) and its PDF (QTextDocument on QPdfWriter), with real Qt."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from desk.shifts import ChartSpec
from tests.services.test_reports import html
from widgets.report_render import chart_png, html_to_pdf


def test_a_chart_is_a_png_with_its_bars(qapp: object) -> None:
    series = [("事件数", [0.0, 3.0, 1.0])]
    spec = ChartSpec("每小时新增事件", ["08时", "09时", "10时"], series, mark=(1.5, "目标"))
    image = QImage.fromData(chart_png(spec), "PNG")
    assert (image.width(), image.height()) == (spec.width, spec.height)
    # the bar of 3 is drawn in the first series' colour in the middle of the chart
    blue = QColor("#1f4e9c")
    middle = [image.pixelColor(x, spec.height // 2) for x in range(spec.width)]
    assert any(c == blue for c in middle)


def test_the_report_prints_on_a4_pages(qapp: object, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    html_to_pdf(html(), str(pdf))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/MediaBox [0 0 595" in data  # A4 is 595 × 842 points
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) >= 2
