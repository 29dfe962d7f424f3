"""Who should go: grid owner first, then the nearest, stale positions, load, busy and off-duty responders."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.assignment import (
    DutyStatus,
    Grid,
    Reason,
    ReasonCode,
    Responder,
    ResponderKind,
    grid_of,
    reason_text_en,
    reason_text_zh,
    suggest,
    task_overdue,
)
from desk.geo import offset_m
from desk.sla import SHANGHAI

NOW = datetime(2024, 6, 3, 22, 0, tzinfo=SHANGHAI)
SITE = (31.2300, 121.4700)
#: two neighbouring grids of about 440 m × 380 m; the site lies in grid 3
GRID3 = Grid(
    "g3", "第3网格", ((31.228, 121.468), (31.232, 121.468), (31.232, 121.472), (31.228, 121.472)), "w3"
)
GRID4 = Grid(
    "g4", "第4网格", ((31.228, 121.472), (31.232, 121.472), (31.232, 121.476), (31.228, 121.476)), "w4"
)
GRIDS = (GRID3, GRID4)
ON, BUSY, OFF = DutyStatus.ON_DUTY, DutyStatus.BUSY, DutyStatus.OFF_DUTY


def person(
    ref: str,
    north_m: float | None,
    *,
    status: DutyStatus = ON,
    tasks: int = 0,
    age: timedelta = timedelta(minutes=1),
    kind: ResponderKind = ResponderKind.PATROL_TEAM,
    grid: str | None = None,
) -> Responder:
    """A responder `north_m` metres due north of the site (exact along a meridian); None: no position."""
    if north_m is None:
        return Responder(ref, ref.upper(), kind, grid, status, None, None, None, tasks)
    lat, lon = offset_m(*SITE, north_m, 0.0)
    return Responder(ref, ref.upper(), kind, grid, status, lat, lon, NOW - age, tasks)


def worker(
    ref: str, grid: str, north_m: float | None, *, status: DutyStatus = ON, tasks: int = 0
) -> Responder:
    return person(ref, north_m, status=status, tasks=tasks, kind=ResponderKind.GRID, grid=grid)


def refs(
    responders: list[Responder], *, stale_after: timedelta = timedelta(minutes=10), limit: int = 5
) -> list[str]:
    """The refs suggested for the site, best first."""
    return [s.ref for s in suggest(*SITE, GRIDS, responders, NOW, stale_after=stale_after, limit=limit)]


def test_grid_of() -> None:
    assert grid_of(*SITE, GRIDS) is GRID3
    assert grid_of(31.230, 121.474, GRIDS) is GRID4
    assert grid_of(31.240, 121.470, GRIDS) is None
    overlapping = Grid("big", "大网格", GRID3.ring, "x")
    assert grid_of(*SITE, (overlapping, GRID3)) is overlapping  # the first listed wins


def test_the_grid_owner_comes_first_then_the_nearest() -> None:
    team = [worker("w3", "g3", 600, tasks=2), person("p1", 240), worker("w4", "g4", 100, tasks=1)]
    first, second, third = suggest(*SITE, GRIDS, team, NOW)
    assert [first.ref, second.ref, third.ref] == ["w3", "w4", "p1"]
    assert first.reasons == (
        Reason(ReasonCode.OWNS_GRID, "第3网格"),
        Reason(ReasonCode.DISTANCE, 600),
        Reason(ReasonCode.LOAD, 2),
    )
    assert second.reasons == (
        Reason(ReasonCode.NEAREST),
        Reason(ReasonCode.DISTANCE, 100),
        Reason(ReasonCode.LOAD, 1),
    )
    assert second.distance_m == pytest.approx(100.0, abs=1e-6)
    assert [s.needs_confirmation for s in (first, second, third)] == [False, False, False]


def test_the_owner_is_named_by_the_grid_or_by_the_workers_grid() -> None:
    # the grid names its owner, whatever the responder says about itself
    assert refs([person("p1", 50), person("w3", 900)]) == ["w3", "p1"]
    # another grid worker of the same grid also counts as responsible
    assert refs([person("p1", 50), worker("w9", "g3", 900)]) == ["w9", "p1"]


def test_a_stale_position_ranks_after_every_fresh_one() -> None:
    team = [person("near_stale", 50, age=timedelta(minutes=12)), person("far_fresh", 900)]
    stale = suggest(*SITE, GRIDS, team, NOW)[1]
    assert [s.ref for s in suggest(*SITE, GRIDS, team, NOW)] == ["far_fresh", "near_stale"]
    assert stale.distance_m is None
    assert stale.reasons == (Reason(ReasonCode.POSITION_STALE, 12), Reason(ReasonCode.LOAD, 0))


def test_a_position_exactly_stale_after_old_is_still_fresh() -> None:
    team = [person("a", 300, age=timedelta(minutes=10)), person("b", 500)]
    assert refs(team) == ["a", "b"]
    assert refs(team, stale_after=timedelta(minutes=5)) == ["b", "a"]


def test_no_position_ranks_with_the_stale_ones_by_load() -> None:
    team = [person("unknown", None, tasks=0), person("stale", 50, age=timedelta(hours=1), tasks=1)]
    first, second = suggest(*SITE, GRIDS, team, NOW)
    assert [first.ref, second.ref] == ["unknown", "stale"]
    assert first.reasons == (Reason(ReasonCode.POSITION_UNKNOWN), Reason(ReasonCode.LOAD, 0))


def test_load_breaks_ties_at_a_similar_distance() -> None:
    # 120 m and 150 m are in the same 200 m band: fewer open tasks first
    assert refs([person("loaded", 120, tasks=3), person("free", 150, tasks=0)]) == ["free", "loaded"]
    # the same load: the nearer one
    assert refs([person("b", 150, tasks=1), person("a", 120, tasks=1)]) == ["a", "b"]
    # different bands: distance wins over load
    assert refs([person("loaded", 120, tasks=3), person("free", 250, tasks=0)]) == ["loaded", "free"]


def test_busy_comes_after_on_duty_at_a_similar_distance_only() -> None:
    assert refs([person("busy", 50, status=BUSY), person("on", 150)]) == ["on", "busy"]
    assert refs([person("busy", 50, status=BUSY), person("on", 450)]) == ["busy", "on"]
    busy = suggest(*SITE, GRIDS, [person("busy", 50, status=BUSY, tasks=1)], NOW)[0]
    assert Reason(ReasonCode.BUSY) in busy.reasons
    assert not busy.needs_confirmation


def test_off_duty_is_listed_last_and_needs_confirmation() -> None:
    team = [
        person("off_near", 10, status=OFF),
        worker("w3", "g3", 20, status=OFF),  # the owner, but off duty
        person("busy_far", 2000, status=BUSY, tasks=4),
        person("on_stale", 30, age=timedelta(hours=2)),
    ]
    result = suggest(*SITE, GRIDS, team, NOW)
    assert [s.ref for s in result] == ["busy_far", "on_stale", "w3", "off_near"]
    assert [s.needs_confirmation for s in result] == [False, False, True, True]
    assert result[2].reasons == (
        Reason(ReasonCode.OWNS_GRID, "第3网格"),
        Reason(ReasonCode.DISTANCE, 20),
        Reason(ReasonCode.LOAD, 0),
        Reason(ReasonCode.OFF_DUTY),
    )
    # the nearest on duty or busy is marked, not an off-duty person nearer still
    assert Reason(ReasonCode.NEAREST) in result[0].reasons
    assert Reason(ReasonCode.NEAREST) not in result[3].reasons


def test_a_place_without_coordinates_ranks_by_duty_and_load() -> None:
    team = [
        worker("w3", "g3", 10, tasks=2),
        person("p1", 500, tasks=0, status=BUSY),
        person("p2", None, tasks=1),
        person("p3", 900, tasks=0, status=OFF),
    ]
    result = suggest(None, None, GRIDS, team, NOW)
    assert [s.ref for s in result] == ["p2", "w3", "p1", "p3"]
    assert all(s.distance_m is None for s in result)
    assert result[0].reasons == (Reason(ReasonCode.LOAD, 1),)  # no owner, no distance, no "unknown"


def test_a_place_outside_every_grid_has_no_owner() -> None:
    outside = offset_m(*SITE, 1000, 0.0)  # 1 km north, beyond both grids
    team = [worker("w3", "g3", 0), person("p1", 900)]
    result = suggest(*outside, GRIDS, team, NOW)
    assert [s.ref for s in result] == ["p1", "w3"]
    assert all(r.code is not ReasonCode.OWNS_GRID for s in result for r in s.reasons)
    assert result[0].distance_m == pytest.approx(100.0, abs=1e-6)


def test_limit() -> None:
    team = [person(f"p{i}", 300 * i) for i in range(8)]
    assert refs(team) == ["p0", "p1", "p2", "p3", "p4"]
    assert refs(team, limit=2) == ["p0", "p1"]


@pytest.mark.parametrize(
    ("reason", "zh", "en"),
    [
        (
            Reason(ReasonCode.OWNS_GRID, "第3网格"),
            "负责该网格（第3网格）",
            "responsible for this grid (第3网格)",
        ),
        (Reason(ReasonCode.NEAREST), "离现场最近", "nearest to the scene"),
        (Reason(ReasonCode.DISTANCE, 240), "距离约 240 米", "about 240 m away"),
        (Reason(ReasonCode.DISTANCE, 244), "距离约 240 米", "about 240 m away"),
        (Reason(ReasonCode.DISTANCE, 245), "距离约 250 米", "about 250 m away"),
        (Reason(ReasonCode.DISTANCE, 1234), "距离约 1.2 公里", "about 1.2 km away"),
        (Reason(ReasonCode.POSITION_STALE, 12), "位置已 12 分钟未更新", "position 12 min old"),
        (Reason(ReasonCode.POSITION_STALE, 125), "位置已 2 小时未更新", "position 125 min old"),
        (Reason(ReasonCode.POSITION_STALE, 3000), "位置已 2 天未更新", "position 3000 min old"),
        (Reason(ReasonCode.POSITION_UNKNOWN), "位置未知", "position unknown"),
        (Reason(ReasonCode.LOAD, 2), "手上 2 个任务", "2 open tasks"),
        (Reason(ReasonCode.LOAD, 1), "手上 1 个任务", "1 open task"),
        (Reason(ReasonCode.LOAD, 0), "手上没有任务", "no open tasks"),
        (Reason(ReasonCode.BUSY), "正在执行任务", "busy on a task"),
        (Reason(ReasonCode.OFF_DUTY), "不在岗", "off duty"),
    ],
)
def test_reason_texts(reason: Reason, zh: str, en: str) -> None:
    assert reason_text_zh(reason) == zh
    assert reason_text_en(reason) == en


@pytest.mark.parametrize(
    ("accepted", "now", "overdue"),
    [
        (None, timedelta(minutes=2, seconds=59), False),
        (None, timedelta(minutes=3), False),  # exactly the limit: not yet
        (None, timedelta(minutes=3, seconds=1), True),
        (timedelta(minutes=2), timedelta(minutes=10), False),
        (timedelta(minutes=5), timedelta(minutes=10), False),  # accepted late: nothing to re-dispatch
    ],
)
def test_task_overdue(accepted: timedelta | None, now: timedelta, overdue: bool) -> None:
    sent = NOW
    assert task_overdue(sent, sent + accepted if accepted is not None else None, sent + now) is overdue


def test_task_overdue_with_a_configured_limit() -> None:
    assert task_overdue(NOW, None, NOW + timedelta(seconds=61), limit=timedelta(seconds=60))
    assert not task_overdue(NOW, None, NOW + timedelta(seconds=60), limit=timedelta(seconds=60))
