"""Who should go: the grid worker of the place, then the nearest available responder, then the least loaded.

Suggestions carry their reasons as codes with values, so the dispatch dialog can show (and translate) why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import assert_never

from desk.geo import haversine_m, point_in_polygon


class ResponderKind(StrEnum):
    GRID = "grid"  # a grid worker (网格员)
    PATROL_TEAM = "patrol_team"


class DutyStatus(StrEnum):
    ON_DUTY = "on_duty"
    BUSY = "busy"
    OFF_DUTY = "off_duty"


@dataclass(frozen=True, slots=True)
class Grid:
    """A grid (网格): its outline as a ring of (lat, lon) and the ref of the grid worker who owns it."""

    ref: str
    name: str
    ring: tuple[tuple[float, float], ...]
    owner: str


@dataclass(frozen=True, slots=True)
class Responder:
    """A grid worker or patrol team with its duty status, last known position and open tasks."""

    ref: str
    name: str
    kind: ResponderKind
    grid: str | None  # the grid a grid worker belongs to
    status: DutyStatus
    lat: float | None
    lon: float | None
    position_at: datetime | None
    open_tasks: int = 0


class ReasonCode(StrEnum):
    OWNS_GRID = "owns_grid"  # value: the grid's name
    NEAREST = "nearest"  # the closest responder on duty with a fresh position
    DISTANCE = "distance"  # value: metres
    POSITION_STALE = "position_stale"  # value: minutes since the last position
    POSITION_UNKNOWN = "position_unknown"
    LOAD = "load"  # value: open tasks
    BUSY = "busy"
    OFF_DUTY = "off_duty"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    value: str | int | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    ref: str
    name: str
    kind: ResponderKind
    distance_m: float | None  # None when the place or a fresh position is unknown
    open_tasks: int
    status: DutyStatus
    needs_confirmation: bool  # off duty: the lead must confirm before dispatching
    reasons: tuple[Reason, ...]


def grid_of(lat: float, lon: float, grids: Sequence[Grid]) -> Grid | None:
    """The grid holding the point; the first one listed where grids overlap."""
    for grid in grids:
        if point_in_polygon(lat, lon, grid.ring):
            return grid
    return None


def _owns(responder: Responder, grid: Grid | None) -> bool:
    if grid is None:
        return False
    return responder.ref == grid.owner or (
        responder.kind is ResponderKind.GRID and responder.grid == grid.ref
    )


def suggest(
    lat: float | None,
    lon: float | None,
    grids: Sequence[Grid],
    responders: Sequence[Responder],
    now: datetime,
    *,
    stale_after: timedelta = timedelta(minutes=10),
    limit: int = 5,
    band_m: float = 200.0,
) -> list[Suggestion]:
    """Who should go to (lat, lon), best first, at most `limit`.

    The order, each rule breaking the ties of the one before:
    1. on duty or busy before off duty (off duty: listed last, `needs_confirmation`);
    2. the owner of the grid holding the place (its `owner`, or a grid worker of that grid);
    3. a fresh position before a stale (older than `stale_after`) or missing one;
    4. distance in bands of `band_m` (0–199 m, 200–399 m, …): "similar distance" is the same band;
    5. on duty before busy; 6. fewer open tasks; 7. exact distance; 8. name.
    A place without coordinates has no owner and no distances: the order is duty, busy, load.
    """
    place_known = lat is not None and lon is not None
    grid = grid_of(lat, lon, grids) if lat is not None and lon is not None else None

    rows: list[tuple[tuple[object, ...], Responder, float | None, int | None]] = []
    for r in responders:
        stale_min: int | None = None
        distance: float | None = None
        if r.lat is not None and r.lon is not None and r.position_at is not None:
            age = now - r.position_at
            if age > stale_after:
                stale_min = int(age.total_seconds() // 60)
            elif lat is not None and lon is not None:
                distance = haversine_m(lat, lon, r.lat, r.lon)
        key = (
            r.status is DutyStatus.OFF_DUTY,
            not _owns(r, grid),
            distance is None,
            int(distance // band_m) if distance is not None else 0,
            r.status is DutyStatus.BUSY,
            r.open_tasks,
            distance if distance is not None else 0.0,
            r.name,
            r.ref,
        )
        rows.append((key, r, distance, stale_min))
    rows.sort(key=lambda row: row[0])

    available = [(d, r.ref) for _, r, d, _ in rows if d is not None and r.status is not DutyStatus.OFF_DUTY]
    nearest = min(available)[1] if available else None
    result: list[Suggestion] = []
    for _, r, distance, stale_min in rows[: max(limit, 0)]:
        reasons: list[Reason] = []
        if grid is not None and _owns(r, grid):
            reasons.append(Reason(ReasonCode.OWNS_GRID, grid.name))
        if distance is not None:
            if r.ref == nearest:
                reasons.append(Reason(ReasonCode.NEAREST))
            reasons.append(Reason(ReasonCode.DISTANCE, round(distance)))
        elif stale_min is not None:
            reasons.append(Reason(ReasonCode.POSITION_STALE, stale_min))
        elif place_known:
            reasons.append(Reason(ReasonCode.POSITION_UNKNOWN))
        if r.status is DutyStatus.BUSY:
            reasons.append(Reason(ReasonCode.BUSY))
        reasons.append(Reason(ReasonCode.LOAD, r.open_tasks))
        if r.status is DutyStatus.OFF_DUTY:
            reasons.append(Reason(ReasonCode.OFF_DUTY))
        result.append(
            Suggestion(
                r.ref,
                r.name,
                r.kind,
                distance,
                r.open_tasks,
                r.status,
                r.status is DutyStatus.OFF_DUTY,
                tuple(reasons),
            )
        )
    return result


def task_overdue(
    sent_at: datetime, accepted_at: datetime | None, now: datetime, limit: timedelta = timedelta(minutes=3)
) -> bool:
    """Whether a task still not accepted more than `limit` after it was sent should be re-dispatched."""
    return accepted_at is None and now - sent_at > limit


def _distance_zh(metres: int) -> str:
    if metres < 1000:
        return f"距离约 {(metres + 5) // 10 * 10} 米"
    return f"距离约 {metres / 1000:.1f} 公里"


def _age_zh(minutes: int) -> str:
    if minutes < 60:
        return f"位置已 {minutes} 分钟未更新"
    if minutes < 24 * 60:
        return f"位置已 {minutes // 60} 小时未更新"
    return f"位置已 {minutes // (24 * 60)} 天未更新"


def reason_text_zh(reason: Reason) -> str:
    """The reason in Simplified Chinese, as the dispatch dialog shows it."""
    code, value = reason.code, reason.value
    if code is ReasonCode.OWNS_GRID:
        return f"负责该网格（{value}）"
    if code is ReasonCode.NEAREST:
        return "离现场最近"
    if code is ReasonCode.DISTANCE:
        return _distance_zh(int(value or 0))
    if code is ReasonCode.POSITION_STALE:
        return _age_zh(int(value or 0))
    if code is ReasonCode.POSITION_UNKNOWN:
        return "位置未知"
    if code is ReasonCode.LOAD:
        return f"手上 {value} 个任务" if value else "手上没有任务"
    if code is ReasonCode.BUSY:
        return "正在执行任务"
    if code is ReasonCode.OFF_DUTY:
        return "不在岗"
    assert_never(code)


def reason_text_en(reason: Reason) -> str:
    """The reason in English, the desk's second language."""
    code, value = reason.code, reason.value
    if code is ReasonCode.OWNS_GRID:
        return f"responsible for this grid ({value})"
    if code is ReasonCode.NEAREST:
        return "nearest to the scene"
    if code is ReasonCode.DISTANCE:
        metres = int(value or 0)
        return (
            f"about {(metres + 5) // 10 * 10} m away"
            if metres < 1000
            else f"about {metres / 1000:.1f} km away"
        )
    if code is ReasonCode.POSITION_STALE:
        return f"position {value} min old"
    if code is ReasonCode.POSITION_UNKNOWN:
        return "position unknown"
    if code is ReasonCode.LOAD:
        return f"{value} open task{'s' if value != 1 else ''}" if value else "no open tasks"
    if code is ReasonCode.BUSY:
        return "busy on a task"
    if code is ReasonCode.OFF_DUTY:
        return "off duty"
    assert_never(code)
