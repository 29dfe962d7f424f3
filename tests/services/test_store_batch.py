"""One batch that opens many incidents and joins repeats to them ends as the same events one by one do."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from desk.incidents import Status
from services.db import make_engine, migrate
from services.store import Changes, Inbound, Store
from tests.support.events import alarm, fall, position


def new_store(path: Path) -> Store:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    store.load([("f1", "ws://127.0.0.1:1/")])
    store.set_stream("f1", "S", reset=False)
    return store


def frames(events: list[dict[str, Any]], start: int = 1) -> list[Inbound]:
    return [
        Inbound(
            "f1",
            "S",
            start + i,
            json.dumps({"op": "event", "seq": start + i, "event": e}, ensure_ascii=False),
            datetime.now(UTC),
            time.perf_counter(),
        )
        for i, e in enumerate(events)
    ]


def burst() -> list[dict[str, Any]]:
    """150 elders fall (more incidents than one INSERT statement holds), a third of them fall again
    within the window, E-0004 once more after it (a second incident of the same key), a smoke alarm
    is raised and cleared, and positions run in between."""
    events: list[dict[str, Any]] = []
    for n in range(1, 151):
        events.append(fall(n, elder=f"E-{n:04d}", minute=0, second=n % 60))
        if n % 10 == 0:
            events.append(position(n, subject=f"E-{n:04d}", second=n))
    events.append(alarm(1, kind="smoke", device="SMK-9", minute=1))
    for n in range(1, 151, 3):
        events.append(fall(1000 + n, elder=f"E-{n:04d}", minute=4))
    events.append(alarm(2, kind="smoke", state="cleared", device="SMK-9", minute=5))
    events.append(fall(2000, elder="E-0004", minute=40))  # the window has passed: a new incident
    events.append(fall(2001, elder="E-0004", minute=41))  # which this repeat joins
    return events


def picture(store: Store) -> list[tuple[Any, ...]]:
    """What an operator can see of each incident, in the order they were opened."""
    out = []
    for inc in sorted(store.incidents(), key=lambda i: i.id):
        log = [(r["action"], r["by"], r["to_status"], r["note"]) for r in store.incident_log(inc.id)]
        out.append(
            (
                inc.key,
                inc.kind,
                inc.priority,
                inc.status,
                inc.title,
                inc.subject,
                inc.opened_at,
                inc.last_event_at,
                inc.count,
                inc.cleared_at,
                inc.lat,
                inc.lon,
                inc.event_ids,
                log,
            )
        )
    return out


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Store, Store]:
    return new_store(tmp_path / "one-batch.db"), new_store(tmp_path / "one-by-one.db")


def test_a_batch_of_new_incidents_and_their_repeats_matches_one_event_at_a_time(
    stores: tuple[Store, Store],
) -> None:
    batched, single = stores
    events = burst()
    ch = batched.commit_batch(frames(events))
    for i, event in enumerate(events):
        single.commit_batch(frames([event], start=i + 1))

    assert picture(batched) == picture(single)
    incidents = batched.incidents()
    assert len(incidents) == 152  # 150 falls, one alarm, E-0004's second fall
    repeated = {i.subject: i.count for i in incidents if i.kind == "fall" and i.count > 1}
    assert repeated == {f"E-{n:04d}": 2 for n in range(1, 151, 3)}
    e4 = sorted((i for i in incidents if i.subject == "E-0004"), key=lambda i: i.id)
    assert [(i.count, i.event_ids) for i in e4] == [
        (2, ["fall-4", "fall-1004"]),
        (2, ["fall-2000", "fall-2001"]),
    ]
    (smoke,) = [i for i in incidents if i.kind != "fall"]
    assert smoke.cleared_at is not None and smoke.status is Status.NEW
    assert smoke.event_ids == ["alarm-1", "alarm-2"]

    # what the window hears names the stored ids, each new incident once
    ids = {i.id for i in incidents}
    assert sorted(ch.new_incidents) == sorted(ids) and len(ch.new_incidents) == len(ids)
    assert ch.incidents == ids
    assert sorted(q.incident.id for q in batched.queue_items(ch.new_incidents[:3])) == sorted(
        ch.new_incidents[:3]
    )


def test_repeats_in_a_later_batch_join_the_incidents_a_batch_opened(stores: tuple[Store, Store]) -> None:
    store, _ = stores
    first = store.commit_batch(frames([fall(n, elder=f"E-{n:04d}") for n in range(1, 81)]))
    again = store.commit_batch(
        frames(
            [fall(100 + n, elder=f"E-{n:04d}", minute=2) for n in range(1, 81)] + [fall(999, "E-0500")], 81
        )
    )
    assert len(first.new_incidents) == 80 and len(again.new_incidents) == 1
    assert again.incidents - set(again.new_incidents) == set(first.new_incidents)
    by_subject = {i.subject: i for i in store.incidents()}
    assert by_subject["E-0042"].count == 2 and by_subject["E-0042"].event_ids == ["fall-42", "fall-142"]
    assert by_subject["E-0500"].count == 1


def test_a_batch_that_fails_leaves_no_incident_behind(stores: tuple[Store, Store]) -> None:
    store, _ = stores
    store.commit_batch(frames([fall(1, elder="E-0001")]))
    original = store._apply_tasks  # the last step of applying a batch, after the incidents are in

    def boom(*_: object) -> None:
        raise OperationalError("INSERT INTO events", {}, Exception("database or disk is full"))

    store._apply_tasks = boom  # type: ignore[method-assign]
    task_event = {
        "id": "t1",
        "type": "task",
        "source": "field-app",
        "time": "2026-12-04T02:14:00+08:00",
        "task": "T-1",
        "by": "S-003",
        "status": "accepted",
    }
    batch = [fall(100 + n, elder=f"E-{n:04d}", minute=1) for n in range(1, 40)] + [task_event]
    with pytest.raises(OperationalError):
        store.commit_batch(frames(batch, 2))
    store._apply_tasks = original  # type: ignore[method-assign]
    (only,) = store.incidents()
    assert only.count == 1 and only.event_ids == ["fall-1"]
    # the same batch again (the ingest retries it) applies once, on what memory held before
    ch: Changes = store.commit_batch(frames(batch, 2))
    assert len(ch.new_incidents) == 38
    assert {i.subject: i.count for i in store.incidents()}["E-0001"] == 2
