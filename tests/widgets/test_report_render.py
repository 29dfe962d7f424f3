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


def test_the_report_tables_keep_their_figures_off_the_cell_borders(qapp: object) -> None:
    """A right-aligned figure sat against the next column's border: Qt's text engine read no
    padding for data cells (a '.meta td' rule in pt reached every cell). Read the laid-out report
    as Qt does and check every table cell of the figures has room on both sides."""
    from PySide6.QtGui import QTextDocument, QTextTable

    doc = QTextDocument()
    doc.setHtml(html())
    tables: list[QTextTable] = []
    for frame in doc.rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            tables.append(frame)
    figures = [t for t in tables if t.columns() >= 2 and t.rows() >= 3]
    assert figures, "the report has tables of figures"
    for table in figures:
        for row in (0, table.rows() - 1):
            cell = table.cellAt(row, table.columns() - 1).format().toTableCellFormat()
            assert cell.leftPadding() >= 4 and cell.rightPadding() >= 4, (row, cell.rightPadding())
