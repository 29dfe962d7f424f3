"""Drawing the handover report: its charts with pyqtgraph (to PNG), its HTML onto A4 PDF pages.

The PDF is rendered by Qt's own text engine (QTextDocument printed on a QPdfWriter): QtWebEngine is
not installed, and the report's HTML keeps to what QTextDocument lays out (tables, plain CSS).
Both need a QApplication (pyqtgraph's plots are QGraphicsWidgets).
"""

from __future__ import annotations

import base64
import re

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QImageWriter,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from desk.shifts import ChartSpec

FONT_FAMILIES = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif"]
#: one colour per series, readable in black-and-white print too (dark, mid, light)
COLOURS = ["#1f4e9c", "#d2691e", "#6aa84f", "#999999"]


def _font(size: int) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(size)
    return font


def chart_png(spec: ChartSpec) -> bytes:
    """A bar chart (grouped when there are several series) as PNG bytes, white background; the spec's
    titles are left to the caption."""
    plot = pg.PlotWidget(background="w")
    plot.resize(spec.width, spec.height)
    item = plot.getPlotItem()
    # a plot that is never shown gets no resize event: lay the item out at the size asked for
    item.setGeometry(QRectF(0, 0, spec.width, spec.height))
    # the title and the axis titles are the caption in the report's HTML: pyqtgraph's own labels
    # need a shown, laid-out widget to keep their room
    n = max(1, len(spec.series))
    width = 0.8 / n
    if n > 1:
        legend = item.addLegend(offset=(-10, 10), labelTextColor="#111111", labelTextSize="15pt")
        legend.setBrush(pg.mkBrush(255, 255, 255, 220))
    for i, (name, values) in enumerate(spec.series):
        xs = [x - 0.4 + width * (i + 0.5) for x in range(len(values))]
        colour = QColor(COLOURS[i % len(COLOURS)])
        bars = pg.BarGraphItem(
            x=xs, height=values, width=width * 0.9, brush=colour, pen=pg.mkPen(colour), name=name
        )
        item.addItem(bars)
    if spec.mark is not None:
        at, label = spec.mark
        line = pg.InfiniteLine(
            pos=at,
            angle=90,
            pen=pg.mkPen("#b00000", width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
            label=label,
            labelOpts={"color": "#b00000", "position": 0.9, "anchors": [(0, 0), (0, 0)]},
        )
        line.label.setFont(_font(15))
        item.addItem(line)
    bottom, left = item.getAxis("bottom"), item.getAxis("left")
    # room for the large tick labels (an axis that is never shown does not grow to fit them)
    bottom.setHeight(44)
    left.setWidth(56)
    for axis in (bottom, left):
        axis.setPen(pg.mkPen("#333333"))
        axis.setTextPen(pg.mkPen("#111111"))
        axis.setStyle(tickFont=_font(15))
    step = max(1, len(spec.labels) // 16)
    bottom.setTicks([[(i, lab) for i, lab in enumerate(spec.labels) if i % step == 0], []])
    top = max((max(v) for _, v in spec.series if v), default=0.0)
    item.setYRange(0, max(1.0, top * 1.12), padding=0)
    item.setXRange(-0.6, len(spec.labels) - 0.4, padding=0)
    item.setMouseEnabled(False, False)
    item.hideButtons()
    item.setGeometry(QRectF(0, 0, spec.width, spec.height))
    item.layout.activate()  # place the axes now: nothing shows this plot, so no event would
    exporter = pyqtgraph.exporters.ImageExporter(item)
    exporter.parameters()["width"] = spec.width  # the height follows the item's aspect
    exporter.parameters()["antialias"] = True
    image = exporter.export(toBytes=True)
    plot.deleteLater()
    return _png(image)


def _png(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    QImageWriter(buf, QByteArray(b"png")).write(image)
    buf.close()
    return bytes(data.data())


_DATA_IMG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def html_to_pdf(html: str, path: str, title: str = "值班交接报告") -> None:
    """Print the report's HTML onto A4 pages of a PDF file (page numbers at the foot)."""
    doc = QTextDocument()
    doc.setDefaultFont(_font(9))
    images: list[tuple[str, QImage]] = []

    def resource(match: re.Match[str]) -> str:
        name = f"chart-{len(images)}.png"
        images.append((name, QImage.fromData(base64.b64decode(match.group(1)))))
        return f'src="{name}"'

    body = _DATA_IMG.sub(resource, html)
    for name, image in images:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(body)
    writer = QPdfWriter(path)
    writer.setTitle(title)
    writer.setCreator("Duty Desk 社区值班台")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc.print_(writer)
