"""What the map reads, gathered off the GUI thread (`read_*` run in a worker thread via asyncio.to_thread).

Positions are converted to WGS-84 (a GCJ-02 fix is taken back) and projected to the map's plane here,
in the worker, so the GUI thread only moves markers. An incident is placed at its event's location,
in the CRS its first located event gave (the incidents table keeps lat/lon without one), read once per
incident and remembered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from desk.geofence import flagged_for_wandering, zone_from_profile
from desk.incidents import Incident
from desk.markers import MarkerRules, MarkerState
from desk.privacy import mask_name, mask_phone
from desk.projection import LocalProjection

#: a subject's marker kind: elders by their state, workers and teams by role
ELDER = "elder"
WORKER = "worker"
TEAM = "team"
TRAIL_SPAN = timedelta(hours=1)


class MapReads(Protocol):
    """The store's read methods the map uses (services.store.Store has them)."""

    def profiles(self, kind: str | None = None) -> list[dict[str, Any]]: ...
    def last_positions(self) -> dict[str, dict[str, Any]]: ...
    def last_positions_of(self, subjects: list[str]) -> dict[str, dict[str, Any]]: ...
    def devices(self) -> dict[str, dict[str, Any]]: ...
    def incidents(self, *, open_only: bool = False) -> list[Incident]: ...
    def incidents_by_id(self, ids: Iterable[int]) -> list[Incident]: ...
    def trail(self, subject: str, since: datetime) -> list[dict[str, Any]]: ...
    def safe_zones(self) -> dict[str, tuple[tuple[float, float], ...]]: ...
    def incident_events(self, incident_id: int) -> list[dict[str, Any]]: ...


@dataclass(slots=True)
class Person:
    ref: str
    kind: str  # ELDER, WORKER or TEAM
    name: str
    data: dict[str, Any]


@dataclass(slots=True)
class Fix:
    x: float
    y: float
    at: datetime
    battery: float | None
    crs: str


@dataclass(slots=True)
class MapState:
    people: dict[str, Person]
    fixes: dict[str, Fix]
    devices: dict[str, tuple[str, float | None]]  # elder -> (wearable status, battery)
    incidents: list[Incident]
    placed: dict[int, tuple[float, float]] = field(default_factory=dict)  # incident id -> (x, y)
    zones: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)  # drawn: (lat, lon)


def _person(profile: dict[str, Any]) -> Person | None:
    data = profile.get("data") or {}
    kind = profile.get("kind")
    if kind == "elder":
        return Person(profile["ref"], ELDER, profile["name"], data)
    if kind == "staff" and data.get("role") == "grid":
        return Person(profile["ref"], WORKER, profile["name"], data)
    if kind == "team":
        return Person(profile["ref"], TEAM, profile["name"], data)
    return None  # patrol officers ride with their team's marker


def _fix(row: dict[str, Any], projection: LocalProjection) -> Fix:
    x, y = projection.project(row["lat"], row["lon"], row.get("crs"))
    return Fix(x, y, row["at"], row.get("battery"), str(row.get("crs") or "wgs84"))


def read_people(store: MapReads) -> dict[str, Person]:
    return {p.ref: p for p in (_person(r) for r in store.profiles()) if p is not None}


def read_devices(store: MapReads) -> dict[str, tuple[str, float | None]]:
    out: dict[str, tuple[str, float | None]] = {}
    newest: dict[str, datetime] = {}
    for row in store.devices().values():
        elder = row.get("elder")
        if elder and (elder not in newest or row["at"] >= newest[elder]):
            newest[elder] = row["at"]
            out[elder] = (str(row.get("status") or ""), row.get("battery"))
    return out


def incident_crs(store: MapReads, incidents: list[Incident], known: dict[int, str]) -> None:
    """Fill `known` with the CRS of each located incident not in it yet (its first located event's)."""
    for inc in incidents:
        if inc.id in known or inc.lat is None:
            continue
        crs = "wgs84"
        for row in store.incident_events(inc.id):
            location = (row.get("event") or {}).get("location")
            if isinstance(location, dict):
                crs = str(location.get("crs") or "wgs84")
                break
        known[inc.id] = crs


def place_incidents(
    incidents: list[Incident], fixes: dict[str, Fix], projection: LocalProjection, crs: dict[int, str]
) -> dict[int, tuple[float, float]]:
    """Where each open incident goes on the plane; one with no place of its own goes to its subject."""
    placed: dict[int, tuple[float, float]] = {}
    for inc in incidents:
        fix = fixes.get(inc.subject or "")
        if inc.lat is not None and inc.lon is not None:
            placed[inc.id] = projection.project(inc.lat, inc.lon, crs.get(inc.id, "wgs84"))
        elif fix is not None:
            placed[inc.id] = (fix.x, fix.y)
    return placed


def read_map_state(store: MapReads, projection: LocalProjection, crs: dict[int, str]) -> MapState:
    """Everything the map shows, in one read: the directory, positions, wearables, open incidents."""
    people = read_people(store)
    fixes = {ref: _fix(row, projection) for ref, row in store.last_positions().items()}
    incidents = store.incidents(open_only=True)
    incident_crs(store, incidents, crs)
    return MapState(
        people,
        fixes,
        read_devices(store),
        incidents,
        place_incidents(incidents, fixes, projection, crs),
        store.safe_zones(),
    )


def read_fixes(store: MapReads, projection: LocalProjection, subjects: list[str]) -> dict[str, Fix]:
    return {ref: _fix(row, projection) for ref, row in store.last_positions_of(subjects).items()}


def read_incidents(
    store: MapReads, projection: LocalProjection, fixes: dict[str, Fix], crs: dict[int, str]
) -> tuple[list[Incident], dict[int, tuple[float, float]]]:
    incidents = store.incidents(open_only=True)
    incident_crs(store, incidents, crs)
    return incidents, place_incidents(incidents, fixes, projection, crs)


def update_incidents(
    store: MapReads,
    projection: LocalProjection,
    incidents: list[Incident],
    ids: set[int],
    fixes: dict[str, Fix],
    crs: dict[int, str],
) -> tuple[list[Incident], dict[int, tuple[float, float]]]:
    """The open incidents after the named ones changed: only those are read (a burst of thousands
    read every open incident and every event link each time before)."""
    fresh = {inc.id: inc for inc in store.incidents_by_id(sorted(ids))}
    kept = [inc for inc in incidents if inc.id not in fresh and inc.id not in ids]
    kept.extend(inc for inc in fresh.values() if inc.is_open)
    kept.sort(key=lambda inc: (int(inc.priority), inc.opened_at))  # as store.incidents() orders them
    incident_crs(store, [inc for inc in fresh.values() if inc.is_open], crs)
    return kept, place_incidents(kept, fixes, projection, crs)


def read_trail(
    store: MapReads, projection: LocalProjection, subject: str, now: datetime
) -> list[tuple[float, float, datetime]]:
    """The subject's positions of the last hour on the plane with their times, oldest first."""
    return [
        (*projection.project(r["lat"], r["lon"], r.get("crs")), r["at"])
        for r in store.trail(subject, now - TRAIL_SPAN)
    ]


def extend_trail(
    trail: list[tuple[float, float, datetime]], fix: Fix, now: datetime
) -> list[tuple[float, float, datetime]]:
    """The trail with a new fix (once: a fix the trail's read already had is not added again),
    without the points older than the last hour."""
    if not trail or fix.at > trail[-1][2]:
        trail.append((fix.x, fix.y, fix.at))
    since = now - TRAIL_SPAN
    if trail and trail[0][2] < since:
        trail = [p for p in trail if p[2] >= since]
    return trail


def marker_style(person: Person | None, state: MarkerState | None) -> str:
    """The canvas style of a subject's marker."""
    if person is not None and person.kind in (WORKER, TEAM):
        return person.kind
    return f"elder:{(state or MarkerState.NORMAL).value}"


def elder_state(
    rules: MarkerRules,
    fix: Fix,
    device: tuple[str, float | None] | None,
    in_incident: bool,
    now: datetime,
) -> MarkerState:
    status, battery = device if device else (None, None)
    return rules.state(
        at=fix.at,
        now=now,
        battery=fix.battery if fix.battery is not None else battery,
        device_status=status,
        in_incident=in_incident,
    )


@dataclass(frozen=True, slots=True)
class Contact:
    relation: str
    name: str  # masked
    phone: str  # masked


@dataclass(frozen=True, slots=True)
class ElderCard:
    """An elder as the card shows them: masked name and phones, no address."""

    ref: str
    name: str  # masked
    age: int | None
    conditions: tuple[str, ...]
    contacts: tuple[Contact, ...]
    battery: float | None
    device_status: str | None
    last_seen: datetime | None
    open_incidents: tuple[tuple[int, int, str], ...]  # id, priority, title
    wandering_watch: bool
    safe_zone: str  # the radius in metres of home and radius, or ""
    zone_drawn: bool = False  # a polygon the shift lead drew on the map


def card_of(
    person: Person,
    fix: Fix | None,
    device: tuple[str, float | None] | None,
    incidents: list[Incident],
    now: datetime,
    drawn_zone: tuple[tuple[float, float], ...] | None = None,
) -> ElderCard:
    data = person.data
    birth = data.get("birth_year")
    age = now.year - birth if isinstance(birth, int) and not isinstance(birth, bool) else None
    contacts = tuple(
        Contact(
            str(c.get("relation") or ""),
            mask_name(str(c.get("name") or "")),
            mask_phone(str(c.get("phone") or "")),
        )
        for c in data.get("contacts") or ()
        if isinstance(c, dict)
    )
    conditions = tuple(str(c) for c in data.get("conditions") or () if isinstance(c, str))
    battery = fix.battery if fix and fix.battery is not None else (device[1] if device else None)
    zone = zone_from_profile(person.ref, data, drawn_zone)
    return ElderCard(
        person.ref,
        mask_name(person.name),
        age,
        conditions,
        contacts,
        battery,
        device[0] if device else None,
        fix.at if fix else None,
        tuple(
            (i.id, int(i.priority), i.title)
            for i in sorted(incidents, key=lambda i: (i.priority, i.opened_at))
            if i.subject == person.ref and i.is_open
        ),
        flagged_for_wandering(data),
        f"{zone.radius_m:g}" if zone is not None and zone.radius_m else "",
        zone is not None and zone.polygon is not None,
    )
