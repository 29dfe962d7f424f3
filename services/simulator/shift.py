"""A simulated shift: the demo community's life over some hours, stored, with a duty team answering it.

For the handover report's example and its benchmark. The simulator runs on its own timeline (no
waiting); the store's clock is moved along it, so acknowledgements, dispatches and resolutions
carry the simulated times. Positions are left out (they do not reach the report and would only
make the run slower).
"""

from __future__ import annotations

import contextlib
import heapq
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import services.store as store_module
from desk.incidents import Action, IllegalTransition, IncidentClass, Outcome, Priority
from desk.shifts import Shift
from services.store import Inbound, Store

from .community import build_community
from .simulation import Simulation

#: how the duty team answers, in seconds: (acknowledge median, spread), dispatch after, resolve after
_ANSWER: dict[Priority, tuple[tuple[float, float], tuple[float, float] | None, tuple[float, float]]] = {
    Priority.P1: ((17.0, 0.55), (25.0, 0.6), (1500.0, 0.5)),
    Priority.P2: ((40.0, 0.6), (120.0, 0.6), (2400.0, 0.5)),
    Priority.P3: ((420.0, 0.8), None, (5400.0, 0.7)),
    Priority.P4: ((1800.0, 0.8), None, (14400.0, 0.6)),
}


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextlib.contextmanager
def store_clock(start: datetime) -> Iterator[_Clock]:
    """Move the store's clock by hand (simulations only)."""
    clock = _Clock(start)
    saved = store_module.now_utc
    store_module.now_utc = clock
    try:
        yield clock
    finally:
        store_module.now_utc = saved


@dataclass(frozen=True, slots=True)
class SimulatedShift:
    shift: Shift
    events: int
    incidents: int


def simulate_shift(
    store: Store,
    start: datetime,
    hours: float = 12.0,
    *,
    rate: float = 1.0,
    seed: int = 7,
    lead: str = "王建国",
    staff: tuple[str, ...] = ("李娜", "张伟"),
    incoming: str | None = "刘芳",
    desk: str = "desk-01",
    step_s: float = 10.0,
) -> SimulatedShift:
    """Open a shift at `start`, play `hours` of the community at `rate`, answer it, hand it over."""
    rng = random.Random(seed)
    end = start + timedelta(hours=hours)
    sim = Simulation(build_community(seed), start=start, id_tag="shift", seed=seed, rate=rate)
    sim.start_live(0.0)
    store.load([("sim", "ws://127.0.0.1:8765/")])
    seq = 0
    events = 0
    operators = (lead, *staff)
    todo: list[tuple[datetime, int, int, Action]] = []
    order = 0
    with store_clock(start) as clock:
        store.set_stream("sim", "shift", reset=False)
        store.set_feed_state("sim", "live", "stream shift")
        shift = store.open_shift(desk, lead, list(staff), lead)
        store.log_desk(desk, "alarm_tested", lead, "交接班前报警测试")
        t = 0.0
        outage_at, outage_for = hours * 3600 * 0.3, 240.0
        while t < hours * 3600:
            t += step_s
            now = start + timedelta(seconds=t)
            while todo and todo[0][0] <= now:
                due, _, incident_id, action = heapq.heappop(todo)
                clock.now = due
                who = operators[incident_id % len(operators)]
                with contextlib.suppress(IllegalTransition):
                    outcome = Outcome.HANDLED if action is Action.RESOLVE else None
                    store.act(incident_id, action, who, outcome=outcome)
            clock.now = now
            if outage_at <= t < outage_at + step_s:
                store.set_feed_state("sim", "reconnecting", "cannot connect: ConnectionRefusedError")
            if outage_at + outage_for <= t < outage_at + outage_for + step_s:
                store.record_gap("sim", 5, "5 events never arrived")
                store.set_feed_state("sim", "live", "stream shift")
            batch = [e for e in sim.advance(t) if e.get("type") != "position"]
            if not batch:
                continue
            items = []
            for e in batch:
                seq += 1
                raw = json.dumps({"op": "event", "seq": seq, "event": e}, ensure_ascii=False)
                items.append(Inbound("sim", "shift", seq, raw, now, 0.0))
            events += len(items)
            changes = store.commit_batch(items)
            for inc in store.incidents_by_id(changes.new_incidents):
                ack, dispatch, resolve = _ANSWER[inc.priority]
                a = inc.opened_at + timedelta(seconds=rng.lognormvariate(_ln(ack[0]), ack[1]))
                steps = [(a, Action.ACKNOWLEDGE)]
                if dispatch is not None and inc.cls is not IncidentClass.GRIEVANCE:
                    d = a + timedelta(seconds=rng.lognormvariate(_ln(dispatch[0]), dispatch[1]))
                    steps.append((d, Action.DISPATCH))
                if inc.cls is not IncidentClass.GRIEVANCE:
                    r = inc.opened_at + timedelta(seconds=rng.lognormvariate(_ln(resolve[0]), resolve[1]))
                    steps.append((max(r, steps[-1][0] + timedelta(seconds=30)), Action.RESOLVE))
                for due, action in steps:
                    order += 1
                    heapq.heappush(todo, (due, order, inc.id, action))
        clock.now = start + timedelta(hours=hours * 0.5)
        store.add_log_entry(shift.id, "call", "居民来电：3栋电梯异响，已转物业", staff[0] if staff else lead)
        clock.now = start + timedelta(hours=hours * 0.75)
        store.add_log_entry(shift.id, "instruction", "街道通知：明日 9:00 消防演练", lead)
        clock.now = end
        if incoming:
            store.close_shift(shift.id, incoming, "夜间注意 5 栋独居老人；电梯维修未完成。", lead)
        final = store.shift(shift.id)
    assert final is not None
    return SimulatedShift(final, events, len(store.incidents()))


def _ln(median: float) -> float:
    import math

    return math.log(median)


def describe(result: SimulatedShift) -> dict[str, Any]:
    return {"shift": result.shift.id, "events": result.events, "incidents": result.incidents}
