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


@dataclass(slots=True)
class AlarmBoard:
    """The alarms waiting for a person, with the ladder and the snoozes."""

    policy: AlarmPolicy = field(default_factory=AlarmPolicy)
    _alarms: dict[str, Alarm] = field(default_factory=dict)

    # ---- raising and ending ---------------------------------------------------------------------
    def raise_alarm(self, alarm: Alarm) -> list[AlarmEvent]:
        """Raise `alarm` (nothing happens if the same key is already waiting)."""
        if alarm.key in self._alarms:
            return []
        self._alarms[alarm.key] = alarm
        return [AlarmEvent(AlarmEventKind.RAISED, alarm.key, alarm.raised_at, alarm.incident_id)]

    def acknowledge(self, key: str, by: str, now: datetime) -> AlarmEvent:
        """A person acknowledged it here: it stops, and the record says after how long."""
        alarm = self._alarms.pop(key, None)
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
        alarm = self._alarms.pop(key, None)
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
        alarm.snoozed_until = now + span
        alarm.snooze_reason = reason.strip()
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
        for alarm in self._alarms.values():
            if alarm.snoozed_until is not None and now >= alarm.snoozed_until:
                alarm.snoozed_until = None
                out.append(
                    AlarmEvent(AlarmEventKind.SNOOZE_ENDED, alarm.key, now, alarm.incident_id, alarm.level)
                )
            if alarm.priority != 1:
                continue
            waited = now - alarm.raised_at
            for level, after in ((1, self.policy.escalate_after), (2, self.policy.second_after)):
                if alarm.level < level and waited >= after:
                    alarm.level = level
                    out.append(
                        AlarmEvent(
                            AlarmEventKind.ESCALATED,
                            alarm.key,
                            alarm.raised_at + after,
                            alarm.incident_id,
                            level,
                            after.total_seconds(),
                        )
                    )
        return out

    # ---- what to show and play --------------------------------------------------------------------
    def waiting(self) -> list[Alarm]:
        """Every alarm waiting, most severe first (class, then the escalated, then the oldest)."""
        return sorted(self._alarms.values(), key=lambda a: (_RANK[a.cls], -a.level, a.raised_at, a.key))

    def get(self, key: str) -> Alarm | None:
        return self._alarms.get(key)

    def __len__(self) -> int:
        return len(self._alarms)

    def sound(self, now: datetime) -> SoundChoice | None:
        """The loop to play: the most severe alarm waiting that is not snoozed and does not chime once.

        An escalated P1 anywhere makes the tone its escalation tone (the loudest step waiting).
        """
        loud = [a for a in self._alarms.values() if not a.chimes_once and not a.snoozed(now)]
        if not loud:
            return None
        top = min(loud, key=lambda a: (_RANK[a.cls], -a.level, a.raised_at, a.key))
        level = max(a.level for a in loud)
        return SoundChoice(top.cls, level, top.key)

    def escalated(self) -> bool:
        return any(a.level > 0 for a in self._alarms.values())


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
