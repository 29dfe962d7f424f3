"""SLA clocks: targets per incident kind from a configurable policy, and where an incident stands.

Every target counts from the moment the incident opened: "dispatch within 60 s" means 60 s after the
alarm, not after the acknowledgement. Grievance targets count working time only (工作日).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desk.incidents import ALARM_PRIORITY, DEVICE_TITLES, IncidentClass


def _shanghai() -> tzinfo:
    """Asia/Shanghai, or a fixed UTC+8 where no time zone database is installed (no DST since 1991)."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # Windows without the tzdata package
        return timezone(timedelta(hours=8), "CST")


SHANGHAI = _shanghai()


class Stage(StrEnum):
    """The clocks of an incident, in the order they run."""

    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    RESOLVE = "resolve"


class ClockState(StrEnum):
    OK = "ok"
    WARNING = "warning"  # amber: past `warn_at` of the target
    BREACHED = "breached"  # red: past the due time
    MET = "met"  # no clock runs any more


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """When working time runs: periods of a working day, in a zone, minus holidays, plus make-up days.

    `workdays` are weekend days worked in exchange for a holiday (调休); `holidays` win over everything.
    """

    periods: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    weekdays: frozenset[int] = frozenset(range(5))  # Monday is 0
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    tz: tzinfo = SHANGHAI

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working periods are local times without a zone (the zone is `tz`)")
            if start >= end:
                raise ValueError(f"working period {start:%H:%M}–{end:%H:%M} ends before it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"working period {start:%H:%M}–{end:%H:%M} overlaps or is out of order")
            previous_end = end
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), not {sorted(self.weekdays)}")
        if not self.weekdays and not self.workdays:
            raise ValueError("working hours need at least one working weekday")

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.workdays or day.weekday() in self.weekdays

    @property
    def day_length(self) -> timedelta:
        """The working time of one working day (7.5 h by default): the unit of "within N working days"."""
        return sum((_span(start, end) for start, end in self.periods), timedelta(0))


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


#: how far ahead working time is looked for before the calendar is declared empty
_MAX_DAYS = 3660


def _local(moment: datetime, hours: WorkingHours) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"working time needs a time with its zone, not the naive {moment.isoformat()}")
    return moment.astimezone(hours.tz)


def add_working_time(start: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """The moment `amount` of working time after `start` (an aware datetime; answered in its zone).

    A target that runs out at the end of a period is due at that end (17:30), not at the next opening.
    """
    if amount < timedelta(0):
        raise ValueError(f"working time cannot be negative: {amount}")
    if not amount:
        return start
    return _add_working_time(_local(start, hours), amount, hours).astimezone(start.tzinfo)


@lru_cache(maxsize=65_536)
def _add_working_time(local: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """Cached: a queue of open grievances asks for the same deadlines on every refresh."""
    left = amount
    day = local.date()
    for _ in range(_MAX_DAYS):
        if hours.is_working_day(day):
            for t0, t1 in hours.periods:
                period_start = datetime.combine(day, t0, hours.tz)
                period_end = datetime.combine(day, t1, hours.tz)
                begin = max(period_start, local)
                if begin >= period_end:
                    continue
                if left <= period_end - begin:
                    return begin + left
                left -= period_end - begin
        day += timedelta(days=1)
    raise ValueError("no working time within ten years: check the working days and holidays")


def working_time_between(start: datetime, end: datetime, hours: WorkingHours) -> timedelta:
    """The working time from `start` to `end` (negative when `end` comes first)."""
    if end < start:
        return -working_time_between(end, start, hours)
    a, b = _local(start, hours), _local(end, hours)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if hours.is_working_day(day):
            for t0, t1 in hours.periods:
                lo = max(datetime.combine(day, t0, hours.tz), a)
                hi = min(datetime.combine(day, t1, hours.tz), b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g} s"


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """How long each stage may take from the opening; None means the stage has no target."""

    acknowledge: timedelta | None = None
    dispatch: timedelta | None = None
    resolve: timedelta | None = None
    working_time: bool = False  # count only working hours (grievances)
    warn_at: float = 0.75  # share of the target after which the clock turns amber

    def __post_init__(self) -> None:
        for stage in Stage:
            limit = self.limit(stage)
            if limit is not None and limit <= timedelta(0):
                raise ValueError(f"the {stage.value} target must be positive, not {_seconds(limit)}")
        if not 0 < self.warn_at <= 1:
            raise ValueError(f"warn_at is a share of the target above 0 and up to 1, not {self.warn_at}")
        present = [(s, limit) for s in Stage if (limit := self.limit(s)) is not None]
        for (first, a), (then, b) in pairwise(present):
            if a > b:
                raise ValueError(
                    f"{first.value} ({_seconds(a)}) cannot be later than {then.value} ({_seconds(b)}):"
                    " every target counts from the opening"
                )

    def limit(self, stage: Stage) -> timedelta | None:
        if stage is Stage.ACKNOWLEDGE:
            return self.acknowledge
        if stage is Stage.DISPATCH:
            return self.dispatch
        return self.resolve


def default_targets(hours: WorkingHours | None = None) -> dict[IncidentClass, SlaTarget]:
    """The defaults per class; grievance days are working days of `hours` (1 day = 7.5 h by default)."""
    day = (hours or WorkingHours()).day_length
    return {
        # fall, SOS, fire, smoke, gas, elevator entrapment: a person may be in danger now
        IncidentClass.EMERGENCY: SlaTarget(
            timedelta(seconds=30), timedelta(seconds=60), timedelta(minutes=30)
        ),
        # forced door, watch lists, intrusion: someone must look within a minute, go within five
        IncidentClass.SECURITY: SlaTarget(timedelta(seconds=60), timedelta(minutes=5), timedelta(hours=1)),
        # device health, held doors, leaks, tampering, cameras: within the hour, settled within the shift
        IncidentClass.WELFARE: SlaTarget(timedelta(minutes=15), None, timedelta(hours=4)),
        # 签收 within one working day, 答复 within five
        IncidentClass.GRIEVANCE: SlaTarget(day, None, day * 5, working_time=True),
    }


#: every kind an incident can have, and its class: a policy naming another kind is a typo
KIND_CLASSES: dict[str, IncidentClass] = {
    "fall": IncidentClass.EMERGENCY,
    "sos": IncidentClass.EMERGENCY,
    **{kind: cls for kind, (_, cls) in ALARM_PRIORITY.items()},
    **{f"device_{status}": IncidentClass.WELFARE for status in DEVICE_TITLES},
    "grievance": IncidentClass.GRIEVANCE,
    "wandering": IncidentClass.EMERGENCY,  # desk.geofence: a flagged elder left the safe zone
}

_NO_TARGET = SlaTarget()
_UNITS = {"s": 1, "min": 60, "h": 3600}
_STAGE_NAMES = frozenset(s.value for s in Stage)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per class, overridden per incident kind, and the working hours the grievance clocks use."""

    classes: Mapping[IncidentClass, SlaTarget] = field(default_factory=default_targets)
    kinds: Mapping[str, SlaTarget] = field(default_factory=dict)
    hours: WorkingHours = field(default_factory=WorkingHours)

    def target(self, kind: str, cls: IncidentClass) -> SlaTarget:
        found = self.kinds.get(kind)
        return found if found is not None else self.classes.get(cls, _NO_TARGET)

    @classmethod
    def default(cls, hours: WorkingHours | None = None) -> SlaPolicy:
        hours = hours or WorkingHours()
        return cls(default_targets(hours), {}, hours)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base: SlaPolicy | None = None) -> SlaPolicy:
        """A policy from a TOML-like table; ValueError naming the bad key.

        Keys: a kind (``fall``), ``class.<class>`` (``class.welfare``) or ``working_hours``. A target
        entry sets ``<stage>_<unit>`` (stage acknowledge/dispatch/resolve; unit s, min, h or days, where a
        day is a working day for working-time targets), ``working_time`` and ``warn_at``; a kind
        inherits what it does not set from its class. Without `base`, the defaults for the hours given.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"SLA policy must be a table, not {type(data).__name__}")
        hours = base.hours if base is not None else WorkingHours()
        if "working_hours" in data:
            hours = _parse_hours(data["working_hours"], hours)
        start = base if base is not None else cls.default(hours)
        classes = dict(start.classes)
        kinds = dict(start.kinds)
        for key, entry in data.items():
            if not isinstance(key, str):
                raise ValueError(f"SLA policy: key {key!r} is not text")
            if key.startswith("class."):
                name = key.removeprefix("class.")
                try:
                    incident_class = IncidentClass(name)
                except ValueError:
                    known = ", ".join(f"class.{c.value}" for c in IncidentClass)
                    raise ValueError(f"SLA policy: unknown class in '{key}' (known: {known})") from None
                classes[incident_class] = _parse_target(key, entry, classes.get(incident_class), hours)
        for key, entry in data.items():
            if key.startswith("class.") or key == "working_hours":
                continue
            if key not in KIND_CLASSES:
                raise ValueError(
                    f"SLA policy: unknown incident kind '{key}'"
                    f" (known: {', '.join(sorted(KIND_CLASSES))}; or class.<class>, working_hours)"
                )
            inherited = kinds[key] if key in kinds else classes.get(KIND_CLASSES[key])
            kinds[key] = _parse_target(key, entry, inherited, hours)
        return cls(classes, kinds, hours)


def _parse_target(key: str, entry: object, inherited: SlaTarget | None, hours: WorkingHours) -> SlaTarget:
    if not isinstance(entry, Mapping):
        raise ValueError(f"SLA policy: '{key}' must be a table of settings, not {type(entry).__name__}")
    changes: dict[str, Any] = {}
    durations: dict[Stage, tuple[str, str, float | None]] = {}
    for name, value in entry.items():
        where = f"'{key}.{name}'"
        if name == "working_time":
            if not isinstance(value, bool):
                raise ValueError(f"SLA policy: {where} must be true or false, not {value!r}")
            changes["working_time"] = value
            continue
        if name == "warn_at":
            if not _is_number(value) or not 0 < value <= 1:
                raise ValueError(
                    f"SLA policy: {where} must be a share above 0 and up to 1 (0.75 = amber at 75 %),"
                    f" not {value!r}"
                )
            changes["warn_at"] = float(value)
            continue
        stage_name, _, unit = str(name).rpartition("_")
        if stage_name not in _STAGE_NAMES or (unit not in _UNITS and unit != "days"):
            raise ValueError(
                f"SLA policy: unknown setting {where}"
                " (use acknowledge_s, dispatch_min, resolve_h, resolve_days, …, working_time, warn_at)"
            )
        stage = Stage(stage_name)
        if stage in durations:
            raise ValueError(
                f"SLA policy: {where} sets the {stage.value} target again"
                f" (already '{key}.{durations[stage][0]}')"
            )
        if value is not None and (not _is_number(value) or value <= 0):
            raise ValueError(f"SLA policy: {where} must be a positive number, not {value!r}")
        durations[stage] = (str(name), unit, value)
    base = inherited or _NO_TARGET
    working = changes.get("working_time", base.working_time)
    day = hours.day_length if working else timedelta(days=1)
    for stage, (_, unit, value) in durations.items():
        if value is None:
            changes[stage.value] = None
        elif unit == "days":
            changes[stage.value] = day * value
        else:
            changes[stage.value] = timedelta(seconds=value * _UNITS[unit])
    try:
        return replace(base, **changes)
    except ValueError as exc:
        raise ValueError(f"SLA policy: '{key}': {exc}") from None


def _parse_time_of_day(value: object, where: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"SLA policy: {where} must be a time of day like '08:30', not {value!r}")


def _parse_dates(value: object, where: str) -> frozenset[date]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"SLA policy: {where} must be a list of dates, not {type(value).__name__}")
    days: set[date] = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            days.add(item)
            continue
        try:
            if not isinstance(item, str):
                raise ValueError(item)
            days.add(date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"SLA policy: {where} holds {item!r}, not a date like '2024-10-01'") from None
    return frozenset(days)


def _parse_hours(value: object, base: WorkingHours) -> WorkingHours:
    if not isinstance(value, Mapping):
        raise ValueError(f"SLA policy: 'working_hours' must be a table, not {type(value).__name__}")
    changes: dict[str, Any] = {}
    for name, item in value.items():
        where = f"'working_hours.{name}'"
        if name == "periods":
            if not isinstance(item, list | tuple) or not all(
                isinstance(p, list | tuple) and len(p) == 2 for p in item
            ):
                raise ValueError(
                    f"SLA policy: {where} must be a list of [start, end] pairs like ['08:30', '12:00']"
                )
            changes["periods"] = tuple(
                (_parse_time_of_day(a, where), _parse_time_of_day(b, where)) for a, b in item
            )
        elif name == "weekdays":
            if not isinstance(item, list | tuple) or not all(d in _WEEKDAYS for d in item):
                raise ValueError(
                    f"SLA policy: {where} must list days among {', '.join(_WEEKDAYS)}, not {item!r}"
                )
            changes["weekdays"] = frozenset(_WEEKDAYS[d] for d in item)
        elif name in ("holidays", "workdays"):
            changes[name] = _parse_dates(item, where)
        elif name == "timezone":
            try:
                if not isinstance(item, str):
                    raise ValueError(item)
                changes["tz"] = ZoneInfo(item)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"SLA policy: {where} {item!r} is not a known time zone") from None
        else:
            raise ValueError(
                f"SLA policy: unknown setting {where} (use periods, weekdays, holidays, workdays, timezone)"
            )
    try:
        return replace(base, **changes)
    except ValueError as exc:
        raise ValueError(f"SLA policy: 'working_hours': {exc}") from None


@dataclass(frozen=True, slots=True)
class SlaClock:
    """The clock that runs now: its stage, when it is due, when it turns amber, and the time left."""

    stage: Stage | None  # None: every stage with a target is done
    due_at: datetime | None
    warn_from: datetime | None
    remaining: timedelta | None  # wall-clock time to `due_at`; negative once breached
    state: ClockState
    working_time: bool = False

    @property
    def urgency(self) -> float:
        """Seconds past due (negative: seconds left); higher is more urgent, -inf when no clock runs.

        Sort the queue with ``key=lambda c: -c.urgency``: breached first, most overdue first, then the
        clock closest to its limit. Wall-clock seconds, so grievance and alarm clocks compare fairly.
        """
        if self.remaining is None:
            return -math.inf
        return -self.remaining.total_seconds()


@dataclass(frozen=True, slots=True)
class Breach:
    """A stage that was done late, or is still not done past its due time."""

    stage: Stage
    due_at: datetime
    done_at: datetime | None  # None: still not done at `now`
    late_by: timedelta  # wall-clock


def _done_times(
    acknowledged_at: datetime | None, dispatched_at: datetime | None, resolved_at: datetime | None
) -> dict[Stage, datetime | None]:
    """When each stage was done: a later step does the earlier ones (dispatching is acknowledging)."""

    def earliest(*times: datetime | None) -> datetime | None:
        present = [t for t in times if t is not None]
        return min(present) if present else None

    return {
        Stage.ACKNOWLEDGE: earliest(acknowledged_at, dispatched_at, resolved_at),
        Stage.DISPATCH: earliest(dispatched_at, resolved_at),
        Stage.RESOLVE: resolved_at,
    }


def deadline(opened_at: datetime, limit: timedelta, target: SlaTarget, hours: WorkingHours) -> datetime:
    """`limit` after `opened_at`: in working time when the target counts working time."""
    if target.working_time:
        return add_working_time(opened_at, limit, hours)
    return opened_at + limit


def clock(
    policy: SlaPolicy,
    kind: str,
    cls: IncidentClass,
    opened_at: datetime,
    acknowledged_at: datetime | None,
    dispatched_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
) -> SlaClock:
    """The running clock: the first stage with a target that is not done yet (MET when there is none).

    Amber from `warn_at` of the target (inclusive), red once `now` is past the due time.
    """
    target = policy.target(kind, cls)
    done = _done_times(acknowledged_at, dispatched_at, resolved_at)
    for stage in Stage:
        limit = target.limit(stage)
        if limit is None or done[stage] is not None:
            continue
        due_at = deadline(opened_at, limit, target, policy.hours)
        warn_from = deadline(opened_at, limit * target.warn_at, target, policy.hours)
        if now > due_at:
            state = ClockState.BREACHED
        elif now >= warn_from:
            state = ClockState.WARNING
        else:
            state = ClockState.OK
        return SlaClock(stage, due_at, warn_from, due_at - now, state, target.working_time)
    return SlaClock(None, None, None, None, ClockState.MET, target.working_time)


def breaches(
    policy: SlaPolicy,
    kind: str,
    cls: IncidentClass,
    opened_at: datetime,
    acknowledged_at: datetime | None,
    dispatched_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
) -> list[Breach]:
    """Every stage that was done after its due time, or is past it and not done, in stage order."""
    target = policy.target(kind, cls)
    done = _done_times(acknowledged_at, dispatched_at, resolved_at)
    found: list[Breach] = []
    for stage in Stage:
        limit = target.limit(stage)
        if limit is None:
            continue
        due_at = deadline(opened_at, limit, target, policy.hours)
        done_at = done[stage]
        end = done_at if done_at is not None else now
        if end > due_at:
            found.append(Breach(stage, due_at, done_at, end - due_at))
    return found
