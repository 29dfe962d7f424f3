"""The live side of the demo community: who walks where, what breaks, who complains, how staff answer.

Pure and deterministic for a seed: the caller drives it with ``advance(now)`` (seconds since start)
and gets finished CES/1 event dicts to store. Nothing here does I/O or reads a clock. Nominal
intervals are divided by ``rate`` (a load multiplier); the field's answers to a dispatch are
multiplied by ``field_delay_scale`` instead.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from desk.geo import haversine_m, offset_m, wgs84_to_gcj02

from . import texts
from .community import Community, Elder, Names, Point, spot

#: China Standard Time: every generated ``time`` carries +08:00
CST = timezone(timedelta(hours=8), "CST")
POSITION_PERIOD_S = 30.0
#: nominal events per hour at rate 1
PER_HOUR = {"device": 3.0, "fall": 2.0, "sos": 1.0, "alarm": 8.0, "grievance": 4.0}
#: alarm kind -> (device kind it comes from, severity, share, chance it is cleared, clear delay min..max s)
ALARMS: dict[str, tuple[str, str, float, float, tuple[float, float]]] = {
    "door_held": ("door", "low", 0.20, 0.95, (60, 300)),
    "door_forced": ("door", "high", 0.08, 0.85, (60, 600)),
    "camera_offline": ("camera", "low", 0.14, 0.90, (300, 3600)),
    "smoke": ("smoke", "critical", 0.10, 0.90, (120, 900)),
    "gas": ("gas", "critical", 0.05, 0.85, (300, 1200)),
    "water_leak": ("water", "medium", 0.08, 0.85, (600, 3600)),
    "elevator_entrapment": ("elevator", "critical", 0.08, 0.95, (300, 1500)),
    "face_watchlist": ("camera", "high", 0.06, 0.50, (60, 600)),
    "tamper": ("door", "medium", 0.08, 0.80, (120, 1200)),
    "intrusion": ("camera", "high", 0.06, 0.80, (60, 900)),
}
#: walking speeds in m/s
SPEED = {"elder": 0.8, "wander": 0.7, "grid": 1.3, "patrol": 1.4, "team": 3.0}
#: default ``source`` by event type, for scenario events that leave it out
SOURCES = {
    "fall": "fall-detectors",
    "sos": "fall-detectors",
    "device": "fall-detectors",
    "position": "fall-detectors",
    "alarm": "dingxiang-security",
    "grievance": "wechat-oa",
    "task": "field-app",
    "profile": "civil-affairs",
}
_WORD = re.compile(r"^[A-Za-z0-9_]{1,32}$")

Event = dict[str, Any]
Action = Callable[[float], list[Event]]


@dataclass(slots=True)
class _Mover:
    """Someone (or a team) on the map, walking through a list of waypoints."""

    ref: str
    lat: float
    lon: float
    speed_mps: float
    waypoints: list[Point] = field(default_factory=list)
    task: str | None = None  # the task it is on: the routine walk leaves it alone meanwhile

    @property
    def point(self) -> Point:
        return self.lat, self.lon

    def step(self, metres: float) -> bool:
        """Walk ``metres`` toward the waypoints; True once the last one is reached."""
        while self.waypoints and metres > 0:
            t_lat, t_lon = self.waypoints[0]
            dist = haversine_m(self.lat, self.lon, t_lat, t_lon)
            if dist <= metres:
                self.lat, self.lon = t_lat, t_lon
                metres -= dist
                self.waypoints.pop(0)
            else:
                f = metres / dist
                self.lat += f * (t_lat - self.lat)
                self.lon += f * (t_lon - self.lon)
                metres = 0
        return not self.waypoints


@dataclass(slots=True)
class _ElderState:
    """An elder's wearable: where it is, its battery, whether it reports."""

    elder: Elder
    mover: _Mover
    battery: float
    gcj02: bool
    status: str = "online"


@dataclass(slots=True)
class _Play:
    """The field side of one dispatched task, cancelled by a recall or a new dispatch."""

    task: str
    assignee: str
    target: Point | None
    suffix: str
    rng: random.Random
    mover: _Mover
    cancelled: bool = False


class Simulation:
    """Generates the community's events on a timeline of seconds since start."""

    def __init__(
        self,
        community: Community,
        *,
        start: datetime,
        id_tag: str,
        serial_start: int = 1,
        seed: int = 7,
        rate: float = 1.0,
        gcj02_share: float = 0.2,
        field_delay_scale: float = 1.0,
        decline_share: float = 0.08,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.community = community
        self._start = start.astimezone(CST)
        self._tag = id_tag
        self._serial = itertools.count(serial_start)
        self._seed = seed
        self._rate = rate
        self._field_scale = field_delay_scale
        self._decline_share = decline_share
        self._rng = random.Random(f"{seed}:{serial_start}")
        self._names = Names(self._rng)
        self._heap: list[tuple[float, int, Action]] = []
        self._order = itertools.count()
        crs_rng = random.Random(seed)  # which wearables report GCJ-02 stays the same across restarts
        self._elders = {
            e.ref: _ElderState(
                e,
                _Mover(e.ref, *e.home, SPEED["elder"]),
                self._rng.uniform(0.3, 1.0),
                crs_rng.random() < gcj02_share,
            )
            for e in community.elders
        }
        self._movers: dict[str, _Mover] = {}
        for worker in community.grid_workers:
            grid = next(g for g in community.grids if g.ref == worker.grid)
            self._movers[worker.ref] = _Mover(worker.ref, *grid.center, SPEED["grid"])
        for team in community.teams:
            self._movers[team.ref] = _Mover(team.ref, *self._road_point(), SPEED["team"])
        self._active_alarms: set[tuple[str, str]] = set()  # (device, kind) raised and not yet settled
        self._plays: dict[str, _Play] = {}

    # -- the timeline

    def schedule(self, at: float, action: Action) -> None:
        """Run ``action(due)`` once ``advance`` reaches ``at``; it returns the events it produced."""
        heapq.heappush(self._heap, (at, next(self._order), action))

    def next_due(self) -> float | None:
        """When the next thing happens, or None when nothing is planned."""
        return self._heap[0][0] if self._heap else None

    def advance(self, now: float) -> list[Event]:
        """Everything that happened up to ``now`` seconds after start, in order."""
        out: list[Event] = []
        while self._heap and self._heap[0][0] <= now:
            due, _, action = heapq.heappop(self._heap)
            out.extend(action(due))
        return out

    def start_live(self, t: float = 0.0) -> None:
        """Start the random life of the community: positions, device trouble, falls, alarms, grievances."""
        for st in self._elders.values():
            self.schedule(t + self._rng.uniform(0, POSITION_PERIOD_S) / self._rate, self._elder_walk(st))
        for mover in self._movers.values():
            self.schedule(t + self._rng.uniform(0, POSITION_PERIOD_S) / self._rate, self._routine_walk(mover))
        makers: dict[str, Callable[[float], list[Event]]] = {
            "device": self._device_trouble,
            "fall": self._fall,
            "sos": self._sos,
            "alarm": self._alarm,
            "grievance": self._grievance,
        }
        for name, make in makers.items():
            self.schedule(t + self._poisson(PER_HOUR[name]), self._recurring(PER_HOUR[name], make))

    def add_scenario(self, steps: Iterable[tuple[float, Event]]) -> None:
        """Play scripted events at their seconds after start, completed by :meth:`complete`."""
        for at, event in steps:
            self.schedule(at, self._scripted(event))

    def _scripted(self, event: Event) -> Action:
        return lambda t: [self.complete(event, t)]

    # -- helpers

    def _id(self, prefix: str) -> str:
        return f"{prefix}:{self._tag}-{next(self._serial)}"

    def _stamp(self, t: float) -> str:
        return (self._start + timedelta(seconds=t)).isoformat(timespec="seconds")

    def _event(self, prefix: str, etype: str, source: str, t: float, **fields: Any) -> Event:
        return {"id": self._id(prefix), "type": etype, "source": source, "time": self._stamp(t), **fields}

    def _every(self, nominal_s: float) -> float:
        """A nominal interval, jittered and scaled by the rate."""
        return nominal_s * self._rng.uniform(0.8, 1.2) / self._rate

    def _poisson(self, per_hour: float) -> float:
        return self._rng.expovariate(per_hour * self._rate / 3600.0)

    def _recurring(self, per_hour: float, make: Callable[[float], list[Event]]) -> Action:
        def run(t: float) -> list[Event]:
            self.schedule(t + self._poisson(per_hour), run)
            return make(t)

        return run

    @staticmethod
    def _location(
        point: Point, *, gcj02: bool = False, accuracy_m: float | None = None, place: str | None = None
    ) -> dict[str, Any]:
        lat, lon = wgs84_to_gcj02(*point) if gcj02 else point
        loc: dict[str, Any] = {
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "crs": "gcj02" if gcj02 else "wgs84",
        }
        if accuracy_m is not None:
            loc["accuracy_m"] = round(accuracy_m, 1)
        if place:
            loc["place"] = place
        return loc

    def _road_point(self) -> Point:
        road = self._rng.choice(self.community.roads)
        i = self._rng.randrange(len(road.line) - 1)
        (a_lat, a_lon), (b_lat, b_lon) = road.line[i], road.line[i + 1]
        f = self._rng.random()
        return a_lat + f * (b_lat - a_lat), a_lon + f * (b_lon - a_lon)

    def _near(self, point: Point, min_m: float, max_m: float, rng: random.Random | None = None) -> Point:
        rng = rng or self._rng
        heading = rng.uniform(0, 2 * math.pi)
        dist = rng.uniform(min_m, max_m)
        return offset_m(point[0], point[1], dist * math.cos(heading), dist * math.sin(heading))

    def _mover(self, ref: str) -> _Mover | None:
        """A staff member's or team's mover; patrol officers start where their team is."""
        if ref not in self._movers:
            staff = self.community.staff_by_ref.get(ref)
            if staff is None or staff.team is None:
                return None
            team = self._movers[staff.team]
            self._movers[ref] = _Mover(ref, team.lat, team.lon, SPEED["patrol"])
        return self._movers[ref]

    # -- directory

    def profiles(self, t: float = 0.0) -> list[Event]:
        """Directory records for every elder, staff member and team (the start of a new stream)."""
        out = []
        for e in self.community.elders:
            fields: dict[str, Any] = {
                "kind": "elder",
                "ref": e.ref,
                "name": e.name,
                "birth_year": e.birth_year,
                "address": e.address,
                "conditions": list(e.conditions),
                "contacts": [{"name": c.name, "relation": c.relation, "phone": c.phone} for c in e.contacts],
                "device": e.device,
                "home": {"lat": e.home[0], "lon": e.home[1]},
                "safe_radius_m": e.safe_radius_m,
            }
            out.append(self._event(f"profile:{e.ref}", "profile", "civil-affairs", t, **fields))
        for s in self.community.staff:
            extra = {"grid": s.grid} if s.grid else {"team": s.team}
            out.append(
                self._event(
                    f"profile:{s.ref}", "profile", "civil-affairs", t,
                    kind="staff", ref=s.ref, name=s.name, role=s.role, phone=s.phone, **extra,
                )
            )  # fmt: skip
        for team in self.community.teams:
            out.append(
                self._event(
                    f"profile:{team.ref}", "profile", "civil-affairs", t,
                    kind="team", ref=team.ref, name=team.name, members=list(team.members),
                )
            )  # fmt: skip
        return out

    # -- positions

    def _elder_position(self, st: _ElderState, t: float) -> Event:
        m = st.mover
        at_home = not m.waypoints
        point = self._near(m.point, 0, 8) if at_home else m.point
        fields: dict[str, Any] = {
            "subject": st.elder.ref,
            "location": self._location(point, gcj02=st.gcj02, accuracy_m=self._rng.uniform(5, 25)),
            "battery": round(st.battery, 2),
        }
        if not at_home:
            fields["speed_mps"] = round(m.speed_mps, 1)
        return self._event(f"pos:{st.elder.ref}", "position", "fall-detectors", t, **fields)

    def _elder_walk(self, st: _ElderState) -> Action:
        """Every ~30 s: most elders stay in, some take a stroll, a few with dementia wander off."""

        def run(t: float) -> list[Event]:
            self.schedule(t + self._every(POSITION_PERIOD_S), run)
            elder, m = st.elder, st.mover
            if st.status == "charging":
                st.battery = min(1.0, st.battery + 0.02)
            else:
                st.battery = max(0.02, st.battery - 0.0003)
            if st.status == "offline":
                return []
            if st.status in ("charging", "not_worn"):  # the wearable lies at home
                return [self._elder_position(st, t)]
            if m.waypoints:
                m.step(m.speed_mps * POSITION_PERIOD_S)
            else:
                r = self._rng.random()
                if elder.dementia and r < 0.003:
                    m.speed_mps = SPEED["wander"]
                    m.waypoints = [
                        self._near(elder.home, elder.safe_radius_m * 1.2, elder.safe_radius_m * 3),
                        elder.home,
                    ]
                elif r < 0.012 and "行动不便" not in elder.conditions:
                    m.speed_mps = SPEED["elder"]
                    m.waypoints = [self._near(elder.home, 60, 250), elder.home]
            return [self._elder_position(st, t)]

        return run

    def _staff_position(self, mover: _Mover, t: float) -> Event:
        return self._event(
            f"pos:{mover.ref}", "position", "field-app", t,
            subject=mover.ref,
            location=self._location(mover.point, accuracy_m=self._rng.uniform(4, 15)),
            speed_mps=mover.speed_mps,
        )  # fmt: skip

    def _routine_walk(self, mover: _Mover) -> Action:
        """Every ~30 s: a grid worker walks about the grid, a patrol team drives the streets."""
        worker = self.community.staff_by_ref.get(mover.ref)
        grid = next((g for g in self.community.grids if worker and g.ref == worker.grid), None)

        def run(t: float) -> list[Event]:
            self.schedule(t + self._every(POSITION_PERIOD_S), run)
            if mover.task is not None:
                return []
            if not mover.waypoints:
                rng = self._rng
                target = (
                    spot(grid.ring, rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9))
                    if grid
                    else self._road_point()
                )
                mover.waypoints.append(target)
            mover.step(mover.speed_mps * POSITION_PERIOD_S)
            return [self._staff_position(mover, t)]

        return run

    # -- elders' wearables

    def _pick_elder(
        self,
        weight: Callable[[Elder], float] | None = None,
        statuses: tuple[str, ...] = ("online", "low_battery"),
    ) -> _ElderState | None:
        """A random elder whose wearable is in one of ``statuses``."""
        states = [st for st in self._elders.values() if st.status in statuses]
        if not states:
            return None
        weights = [weight(st.elder) for st in states] if weight else None
        return self._rng.choices(states, weights)[0]

    def _device(self, st: _ElderState, status: str, t: float) -> Event:
        st.status = status
        return self._event(
            f"dev:{st.elder.device}", "device", "fall-detectors", t,
            device=st.elder.device, elder=st.elder.ref, status=status, battery=round(st.battery, 2),
        )  # fmt: skip

    def _device_trouble(self, t: float) -> list[Event]:
        """A wearable runs low, is taken off, drops off the network or is put on charge; it recovers later."""
        st = self._pick_elder(statuses=("online",))
        if st is None:
            return []
        status = self._rng.choices(("low_battery", "not_worn", "offline", "charging"), (3, 2.5, 2, 2.5))[0]
        if status == "low_battery":
            st.battery = self._rng.uniform(0.04, 0.15)
            nxt, delay = ("charging", (600, 3600)) if self._rng.random() < 0.7 else ("offline", (1200, 5400))
        else:
            nxt, delay = (
                "online",
                {"not_worn": (600, 3600), "offline": (300, 3600), "charging": (1800, 7200)}[status],
            )
        event = self._device(st, status, t)
        self.schedule(t + self._every(self._rng.uniform(*delay)), lambda at: self._recover(st, nxt, at))
        return [event]

    def _recover(self, st: _ElderState, status: str, t: float) -> list[Event]:
        if status == "online":
            return [self._device(st, "online", t)]
        # charging or flat: back online after a while
        self.schedule(
            t + self._every(self._rng.uniform(1800, 7200)), lambda at: self._recover(st, "online", at)
        )
        return [self._device(st, status, t)]

    def _place(self, st: _ElderState) -> str | None:
        """Where an elder is, in words, when at home."""
        if st.mover.waypoints:
            return None
        return st.elder.address.rsplit(" ", 1)[0]

    def _fall(self, t: float) -> list[Event]:
        """A fall detector fires, more often for frail elders."""
        frail = ("行动不便", "骨质疏松", "认知障碍")
        st = self._pick_elder(lambda e: 1.0 + 2.0 * sum(c in e.conditions for c in frail))
        if st is None:
            return []
        e = st.elder
        loc = self._location(
            st.mover.point, gcj02=st.gcj02, accuracy_m=self._rng.uniform(4, 20), place=self._place(st)
        )
        confidence = round(self._rng.uniform(0.55, 0.99), 2)
        return [
            self._event(
                e.device.lower(), "fall", "fall-detectors", t,
                device=e.device, elder=e.ref, confidence=confidence, location=loc,
            )
        ]  # fmt: skip

    def _sos(self, t: float) -> list[Event]:
        """An elder presses the emergency button."""
        st = self._pick_elder()
        if st is None:
            return []
        e = st.elder
        loc = self._location(
            st.mover.point, gcj02=st.gcj02, accuracy_m=self._rng.uniform(4, 20), place=self._place(st)
        )
        return [
            self._event(
                e.device.lower(), "sos", "fall-detectors", t, device=e.device, elder=e.ref, location=loc
            )
        ]

    # -- security and safety systems

    def _alarm(self, t: float) -> list[Event]:
        """A security or safety system raises an alarm; most are cleared some minutes later."""
        kinds = list(ALARMS)
        kind = self._rng.choices(kinds, [ALARMS[k][2] for k in kinds])[0]
        device_kind, severity, _, clear_share, (lo, hi) = ALARMS[kind]
        devices = [
            d
            for d in self.community.devices
            if d.kind == device_kind and (d.id, kind) not in self._active_alarms
        ]
        if not devices:
            return []
        device = self._rng.choice(devices)
        source = self.community.estate_by_code[device.estate].security_source
        key = (device.id, kind)
        self._active_alarms.add(key)
        loc = self._location(device.point, place=device.site)

        def alarm(state: str, at: float, **extra: Any) -> Event:
            return self._event(
                f"alarm:{device.id}", "alarm", source, at,
                kind=kind, state=state, site=device.site, device=device.id, location=loc, **extra,
            )  # fmt: skip

        clears = self._rng.random() < clear_share

        def settle(at: float) -> list[Event]:
            self._active_alarms.discard(key)
            return [alarm("cleared", at)] if clears else []

        self.schedule(t + self._every(self._rng.uniform(lo, hi)), settle)
        return [alarm("raised", t, severity=severity)]

    # -- residents

    def _grievance(self, t: float) -> list[Event]:
        """A resident writes in on WeChat, calls 12345 or uses the app."""
        rng = self._rng
        c = self.community
        channels = list(texts.CHANNELS)
        channel = rng.choices(channels, [texts.CHANNELS[ch][2] for ch in channels])[0]
        source, prefix, _ = texts.CHANNELS[channel]
        categories = list(texts.CATEGORY_WEIGHTS)
        category = rng.choices(categories, list(texts.CATEGORY_WEIGHTS.values()))[0]
        title, template = rng.choice(texts.GRIEVANCES[category])
        building = rng.choice(c.buildings)
        estate = c.estate_by_code[building.estate]
        gate = rng.choice([g for g in c.gates if g.estate == estate.code] or list(c.gates))
        text = template.format(
            estate=estate.name,
            building=f"{building.number}栋",
            unit=rng.randint(1, building.units),
            floor=rng.randint(2, building.floors),
            gate=gate.name,
            road=rng.choice(c.roads).name,
        )
        male = rng.random() < 0.45
        room = f"{rng.randint(1, building.floors)}0{rng.randint(1, 2)}"
        address = f"{building.name} {rng.randint(1, building.units)}单元 {room}"
        reporter: dict[str, str] = {"phone": self._names.phone()}
        if channel == "hotline" and rng.random() < 0.5:
            pass  # callers to 12345 often give only their number
        elif channel == "app":
            reporter |= {"name": self._names.full(male), "address": address}
        else:
            reporter |= {"name": self._names.surname() + ("先生" if male else "女士"), "address": address}
        fields: dict[str, Any] = {"channel": channel, "category": category}
        if channel != "hotline" or rng.random() < 0.5:
            fields["title"] = title
        fields |= {"text": text, "reporter": reporter}
        if rng.random() < 0.5:
            fields["location"] = self._location(building.center, place=building.name)
        return [self._event(prefix, "grievance", source, t, **fields)]

    # -- the field side of dispatched tasks

    def dispatch(self, now: float, task: str, assignee: str, target: Point | None, suffix: str = "") -> bool:
        """Play a dispatched task: accepted (or declined), en route, on scene, completed.

        ``suffix`` is added to the event ids when the same task is dispatched again. False when
        ``assignee`` is nobody the community knows.
        """
        mover = self._mover(assignee)
        if mover is None:
            return False
        self.recall(task)
        play = _Play(task, assignee, target, suffix, random.Random(f"{self._seed}:{task}:{suffix}"), mover)
        self._plays[task] = play
        self._field_step(play, now, play.rng.uniform(3, 60), self._answer)
        return True

    def recall(self, task: str) -> bool:
        """Cancel what is still to come of a task; False when nothing was pending."""
        play = self._plays.pop(task, None)
        if play is None:
            return False
        play.cancelled = True
        self._release(play)
        return True

    @staticmethod
    def _release(play: _Play) -> None:
        if play.mover.task == play.task:
            play.mover.task = None

    def _field_step(
        self, play: _Play, now: float, nominal_s: float, step: Callable[[_Play, float], list[Event]]
    ) -> None:
        def run(t: float) -> list[Event]:
            return [] if play.cancelled else step(play, t)

        self.schedule(now + nominal_s * self._field_scale, run)

    def _task(self, play: _Play, status: str, t: float, **extra: Any) -> Event:
        return {
            "id": f"task:{play.task}:{status}{play.suffix}",
            "type": "task",
            "source": "field-app",
            "time": self._stamp(t),
            "task": play.task,
            "status": status,
            "by": play.assignee,
            **extra,
        }

    def _answer(self, play: _Play, t: float) -> list[Event]:
        if play.rng.random() < self._decline_share:
            self._plays.pop(play.task, None)
            return [self._task(play, "declined", t, note=play.rng.choice(texts.DECLINE_NOTES))]
        self._field_step(play, t, play.rng.uniform(5, 30), self._set_off)
        return [self._task(play, "accepted", t, note=play.rng.choice(texts.ACCEPT_NOTES))]

    def _set_off(self, play: _Play, t: float) -> list[Event]:
        m = play.mover
        if play.target is None:  # no place given: the job is where the worker is
            play.target = self._near(m.point, 5, 20, play.rng)
        if m.task is None:
            m.task = play.task
        self._field_step(play, t, 10.0, self._travel)
        return [self._task(play, "en_route", t, location=self._location(m.point))]

    def _travel(self, play: _Play, t: float) -> list[Event]:
        """One 10 s leg toward the place; a worker busy with another task finishes that one first."""
        m = play.mover
        if m.task not in (None, play.task):
            self._field_step(play, t, 30.0, self._travel)
            return []
        assert play.target is not None
        m.task = play.task
        m.waypoints = [play.target]
        arrived = m.step(m.speed_mps * 10.0)
        out = [self._staff_position(m, t)]
        if arrived:
            out.append(self._task(play, "on_scene", t, location=self._location(m.point)))
            self._field_step(play, t, play.rng.uniform(60, 600), self._complete)
        else:
            self._field_step(play, t, 10.0, self._travel)
        return out

    def _complete(self, play: _Play, t: float) -> list[Event]:
        self._plays.pop(play.task, None)
        self._release(play)
        return [self._task(play, "completed", t, note=play.rng.choice(texts.COMPLETE_NOTES))]

    # -- scripted events

    def complete(self, event: Event, t: float) -> Event:
        """Fill what a scripted event leaves out: id, time, source, and the elder's or device's details."""
        out = dict(event)
        etype = out.get("type")
        elder = self._elders.get(str(out.get("elder")))
        device = self.community.device_by_id.get(str(out.get("device")))
        if elder is not None and etype in ("fall", "sos", "device"):
            out.setdefault("device", elder.elder.device)
            if etype != "device" and "location" not in out:
                out["location"] = self._location(
                    elder.mover.point, gcj02=elder.gcj02, place=self._place(elder)
                )
        if device is not None and etype == "alarm":
            out.setdefault("site", device.site)
            out.setdefault("location", self._location(device.point, place=device.site))
            out.setdefault("source", self.community.estate_by_code[device.estate].security_source)
        if isinstance(etype, str):
            out.setdefault("source", SOURCES.get(etype, "simulator"))
        out.setdefault("time", self._stamp(t))
        if "id" not in out:
            word = etype if isinstance(etype, str) and _WORD.match(etype) else "event"
            return {"id": self._id(f"scn:{word}"), **out}
        return out
