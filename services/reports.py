"""The handover report (交接班报告): figures of a shift rendered as Chinese HTML that prints on A4.

Qt-free: the charts are drawn by a `ChartRenderer` given by the composition root (pyqtgraph in
`widgets.report_render`), the PDF is rendered there too. The stored report is this HTML and the
summary figures; what is signed is their hash (see desk.shifts.content_hash).
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from desk.incidents import ALARM_TITLES, DEVICE_TITLES, GRIEVANCE_TITLES, IncidentClass, Status
from desk.shifts import (
    DISTRIBUTION_EDGES,
    ChartSpec,
    LogSource,
    Measure,
    NextStep,
    ReportInput,
    Shift,
    ShiftReport,
    SignedReport,
    build_report,
    canonical,
    summary,
    tampering,
)
from desk.sla import SHANGHAI, SlaPolicy, Stage

log = logging.getLogger("desk.reports")

#: draws a chart and answers PNG bytes
ChartRenderer = Callable[[ChartSpec], bytes]

CLASS_NAMES = {
    IncidentClass.EMERGENCY: "紧急求助",
    IncidentClass.SECURITY: "治安安防",
    IncidentClass.WELFARE: "设备与关怀",
    IncidentClass.GRIEVANCE: "群众诉求",
}
STATUS_NAMES = {
    Status.NEW: "待确认",
    Status.ACKNOWLEDGED: "已确认",
    Status.DISPATCHED: "已派单",
    Status.ON_SCENE: "已到场",
    Status.ESCALATED: "已上报",
    Status.RESOLVED: "已处置",
    Status.FALSE_ALARM: "误报",
    Status.CLOSED: "已关闭",
}
STEP_NAMES = {
    NextStep.ACKNOWLEDGE: "立即确认",
    NextStep.DISPATCH: "派单处置",
    NextStep.AWAIT_ARRIVAL: "跟进到场",
    NextStep.RESOLVE: "处置并办结",
    NextStep.FOLLOW_ESCALATION: "跟进上报结果",
}
STAGE_NAMES = {Stage.ACKNOWLEDGE: "确认", Stage.DISPATCH: "派单", Stage.RESOLVE: "办结"}
MEASURE_NAMES = {
    Measure.ACKNOWLEDGE: "确认",
    Measure.DISPATCH: "派单",
    Measure.ON_SCENE: "到场",
    Measure.RESOLVE: "办结",
}
DEVICE_STATUS = {"offline": "离线", "not_worn": "未佩戴", "low_battery": "电量低", "online": "在线"}
KIND_NAMES: dict[str, str] = {
    "fall": "跌倒报警",
    "sos": "SOS 紧急呼叫",
    "grievance": "群众诉求",
    "wandering": "走失预警",
    **ALARM_TITLES,
    **{f"device_{k}": v for k, v in DEVICE_TITLES.items()},
}
#: how big a chart is on the page (CSS pixels) and drawn (pixels: twice as fine, for print)
CHART_W, CHART_H = 560, 201
#: at most this many rows of a long list in the report (the rest are counted)
MAX_ROWS = 200

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       font-size: 9.5pt; color: #111; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 12pt 0 4pt 0; border-bottom: 1px solid #444; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt 0; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #888; text-align: left; vertical-align: top; }
/* Qt's text engine: padding in px, one rule per element (in pt, or grouped, it was lost) */
th { padding: 1px 5px; }
td { padding: 1px 5px; }
th { background: #e8e8e8; }
td.n, th.n { text-align: right; }
.bad { color: #b00000; font-weight: bold; }
.muted { color: #555; }
.meta td { border: none; }
img.chart { width: 100%; }
.sign td { height: 28pt; }
.caption { margin: 6pt 0 0 0; }
@media print { a { color: #111; text-decoration: none; } }
"""


FULL = "%Y-%m-%d %H:%M"


def local(t: datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    return t.astimezone(SHANGHAI).strftime(fmt) if t is not None else "—"


def span(d: timedelta | None) -> str:
    """A duration as a person reads it: 35 秒, 2 分 05 秒, 1 小时 20 分."""
    if d is None:
        return "—"
    s = round(d.total_seconds())
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60:02d} 秒"
    return f"{s // 3600} 小时 {(s % 3600) // 60:02d} 分"


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind) or GRIEVANCE_TITLES.get(kind) or kind


def pct(within: int, counted: int) -> str:
    return f"{100 * within / counted:.1f}%" if counted else "—"


def esc(value: object) -> str:
    return html.escape(str(value)) if value is not None else "—"


def _table(head: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    """Cells are given as HTML (already escaped where they carry outside text)."""
    ths = "".join(f"<th{' class=n' if i in numeric else ''}>{h}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return (
        f'<table border="1" cellspacing="0" cellpadding="3" width="100%"><thead><tr>{ths}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _more(total: int) -> str:
    return f'<p class="muted">另有 {total - MAX_ROWS} 条未列出。</p>' if total > MAX_ROWS else ""


def _img(png: bytes, spec: ChartSpec, number: int) -> str:
    data = base64.b64encode(png).decode()
    units = "，".join(
        x for x in (spec.y_title and f"纵轴：{spec.y_title}", spec.x_title and f"横轴：{spec.x_title}") if x
    )
    return (
        f'<p class="caption"><b>图 {number}　{esc(spec.title)}</b>{f"（{esc(units)}）" if units else ""}</p>'
        f'<p><img class="chart" width="{CHART_W}" height="{CHART_H}" '
        f'src="data:image/png;base64,{data}" alt="{esc(spec.title)}"></p>'
    )


def chart_specs(report: ShiftReport) -> list[ChartSpec]:
    """The charts of the report: incidents per hour, and how long acknowledging took."""
    hours = [local(t, "%H时") for t, _ in report.per_hour]
    per_hour = ChartSpec(
        "每小时新增事件",
        hours,
        [("事件数", [float(n) for _, n in report.per_hour])],
        y_title="起",
        x_title="时段（北京时间）",
    )
    edges = DISTRIBUTION_EDGES
    labels = [
        f"{edges[i]:g}–{edges[i + 1]:g} 秒" if edges[i + 1] != float("inf") else f"{edges[i]:g} 秒以上"
        for i in range(len(edges) - 1)
    ]
    series = [(CLASS_NAMES[c], [float(n) for n in v]) for c, v in report.ack_distribution.items()]
    # the P1 target of 30 s sits between the 20–30 and 30–45 bins
    dist = ChartSpec(
        "确认用时分布",
        labels,
        series or [("事件数", [0.0] * len(labels))],
        y_title="起",
        x_title="从报警到确认",
        mark=(edges.index(30) - 0.5, "P1 目标 30 秒"),
    )
    return [per_hour, dist]


@dataclass(frozen=True, slots=True)
class Rendered:
    report: ShiftReport
    html: str
    summary_json: str


class ReportReads(Protocol):
    """What the report service reads (services.store.Store has these)."""

    def shift(self, shift_id: int) -> Shift | None: ...

    def report_input(self, shift: Shift, end: datetime | None = None) -> ReportInput: ...


class ReportService:
    """Builds a shift's report from the store's reads; keeps nothing itself (saving is a writer call)."""

    def __init__(self, store: ReportReads, policy: SlaPolicy, charts: ChartRenderer | None = None) -> None:
        self.store = store
        self.policy = policy
        self.charts = charts

    def render(self, shift_id: int, end: datetime | None = None) -> Rendered:
        shift = self.store.shift(shift_id)
        if shift is None:
            raise LookupError(f"no shift {shift_id}")
        data = self.store.report_input(shift, end)
        report = build_report(data, self.policy)
        figures = summary(report)
        return Rendered(report, report_html(report, self.charts), canonical(figures))


def report_html(report: ShiftReport, charts: ChartRenderer | None = None) -> str:
    """The whole report as one HTML page (charts embedded as PNG), in Chinese, for A4."""
    sh = report.shift
    out: list[str] = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>值班交接报告 第 {sh.id} 班</title><style>{CSS}</style></head><body>",
        "<h1>社区指挥中心 值班交接报告</h1>",
        '<table class="meta" width="100%">',
        f"<tr><td>班次：第 {sh.id} 班（{esc(sh.desk)}）</td>"
        f"<td>时段：{local(report.start, FULL)} 至 {local(report.end, FULL)}</td></tr>",
        f"<tr><td>值班长：{esc(sh.lead)}</td><td>值班人员：{esc('、'.join(sh.staff) or '—')}</td></tr>",
        f"<tr><td>接班值班长：{esc(sh.handed_to or '（未交接）')}</td>"
        f"<td>报告生成：{local(report.end, '%Y-%m-%d %H:%M:%S')}（北京时间）</td></tr>",
        "</table>",
    ]
    # 一、概况
    out.append("<h2>一、事件概况</h2>")
    load = report.load
    out.append(
        f"<p>本班新增事件 <b>{report.total}</b> 起（重复上报并入 {report.repeats} 次），"
        f"超时 <b>{len(report.breaches)}</b> 项，交接时未结 <b>{len(report.open_items)}</b> 起；"
        f"报警 {load.alarms} 起，平均每 10 分钟 {load.per_10min:.2f} 起，报警洪峰 {len(load.floods)} 次。</p>"
    )
    prio_rows = [[f"P{int(p)}", str(n)] for p, n in report.by_priority]
    class_rows = [[CLASS_NAMES[c], str(n)] for c, n in report.by_class]
    out.append(
        '<table width="100%" class="meta"><tr><td width="50%" valign="top">'
        + _table(["优先级", "起数"], prio_rows or [["—", "0"]], frozenset({1}))
        + '</td><td width="50%" valign="top">'
        + _table(["类别", "起数"], class_rows or [["—", "0"]], frozenset({1}))
        + "</td></tr></table>"
    )
    kind_rows = [[esc(kind_name(k)), str(n)] for k, n in report.by_kind]
    out.append(_table(["事件类型", "起数"], kind_rows or [["—", "0"]], frozenset({1})))
    specs = chart_specs(report)
    if charts is not None:
        out.append(_img(charts(specs[0]), specs[0], 1))
    # 二、响应时间
    out.append("<h2>二、响应时间（自报警起算）</h2>")
    rows = []
    for cls, per in report.responses.items():
        for m, d in per.items():
            if d.count:
                rows.append(
                    [
                        CLASS_NAMES[cls],
                        MEASURE_NAMES[m],
                        str(d.count),
                        span(d.median),
                        span(d.p90),
                        span(d.worst),
                    ]
                )
    out.append(
        _table(
            ["类别", "环节", "样本", "中位数", "P90", "最长"], rows or [["—"] * 6], frozenset({2, 3, 4, 5})
        )
    )
    if charts is not None:
        out.append(_img(charts(specs[1]), specs[1], 2))
    # 三、达标率
    out.append("<h2>三、服务时限达标率</h2>")
    out.append(
        '<p class="muted">时限自报警起算；统计已完成的事件及已超过时限仍未完成的事件。'
        "第二行为时限的两倍（参照养老监护中心的报告口径，如 P1 于 30 秒内、60 秒内确认的比例）。</p>"
    )
    rows = []
    for c in report.compliance:
        limit = span(c.limit) + ("（工作时间）" if c.working_time else "")
        share = pct(c.within, c.counted)
        bad = c.band == 1 and c.counted and c.within / c.counted < 0.9
        rows.append(
            [
                CLASS_NAMES[c.cls],
                STAGE_NAMES[c.stage],
                limit,
                f"{c.within} / {c.counted}",
                f'<span class="bad">{share}</span>' if bad else share,
            ]
        )
    out.append(
        _table(["类别", "环节", "时限内", "达标 / 统计", "达标率"], rows or [["—"] * 5], frozenset({3, 4}))
    )
    # 四、超时
    out.append(f"<h2>四、超时事件（{len(report.breaches)} 项）</h2>")
    rows = [
        [
            f"#{b.incident.id}",
            local(b.incident.opened_at),
            esc(b.incident.title),
            esc(b.incident.place),
            STAGE_NAMES[b.breach.stage],
            local(b.breach.due_at),
            local(b.breach.done_at) if b.breach.done_at else '<span class="bad">未完成</span>',
            span(b.breach.late_by),
        ]
        for b in report.breaches[:MAX_ROWS]
    ]
    out.append(
        _table(
            ["事件", "报警时间", "事件", "地点", "环节", "应于", "完成于", "超时"],
            rows or [["无"] + [""] * 7],
        )
        + _more(len(report.breaches))
    )
    # 五、未结
    out.append(f"<h2>五、未结事件及下一步（{len(report.open_items)} 起）</h2>")
    rows = [
        [
            f"#{o.incident.id}",
            f"P{int(o.incident.priority)}",
            local(o.incident.opened_at),
            esc(o.incident.title),
            esc(o.incident.place),
            STATUS_NAMES[o.incident.status],
            STEP_NAMES[o.next_step],
            (f'<span class="bad">{local(o.due_at)} 已超时</span>' if o.overdue else local(o.due_at)),
        ]
        for o in report.open_items[:MAX_ROWS]
    ]
    out.append(
        _table(
            ["事件", "优先级", "报警时间", "事件", "地点", "状态", "下一步", "时限"],
            rows or [["无"] + [""] * 7],
        )
        + _more(len(report.open_items))
    )
    # 六、设备
    out.append(f"<h2>六、离线及电量低的设备（{len(report.devices)} 台）</h2>")
    rows = [
        [
            esc(d.device),
            esc(d.elder),
            DEVICE_STATUS.get(d.status, esc(d.status)),
            f"{d.battery * 100:.0f}%" if d.battery is not None else "—",
            local(d.at),
        ]
        for d in report.devices[:MAX_ROWS]
    ]
    out.append(
        _table(
            ["设备", "老人编号", "状态", "电量", "最后上报"], rows or [["无", "", "", "", ""]], frozenset({3})
        )
        + _more(len(report.devices))
    )
    # 七、数据源
    out.append("<h2>七、数据源中断与缺失</h2>")
    rows = [
        [
            esc(o.feed),
            local(o.started_at),
            local(o.ended_at) if o.ended_at else '<span class="bad">仍中断</span>',
            span(o.within),
            esc(o.reason),
        ]
        for o in report.outages
    ]
    out.append(_table(["数据源", "中断于", "恢复于", "本班内时长", "原因"], rows or [["无", "", "", "", ""]]))
    gaps = "；".join(f"{esc(f)} 缺失 {n} 条" for f, n in report.gaps.items())
    out.append(f"<p>事件缺失（序号跳号）：{gaps or '无'}。</p>")
    # 八、报警负荷
    out.append("<h2>八、报警负荷（每 10 分钟）</h2>")
    out.append(
        f"<p>报警 {load.alarms} 起，平均每 10 分钟 {load.per_10min:.2f} 起，最高 {load.peak_10min} 起。"
        "洪峰：每名在岗人员 10 分钟内新增报警超过 10 起（EEMUA 191）。</p>"
    )
    rows = [[local(f.started_at), local(f.ended_at), str(f.alarms)] for f in load.floods]
    out.append(_table(["洪峰开始", "结束", "报警数"], rows or [["无", "", ""]], frozenset({2})))
    rows = [
        [esc(o.operator), str(o.handled), f"{o.per_10min:.2f}", str(o.peak_10min)] for o in load.operators
    ]
    out.append(
        _table(
            ["值班员", "处理报警", "平均每 10 分钟", "最高每 10 分钟"],
            rows or [["—", "0", "0", "0"]],
            frozenset({1, 2, 3}),
        )
    )
    # 九、交班说明
    out.append("<h2>九、交班说明</h2>")
    notes = esc(sh.notes).replace("\n", "<br>") if sh.notes else "（无）"
    out.append(f"<p>{notes}</p>")
    manual = [e for e in report.log if e.source is LogSource.MANUAL]
    if manual:
        rows = [
            [local(e.at), esc(e.by), esc(e.text) + (f"（更正第 {e.corrects} 条）" if e.corrects else "")]
            for e in manual[:MAX_ROWS]
        ]
        out.append(
            "<p><b>值班日志（人工记录）</b></p>"
            + _table(["时间", "记录人", "内容"], rows)
            + _more(len(manual))
        )
    out.append("</body></html>")
    return "\n".join(out)


def signed_html(stored: SignedReport, verified: list[str] | None = None) -> str:
    """A stored report with its signature block and integrity line (outside the signed content)."""
    problems = tampering(stored) if verified is None else verified
    if problems:
        check = '<p class="bad">校验失败：报告在生成或签字后被改动（' + esc("、".join(problems)) + "）。</p>"
    else:
        check = f'<p class="muted">校验：内容完整。摘要 SHA-256 {stored.content_hash[:16]}…'
        check += f"，封签 {stored.seal[:16]}…</p>" if stored.seal else "（尚未封签）</p>"
    out_at = local(stored.signed_out_at) if stored.signed_out_at else ""
    in_at = local(stored.signed_in_at) if stored.signed_in_at else ""
    confirmed = "☑ 已确认未结事项" if stored.open_items_confirmed else "☐ 未确认未结事项"
    block = (
        "<h2>十、签字</h2>"
        '<table class="sign" border="1" cellspacing="0" cellpadding="4" width="100%">'
        "<tr><th>交班值班长</th><th>签字时间</th><th>接班值班长</th><th>签字时间</th><th>未结事项</th></tr>"
        f"<tr><td>{esc(stored.signed_out_by or '')}</td><td>{out_at}</td>"
        f"<td>{esc(stored.signed_in_by or '')}</td><td>{in_at}</td>"
        f"<td>{confirmed if stored.signed_in_by else ''}</td></tr></table>" + check
    )
    content = stored.content
    at = content.rfind("</body>")
    return content[:at] + block + content[at:] if at >= 0 else content + block
