"""The alarm steps of one moment are one write; one step the store refuses does not take the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from desk.alarms import AlarmEvent, AlarmEventKind
from services.alarms import incident_recorder

NOW = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


class Writer:
    """Stands in for the ingest's ordered writes: refuses any write holding incident 13."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[Any, ...]]] = []
        self.kept: list[tuple[Any, ...]] = []

    async def write(self, method: str, *args: Any, **kwargs: Any) -> None:
        assert method == "log_alarm_steps"
        steps = args[1]
        self.calls.append(steps)
        await asyncio.sleep(0)
        if any(step[0] == 13 for step in steps):
            raise ValueError("no incident 13")
        self.kept.extend(steps)


def raised(n: int) -> AlarmEvent:
    return AlarmEvent(AlarmEventKind.RAISED, f"incident:{n}", NOW, n)


@pytest.mark.asyncio
async def test_a_moments_steps_are_one_write() -> None:
    writer = Writer()
    record = incident_recorder(writer, "desk-1")
    waits = [record(raised(n)) for n in range(1, 6)]
    await asyncio.gather(*waits)
    assert len(writer.calls) == 1 and [s[0] for s in writer.kept] == [1, 2, 3, 4, 5]
    assert writer.kept[0] == (1, "alarm_raised", "desk-1", "")


@pytest.mark.asyncio
async def test_one_refused_step_does_not_take_the_others_with_it() -> None:
    writer = Writer()
    record = incident_recorder(writer, "desk-1")
    waits = [record(raised(n)) for n in (11, 12, 13, 14)]
    results = await asyncio.gather(*waits, return_exceptions=True)
    assert [s[0] for s in writer.kept] == [11, 12, 14]  # one by one after the batch failed
    assert isinstance(results[0], RuntimeError) and "1 of 4" in str(results[0])
