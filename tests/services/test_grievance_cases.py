"""The grievance case through the running desk: a writer process on a real SQLite file and the simulator
on loopback (which takes `dispatch` and `reply`): sign, assign, reply, outcome, call-back, close."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from desk.auth import Role
from desk.grievances import CallbackResult, GrievanceStatus
from desk.incidents import Action, IllegalTransition, Outcome, Priority, Status
from services.runtime import DeskRuntime
from services.simulator import SimulatorServer
from services.store import CASE_WRITES
from services.writer import WRITES
from tests.support.events import fall
from tests.support.runtime import live_runtime, until
from tests.support.users import sign_in

pytestmark = pytest.mark.asyncio
#: the case's own steps run once the writer lists them (services/writer.py is not this feature's file)
needs_case_writes = pytest.mark.skipif(
    not CASE_WRITES <= WRITES, reason="services/writer.py WRITES does not list services.store.CASE_WRITES yet"
)

PLACE = "居南小区 7栋"


def grievance(n: int, *, category: str = "animals", place: str = PLACE) -> dict[str, Any]:
    return {
        "id": f"wx:case-{n}",
        "type": "grievance",
        "source": "wechat-oa",
        "time": f"2026-12-03T22:{n:02d}:00+08:00",
        "channel": "wechat",
        "category": category,
        "title": "楼顶养鸽子",
        "text": "邻居在房顶养了一百多只鸽子，噪音和气味影响休息。",
        "reporter": {"name": "李女士", "phone": "13855123456"},
        "location": {"lat": 31.8605, "lon": 117.262, "place": place},
    }


@pytest_asyncio.fixture
async def desk(tmp_path: Path) -> AsyncIterator[tuple[DeskRuntime, SimulatorServer]]:
    async with live_runtime(tmp_path) as running:
        yield running


async def open_incident(runtime: DeskRuntime, sim: SimulatorServer, event: dict[str, Any]) -> int:
    sim.inject(event)
    found: list[int] = []

    def check() -> bool:
        found[:] = [i.id for i in runtime.store.incidents() if event["id"] in i.event_ids]
        return bool(found)

    await until(check)
    return found[0]


def case_log(runtime: DeskRuntime, incident_id: int) -> list[tuple[str, str | None, str | None, str]]:
    """The record's rows as (action, from, to, by)."""
    return [
        (r["action"], r["from_status"], r["to_status"], r["by"])
        for r in runtime.store.incident_log(incident_id)
    ]


@needs_case_writes
async def test_a_case_from_signing_to_closing_after_the_call_back(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, grievance(1))
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.RECEIVED
    assert case.category == case.original_category == "animals"

    with pytest.raises(IllegalTransition, match="cannot close this grievance: it is not even signed for yet"):
        await runtime.act(inc_id, Action.CLOSE, "lead")
    inc = await runtime.act(inc_id, Action.ACKNOWLEDGE, "lead")  # sign = acknowledge
    assert inc.status is Status.ACKNOWLEDGED
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.SIGNED
    assert case.signed_by == "lead" and case.signed_at == inc.acknowledged_at

    result = await runtime.dispatch(inc_id, "S-003", "请上门协调鸽子问题", "lead")  # assign = dispatch
    assert result.ok
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.ASSIGNED and case.assigned_by == "lead"
    (stored,) = await runtime.incidents_by_id([inc_id])
    assert stored.status in (Status.DISPATCHED, Status.ON_SCENE) and stored.is_open

    with pytest.raises(IllegalTransition, match="the resident has not been answered"):
        await runtime.close_grievance(inc_id, "lead")
    with pytest.raises(IllegalTransition, match="cannot record the outcome of a grievance that is assigned"):
        await runtime.record_grievance_outcome(inc_id, "已协调", "lead")
    with pytest.raises(IllegalTransition, match="not resolved like an alarm"):
        await runtime.act(inc_id, Action.RESOLVE, "lead", outcome=Outcome.HANDLED)

    assert (await runtime.reply(inc_id, "您好，网格员已上门协调。", "lead")).ok
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.REPLIED and case.replied_at is not None
    first_reply = case.replied_at
    with pytest.raises(IllegalTransition, match="outcome needs some text"):
        await runtime.record_grievance_outcome(inc_id, "  ", "lead")
    case = await runtime.record_grievance_outcome(inc_id, "鸽舍已拆除一半，约定月底前全部拆除", "lead")
    assert case.status is GrievanceStatus.OUTCOME_RECORDED
    with pytest.raises(IllegalTransition, match="the resident has not been called back"):
        await runtime.act(inc_id, Action.CLOSE, "lead")

    # the resident is not satisfied: back to the assignee, answered again, called back again
    case = await runtime.record_callback(inc_id, CallbackResult.UNSATISFIED, "lead", "仍有气味")
    assert case.status is GrievanceStatus.ASSIGNED and case.callback is CallbackResult.UNSATISFIED
    assert (await runtime.reply(inc_id, "已再次协调，本周内全部拆除。", "lead")).ok
    await runtime.record_grievance_outcome(inc_id, "鸽舍已全部拆除", "lead")
    await sign_in(runtime, "lead-wang", Role.LEAD)  # another lead makes the call-back at this desk
    case = await runtime.record_callback(inc_id, CallbackResult.SATISFIED, "lead-wang")
    assert case.status is GrievanceStatus.CALLBACK_DONE and case.callback_by == "lead-wang"
    await sign_in(runtime, "lead", Role.LEAD)

    case = await runtime.close_grievance(inc_id, "lead")
    assert case.status is GrievanceStatus.CLOSED and case.closed_by == "lead"
    assert case.replied_at == first_reply, "the answer clock stopped at the first answer"
    assert case.outcome == "鸽舍已全部拆除"
    (closed,) = await runtime.incidents_by_id([inc_id])
    assert closed.status is Status.CLOSED and closed.outcome is Outcome.HANDLED
    assert inc_id not in {i.incident.id for i in await runtime.queue_items()}

    steps = [row for row in case_log(runtime, inc_id) if row[1] in {s.value for s in GrievanceStatus}]
    assert [(a, src, dst) for a, src, dst, _ in steps] == [
        ("case_sign", "received", "signed"),
        ("case_assign", "signed", "assigned"),
        ("reply", "assigned", "replied"),
        ("record_outcome", "replied", "outcome_recorded"),
        ("callback", "outcome_recorded", "assigned"),
        ("reply", "assigned", "replied"),
        ("record_outcome", "replied", "outcome_recorded"),
        ("callback", "outcome_recorded", "callback_done"),
        ("case_close", "callback_done", "closed"),
    ]
    notes = {r["action"]: r["note"] for r in runtime.store.incident_log(inc_id)}
    assert notes["callback"] == "satisfied" and notes["record_outcome"] == "鸽舍已全部拆除"

    # the resident comes back: the case reopens with its assignee and needs a new call-back to close
    await runtime.act(inc_id, Action.REOPEN, "lead")
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.ASSIGNED and case.callback is None
    (reopened,) = await runtime.incidents_by_id([inc_id])
    assert reopened.is_open
    with pytest.raises(IllegalTransition, match="cannot close this grievance"):
        await runtime.act(inc_id, Action.CLOSE, "lead")


@needs_case_writes
async def test_categorising_keeps_the_original_and_moves_the_priority(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, grievance(2, category="animals"))
    (inc,) = await runtime.incidents_by_id([inc_id])
    assert inc.priority is Priority.P4
    case = await runtime.categorise_grievance(inc_id, "safety", "lead")
    assert (case.category, case.original_category, case.categorised_by) == ("safety", "animals", "lead")
    assert case.status is GrievanceStatus.RECEIVED
    (inc,) = await runtime.incidents_by_id([inc_id])
    assert inc.priority is Priority.P3
    (item,) = await runtime.queue_items([inc_id])
    assert item.case is not None and item.case.category == "safety"
    log = runtime.store.incident_log(inc_id)
    assert (log[-1]["action"], log[-1]["note"], log[-1]["by"]) == ("categorise", "animals → safety", "lead")
    with pytest.raises(IllegalTransition, match="unknown grievance category 'pigeons'"):
        await runtime.categorise_grievance(inc_id, "pigeons", "lead")
    # the same category again changes nothing
    await runtime.categorise_grievance(inc_id, "safety", "lead")
    assert len(runtime.store.incident_log(inc_id)) == len(log)


async def test_the_same_complaint_about_the_same_place_joins_one_case(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    first = await open_incident(runtime, sim, grievance(3))
    await runtime.act(first, Action.ACKNOWLEDGE, "lead")
    again = await open_incident(runtime, sim, grievance(4))  # the neighbour's pigeons, again
    assert again == first
    other = await open_incident(runtime, sim, grievance(5, category="noise"))
    assert other != first
    items = {i.incident.id: i for i in await runtime.queue_items()}
    assert items[first].incident.count == 2
    assert items[first].case is not None and items[first].case.status is GrievanceStatus.SIGNED
    assert items[other].case is not None and items[other].case.status is GrievanceStatus.RECEIVED


@needs_case_writes
async def test_a_reply_before_assignment_is_kept_but_does_not_answer_the_case(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, grievance(6))
    assert (await runtime.reply(inc_id, "已收到，正在安排。", "lead")).ok
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.RECEIVED and case.replied_at is None
    log = runtime.store.incident_log(inc_id)
    assert log[-1]["action"] == "reply" and log[-1]["note"] == "reply sent: 已收到，正在安排。"
    # dispatching a received grievance signs it and assigns it, in one step
    assert (await runtime.dispatch(inc_id, "S-003", "上门", "lead")).ok
    case = await runtime.grievance_case(inc_id)
    assert case is not None and case.status is GrievanceStatus.ASSIGNED and case.signed_at is not None
    # an answered case is not assigned again: refused before anything is sent
    await runtime.reply(inc_id, "已处理。", "lead")
    tasks = len(runtime.store.tasks())
    with pytest.raises(IllegalTransition, match="cannot assign a grievance that is replied"):
        await runtime.dispatch(inc_id, "S-004", "again", "lead")
    assert len(runtime.store.tasks()) == tasks
    # a fall has no case
    fall_id = await open_incident(runtime, sim, fall(9, elder="E-0099"))
    with pytest.raises(IllegalTransition, match=f"incident {fall_id} is not a grievance"):
        await runtime.record_callback(fall_id, CallbackResult.SATISFIED, "lead")
    assert await runtime.grievance_case(fall_id) is None
