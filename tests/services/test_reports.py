"""The handover report's HTML: the hand-computed day shift as a reader sees it, and the signature block."""

from __future__ import annotations

from dataclasses import replace

from desk.shifts import ReportInput, build_report, canonical, content_hash, seal_of
from desk.shifts import SignedReport as Signed
from desk.sla import SlaPolicy
from services.reports import report_html, signed_html, span
from tests.desk.test_shifts import CARRIED, DEVICES, END, FEED, HANDLED, INCIDENTS, ON_SCENE, SHIFT, T0


def html() -> str:
    data = ReportInput(
        SHIFT, T0, END, INCIDENTS, [INCIDENTS[6], INCIDENTS[8], CARRIED], ON_SCENE, HANDLED, DEVICES, FEED
    )
    return report_html(build_report(data, SlaPolicy.default()), charts=lambda spec: b"\x89PNG fake")


def test_the_report_says_the_figures_in_chinese() -> None:
    page = html()
    assert "社区指挥中心 值班交接报告" in page and "值班长：王班长" in page
    assert "2026-12-05 08:00 至 2026-12-05 20:00" in page  # Beijing time
    assert "本班新增事件 <b>8</b> 起（重复上报并入 2 次），超时 <b>9</b> 项，交接时未结 <b>3</b> 起" in page
    # P1 acknowledged within 30 s: 2 of 4; within 60 s: 3 of 4
    assert "<td>紧急求助</td><td>确认</td><td>30 秒</td><td class=n>2 / 4</td>" in page
    assert "<td>1 分 00 秒</td><td class=n>3 / 4</td><td class=n>75.0%</td>" in page
    assert "<td>#7</td><td>P2</td>" in page and "立即确认" in page
    assert "仍中断" in page and "wearables 缺失 3 条" in page
    assert page.count('src="data:image/png;base64,') == 2
    assert "@page { size: A4;" in page


def test_outside_text_is_escaped() -> None:
    evil = replace(INCIDENTS[6], title="<script>alert(1)</script>", place="<b>5栋</b>")
    data = ReportInput(SHIFT, T0, END, [evil], [evil], {}, [], [], [])
    page = report_html(build_report(data, SlaPolicy.default()))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_signature_block_and_a_changed_report() -> None:
    content, summ = html(), canonical({"total": 8})
    digest = content_hash(content, summ)
    seal = seal_of(None, digest, "王班长", END, "赵六", END, True)
    stored = Signed(
        1,
        1,
        "handover",
        END,
        "王班长",
        T0,
        END,
        content,
        summ,
        digest,
        "王班长",
        END,
        "赵六",
        END,
        True,
        None,
        seal,
    )
    page = signed_html(stored)
    assert "交班值班长" in page and "<td>赵六</td>" in page and "☑ 已确认未结事项" in page
    assert "校验：内容完整" in page and page.index("十、签字") < page.index("</body>")
    changed = signed_html(replace(stored, content=content.replace("<b>8</b>", "<b>7</b>")))
    assert "校验失败：报告在生成或签字后被改动" in changed


def test_spans_read_like_a_person_says_them() -> None:
    from datetime import timedelta

    assert [span(timedelta(seconds=s)) for s in (35, 125, 4800)] == ["35 秒", "2 分 05 秒", "1 小时 20 分"]
