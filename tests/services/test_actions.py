"""The shift lead's actions through the running desk (writer process, simulator on loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from desk.incidents import Action, IllegalTransition, Outcome, Status
from services.runtime import DeskRuntime
from services.simulator import SimulatorServer
from tests.support.events import examples, fall
from tests.support.runtime import live_runtime, until

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def desk(tmp_path: Path) -> AsyncIterator[tuple[DeskRuntime, SimulatorServer]]:
    async with live_runtime(tmp_path) as running:
        yield running


async def open_incident(runtime: DeskRuntime, sim: SimulatorServer, event: dict) -> int:
    before = {i.id for i in runtime.store.incidents()}
    sim.inject(event)
    await until(lambda: {i.id for i in runtime.store.incidents()} - before != set())
    (new,) = {i.id for i in runtime.store.incidents()} - before
    return new


async def test_each_stage_is_timed_once(desk: tuple[DeskRuntime, SimulatorServer]) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, fall(1))
    inc = await runtime.act(inc_id, Action.ACKNOWLEDGE, "lead")
    assert inc.acknowledged_at is not None and inc.dispatched_at is None
    result = await runtime.dispatch(inc_id, "S-003", "3栋跌倒，请上门", "lead")
    assert result.ok
    (stored,) = await runtime.incidents_by_id([inc_id])
    assert stored.dispatched_at is not None and stored.acknowledged_at == inc.acknowledged_at
    await until(lambda: runtime.store.incidents_by_id([inc_id])[0].status is Status.ON_SCENE)
    done = await runtime.act(inc_id, Action.RESOLVE, "lead", outcome=Outcome.HELPED_ON_SITE)
    assert done.resolved_at is not None and done.outcome is Outcome.HELPED_ON_SITE
    with pytest.raises(IllegalTransition, match="cannot acknowledge an incident that is resolved"):
        await runtime.act(inc_id, Action.ACKNOWLEDGE, "lead")


async def test_notes_are_appended_and_empty_ones_refused(desk: tuple[DeskRuntime, SimulatorServer]) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, fall(1))
    await runtime.add_note(inc_id, "已电话联系儿子王军，正在赶来", "lead")
    await runtime.add_note(inc_id, "更正：王军 20 分钟后到", "lead")
    with pytest.raises(IllegalTransition, match="needs some text"):
        await runtime.add_note(inc_id, "   ", "lead")
    assert [n["text"] for n in runtime.store.notes(inc_id)] == [
        "已电话联系儿子王军，正在赶来",
        "更正：王军 20 分钟后到",
    ]
    assert [r["action"] for r in runtime.store.incident_log(inc_id)].count("note") == 2


async def test_merge_two_incidents(desk: tuple[DeskRuntime, SimulatorServer]) -> None:
    runtime, sim = desk
    a = await open_incident(runtime, sim, fall(1, elder="E-0001"))
    b = await open_incident(runtime, sim, fall(2, elder="E-0002"))
    merged = await runtime.merge(a, b, "lead")
    assert merged.count == 2
    (target,) = runtime.store.incidents_by_id([a])
    assert target.count == 2 and target.status is Status.NEW
    (source,) = runtime.store.incidents_by_id([b])
    assert source.status is Status.CLOSED and source.outcome is Outcome.MERGED and source.merged_into == a
    assert {e["event_id"] for e in runtime.store.incident_events(a)} == {"fall-1", "fall-2"}
    with pytest.raises(IllegalTransition, match="cannot merge into incident"):
        await runtime.merge(b, a, "lead")
    with pytest.raises(IllegalTransition, match="into itself"):
        await runtime.merge(a, a, "lead")


async def test_recall_withdraws_the_task_and_tells_the_field(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    inc_id = await open_incident(runtime, sim, fall(1))  # recalled before the field finishes (seconds)
    await runtime.dispatch(inc_id, "S-003", "上门查看", "lead")
    (task,) = runtime.store.tasks()
    result = await runtime.recall(task["ref"], "家属已到场", "lead")
    assert result.ok
    (task,) = runtime.store.tasks()
    assert task["status"] == "recalled"
    (inc,) = runtime.store.incidents_by_id([inc_id])
    assert inc.status is Status.ACKNOWLEDGED
    with pytest.raises(IllegalTransition, match="already recalled"):
        await runtime.recall(task["ref"], "again", "lead")


async def test_reply_to_a_grievance_goes_through_its_channel(
    desk: tuple[DeskRuntime, SimulatorServer],
) -> None:
    runtime, sim = desk
    grievance = next(e for e in examples("valid") if e["type"] == "grievance")
    inc_id = await open_incident(runtime, sim, grievance)
    result = await runtime.reply(inc_id, "您好，网格员今天下午上门协调。", "lead")
    assert result.ok
    log = runtime.store.incident_log(inc_id)
    assert log[-1]["action"] == "reply" and "网格员今天下午上门协调" in log[-1]["note"]
    fall_id = await open_incident(runtime, sim, fall(9, elder="E-0099"))
    with pytest.raises(IllegalTransition, match="no grievance"):
        await runtime.reply(fall_id, "x", "lead")


async def test_staff_status_is_kept(desk: tuple[DeskRuntime, SimulatorServer]) -> None:
    runtime, _ = desk
    await runtime.set_staff_status("S-003", "busy", "lead")
    await runtime.set_staff_status("S-003", "off_duty", "lead")
    await runtime.set_staff_status("P-1", "on_duty", "lead")
    assert runtime.store.staff_statuses() == {"S-003": "off_duty", "P-1": "on_duty"}
    with pytest.raises(ValueError, match="unknown staff status"):
        await runtime.set_staff_status("S-003", "asleep", "lead")
