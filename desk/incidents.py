"""Incidents: which events need a person, at what priority, how repeats join, and the lifecycle.

Pure rules; the store in `services/` carries them out inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from desk.events import EventType, ValidEvent

if TYPE_CHECKING:  # desk.grievances builds on this module
    from desk.grievances import GrievanceCase


class Priority(IntEnum):
    """P1 is life and fire; P4 the ordinary grievance."""

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4


class IncidentClass(StrEnum):
    """The family an incident belongs to (sounds, SLA policy and filters follow it)."""

    EMERGENCY = "emergency"  # fall, SOS, fire, smoke, gas, elevator entrapment
    SECURITY = "security"  # forced door, watch lists, intrusion
    WELFARE = "welfare"  # device health, held doors, leaks, tampering, cameras
    GRIEVANCE = "grievance"


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"
    CLOSED = "closed"


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.DISPATCHED, Status.ON_SCENE, Status.ESCALATED}
)


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    ARRIVE = "arrive"
    RECALL = "recall"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    FALSE_ALARM = "false_alarm"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"  # this incident joins another one and closes


class Outcome(StrEnum):
    HELPED_ON_SITE = "helped_on_site"
    HOSPITAL_120 = "hospital_120"
    FALSE_ALARM = "false_alarm"
    DEVICE_FAULT = "device_fault"
    COULD_NOT_REACH = "could_not_reach"
    HANDLED = "handled"
    REFERRED = "referred"
    MERGED = "merged"


_ACTIVE = {Status.NEW, Status.ACKNOWLEDGED, Status.DISPATCHED, Status.ON_SCENE, Status.ESCALATED}
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.ACKNOWLEDGE: (frozenset({Status.NEW, Status.ESCALATED}), Status.ACKNOWLEDGED),
    Action.DISPATCH: (
        frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.ESCALATED, Status.DISPATCHED}),
        Status.DISPATCHED,
    ),
    Action.ARRIVE: (frozenset({Status.DISPATCHED}), Status.ON_SCENE),
    Action.RECALL: (frozenset({Status.DISPATCHED, Status.ON_SCENE}), Status.ACKNOWLEDGED),
    Action.ESCALATE: (
        frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.DISPATCHED, Status.ON_SCENE}),
        Status.ESCALATED,
    ),
    Action.RESOLVE: (
        frozenset({Status.ACKNOWLEDGED, Status.DISPATCHED, Status.ON_SCENE, Status.ESCALATED}),
        Status.RESOLVED,
    ),
    Action.FALSE_ALARM: (frozenset(_ACTIVE), Status.FALSE_ALARM),
    Action.CLOSE: (frozenset({Status.RESOLVED, Status.FALSE_ALARM}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.RESOLVED, Status.FALSE_ALARM, Status.CLOSED}), Status.ACKNOWLEDGED),
    Action.MERGE: (frozenset(_ACTIVE | {Status.RESOLVED}), Status.CLOSED),
}


class IllegalTransition(ValueError):
    """A move the lifecycle does not allow; the message says why, for the operator."""


def next_status(current: Status, action: Action, outcome: Outcome | None = None) -> Status:
    """The status after `action`, or IllegalTransition with a clear message."""
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise IllegalTransition(
            f"cannot {action.value} an incident that is {current.value} (only when: {names})"
        )
    if action is Action.RESOLVE and outcome is None:
        raise IllegalTransition("resolving needs an outcome")
    return target


@dataclass(frozen=True, slots=True)
class Signal:
    """What one event means for the incident queue."""

    key: str  # repeats of the same thing share it
    kind: str  # fall, sos, smoke, door_forced, device_offline, grievance, …
    cls: IncidentClass
    priority: Priority
    title: str
    place: str | None
    subject: str | None  # elder ref, device or reporter
    window: timedelta  # a repeat within it joins the open incident
    clears: bool = False  # the source says the condition is over


ALARM_PRIORITY: dict[str, tuple[Priority, IncidentClass]] = {
    "fire": (Priority.P1, IncidentClass.EMERGENCY),
    "smoke": (Priority.P1, IncidentClass.EMERGENCY),
    "gas": (Priority.P1, IncidentClass.EMERGENCY),
    "elevator_entrapment": (Priority.P1, IncidentClass.EMERGENCY),
    "door_forced": (Priority.P2, IncidentClass.SECURITY),
    "face_watchlist": (Priority.P2, IncidentClass.SECURITY),
    "vehicle_watchlist": (Priority.P2, IncidentClass.SECURITY),
    "intrusion": (Priority.P2, IncidentClass.SECURITY),
    "door_held": (Priority.P3, IncidentClass.WELFARE),
    "water_leak": (Priority.P3, IncidentClass.WELFARE),
    "tamper": (Priority.P3, IncidentClass.WELFARE),
    "camera_offline": (Priority.P3, IncidentClass.WELFARE),
    "other": (Priority.P3, IncidentClass.WELFARE),
}
ALARM_TITLES = {
    "fire": "火警",
    "smoke": "烟感报警",
    "gas": "燃气泄漏报警",
    "elevator_entrapment": "电梯困人",
    "door_forced": "门禁被强行打开",
    "face_watchlist": "人脸布控告警",
    "vehicle_watchlist": "车辆布控告警",
    "intrusion": "周界入侵",
    "door_held": "门长时间未关",
    "water_leak": "漏水报警",
    "tamper": "设备被拆报警",
    "camera_offline": "摄像头离线",
    "other": "其他告警",
}
GRIEVANCE_PRIORITY: dict[str, Priority] = {
    "safety": Priority.P3,
    "elderly_care": Priority.P3,
    "repairs": Priority.P4,
    "noise": Priority.P4,
    "sanitation": Priority.P4,
    "animals": Priority.P4,
    "parking": Priority.P4,
    "neighbours": Priority.P4,
    "other": Priority.P4,
}
GRIEVANCE_TITLES = {
    "noise": "噪音投诉",
    "sanitation": "环境卫生",
    "animals": "动物扰民",
    "parking": "停车问题",
    "repairs": "报修",
    "safety": "安全隐患",
    "neighbours": "邻里纠纷",
    "elderly_care": "养老服务",
    "other": "其他诉求",
}
DEVICE_TITLES = {"offline": "手环离线", "not_worn": "手环未佩戴", "low_battery": "手环电量低"}
# the device status that ends each device condition
DEVICE_CLEARED_BY = {"online": ("offline", "not_worn"), "charging": ("low_battery",)}

EMERGENCY_WINDOW = timedelta(minutes=10)
ALARM_WINDOW = timedelta(minutes=30)
DEVICE_WINDOW = timedelta(hours=12)
GRIEVANCE_WINDOW = timedelta(days=7)


def _place(event: ValidEvent) -> str | None:
    return event.location.place if event.location is not None else None


def signal_of(event: ValidEvent) -> list[Signal]:
    """The incident signals an event carries (none for positions, profiles, tasks)."""
    t = event.type
    if t in (EventType.FALL, EventType.SOS):
        elder = event.text("elder") or "?"
        title = "跌倒报警" if t is EventType.FALL else "SOS 紧急呼叫"
        return [
            Signal(
                f"{t.value}:{elder}",
                t.value,
                IncidentClass.EMERGENCY,
                Priority.P1,
                title,
                _place(event),
                elder,
                EMERGENCY_WINDOW,
            )
        ]
    if t is EventType.ALARM:
        kind = event.text("kind") or "other"
        prio, cls = ALARM_PRIORITY[kind]
        if event.text("severity") == "critical" and prio > Priority.P2 and cls is not IncidentClass.EMERGENCY:
            prio = Priority.P2
        where = event.text("device") or event.text("site") or "?"
        site = event.text("site")
        return [
            Signal(
                f"alarm:{kind}:{where}",
                kind,
                cls,
                prio,
                f"{ALARM_TITLES[kind]}：{site}",
                site or _place(event),
                event.text("device"),
                ALARM_WINDOW,
                clears=event.text("state") == "cleared",
            )
        ]
    if t is EventType.DEVICE:
        status = event.text("status") or ""
        device = event.text("device") or "?"
        if status in DEVICE_TITLES:
            return [
                Signal(
                    f"device:{status}:{device}",
                    f"device_{status}",
                    IncidentClass.WELFARE,
                    Priority.P3,
                    DEVICE_TITLES[status],
                    _place(event),
                    event.text("elder") or device,
                    DEVICE_WINDOW,
                )
            ]
        return [
            Signal(
                f"device:{ended}:{device}",
                f"device_{ended}",
                IncidentClass.WELFARE,
                Priority.P3,
                DEVICE_TITLES[ended],
                _place(event),
                event.text("elder") or device,
                DEVICE_WINDOW,
                clears=True,
            )
            for ended in DEVICE_CLEARED_BY.get(status, ())
        ]
    if t is EventType.GRIEVANCE:
        category = event.text("category") or "other"
        reporter = event.data.get("reporter")
        address = reporter.get("address") if isinstance(reporter, dict) else None
        place = _place(event) or (address if isinstance(address, str) else None)
        # the same complaint about the same place joins one case; without a place nothing can join
        key = f"grievance:{category}:{place}" if place else f"grievance:{event.id}"
        title = event.text("title") or GRIEVANCE_TITLES[category]
        return [
            Signal(
                key,
                "grievance",
                IncidentClass.GRIEVANCE,
                GRIEVANCE_PRIORITY[category],
                title,
                place,
                event.text("channel"),
                GRIEVANCE_WINDOW,
            )
        ]
    return []


@dataclass(slots=True)
class Incident:
    id: int
    key: str
    kind: str
    cls: IncidentClass
    priority: Priority
    status: Status
    title: str
    place: str | None
    subject: str | None
    opened_at: datetime
    last_event_at: datetime
    count: int = 1
    cleared_at: datetime | None = None
    outcome: Outcome | None = None
    lat: float | None = None
    lon: float | None = None
    event_ids: list[str] = field(default_factory=list)
    acknowledged_at: datetime | None = None
    dispatched_at: datetime | None = None
    resolved_at: datetime | None = None
    merged_into: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def joins(incident: Incident, signal: Signal, when: datetime) -> bool:
    """Whether an event at `when` is a repeat of the open `incident` rather than a new one."""
    if not incident.is_open or incident.key != signal.key:
        return False
    if signal.clears:
        return True
    return when - incident.last_event_at <= signal.window


class TaskStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    COMPLETED = "completed"
    UNABLE = "unable"
    RECALLED = "recalled"


TASK_FINAL = frozenset({TaskStatus.DECLINED, TaskStatus.COMPLETED, TaskStatus.UNABLE, TaskStatus.RECALLED})
_TASK_ORDER = [
    TaskStatus.SENT,
    TaskStatus.ACCEPTED,
    TaskStatus.EN_ROUTE,
    TaskStatus.ON_SCENE,
    TaskStatus.COMPLETED,
]


def task_moves(current: TaskStatus, update: TaskStatus) -> bool:
    """Whether a field update moves a task: never out of a final state, never backwards."""
    if current in TASK_FINAL:
        return False
    if update in TASK_FINAL:
        return True
    return _TASK_ORDER.index(update) > _TASK_ORDER.index(current)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the dispatch queue: the incident with who it is assigned to and whom it concerns."""

    incident: Incident
    subject_name: str | None = None  # the elder's or reporter's name, unmasked (the view masks it)
    task_ref: str | None = None  # the newest task that is still running, if any
    task_status: TaskStatus | None = None
    assignee: str | None = None
    assignee_name: str | None = None
    task_sent_at: datetime | None = None
    task_accepted_at: datetime | None = None
    case: GrievanceCase | None = None  # a grievance's case (status, category, clocks); None otherwise
