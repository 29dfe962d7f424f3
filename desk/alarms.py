"""Audible alarms: which sound, until when, the escalation ladder, snoozes and the night check-in.

Pure rules over an explicit clock (`now` is passed in), so the ladder is tested without waiting.
An alarm is raised for an incident that nobody has acknowledged yet; it sounds until a person
acknowledges it. A P1 alarm cannot be silenced any other way, and climbs the ladder while it
waits (a louder, different tone after 30 s, a second step after 60 s, by default). Lower classes
may be snoozed for a few minutes, with a reason. Several alarms at once: the sound follows the
most severe one still waiting; acknowledging one leaves the others sounding.

At night, a desk where nothing was touched for a while asks its operator to check in; a check-in
not given in time is an alarm of its own (a P1: it loops and climbs like a fall).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from desk.incidents import IncidentClass


class AlarmClass(StrEnum):
    LIFE = "life"  # a fall, an SOS, someone trapped in a lift
    FIRE = "fire"  # fire, smoke, gas
    CHECKIN = "checkin"  # the night operator did not check in
    SECURITY = "security"
    WELFARE = "welfare"
    GRIEVANCE = "grievance"  # a soft chime, once


#: most severe first: the sound follows the first class with an alarm waiting
SEVERITY: tuple[AlarmClass, ...] = (
    AlarmClass.LIFE,
    AlarmClass.FIRE,
    AlarmClass.CHECKIN,
    AlarmClass.SECURITY,
    AlarmClass.WELFARE,
    AlarmClass.GRIEVANCE,
)
_RANK = {c: i for i, c in enumerate(SEVERITY)}
#: these chime once when raised; every other class loops until acknowledged or snoozed
CHIME_ONCE = frozenset({AlarmClass.GRIEVANCE})
LIFE_KINDS = frozenset({"fall", "sos", "elevator_entrapment"})
FIRE_KINDS = frozenset({"fire", "smoke", "gas"})


def alarm_class(kind: str, cls: IncidentClass) -> AlarmClass:
    """The alarm class of an incident of this kind and class."""
    if kind in LIFE_KINDS:
        return AlarmClass.LIFE
    if kind in FIRE_KINDS:
        return AlarmClass.FIRE
    return {
        IncidentClass.EMERGENCY: AlarmClass.LIFE,
        IncidentClass.SECURITY: AlarmClass.SECURITY,
        IncidentClass.WELFARE: AlarmClass.WELFARE,
        IncidentClass.GRIEVANCE: AlarmClass.GRIEVANCE,
    }[cls]


class AlarmRefused(Exception):
    """An alarm action that the rules do not allow; the message says why, for the operator."""


def _seconds(value: Any, name: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"[alarms] {name} must be a positive number of seconds, not {value!r}")
    return timedelta(seconds=float(value))


def _clock_time(value: Any, name: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f'[alarms] {name} must be a time like "22:00", not {value!r}') from None


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    """The ladder, the snoozes and the night check-in (the `[alarms]` table of the config)."""

    escalate_after: timedelta = timedelta(seconds=30)
    second_after: timedelta = timedelta(seconds=60)
    max_snooze: timedelta = timedelta(minutes=10)
    checkin_idle: timedelta = timedelta(minutes=20)
    checkin_grace: timedelta = timedelta(minutes=2)
    night_from: time = time(22, 0)
    night_to: time = time(6, 0)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AlarmPolicy:
        """From TOML: `escalate_after_s`, `second_after_s`, `max_snooze_s`, `checkin_idle_s`,
        `checkin_grace_s` (seconds), `night_from`, `night_to` ("HH:MM")."""
        known = {
            "escalate_after_s",
            "second_after_s",
            "max_snooze_s",
            "checkin_idle_s",
            "checkin_grace_s",
            "night_from",
            "night_to",
            "volume",
            "device",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"[alarms] unknown keys: {', '.join(unknown)}")
        d = cls()

        def span(key: str, default: timedelta) -> timedelta:
            return _seconds(data[key], key) if key in data else default

        def clock(key: str, default: time) -> time:
            return _clock_time(data[key], key) if key in data else default

        policy = cls(
            escalate_after=span("escalate_after_s", d.escalate_after),
            second_after=span("second_after_s", d.second_after),
            max_snooze=span("max_snooze_s", d.max_snooze),
            checkin_idle=span("checkin_idle_s", d.checkin_idle),
            checkin_grace=span("checkin_grace_s", d.checkin_grace),
            night_from=clock("night_from", d.night_from),
            night_to=clock("night_to", d.night_to),
        )
        if policy.second_after <= policy.escalate_after:
            raise ValueError("[alarms] second_after_s must be later than escalate_after_s")
        return policy

    def is_night(self, local: datetime) -> bool:
        t = local.time()
        if self.night_from <= self.night_to:
            return self.night_from <= t < self.night_to
        return t >= self.night_from or t < self.night_to


class AlarmEventKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    SNOOZE_ENDED = "snooze_ended"
    WITHDRAWN = "withdrawn"  # the incident was acknowledged elsewhere (another desk, the panel) or closed
    CHECKIN_DUE = "checkin_due"
    CHECKIN_DONE = "checkin_done"
    CHECKIN_MISSED = "checkin_missed"
    TESTED = "tested"  # the alarm test at the start of a shift
    SOUND_FAILED = "sound_failed"
    SOUND_RESTORED = "sound_restored"
    OUTPUT_SET = "output_set"  # the speaker's volume and device were chosen


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """Something for the record (and for the window to show)."""

    kind: AlarmEventKind
    key: str
    at: datetime
    incident_id: int | None = None
    level: int = 0
    after_s: float | None = None  # how long the alarm had been waiting
    by: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Alarm:
    key: str  # "incident:12", "checkin:…"
    cls: AlarmClass
    priority: int
    title: str
    raised_at: datetime
    incident_id: int | None = None
    place: str | None = None
    person: str | None = None  # already masked as the window shows it
    level: int = 0  # 0 as raised, 1 and 2 the escalation steps
    snoozed_until: datetime | None = None
    snooze_reason: str | None = None

    @property
    def chimes_once(self) -> bool:
        return self.cls in CHIME_ONCE

    @property
    def can_snooze(self) -> bool:
        return self.priority != 1

    def waited(self, now: datetime) -> float:
        return max(0.0, (now - self.raised_at).total_seconds())

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and now < self.snoozed_until


@dataclass(frozen=True, slots=True)
class SoundChoice:
    """What the speaker should play now: the class's sound, or the escalation tone of `level`."""

    cls: AlarmClass
    level: int
    key: str


def _order(a: Alarm) -> tuple[int, int, datetime, str]:
    """Most severe first: the class, then the escalated, then the oldest."""
    return (_RANK[a.cls], -a.level, a.raised_at, a.key)


#: the alarms wait in buckets of one class and ladder level, in this order (most severe first)
_LEVELS = (2, 1, 0)
_BUCKETS: tuple[tuple[int, int], ...] = tuple((_RANK[c], lv) for c in SEVERITY for lv in _LEVELS)
_LOUD_BUCKETS = tuple(b for b in _BUCKETS if SEVERITY[b[0]] not in CHIME_ONCE)

_Entry = tuple[datetime, str, int, "Alarm"]  # raised_at, key, a tie-breaker, the alarm


@dataclass(slots=True)
class _Bucket:
    """The alarms of one class and level, oldest first (a heap; ones that left are dropped lazily)."""

    heap: list[_Entry] = field(default_factory=list)
    count: int = 0


@dataclass(slots=True)
class AlarmBoard:
    """The alarms waiting for a person, with the ladder and the snoozes.

    Thousands may wait at once (a flood of falls from a faulty gateway): the most severe one, the
    loop to play and the ladder's next step are found without looking at every alarm — the
    waiting ones sit in buckets by class and level, the ladder's steps in a heap by time, and the
    snoozed ones (never a P1: a few at most) aside.
    """

    policy: AlarmPolicy = field(default_factory=AlarmPolicy)
    _alarms: dict[str, Alarm] = field(default_factory=dict)
    _buckets: dict[tuple[int, int], _Bucket] = field(default_factory=lambda: {b: _Bucket() for b in _BUCKETS})
    _snoozed: dict[str, Alarm] = field(default_factory=dict)
    _ladder: list[tuple[datetime, int, str, int, Alarm]] = field(default_factory=list)
    _serial: int = 0

    # ---- where an alarm waits ---------------------------------------------------------------------
    def _next(self) -> int:
        self._serial += 1
        return self._serial

    def _place(self, alarm: Alarm) -> None:
        if alarm.snoozed_until is not None:
            self._snoozed[alarm.key] = alarm
            return
        bucket = self._buckets[(_RANK[alarm.cls], alarm.level)]
        heapq.heappush(bucket.heap, (alarm.raised_at, alarm.key, self._next(), alarm))
        bucket.count += 1

    def _unplace(self, alarm: Alarm) -> None:
        if self._snoozed.get(alarm.key) is alarm:
            del self._snoozed[alarm.key]
            return
        bucket = self._buckets[(_RANK[alarm.cls], alarm.level)]
        bucket.count -= 1  # its heap entry goes when it reaches the top, or at the next compaction
        if len(bucket.heap) > 64 and len(bucket.heap) > 4 * bucket.count:
            bucket.heap = [e for e in bucket.heap if e[3] is not alarm and self._in(e, bucket)]
            heapq.heapify(bucket.heap)

    def _in(self, entry: _Entry, bucket: _Bucket) -> bool:
        alarm = entry[3]
        return (
            self._alarms.get(alarm.key) is alarm
            and alarm.key not in self._snoozed
            and self._buckets[(_RANK[alarm.cls], alarm.level)] is bucket
        )

    def _first(self, key: tuple[int, int]) -> Alarm | None:
        bucket = self._buckets[key]
        if bucket.count <= 0:
            return None
        heap = bucket.heap
        while heap and not self._in(heap[0], bucket):
            heapq.heappop(heap)
        return heap[0][3] if heap else None

    def _climb_later(self, alarm: Alarm) -> None:
        """Put the alarm's next step of the ladder in the heap (a P1 below the top step)."""
        if alarm.priority != 1 or alarm.level >= 2:
            return
        after = self.policy.escalate_after if alarm.level == 0 else self.policy.second_after
        step = (alarm.raised_at + after, self._next(), alarm.key, alarm.level + 1, alarm)
        heapq.heappush(self._ladder, step)

    # ---- raising and ending ---------------------------------------------------------------------
    def raise_alarm(self, alarm: Alarm) -> list[AlarmEvent]:
        """Raise `alarm` (nothing happens if the same key is already waiting)."""
        if alarm.key in self._alarms:
            return []
        self._alarms[alarm.key] = alarm
        self._place(alarm)
        self._climb_later(alarm)
        return [AlarmEvent(AlarmEventKind.RAISED, alarm.key, alarm.raised_at, alarm.incident_id)]

    def _remove(self, key: str) -> Alarm | None:
        alarm = self._alarms.get(key)
        if alarm is None:
            return None
        self._unplace(alarm)
        del self._alarms[key]
        return alarm

    def acknowledge(self, key: str, by: str, now: datetime) -> AlarmEvent:
        """A person acknowledged it here: it stops, and the record says after how long."""
        alarm = self._remove(key)
        if alarm is None:
            raise AlarmRefused("this alarm is no longer waiting (acknowledged already)")
        return AlarmEvent(
            AlarmEventKind.ACKNOWLEDGED,
            key,
            now,
            alarm.incident_id,
            alarm.level,
            alarm.waited(now),
            by,
        )

    def withdraw(self, key: str, now: datetime, note: str | None = None) -> AlarmEvent | None:
        """The incident is no longer waiting for anyone here (acknowledged elsewhere, closed)."""
        alarm = self._remove(key)
        if alarm is None:
            return None
        return AlarmEvent(
            AlarmEventKind.WITHDRAWN, key, now, alarm.incident_id, alarm.level, alarm.waited(now), note=note
        )

    def snooze(self, key: str, minutes: float, reason: str, by: str, now: datetime) -> AlarmEvent:
        """Quiet a lower-class alarm for a few minutes, with a reason; a P1 is refused."""
        alarm = self._alarms.get(key)
        if alarm is None:
            raise AlarmRefused("this alarm is no longer waiting (acknowledged already)")
        if not alarm.can_snooze:
            raise AlarmRefused("a P1 alarm cannot be silenced: acknowledge it")
        if not reason.strip():
            raise AlarmRefused("a snooze needs a reason")
        span = timedelta(minutes=minutes)
        if span <= timedelta(0) or span > self.policy.max_snooze:
            limit = int(self.policy.max_snooze.total_seconds() // 60)
            raise AlarmRefused(f"a snooze lasts from 1 to {limit} minutes")
        self._unplace(alarm)
        alarm.snoozed_until = now + span
        alarm.snooze_reason = reason.strip()
        self._place(alarm)
        return AlarmEvent(
            AlarmEventKind.SNOOZED,
            key,
            now,
            alarm.incident_id,
            alarm.level,
            alarm.waited(now),
            by,
            f"{minutes:g} min: {alarm.snooze_reason}",
        )

    # ---- time passing -----------------------------------------------------------------------------
    def tick(self, now: datetime) -> list[AlarmEvent]:
        """Climb the ladder of the P1 alarms that still wait, and end the snoozes that ran out."""
        out: list[AlarmEvent] = []
        for alarm in list(self._snoozed.values()):
            if alarm.snoozed_until is not None and now >= alarm.snoozed_until:
                self._unplace(alarm)
                alarm.snoozed_until = None
                self._place(alarm)
                out.append(
                    AlarmEvent(AlarmEventKind.SNOOZE_ENDED, alarm.key, now, alarm.incident_id, alarm.level)
                )
        ladder = self._ladder
        while ladder and ladder[0][0] <= now:
            due, _, key, level, alarm = heapq.heappop(ladder)
            if self._alarms.get(key) is not alarm or alarm.level >= level:
                continue  # acknowledged or withdrawn meanwhile
            self._unplace(alarm)
            alarm.level = level
            self._place(alarm)
            self._climb_later(alarm)
            out.append(
                AlarmEvent(
                    AlarmEventKind.ESCALATED,
                    key,
                    due,
                    alarm.incident_id,
                    level,
                    (due - alarm.raised_at).total_seconds(),
                )
            )
        return out

    # ---- what to show and play --------------------------------------------------------------------
    def waiting(self) -> list[Alarm]:
        """Every alarm waiting, most severe first (class, then the escalated, then the oldest)."""
        return sorted(self._alarms.values(), key=_order)

    def top(self) -> Alarm | None:
        """The first of `waiting()`, without sorting them all (the banner shows it)."""
        best: Alarm | None = None
        for key in _BUCKETS:
            best = self._first(key)
            if best is not None:
                break
        for alarm in self._snoozed.values():
            if best is None or _order(alarm) < _order(best):
                best = alarm
        return best

    def get(self, key: str) -> Alarm | None:
        return self._alarms.get(key)

    def __len__(self) -> int:
        return len(self._alarms)

    def sound(self, now: datetime) -> SoundChoice | None:
        """The loop to play: the most severe alarm waiting that is not snoozed and does not chime once.

        An escalated P1 anywhere makes the tone its escalation tone (the loudest step waiting).
        """
        top: Alarm | None = None
        level = 0
        for key in _LOUD_BUCKETS:
            first = self._first(key)
            if first is None:
                continue
            top = top or first
            level = max(level, key[1])
        for alarm in self._snoozed.values():  # a snooze that ran out before the tick ended it
            if alarm.chimes_once or alarm.snoozed(now):
                continue
            if top is None or _order(alarm) < _order(top):
                top = alarm
            level = max(level, alarm.level)
        if top is None:
            return None
        return SoundChoice(top.cls, level, top.key)

    def escalated(self) -> bool:
        return any(self._buckets[k].count > 0 for k in _BUCKETS if k[1] > 0) or any(
            a.level > 0 for a in self._snoozed.values()
        )


@dataclass(slots=True)
class CheckIn:
    """The night operator's check-in: asked for after a quiet spell, an alarm when not given."""

    policy: AlarmPolicy = field(default_factory=AlarmPolicy)
    last_activity: datetime | None = None
    due_since: datetime | None = None
    missed_key: str | None = None

    def activity(self, now: datetime) -> None:
        """The operator touched the desk (a key, the mouse). Does not answer a check-in by itself."""
        self.last_activity = now

    def tick(self, now: datetime, local: datetime) -> list[AlarmEvent]:
        """`now` aware; `local` the desk's wall clock (night hours are local)."""
        if self.last_activity is None:
            self.last_activity = now
        out: list[AlarmEvent] = []
        if self.due_since is None:
            idle = now - self.last_activity
            if self.policy.is_night(local) and idle >= self.policy.checkin_idle:
                self.due_since = now
                out.append(AlarmEvent(AlarmEventKind.CHECKIN_DUE, "checkin", now, note=_minutes(idle)))
        elif self.missed_key is None and now - self.due_since >= self.policy.checkin_grace:
            self.missed_key = f"checkin:{self.due_since.isoformat()}"
            out.append(
                AlarmEvent(
                    AlarmEventKind.CHECKIN_MISSED,
                    self.missed_key,
                    now,
                    after_s=(now - self.due_since).total_seconds(),
                )
            )
        return out

    def check_in(self, by: str, now: datetime) -> AlarmEvent | None:
        """The operator checked in: the request (and a missed check-in's alarm) ends."""
        if self.due_since is None:
            self.last_activity = now
            return None
        waited = (now - self.due_since).total_seconds()
        self.due_since = None
        self.missed_key = None
        self.last_activity = now
        return AlarmEvent(AlarmEventKind.CHECKIN_DONE, "checkin", now, after_s=waited, by=by)

    @property
    def due(self) -> bool:
        return self.due_since is not None


def _minutes(span: timedelta) -> str:
    return f"idle {int(span.total_seconds() // 60)} min"
