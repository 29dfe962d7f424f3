"""The shift (值班): who is on duty, the shift log, and the figures of the handover report.

Pure rules and statistics; the store reads the records, `services.reports` renders them.

Response times count from the moment the incident opened (as the SLA clocks do). Percentiles:
the median is the middle value (the mean of the two middle ones for an even count), p90 is the
nearest-rank value (the ⌈0.9·n⌉-th smallest), so both can be checked by hand. Telecare monitoring
centres report the share of calls handled within the target and within a second, wider band
(e.g. P1 acknowledged within 30 s and within 60 s): `compliance` gives both, the band being twice
the target. Alarm load follows EEMUA 191: alarms per 10 minutes, a flood is a 10-minute interval
with more than 10 new alarms per operator on duty.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from desk.incidents import Incident, IncidentClass, Priority, Status
from desk.sla import Breach, SlaPolicy, Stage, breaches, deadline


# ---- the shift ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Shift:
    """One shift: opened by its lead with the staff on duty, closed by handing over to the next lead."""

    id: int
    desk: str
    lead: str
    staff: tuple[str, ...]
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None = None
    handed_to: str | None = None
    notes: str | None = None  # the outgoing lead's notes for the handover

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def operators(self) -> tuple[str, ...]:
        """The lead and the staff on duty, each once, the lead first."""
        return tuple(dict.fromkeys((self.lead, *self.staff)))


class ShiftError(ValueError):
    """A shift move that is not allowed; the message says why, for the operator."""


def check_open(lead: str, staff: Iterable[str], current: Shift | None) -> tuple[str, tuple[str, ...]]:
    """The lead and staff of a new shift, cleaned; ShiftError when one is already open or no lead."""
    if current is not None and current.is_open:
        raise ShiftError(f"shift {current.id} of {current.lead} is still open: hand it over first")
    lead = lead.strip()
    if not lead:
        raise ShiftError("a shift needs a lead")
    people = tuple(dict.fromkeys(s.strip() for s in staff if s.strip() and s.strip() != lead))
    return lead, people


def check_handover(shift: Shift | None, incoming: str) -> str:
    """The incoming lead's name, cleaned; ShiftError when there is nothing to hand over or to whom."""
    if shift is None or not shift.is_open:
        raise ShiftError("no open shift to hand over")
    incoming = incoming.strip()
    if not incoming:
        raise ShiftError("the handover needs the incoming lead")
    if incoming == shift.lead:
        raise ShiftError("a lead cannot hand the shift over to themselves")
    return incoming


# ---- the shift log ------------------------------------------------------------------------------
class LogCategory(StrEnum):
    # written by the desk as things happen (derived from the records)
    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    NOTE = "note"
    ESCALATION = "escalation"
    ALARM = "alarm"  # raised, snoozed, withdrawn, the alarm test
    INCIDENT = "incident"  # resolved, false alarm, closed, reopened, merged, grievance steps
    FEED = "feed"  # outages, recoveries, gaps, stream resets
    SOUND = "sound"  # the speaker failed or works again
    CHECKIN = "checkin"  # the night check-in
    SHIFT = "shift"  # opened, handed over, report signed
    # written by a person
    CALL = "call"  # 来电
    VISIT = "visit"  # 来访
    PATROL = "patrol"  # 巡查
    INSTRUCTION = "instruction"  # 上级指示
    EQUIPMENT = "equipment"  # 设备
    CORRECTION = "correction"  # corrects an earlier entry
    OTHER = "other"


MANUAL_CATEGORIES: tuple[LogCategory, ...] = (
    LogCategory.CALL,
    LogCategory.VISIT,
    LogCategory.PATROL,
    LogCategory.INSTRUCTION,
    LogCategory.EQUIPMENT,
    LogCategory.CORRECTION,
    LogCategory.OTHER,
)


class LogSource(StrEnum):
    INCIDENT = "incident"  # the incident log
    DESK = "desk"  # the desk's own log (alarm tests, check-ins, the speaker)
    FEED = "feed"  # feed notices and outages
    MANUAL = "manual"  # a person's entry in the shift log
    SHIFT = "shift"  # the shift's own steps


@dataclass(frozen=True, slots=True)
class ShiftLogEntry:
    at: datetime
    category: LogCategory
    text: str
    by: str
    source: LogSource
    incident_id: int | None = None
    feed: str | None = None
    entry_id: int | None = None  # the shift log row (manual and shift entries)
    corrects: int | None = None  # the entry this one corrects
    action: str = ""  # what the source record calls it: acknowledge, alarm_sound_failed, gap, down, …


_INCIDENT_ACTIONS: dict[str, LogCategory] = {
    "acknowledge": LogCategory.ACKNOWLEDGE,
    "alarm_acknowledged": LogCategory.ACKNOWLEDGE,
    "sign": LogCategory.ACKNOWLEDGE,  # a grievance signed for (签收)
    "dispatch": LogCategory.DISPATCH,
    "assign": LogCategory.DISPATCH,
    "recall": LogCategory.DISPATCH,
    "task_recalled": LogCategory.DISPATCH,
    "task_on_scene": LogCategory.DISPATCH,
    "arrive": LogCategory.DISPATCH,
    "note": LogCategory.NOTE,
    "escalate": LogCategory.ESCALATION,
    "alarm_escalated": LogCategory.ESCALATION,
}


def incident_category(action: str) -> LogCategory:
    """The shift-log category of an incident-log action."""
    found = _INCIDENT_ACTIONS.get(action)
    if found is not None:
        return found
    if action.startswith("alarm_"):
        return LogCategory.ALARM
    if action.startswith("task_"):
        return LogCategory.DISPATCH
    return LogCategory.INCIDENT


def desk_category(kind: str) -> LogCategory:
    """The shift-log category of a desk-log entry (`alarm_sound_failed`, `alarm_checkin_done`, …)."""
    if kind.startswith(("alarm_sound_", "alarm_output_")):
        return LogCategory.SOUND
    if kind.startswith("alarm_checkin_"):
        return LogCategory.CHECKIN
    if kind.startswith("safe_zone_"):  # a safe zone drawn or removed on the map
        return LogCategory.OTHER
    return LogCategory.ALARM


def filter_log(
    entries: Iterable[ShiftLogEntry], categories: Iterable[LogCategory] | None = None, text: str = ""
) -> list[ShiftLogEntry]:
    """The entries of the given categories (all when None) whose text, author or incident matches."""
    wanted = None if categories is None else frozenset(categories)
    needle = text.strip().casefold()
    out = []
    for e in entries:
        if wanted is not None and e.category not in wanted:
            continue
        if needle:
            hay = " ".join(
                (e.text, e.by, e.feed or "", f"#{e.incident_id}" if e.incident_id is not None else "")
            )
            if needle not in hay.casefold():
                continue
        out.append(e)
    return out


# ---- statistics ---------------------------------------------------------------------------------
class Measure(StrEnum):
    """The response times of the report, each from the incident's opening."""

    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    ON_SCENE = "on_scene"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class Durations:
    count: int
    median: timedelta | None
    p90: timedelta | None
    worst: timedelta | None


def median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def nearest_rank(values: Sequence[timedelta], pct: float) -> timedelta | None:
    """The ⌈pct/100·n⌉-th smallest value (nearest-rank percentile)."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(s)))
    return s[rank - 1]


def summarise(values: Sequence[timedelta]) -> Durations:
    return Durations(len(values), median(values), nearest_rank(values, 90), max(values) if values else None)


def _measured(inc: Incident, on_scene_at: datetime | None) -> dict[Measure, datetime | None]:
    return {
        Measure.ACKNOWLEDGE: inc.acknowledged_at,
        Measure.DISPATCH: inc.dispatched_at,
        Measure.ON_SCENE: on_scene_at,
        Measure.RESOLVE: inc.resolved_at,
    }


def counted(inc: Incident) -> bool:
    """Whether an incident counts in the figures: one merged into another is a duplicate of it."""
    return inc.merged_into is None


def response_times(
    incidents: Iterable[Incident], on_scene: Mapping[int, datetime]
) -> dict[IncidentClass, dict[Measure, Durations]]:
    """Per class and measure: how long from the opening until it was done (those done only)."""
    raw: dict[IncidentClass, dict[Measure, list[timedelta]]] = {}
    for inc in incidents:
        if not counted(inc):
            continue
        per = raw.setdefault(inc.cls, {m: [] for m in Measure})
        for m, done in _measured(inc, on_scene.get(inc.id)).items():
            if done is not None:
                per[m].append(max(timedelta(0), done - inc.opened_at))
    return {
        cls: {m: summarise(v) for m, v in per.items()}
        for cls, per in sorted(raw.items(), key=lambda kv: list(IncidentClass).index(kv[0]))
    }


def done_times(inc: Incident) -> dict[Stage, datetime | None]:
    """When each SLA stage was done: a later step does the earlier ones (as the clocks count it)."""

    def earliest(*times: datetime | None) -> datetime | None:
        present = [t for t in times if t is not None]
        return min(present) if present else None

    return {
        Stage.ACKNOWLEDGE: earliest(inc.acknowledged_at, inc.dispatched_at, inc.resolved_at),
        Stage.DISPATCH: earliest(inc.dispatched_at, inc.resolved_at),
        Stage.RESOLVE: inc.resolved_at,
    }


@dataclass(frozen=True, slots=True)
class Compliance:
    """Of `counted` incidents of a class, `within` had the stage done within `limit` of the opening.

    Counted: those done, and those not done whose limit has passed (late for sure); those still
    within their limit are not counted yet. `band` is 1 for the target itself, 2 for twice it.
    """

    cls: IncidentClass
    stage: Stage
    limit: timedelta
    band: int
    counted: int
    within: int
    working_time: bool = False

    @property
    def share(self) -> float | None:
        return self.within / self.counted if self.counted else None


BANDS = (1, 2)


def compliance(incidents: Iterable[Incident], policy: SlaPolicy, now: datetime) -> list[Compliance]:
    """Shares within the SLA targets (and twice them), per class, stage and target."""
    tally: dict[tuple[IncidentClass, Stage, timedelta, int, bool], list[int]] = {}
    for inc in incidents:
        if not counted(inc):
            continue
        target = policy.target(inc.kind, inc.cls)
        done = done_times(inc)
        for stage in Stage:
            limit = target.limit(stage)
            if limit is None:
                continue
            for band in BANDS:
                due = deadline(inc.opened_at, limit * band, target, policy.hours)
                at = done[stage]
                if at is None and now <= due:
                    continue  # still running: neither in nor out yet
                key = (inc.cls, stage, limit, band, target.working_time)
                row = tally.setdefault(key, [0, 0])
                row[0] += 1
                if at is not None and at <= due:
                    row[1] += 1
    order = list(IncidentClass)
    stages = list(Stage)
    keys = sorted(tally, key=lambda k: (order.index(k[0]), stages.index(k[1]), k[2], k[3]))
    return [Compliance(k[0], k[1], k[2] * k[3], k[3], tally[k][0], tally[k][1], k[4]) for k in keys]


@dataclass(frozen=True, slots=True)
class BreachRow:
    incident: Incident
    breach: Breach


def breach_list(incidents: Iterable[Incident], policy: SlaPolicy, now: datetime) -> list[BreachRow]:
    """Every stage done late or still overdue at `now`, by incident opening then stage."""
    out = []
    for inc in sorted(incidents, key=lambda i: (i.opened_at, i.id)):
        if not counted(inc):
            continue
        for b in breaches(
            policy,
            inc.kind,
            inc.cls,
            inc.opened_at,
            inc.acknowledged_at,
            inc.dispatched_at,
            inc.resolved_at,
            now,
        ):
            out.append(BreachRow(inc, b))
    return out


class NextStep(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    AWAIT_ARRIVAL = "await_arrival"
    RESOLVE = "resolve"
    FOLLOW_ESCALATION = "follow_escalation"


@dataclass(frozen=True, slots=True)
class OpenItem:
    incident: Incident
    next_step: NextStep
    due_at: datetime | None  # when the running SLA stage is due (None: no target runs)
    overdue: bool


def next_step(inc: Incident, policy: SlaPolicy) -> NextStep:
    status = inc.status
    if status is Status.NEW:
        return NextStep.ACKNOWLEDGE
    if status is Status.ESCALATED:
        return NextStep.FOLLOW_ESCALATION
    if status is Status.DISPATCHED:
        return NextStep.AWAIT_ARRIVAL
    if status is Status.ACKNOWLEDGED and policy.target(inc.kind, inc.cls).dispatch is not None:
        return NextStep.DISPATCH
    return NextStep.RESOLVE


def open_items(incidents: Iterable[Incident], policy: SlaPolicy, now: datetime) -> list[OpenItem]:
    """The incidents still open at `now`, priority first then oldest, with the next step and due time."""
    out = []
    for inc in sorted((i for i in incidents if i.is_open), key=lambda i: (i.priority, i.opened_at, i.id)):
        target = policy.target(inc.kind, inc.cls)
        done = done_times(inc)
        due = None
        for stage in Stage:
            limit = target.limit(stage)
            if limit is not None and done[stage] is None:
                due = deadline(inc.opened_at, limit, target, policy.hours)
                break
        out.append(OpenItem(inc, next_step(inc, policy), due, due is not None and now > due))
    return out


@dataclass(frozen=True, slots=True)
class DeviceState:
    device: str
    elder: str | None
    status: str  # online, offline, not_worn, low_battery, charging
    battery: float | None  # 0–1
    at: datetime


LOW_BATTERY = 0.2
DEVICE_DOWN = frozenset({"offline", "not_worn"})


def device_problems(devices: Iterable[DeviceState]) -> list[DeviceState]:
    """Devices offline or not worn, then those low on battery (below 20 % or reporting so)."""

    def low(d: DeviceState) -> bool:
        if d.status == "charging":
            return False
        return d.status == "low_battery" or (d.battery is not None and d.battery < LOW_BATTERY)

    down = sorted((d for d in devices if d.status in DEVICE_DOWN), key=lambda d: (d.at, d.device))
    weak = sorted(
        (d for d in devices if d.status not in DEVICE_DOWN and low(d)),
        key=lambda d: (d.battery if d.battery is not None else 0.0, d.device),
    )
    return down + weak


@dataclass(frozen=True, slots=True)
class FeedChange:
    """A feed went down (`down`) or came back, or lost events (`gap`, with their count)."""

    feed: str
    at: datetime
    kind: str  # down | up | gap | stream_reset | …
    detail: str = ""
    count: int = 0


@dataclass(frozen=True, slots=True)
class Outage:
    feed: str
    started_at: datetime
    ended_at: datetime | None  # None: still down
    reason: str
    within: timedelta  # how much of it fell in the shift


def outages(changes: Iterable[FeedChange], start: datetime, end: datetime) -> list[Outage]:
    """The outages that overlap [start, end], each with the part of it inside the shift."""
    down: dict[str, FeedChange] = {}
    spans: list[tuple[FeedChange, datetime | None]] = []
    for c in sorted(changes, key=lambda c: c.at):
        if c.kind == "down" and c.feed not in down:
            down[c.feed] = c
        elif c.kind == "up" and c.feed in down:
            spans.append((down.pop(c.feed), c.at))
    spans.extend((c, None) for c in down.values())
    out = []
    for c, ended in spans:
        a, b = max(c.at, start), min(ended or end, end)
        if b <= a and not (ended is None and c.at <= end):
            continue
        out.append(Outage(c.feed, c.at, ended, c.detail, max(timedelta(0), b - a)))
    out.sort(key=lambda o: (o.started_at, o.feed))
    return out


def gaps(changes: Iterable[FeedChange], start: datetime, end: datetime) -> dict[str, int]:
    """Events lost per feed within [start, end)."""
    total: Counter[str] = Counter()
    for c in changes:
        if c.kind == "gap" and start <= c.at < end:
            total[c.feed] += c.count
    return dict(sorted(total.items()))


@dataclass(frozen=True, slots=True)
class Handled:
    """Who first handled an alarm (acknowledged, dispatched or closed it) and when."""

    incident_id: int
    by: str
    at: datetime


TEN_MINUTES = timedelta(minutes=10)
FLOOD_PER_OPERATOR = 10  # EEMUA 191: more than 10 new alarms in 10 minutes per operator


@dataclass(frozen=True, slots=True)
class OperatorLoad:
    operator: str
    handled: int
    per_10min: float
    peak_10min: int


@dataclass(frozen=True, slots=True)
class Flood:
    started_at: datetime
    ended_at: datetime
    alarms: int


@dataclass(frozen=True, slots=True)
class AlarmLoad:
    alarms: int
    per_10min: float
    peak_10min: int
    floods: list[Flood]
    operators: list[OperatorLoad]


def _bins(start: datetime, end: datetime) -> int:
    return max(1, math.ceil((end - start) / TEN_MINUTES))


def alarm_load(
    raised: Iterable[datetime], handled: Iterable[Handled], operators: int, start: datetime, end: datetime
) -> AlarmLoad:
    """Alarms per 10 minutes (bins from `start`), floods (merged runs of flooded bins), per operator."""
    n = _bins(start, end)

    def binned(times: Iterable[datetime]) -> list[int]:
        counts = [0] * n
        for t in times:
            if start <= t < end:
                counts[min(n - 1, int((t - start) / TEN_MINUTES))] += 1
        return counts

    counts = binned(raised)
    limit = FLOOD_PER_OPERATOR * max(1, operators)
    floods: list[Flood] = []
    for i, c in enumerate(counts):
        if c <= limit:
            continue
        at = start + i * TEN_MINUTES
        if floods and floods[-1].ended_at == at:
            last = floods[-1]
            floods[-1] = Flood(last.started_at, at + TEN_MINUTES, last.alarms + c)
        else:
            floods.append(Flood(at, at + TEN_MINUTES, c))
    by_operator: dict[str, list[datetime]] = {}
    for h in handled:
        by_operator.setdefault(h.by, []).append(h.at)
    loads = []
    for who, times in by_operator.items():
        bins = binned(times)
        total = sum(bins)
        if total:
            loads.append(OperatorLoad(who, total, total / n, max(bins)))
    loads.sort(key=lambda o: (-o.handled, o.operator))
    total = sum(counts)
    return AlarmLoad(total, total / n, max(counts), floods, loads)


def per_hour(opened: Iterable[datetime], start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """Incidents opened per clock hour, from the hour `start` falls in to the one before `end`."""
    first = start.replace(minute=0, second=0, microsecond=0)
    hours = max(1, math.ceil((end - first) / timedelta(hours=1)))
    counts = [0] * hours
    for t in opened:
        if start <= t < end:
            counts[int((t - first) / timedelta(hours=1))] += 1
    return [(first + timedelta(hours=i), c) for i, c in enumerate(counts)]


#: response-time distribution bins (seconds): the chart of the report
DISTRIBUTION_EDGES: tuple[float, ...] = (0, 10, 20, 30, 45, 60, 120, 300, 900, math.inf)


def histogram(values: Iterable[timedelta], edges: Sequence[float] = DISTRIBUTION_EDGES) -> list[int]:
    """How many values fall in each [edges[i], edges[i+1]) seconds."""
    counts = [0] * (len(edges) - 1)
    for v in values:
        s = v.total_seconds()
        for i in range(len(edges) - 1):
            if edges[i] <= s < edges[i + 1]:
                counts[i] += 1
                break
    return counts


# ---- the report ---------------------------------------------------------------------------------
ALARM_CLASSES = frozenset({IncidentClass.EMERGENCY, IncidentClass.SECURITY, IncidentClass.WELFARE})


@dataclass(frozen=True, slots=True)
class ReportInput:
    """What the store reads for a report of [start, end)."""

    shift: Shift
    start: datetime
    end: datetime
    incidents: list[Incident]  # opened within [start, end)
    open_now: list[Incident]  # every incident open at `end`, whenever it opened
    on_scene: dict[int, datetime]  # incident id → when its first task was on scene
    handled: list[Handled]
    devices: list[DeviceState]
    feed_changes: list[FeedChange]
    log: list[ShiftLogEntry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ShiftReport:
    shift: Shift
    start: datetime
    end: datetime
    total: int
    repeats: int  # events that joined an incident beyond its first
    by_kind: list[tuple[str, int]]
    by_priority: list[tuple[Priority, int]]
    by_class: list[tuple[IncidentClass, int]]
    responses: dict[IncidentClass, dict[Measure, Durations]]
    compliance: list[Compliance]
    breaches: list[BreachRow]
    open_items: list[OpenItem]
    devices: list[DeviceState]
    outages: list[Outage]
    gaps: dict[str, int]
    load: AlarmLoad
    per_hour: list[tuple[datetime, int]]
    ack_distribution: dict[IncidentClass, list[int]]
    log: list[ShiftLogEntry]


def build_report(data: ReportInput, policy: SlaPolicy) -> ShiftReport:
    incs = [i for i in data.incidents if counted(i)]
    kinds = Counter(i.kind for i in incs)
    prios = Counter(i.priority for i in incs)
    classes = Counter(i.cls for i in incs)
    ack: dict[IncidentClass, list[timedelta]] = {}
    for i in incs:
        if i.acknowledged_at is not None:
            ack.setdefault(i.cls, []).append(max(timedelta(0), i.acknowledged_at - i.opened_at))
    alarm_times = [i.opened_at for i in incs if i.cls in ALARM_CLASSES]
    alarm_ids = {i.id for i in incs if i.cls in ALARM_CLASSES}
    return ShiftReport(
        shift=data.shift,
        start=data.start,
        end=data.end,
        total=len(incs),
        repeats=sum(i.count - 1 for i in incs),
        by_kind=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        by_priority=sorted(prios.items()),
        by_class=[(c, classes[c]) for c in IncidentClass if classes[c]],
        responses=response_times(incs, data.on_scene),
        compliance=compliance(incs, policy, data.end),
        breaches=breach_list(incs, policy, data.end),
        open_items=open_items(data.open_now, policy, data.end),
        devices=device_problems(data.devices),
        outages=outages(data.feed_changes, data.start, data.end),
        gaps=gaps(data.feed_changes, data.start, data.end),
        load=alarm_load(
            alarm_times,
            [h for h in data.handled if h.incident_id in alarm_ids],
            len(data.shift.operators),
            data.start,
            data.end,
        ),
        per_hour=per_hour((i.opened_at for i in incs), data.start, data.end),
        ack_distribution={c: histogram(v) for c, v in sorted(ack.items(), key=lambda kv: kv[0].value)},
        log=list(data.log),
    )


def _secs(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def summary(report: ShiftReport) -> dict[str, Any]:
    """The figures the managers' review compares across shifts (JSON-ready, stable keys)."""
    return {
        "shift": report.shift.id,
        "lead": report.shift.lead,
        "handed_to": report.shift.handed_to,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "total": report.total,
        "by_priority": {f"P{int(p)}": n for p, n in report.by_priority},
        "by_class": {c.value: n for c, n in report.by_class},
        "by_kind": dict(report.by_kind),
        "responses": {
            c.value: {
                m.value: {
                    "n": d.count,
                    "median": _secs(d.median),
                    "p90": _secs(d.p90),
                    "worst": _secs(d.worst),
                }
                for m, d in per.items()
            }
            for c, per in report.responses.items()
        },
        "compliance": [
            {
                "class": c.cls.value,
                "stage": c.stage.value,
                "limit_s": c.limit.total_seconds(),
                "band": c.band,
                "counted": c.counted,
                "within": c.within,
            }
            for c in report.compliance
        ],
        "breaches": len(report.breaches),
        "open": len(report.open_items),
        "devices": len(report.devices),
        "outages": len(report.outages),
        "gaps": sum(report.gaps.values()),
        "alarms": report.load.alarms,
        "floods": len(report.load.floods),
    }


# ---- signatures and tampering -------------------------------------------------------------------
def canonical(data: Mapping[str, Any]) -> str:
    """JSON with sorted keys and no spaces: the same figures always give the same text (and hash)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: str, summary_json: str) -> str:
    return hashlib.sha256(content.encode() + b"\x00" + summary_json.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedReport:
    """A stored report with its signatures, as the store holds it."""

    id: int
    shift_id: int
    kind: str
    created_at: datetime
    created_by: str
    period_from: datetime
    period_to: datetime
    content: str
    summary: str
    content_hash: str
    signed_out_by: str | None = None
    signed_out_at: datetime | None = None
    signed_in_by: str | None = None
    signed_in_at: datetime | None = None
    open_items_confirmed: bool | None = None
    prev_seal: str | None = None
    seal: str | None = None

    @property
    def sealed(self) -> bool:
        return self.seal is not None


def seal_of(
    prev_seal: str | None,
    digest: str,
    signed_out_by: str,
    signed_out_at: datetime,
    signed_in_by: str,
    signed_in_at: datetime,
    confirmed: bool,
) -> str:
    """The seal over the content's hash and both signatures, chained to the previous sealed report."""
    parts = [
        prev_seal or "",
        digest,
        signed_out_by,
        signed_out_at.isoformat(),
        signed_in_by,
        signed_in_at.isoformat(),
        "1" if confirmed else "0",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def tampering(report: SignedReport, expected_prev_seal: str | None = None) -> list[str]:
    """What no longer matches in a stored report (empty when intact); `expected_prev_seal` is the seal
    of the sealed report before it, when known. Messages are for the log; the views say it in words."""
    found = []
    if content_hash(report.content, report.summary) != report.content_hash:
        found.append("content")
    if report.seal is not None:
        if (
            report.signed_out_by is None
            or report.signed_out_at is None
            or report.signed_in_by is None
            or report.signed_in_at is None
        ):
            found.append("signatures")
        else:
            expected = seal_of(
                report.prev_seal,
                content_hash(report.content, report.summary),
                report.signed_out_by,
                report.signed_out_at,
                report.signed_in_by,
                report.signed_in_at,
                bool(report.open_items_confirmed),
            )
            if expected != report.seal:
                found.append("seal")
        if expected_prev_seal is not None and report.prev_seal != expected_prev_seal:
            found.append("chain")
    return found


# ---- charts (what to draw; widgets/ draws it) -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A bar chart of named series over labelled categories; `mark` draws a vertical line at index x."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    y_title: str = ""
    x_title: str = ""
    mark: tuple[float, str] | None = None
    width: int = 1280
    height: int = 460
