"""Everything the incident panel and the dispatch dialog read, gathered off the GUI thread.

Plain functions over the store's existing read methods (`read_*` run in a worker thread, `load_*`
are their awaitable faces). The grids come from the community's GeoJSON (features whose
`properties.kind` is "grid", with the grid worker who owns each in `properties.worker`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from desk.assignment import DutyStatus, Grid, Responder, ResponderKind
from desk.grievances import GrievanceCase
from desk.incidents import TASK_FINAL, Incident, QueueItem, TaskStatus

DEMO_COMMUNITY = Path(__file__).resolve().parent.parent / "resources" / "demo-community.geojson"


class StoreReads(Protocol):
    """The store's read methods this module uses (services.store.Store has them)."""

    def queue_items(self, ids: list[int] | None = None) -> list[QueueItem]: ...
    def incident_events(self, incident_id: int) -> list[dict[str, Any]]: ...
    def notes(self, incident_id: int) -> list[dict[str, Any]]: ...
    def incident_log(self, incident_id: int) -> list[dict[str, Any]]: ...
    def tasks(self) -> list[dict[str, Any]]: ...
    def profiles(self, kind: str | None = None) -> list[dict[str, Any]]: ...
    def last_positions(self) -> dict[str, dict[str, Any]]: ...
    def staff_statuses(self) -> dict[str, str]: ...
    def grievance_case(self, incident_id: int) -> GrievanceCase | None: ...


class HasStore(Protocol):
    @property
    def store(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class TaskUpdate:
    """One step of a task as the incident's record tells it."""

    status: TaskStatus
    at: datetime
    by: str
    note: str | None = None


@dataclass(slots=True)
class TaskView:
    ref: str
    assignee: str | None
    assignee_name: str | None
    status: TaskStatus
    summary: str | None
    created_at: datetime
    updates: list[TaskUpdate] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status not in TASK_FINAL


@dataclass(slots=True)
class IncidentDetail:
    """One incident and all that is known about it, as the panel shows it."""

    item: QueueItem
    events: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    log: list[dict[str, Any]]
    tasks: list[TaskView]
    subject: dict[str, Any] | None  # the elder's profile data (name, birth_year, contacts, …)
    position: dict[str, Any] | None  # the subject's last position (lat, lon, at, battery)
    device: dict[str, Any] | None = None  # the newest device event of the incident, if any

    @property
    def incident(self) -> Incident:
        return self.item.incident

    @property
    def case(self) -> GrievanceCase | None:
        """A grievance's case (None for other incidents)."""
        return self.item.case


# the log's actions that are steps of a task, and the step each one is
_TASK_STEP = re.compile(r"task (\S+)")
_STEP_OF_ACTION = {
    "dispatch": TaskStatus.SENT,
    "arrive": TaskStatus.ON_SCENE,
    "recall": TaskStatus.RECALLED,
    **{f"task_{s.value}": s for s in TaskStatus},
}


def _task_updates(log: list[dict[str, Any]]) -> dict[str, list[TaskUpdate]]:
    found: dict[str, list[TaskUpdate]] = {}
    for entry in log:
        status = _STEP_OF_ACTION.get(str(entry.get("action")))
        match = _TASK_STEP.match(str(entry.get("note") or ""))
        if status is None or match is None:
            continue
        ref = match.group(1).rstrip(":")
        found.setdefault(ref, []).append(
            TaskUpdate(status, entry["at"], str(entry.get("by") or ""), entry.get("note"))
        )
    return found


def read_incident(store: StoreReads, incident_id: int) -> IncidentDetail | None:
    """The incident with its events, notes, record, tasks and subject; None when there is none."""
    items = store.queue_items([incident_id])
    if not items:
        return None
    item = items[0]
    inc = item.incident
    if inc.kind == "grievance":
        item = dataclasses.replace(item, case=store.grievance_case(incident_id))
    events = store.incident_events(incident_id)
    log = store.incident_log(incident_id)
    notes = store.notes(incident_id)
    rows = [t for t in store.tasks() if t.get("incident_id") == incident_id]
    names: dict[str, str] = {}
    subject: dict[str, Any] | None = None
    wanted = {t["assignee"] for t in rows if t.get("assignee")} | ({inc.subject} if inc.subject else set())
    if wanted:
        for profile in store.profiles():
            if profile["ref"] in wanted:
                names[profile["ref"]] = profile["name"]
                if profile["ref"] == inc.subject and profile.get("kind") == "elder":
                    subject = {**(profile.get("data") or {}), "name": profile["name"]}
    device = next((e["event"] for e in reversed(events) if e["type"] == "device"), None)
    position = None
    if inc.kind != "grievance" and inc.subject:
        position = store.last_positions().get(inc.subject)
    updates = _task_updates(log)
    tasks = [
        TaskView(
            t["ref"],
            t.get("assignee"),
            names.get(t.get("assignee") or ""),
            TaskStatus(t["status"]),
            t.get("summary"),
            t["created_at"],
            updates.get(t["ref"], []),
        )
        for t in rows
    ]
    return IncidentDetail(item, events, notes, log, tasks, subject, position, device)


async def load_incident(runtime: HasStore, incident_id: int) -> IncidentDetail | None:
    return await asyncio.to_thread(read_incident, runtime.store, incident_id)


# ---- the directory for the dispatch dialog -------------------------------------------------------


@lru_cache(maxsize=8)
def load_grids(path: Path = DEMO_COMMUNITY) -> tuple[Grid, ...]:
    """The grids of a community GeoJSON: rings as (lat, lon), the owner from `properties.worker`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    grids = []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if props.get("kind") != "grid" or geometry.get("type") != "Polygon":
            continue
        outer = geometry["coordinates"][0]
        ring = tuple((float(lat), float(lon)) for lon, lat in outer)
        ref = str(props.get("ref") or props.get("grid") or feature.get("id"))
        grids.append(Grid(ref, str(props.get("name") or ref), ring, str(props.get("worker") or "")))
    return tuple(grids)


def _duty(value: str | None) -> DutyStatus:
    try:
        return DutyStatus(value) if value else DutyStatus.ON_DUTY
    except ValueError:
        return DutyStatus.ON_DUTY


def read_responders(store: StoreReads) -> list[Responder]:
    """Grid workers and patrol teams from the directory, with duty status, last position and load."""
    statuses = store.staff_statuses()
    positions = store.last_positions()
    load = Counter(
        t["assignee"]
        for t in store.tasks()
        if t.get("assignee") and TaskStatus(t["status"]) not in TASK_FINAL
    )
    out = []
    for profile in store.profiles():
        data = profile.get("data") or {}
        if profile.get("kind") == "staff" and data.get("role") == "grid":
            kind, grid = ResponderKind.GRID, data.get("grid")
        elif profile.get("kind") == "team":
            kind, grid = ResponderKind.PATROL_TEAM, None
        else:
            continue
        ref = profile["ref"]
        pos = positions.get(ref)
        out.append(
            Responder(
                ref,
                profile["name"],
                kind,
                grid,
                _duty(statuses.get(ref)),
                pos["lat"] if pos else None,
                pos["lon"] if pos else None,
                pos["at"] if pos else None,
                load[ref],
            )
        )
    return out


async def load_responders(runtime: HasStore) -> list[Responder]:
    return await asyncio.to_thread(read_responders, runtime.store)


async def load_open_incidents(runtime: HasStore) -> list[Incident]:
    incidents: list[Incident] = await asyncio.to_thread(runtime.store.incidents, open_only=True)
    return incidents
