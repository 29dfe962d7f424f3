"""The alarm service: raises an alarm for every new incident nobody has acknowledged, drives the
speaker, climbs the ladder, and keeps every step in the record.

It follows the committed changes (a new incident raises; an incident acknowledged anywhere, on
this desk's panel or another desk, withdraws its alarm), ticks twice a second on the event loop,
and talks to a `SoundPlayer` (services.sound.SoundService) that plays on its own thread. The
window shows `top()` and `count()` of what waits and calls `acknowledge`, `snooze`, `check_in`, `activity`
and `test_alarm`; `on_update` tells it to look again.

Every step is written to the record: an incident's alarm into that incident's log (raised,
escalated, acknowledged after N s, snoozed with its reason, withdrawn), the desk's own (test,
check-in, sound failures) into the desk log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from desk.alarms import (
    Alarm,
    AlarmBoard,
    AlarmClass,
    AlarmEvent,
    AlarmEventKind,
    AlarmPolicy,
    AlarmRefused,
    CheckIn,
    SoundChoice,
    alarm_class,
)
from desk.auth import Permission
from desk.incidents import IllegalTransition, QueueItem, Status
from desk.privacy import mask_name

log = logging.getLogger("desk.alarms")

#: how often the ladder, the snoozes and the check-in are looked at
TICK_S = 0.5
STOP_WAIT_S = 10.0  # how long stop() waits for the alarm records on their way to the writer


class SoundPlayer(Protocol):
    def play_loop(self, name: Any) -> None: ...
    def play_once(self, name: Any) -> None: ...
    def stop(self) -> None: ...


@runtime_checkable
class Output(Protocol):
    """A player whose volume and device can be set (services.sound.SoundService)."""

    def set_volume(self, volume: int) -> None: ...
    def set_device(self, device: str | None) -> None: ...


class AlarmRuntime(Protocol):
    """What the service needs of services.runtime.DeskRuntime."""

    async def acknowledge_alarm(self, incident_id: int, by: str) -> Any: ...
    def authorize(self, by: str, permission: Permission) -> Any: ...
    async def queue_items(self, ids: list[int] | None = None) -> list[QueueItem]: ...


Recorder = Callable[[AlarmEvent], Awaitable[None]]


def sound_name(choice: SoundChoice) -> str:
    """The file (services.sound.SoundName value) for what the board wants played."""
    if choice.level >= 2:
        return "escalated2"
    if choice.level == 1:
        return "escalated1"
    return choice.cls.value


class AlarmService:
    def __init__(
        self,
        runtime: AlarmRuntime,
        sound: SoundPlayer,
        desk_id: str,
        *,
        policy: AlarmPolicy | None = None,
        record: Recorder | None = None,
        on_update: Callable[[], None] | None = None,
        on_event: Callable[[AlarmEvent], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        local_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.runtime = runtime
        self.sound = sound
        self.desk_id = desk_id
        self.policy = policy or AlarmPolicy()
        self.board = AlarmBoard(self.policy)
        self.checkin = CheckIn(self.policy)
        self._record = record
        self.on_update = on_update
        self.on_event = on_event
        self.clock = clock or (lambda: datetime.now(UTC))
        self.local_clock = local_clock or datetime.now
        self.playing: str | None = None  # the loop the speaker plays now
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self._stopped = False
        self._watched: set[int] = set()  # incidents whose alarm is waiting
        self.sound_failure: str | None = None  # why the speaker cannot sound, while it cannot
        self.volume = 100
        self.device: str | None = None

    # ---- running ------------------------------------------------------------------------------------
    def start(self) -> None:
        self._stopped = False
        """Run the ladder, and raise the alarms of every incident still waiting for a person (what
        arrived while the desk was stopped, or before anyone signed in, sounds too)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
            self._spawn(self._sweep())

    async def _sweep(self) -> None:
        waiting = [i.incident.id for i in await self.runtime.queue_items() if i.incident.status is Status.NEW]
        if waiting:
            await self.follow(waiting)

    async def stop(self) -> None:
        self._stopped = True  # commits after this (the desk closing) raise nothing more
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._pending:  # the records on their way, but not forever (a writer that cannot start)
            _, late = await asyncio.wait(self._pending, timeout=STOP_WAIT_S)
            if late:
                log.error("%d alarm records were not written before the desk stopped", len(late))
        self.sound.stop()
        self.playing = None

    async def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # the alarm loop never dies of one bad step
                log.exception("alarm tick failed")
            await asyncio.sleep(TICK_S)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        if task in self._pending:  # one write records a turn's steps: watched once
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(_log_failure)

    # ---- following the incidents ------------------------------------------------------------------
    def on_changes(self, changes: Any) -> None:
        """A commit: new incidents may need an alarm, watched ones may have been acknowledged."""
        if self._stopped:
            return
        wanted = list(dict.fromkeys([*changes.new_incidents, *(set(changes.incidents) & self._watched)]))
        if wanted:
            self._spawn(self.follow(wanted))

    async def follow(self, ids: list[int]) -> None:
        """Raise or withdraw the alarms of these incidents as their state is now."""
        items = await self.runtime.queue_items(ids)
        now = self.clock()
        changed = False
        for item in items:
            inc = item.incident
            key = f"incident:{inc.id}"
            if inc.status is Status.NEW:
                if inc.id in self._watched or inc.merged_into is not None:
                    continue
                alarm = Alarm(
                    key,
                    alarm_class(inc.kind, inc.cls),
                    int(inc.priority),
                    inc.title,
                    now,  # the ladder counts from when the desk heard of it, not the source's clock
                    incident_id=inc.id,
                    place=inc.place,
                    person=mask_name(item.subject_name) if item.subject_name else inc.subject,
                )
                for event in self.board.raise_alarm(alarm):
                    self._watched.add(inc.id)
                    self._emit(event)
                    changed = True
                if alarm.chimes_once:
                    self.sound.play_once(alarm.cls.value)
            elif inc.id in self._watched:
                self._watched.discard(inc.id)
                gone = self.board.withdraw(key, now, f"now {inc.status.value}")
                if gone is not None:
                    self._emit(gone)
                    changed = True
        if changed:
            self._update()

    # ---- the operator -----------------------------------------------------------------------------
    async def acknowledge(self, key: str, by: str) -> AlarmEvent:
        """Acknowledge an alarm: its incident is acknowledged (the state machine's own step), the
        alarm stops, and the record says after how long. Raises AlarmRefused with the reason."""
        self.runtime.authorize(by, Permission.ALARM_ACKNOWLEDGE)  # every signed-in role may
        alarm = self.board.get(key)
        if alarm is None:
            raise AlarmRefused("this alarm is no longer waiting (acknowledged already)")
        if alarm.cls is AlarmClass.CHECKIN:
            return self._check_in(by)
        if alarm.incident_id is not None:
            try:
                await self.runtime.acknowledge_alarm(alarm.incident_id, by)
            except IllegalTransition as exc:
                # acknowledged meanwhile (another desk, the panel): the alarm ends all the same
                log.info("alarm %s: %s", key, exc)
        if self.board.get(key) is None:  # withdrawn while the acknowledgement was on its way
            raise AlarmRefused("this alarm is no longer waiting (acknowledged already)")
        event = self.board.acknowledge(key, by, self.clock())
        if alarm.incident_id is not None:
            self._watched.discard(alarm.incident_id)
        self._emit(event)
        self._update()
        return event

    def snooze(self, key: str, minutes: float, reason: str, by: str) -> AlarmEvent:
        self.runtime.authorize(by, Permission.SNOOZE)
        event = self.board.snooze(key, minutes, reason, by, self.clock())
        self._emit(event)
        self._update()
        return event

    def check_in(self, by: str) -> AlarmEvent:
        """The operator checked in (the request, and a missed check-in's alarm, end)."""
        self.runtime.authorize(by, Permission.CHECK_IN)
        return self._check_in(by)

    def _check_in(self, by: str) -> AlarmEvent:
        now = self.clock()
        missed = self.checkin.missed_key
        done = self.checkin.check_in(by, now)
        if missed is not None:
            ack = self.board.withdraw(missed, now, "checked in")
            if ack is not None:
                self._emit(
                    AlarmEvent(AlarmEventKind.ACKNOWLEDGED, missed, now, None, ack.level, ack.after_s, by)
                )
        event = done or AlarmEvent(AlarmEventKind.CHECKIN_DONE, "checkin", now, after_s=0.0, by=by)
        self._emit(event)
        self._update()
        return event

    def test_alarm(self, by: str) -> AlarmEvent:
        """Play the test tone once (the start of every shift); the record keeps who tested when."""
        self.runtime.authorize(by, Permission.ALARM_TEST)
        self.sound.play_once("test")
        event = AlarmEvent(AlarmEventKind.TESTED, "test", self.clock(), by=by)
        self._emit(event)
        return event

    def set_output(self, volume: int, device: str | None, by: str) -> AlarmEvent:
        """The operator chose the speaker's volume (0–100) and output device; kept in the record."""
        self.runtime.authorize(by, Permission.SPEAKER)
        volume = max(0, min(100, int(volume)))
        if isinstance(self.sound, Output):
            self.sound.set_volume(volume)
            self.sound.set_device(device or None)
        self.volume, self.device = volume, device or None
        event = AlarmEvent(
            AlarmEventKind.OUTPUT_SET,
            "sound",
            self.clock(),
            by=by,
            note=f"volume {volume}, device {device or 'default'}",
        )
        self._emit(event)
        return event

    async def devices(self) -> list[tuple[str, str]]:
        """The output devices to choose from (name, description), read off the event loop."""
        lister = getattr(self.sound, "devices", None)
        if lister is None:
            from services.sound import list_devices

            found = await asyncio.to_thread(list_devices)
            return [(d.name, d.description) for d in found]
        result: list[tuple[str, str]] = await asyncio.to_thread(lister)
        return result

    def activity(self) -> None:
        """A key or the mouse moved: the operator is there (not a check-in by itself)."""
        self.checkin.activity(self.clock())

    # ---- time -------------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        events = self.board.tick(now)
        for event in self.checkin.tick(now, self.local_clock()):
            events.append(event)
            if event.kind is AlarmEventKind.CHECKIN_MISSED:
                alarm = Alarm(event.key, AlarmClass.CHECKIN, 1, "missed check-in", now)
                events.extend(self.board.raise_alarm(alarm))
            elif event.kind is AlarmEventKind.CHECKIN_DUE:
                self.sound.play_once(AlarmClass.CHECKIN.value)
        for event in events:
            self._emit(event)
        if events:
            self._update()
        else:
            self._update_sound()

    # ---- the speaker's health (call these on the event loop's thread) ----------------------------
    def sound_failed(self, reason: str) -> None:
        """The sound path failed (no device, no backend, the player died): said until it works."""
        if reason != self.sound_failure:
            self._emit(AlarmEvent(AlarmEventKind.SOUND_FAILED, "sound", self.clock(), note=reason))
        self.sound_failure = reason
        if self.on_update is not None:
            self.on_update()

    def sound_ok(self) -> None:
        if self.sound_failure is not None:
            note = f"after: {self.sound_failure}"
            self.sound_failure = None
            self._emit(AlarmEvent(AlarmEventKind.SOUND_RESTORED, "sound", self.clock(), note=note))
            if self.on_update is not None:
                self.on_update()

    # ---- what to show -------------------------------------------------------------------------------
    def waiting(self) -> list[Alarm]:
        return self.board.waiting()

    def top(self) -> Alarm | None:
        """The most severe alarm waiting (the first of `waiting()`, found without sorting them all)."""
        return self.board.top()

    def count(self) -> int:
        return len(self.board)

    def escalated(self) -> bool:
        return self.board.escalated()

    # ---- inside ---------------------------------------------------------------------------------------
    def _update(self) -> None:
        self._update_sound()
        if self.on_update is not None:
            self.on_update()

    def _update_sound(self) -> None:
        choice = self.board.sound(self.clock())
        name = sound_name(choice) if choice is not None else None
        if name == self.playing:
            return
        self.playing = name
        if name is None:
            self.sound.stop()
        else:
            self.sound.play_loop(name)

    def _emit(self, event: AlarmEvent) -> None:
        log.info(
            "alarm %s %s%s%s",
            event.key,
            event.kind.value,
            f" level {event.level}" if event.level else "",
            f" after {event.after_s:.1f} s" if event.after_s is not None else "",
        )
        if self.on_event is not None:
            self.on_event(event)
        if self._record is not None:
            self._spawn(self._record(event))


class IncidentLogWriter(Protocol):
    """services.ingest.IngestService: a store write after everything queued before it."""

    def write(self, method: str, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


def incident_recorder(ingest: IncidentLogWriter, desk_id: str) -> Recorder:
    """Write each alarm step into its incident's log, or the desk's own (through the writer, in order).

    The steps of one turn of the event loop go in one write: a burst of falls raises thousands of
    alarms at once, and a write apiece (a commit and a disk sync each) held the ingest behind them."""
    return _StepRecorder(ingest, desk_id)


class _StepRecorder:
    def __init__(self, ingest: IncidentLogWriter, desk_id: str) -> None:
        self.ingest = ingest
        self.desk_id = desk_id
        self._steps: list[tuple[int | None, str, str, str | None]] = []
        self._done: asyncio.Future[None] | None = None

    def __call__(self, event: AlarmEvent) -> Awaitable[None]:
        """Queue the step; the awaitable ends when its write (with the others of this turn) is through."""
        if self._done is None:
            loop = asyncio.get_running_loop()
            self._done = loop.create_future()
            loop.call_soon(self._flush)
        self._steps.append(self._step(event))
        return self._done

    def _step(self, event: AlarmEvent) -> tuple[int | None, str, str, str | None]:
        action, by = f"alarm_{event.kind.value}", event.by or self.desk_id
        if event.incident_id is None:  # the desk's own: a test, a check-in, the speaker
            note = event.note
            if event.after_s is not None:
                note = "; ".join(x for x in (f"after {event.after_s:.0f} s", note) if x)
            return None, action, by, note
        parts = [f"level {event.level}" if event.level else "", event.note or ""]
        if event.after_s is not None:
            parts.insert(0, f"after {event.after_s:.0f} s")
        return event.incident_id, action, by, "; ".join(p for p in parts if p)

    def _flush(self) -> None:
        steps, done = self._steps, self._done
        self._steps, self._done = [], None
        assert done is not None
        task = asyncio.ensure_future(self._write(steps))

        def finished(task: asyncio.Future[Any]) -> None:
            if done.done():
                return
            if task.cancelled():
                done.cancel()
            elif (exc := task.exception()) is not None:
                done.set_exception(exc)
            else:
                done.set_result(None)

        task.add_done_callback(finished)

    async def _write(self, steps: list[tuple[int | None, str, str, str | None]]) -> None:
        """All in one write; if that fails (one bad step, the writer restarting), one by one, so
        that one step cannot take the others with it."""
        try:
            await self.ingest.write("log_alarm_steps", self.desk_id, steps)
            return
        except Exception:
            if len(steps) == 1:
                raise
            log.exception("writing %d alarm steps at once failed; writing them one by one", len(steps))
        lost = 0
        for step in steps:
            try:
                await self.ingest.write("log_alarm_steps", self.desk_id, [step])
            except Exception:
                lost += 1
                log.exception("alarm step %s of incident %s not recorded", step[1], step[0])
        if lost:
            raise RuntimeError(f"{lost} of {len(steps)} alarm steps could not be recorded")


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("alarm step failed", exc_info=task.exception())
