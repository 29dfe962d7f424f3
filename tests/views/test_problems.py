"""The data problems table: Qt's model tester, incremental refreshes, plain text, readable reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from pytestqt.modeltest import ModelTester

from desk.feeds import Problem, ProblemKind
from tests.views.test_models import Recorder, cell
from views.problems import KIND_ROLE, ProblemTableModel

T0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def problem(n: int, kind: ProblemKind = ProblemKind.QUARANTINED, **kw: object) -> Problem:
    values: dict[str, object] = {
        "at": T0 + timedelta(seconds=n),
        "feed": "demo",
        "kind": kind,
        "detail": "missing field 'time'",
        "ref": f"ev-{n}",
        "sample": None,
        **kw,
    }
    return Problem(**values)  # type: ignore[arg-type]


def newest_first(*ns: int) -> list[Problem]:
    return [problem(n) for n in sorted(ns, reverse=True)]


def shown(tooltip: str) -> str:
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


def test_problem_model_passes_the_model_tester_through_refreshes(qtmodeltester: ModelTester) -> None:
    model = ProblemTableModel()
    qtmodeltester.check(model)
    model.set_problems(newest_first(1, 2))
    model.set_problems(newest_first(1, 2, 3, 4))  # two new on top
    model.set_problems(newest_first(3, 4, 5))  # one new, the oldest two fell off the limit
    model.set_problems([problem(9, ProblemKind.GAP, ref=None)])  # not a continuation: replaced
    model.set_problems([])
    assert model.rowCount() == 0


def test_a_refresh_inserts_the_new_problems_at_the_top_without_a_reset() -> None:
    model = ProblemTableModel()
    model.set_problems(newest_first(1, 2, 3))
    seen = Recorder(model)
    model.set_problems(newest_first(1, 2, 3, 4, 5))
    assert [cell(model, r, "Event / seq") for r in range(5)] == ["ev-5", "ev-4", "ev-3", "ev-2", "ev-1"]
    assert seen.inserted == [(0, 1)] and seen.removed == [] and seen.resets == 0
    seen.clear()
    model.set_problems(newest_first(2, 3, 4, 5, 6))  # a limit of 5: the oldest goes
    assert seen.removed == [(4, 4)] and seen.inserted == [(0, 0)] and seen.resets == 0
    seen.clear()
    model.set_problems(newest_first(2, 3, 4, 5, 6))  # nothing new: nothing happens
    assert seen.inserted == [] and seen.removed == [] and seen.changed == [] and seen.resets == 0


def test_problems_read_as_words_in_plain_text_with_the_frame_as_the_tooltip() -> None:
    model = ProblemTableModel()
    frame = '{"op":"event","seq":7,"event":{"type":"grievance","title":"<b>楼顶养鸽子</b>"}}' + "x" * 400
    model.set_problems(
        [
            problem(3, ProblemKind.PROTOCOL_ERROR, detail="unknown op '<b>'", ref=None, sample=frame[:300]),
            problem(2, ProblemKind.QUARANTINED, detail="'text' is empty\nsecond line", ref="seq 7"),
            problem(1, ProblemKind.STALLED, detail="no frame for 30 s; reconnecting", ref=None),
        ]
    )
    assert [cell(model, r, "Kind") for r in range(3)] == ["Unreadable frame", "Invalid event", "Feed silent"]
    assert cell(model, 0, "Reason") == "unknown op '<b>'"  # literal, never bold
    assert cell(model, 1, "Reason") == "'text' is empty second line"  # one line in a cell
    assert [cell(model, r, "Event / seq") for r in range(3)] == ["—", "seq 7", "—"]
    assert cell(model, 0, "Feed") == "demo"
    assert model.index(0, 0).data(KIND_ROLE) == "protocol_error"
    # the tooltip shows the frame's first 300 characters exactly as they came, tags and all
    tip = shown(model.index(0, 2).data(TOOLTIP))
    assert tip == frame[:300] and "<b>楼顶养鸽子</b>" in tip
    assert shown(model.index(2, 4).data(TOOLTIP)) == "no frame for 30 s; reconnecting"
    assert model.data(model.index(7, 0)) is None and model.data(QModelIndex()) is None


def test_problem_times_are_local_clock_times() -> None:
    model = ProblemTableModel()
    now = datetime.now(UTC).replace(microsecond=0)
    model.set_problems([problem(2, at=now), problem(1, at=now - timedelta(days=3))])
    local = now.astimezone()
    assert cell(model, 0, "Time") == local.strftime("%H:%M:%S")
    assert cell(model, 1, "Time") == (local - timedelta(days=3)).strftime("%m-%d %H:%M:%S")
