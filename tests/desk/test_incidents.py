"""Which events become incidents, at what priority; repeats; the lifecycle's legal and illegal moves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.events import ValidEvent, validate
from desk.incidents import (
    Action,
    IllegalTransition,
    Incident,
    IncidentClass,
    Outcome,
    Priority,
    Status,
    TaskStatus,
    joins,
    next_status,
    signal_of,
    task_moves,
)
from tests.support.events import alarm, examples, fall


def valid(obj: dict) -> ValidEvent:
    result = validate(obj)
    assert isinstance(result, ValidEvent), result
    return result


@pytest.mark.parametrize(
    ("kind", "priority", "cls"),
    [
        ("fire", Priority.P1, IncidentClass.EMERGENCY),
        ("smoke", Priority.P1, IncidentClass.EMERGENCY),
        ("gas", Priority.P1, IncidentClass.EMERGENCY),
        ("elevator_entrapment", Priority.P1, IncidentClass.EMERGENCY),
        ("door_forced", Priority.P2, IncidentClass.SECURITY),
        ("face_watchlist", Priority.P2, IncidentClass.SECURITY),
        ("vehicle_watchlist", Priority.P2, IncidentClass.SECURITY),
        ("intrusion", Priority.P2, IncidentClass.SECURITY),
        ("door_held", Priority.P2, IncidentClass.WELFARE),  # critical severity lifts welfare to P2
        ("water_leak", Priority.P2, IncidentClass.WELFARE),
    ],
)
def test_alarm_priorities(kind: str, priority: Priority, cls: IncidentClass) -> None:
    (sig,) = signal_of(valid(alarm(1, kind=kind)))
    assert (sig.priority, sig.cls) == (priority, cls)


def test_welfare_alarm_without_severity_is_p3() -> None:
    event = alarm(1, kind="camera_offline")
    del event["severity"]
    (sig,) = signal_of(valid(event))
    assert sig.priority is Priority.P3


def test_fall_and_sos_are_p1_keyed_by_elder() -> None:
    (f,) = signal_of(valid(fall(1, elder="E-0042")))
    assert f.priority is Priority.P1 and f.key == "fall:E-0042" and f.subject == "E-0042"
    sos = next(e for e in examples("valid") if e["type"] == "sos")
    (s,) = signal_of(valid(sos))
    assert s.priority is Priority.P1 and s.kind == "sos"


def test_device_health_is_welfare_and_online_clears() -> None:
    base = {
        "id": "d1",
        "type": "device",
        "source": "x",
        "time": "2026-12-04T04:00:00+08:00",
        "device": "FD-1",
        "elder": "E-1",
    }
    (low,) = signal_of(valid({**base, "status": "low_battery", "battery": 0.05}))
    assert low.cls is IncidentClass.WELFARE and low.priority is Priority.P3 and not low.clears
    cleared = signal_of(valid({**base, "status": "online"}))
    assert {c.kind for c in cleared} == {"device_offline", "device_not_worn"} and all(
        c.clears for c in cleared
    )


def test_positions_profiles_tasks_raise_nothing() -> None:
    for event in examples("valid"):
        if event["type"] in ("position", "profile", "task"):
            assert signal_of(valid(event)) == []


def test_grievances_by_category_and_place() -> None:
    pigeons = next(e for e in examples("valid") if e.get("category") == "animals")
    (sig,) = signal_of(valid(pigeons))
    assert sig.cls is IncidentClass.GRIEVANCE and sig.priority is Priority.P4
    assert sig.key == "grievance:animals:居南小区 7栋"  # the reporter's address is the place
    again = {**pigeons, "id": "wx:again", "text": "鸽子又来了"}
    (sig2,) = signal_of(valid(again))
    assert sig2.key == sig.key


def _incident(sig_event: dict) -> Incident:
    ev = valid(sig_event)
    (sig,) = signal_of(ev)
    return Incident(
        1,
        sig.key,
        sig.kind,
        sig.cls,
        sig.priority,
        Status.NEW,
        sig.title,
        sig.place,
        sig.subject,
        ev.time,
        ev.time,
    )


def test_repeat_within_window_joins_outside_does_not() -> None:
    inc = _incident(fall(1, minute=0))
    (sig,) = signal_of(valid(fall(2, minute=5)))
    assert joins(inc, sig, inc.last_event_at + timedelta(minutes=5))
    assert not joins(inc, sig, inc.last_event_at + timedelta(minutes=11))
    (other,) = signal_of(valid(fall(3, elder="E-9999")))
    assert not joins(inc, other, inc.last_event_at)
    inc.status = Status.CLOSED
    assert not joins(inc, sig, inc.last_event_at)


def test_lifecycle_happy_path() -> None:
    s = Status.NEW
    for action in (Action.ACKNOWLEDGE, Action.DISPATCH, Action.ARRIVE):
        s = next_status(s, action)
    s = next_status(s, Action.RESOLVE, Outcome.HOSPITAL_120)
    assert s is Status.RESOLVED
    assert next_status(s, Action.CLOSE) is Status.CLOSED
    assert next_status(Status.CLOSED, Action.REOPEN) is Status.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.NEW, Action.CLOSE, "cannot close an incident that is new"),
        (Status.CLOSED, Action.ACKNOWLEDGE, "cannot acknowledge an incident that is closed"),
        (Status.NEW, Action.ARRIVE, "cannot arrive an incident that is new"),
        (Status.RESOLVED, Action.DISPATCH, "cannot dispatch an incident that is resolved"),
        (Status.FALSE_ALARM, Action.ESCALATE, "cannot escalate"),
    ],
)
def test_illegal_moves_are_refused_with_a_message(status: Status, action: Action, message: str) -> None:
    with pytest.raises(IllegalTransition, match=message):
        next_status(status, action)


def test_resolve_needs_an_outcome() -> None:
    with pytest.raises(IllegalTransition, match="needs an outcome"):
        next_status(Status.ACKNOWLEDGED, Action.RESOLVE)


def test_escalated_and_false_alarm() -> None:
    assert next_status(Status.NEW, Action.ESCALATE) is Status.ESCALATED
    assert next_status(Status.ESCALATED, Action.ACKNOWLEDGE) is Status.ACKNOWLEDGED
    assert next_status(Status.DISPATCHED, Action.FALSE_ALARM) is Status.FALSE_ALARM


def test_task_updates_never_go_backwards_or_leave_a_final_state() -> None:
    assert task_moves(TaskStatus.SENT, TaskStatus.ACCEPTED)
    assert task_moves(TaskStatus.ACCEPTED, TaskStatus.ON_SCENE)
    assert not task_moves(TaskStatus.ON_SCENE, TaskStatus.EN_ROUTE)
    assert not task_moves(TaskStatus.COMPLETED, TaskStatus.ACCEPTED)
    assert task_moves(TaskStatus.EN_ROUTE, TaskStatus.UNABLE)
