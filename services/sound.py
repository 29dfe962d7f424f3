"""The sound path of audible alarms: the desk's WAV files played through playsound3, off the GUI thread.

`SoundService` owns one worker thread; every player process is started, watched and stopped
there, so a call from the GUI thread only puts a command on a queue. On Linux it plays through
its own `AplayBackend` (playsound3's ALSA backend also wants `mpg123`, which WAV files do not
need); without `aplay` it falls back to playsound3's default backend (gstreamer, ffplay, …).

The sound path can fail — no backend, a player that cannot start, a player that exits with an
error (no device, unknown device) — and the service says so through `on_failure(reason)`, and
says `on_ok()` when a player ran cleanly again. Both are called **from the worker thread**:
callers hop to their own thread (`loop.call_soon_threadsafe(...)`, or a queued Qt signal).

Importing this module imports playsound3, which probes its backends once (a few short
subprocess runs, ~0.1 s): import it at start-up, not in the middle of an alarm.
"""

from __future__ import annotations

import array
import atexit
import contextlib
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
import weakref
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

# playsound3 warns "No supported audio backends" at import when its own probes (gstreamer, ffplay,
# aplay *and* mpg123) fail; the desk plays WAV through aplay itself and says so when it cannot
logging.getLogger("playsound3.playsound3").setLevel(logging.ERROR)
from playsound3 import playsound3 as _ps  # noqa: E402

log = logging.getLogger("desk.sound")

SOUNDS_DIR = Path(__file__).resolve().parent.parent / "resources" / "sounds"
NO_BACKEND = "no audio backend (install alsa-utils)"
#: silence between two runs of a looping sound, on top of the sound's own length
LOOP_GAP_S = 0.2
#: how often the worker looks at a running player (it has no exit notification)
POLL_S = 0.02
#: how long a stopped player gets to exit after SIGTERM before it is killed
TERMINATE_WAIT_S = 1.0


class SoundName(StrEnum):
    """The desk's sounds; the value is the file's stem in resources/sounds/."""

    LIFE = "life"  # fall / SOS
    FIRE = "fire"  # fire / smoke / gas
    SECURITY = "security"
    WELFARE = "welfare"
    GRIEVANCE = "grievance"  # a soft chime
    CHECKIN = "checkin"  # operator check-in request
    ESCALATED1 = "escalated1"  # P1 unacknowledged: louder, different
    ESCALATED2 = "escalated2"  # second escalation
    TEST = "test"  # the shift-start test


def sound_path(name: SoundName) -> Path:
    return SOUNDS_DIR / f"{SoundName(name).value}.wav"


def wav_duration(path: Path) -> float:
    """The length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def volume_gain(volume: int) -> float:
    """Amplitude factor for a volume of 0–100: squared, so the slider's middle sounds like a middle
    (50 → -12 dB) rather than nearly full (a linear 50 is only -6 dB)."""
    return (max(0, min(100, volume)) / 100) ** 2


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("duty-desk", appauthor=False)) / "sounds"


def render_volume(source: Path, volume: int, cache_dir: Path) -> Path:
    """The file to play for `source` at `volume`: the source itself at 100, else a scaled copy in
    `cache_dir`, made once per (sound, volume) and again when the source is newer. 16-bit only."""
    volume = max(0, min(100, int(volume)))
    if volume == 100:
        return source
    target = cache_dir / f"{source.stem}-v{volume:03d}.wav"
    with contextlib.suppress(OSError):
        if target.stat().st_mtime >= source.stat().st_mtime:
            return target
    with wave.open(str(source), "rb") as r:
        params = r.getparams()
        frames = r.readframes(params.nframes)
    if params.sampwidth != 2:
        raise ValueError(f"{source.name}: only 16-bit WAV files can be scaled")
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    gain = volume_gain(volume)
    scaled = array.array("h", (round(s * gain) for s in samples))
    if sys.byteorder == "big":
        scaled.byteswap()
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.stem, suffix=".tmp", dir=cache_dir)
    try:
        with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
            w.setparams(params)
            w.writeframes(scaled.tobytes())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


@dataclass(frozen=True, slots=True)
class AudioDevice:
    """An ALSA output as `aplay -L` lists it; `name` is what `set_device()` takes."""

    name: str
    description: str


def parse_aplay_list(text: str) -> list[AudioDevice]:
    """`aplay -L` prints each device's name at the start of a line and its description indented."""
    devices: list[AudioDevice] = []
    name: str | None = None
    lines: list[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if raw[0].isspace():
            lines.append(raw.strip())
            continue
        if name is not None:
            devices.append(AudioDevice(name, ", ".join(lines)))
        name, lines = raw.strip(), []
    if name is not None:
        devices.append(AudioDevice(name, ", ".join(lines)))
    return devices


def list_devices(timeout: float = 5.0) -> list[AudioDevice]:
    """The ALSA outputs for a settings combo; empty without `aplay`. It runs a process (~10 ms):
    call it off the GUI thread (`asyncio.to_thread`)."""
    if shutil.which("aplay") is None:
        return []
    try:
        proc = subprocess.run(
            ["aplay", "-L"], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("aplay -L failed: %s", exc)
        return []
    return parse_aplay_list(proc.stdout)


_ALSA_PREFIX = re.compile(r"^ALSA lib \S+:\(\w+\) ")
_APLAY_PREFIX = re.compile(r"^aplay: \w+:\d+: ")


def summarise_stderr(text: str, limit: int = 300) -> str:
    """The last two distinct lines of a player's complaint, without ALSA's source locations:
    "Unknown PCM nonexistent; audio open error: No such file or directory"."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _APLAY_PREFIX.sub("", _ALSA_PREFIX.sub("", raw.strip()))
        if line and line not in lines:
            lines.append(line)
    return "; ".join(lines[-2:])[:limit]


class AplayBackend(_ps.SoundBackend):
    """ALSA's `aplay` for WAV files, on `device` (`-D`) when one is set; stderr goes to a pipe so
    that a failure can say why."""

    def __init__(self, device: str | None = None, executable: str = "aplay") -> None:
        self.device = device
        self.executable = executable

    def check(self) -> bool:
        return shutil.which(self.executable) is not None

    def command(self, sound: str) -> list[str]:
        device = ["-D", self.device] if self.device else []
        return [self.executable, "--quiet", *device, sound]

    def play(self, sound: str) -> subprocess.Popen[bytes]:
        # no preexec_fn (playsound3's parent-death signal): it would force fork() in a threaded
        # GUI process; an orphaned player ends by itself after one run of a sound.
        return subprocess.Popen(
            self.command(sound),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


Backend = _ps.SoundBackend | str


def choose_backend(device: str | None = None) -> tuple[Backend | None, str]:
    """`AplayBackend` when `aplay` is on PATH, else playsound3's default backend by name, else
    (None, NO_BACKEND). The second item names the choice for logs and reasons."""
    if shutil.which("aplay") is not None:
        return AplayBackend(device), "aplay"
    name = _ps.DEFAULT_BACKEND
    if name is None:
        return None, NO_BACKEND
    if device:
        log.warning("output device %r ignored: only aplay can choose one (backend %s)", device, name)
    return name, name


@dataclass(frozen=True, slots=True)
class SoundState:
    """A snapshot of the service, safe to read from any thread."""

    #: the sound being played or waited on (a one-shot while it plays, else the loop), or None
    sound: SoundName | None
    #: the sound that loops until stop() or another play_loop(), or None
    looping: SoundName | None
    #: a player process is running now (the worker has not seen it exit)
    running: bool
    #: the running player's pid, None when none runs
    pid: int | None
    last_pid: int | None
    #: player processes started since the service began
    players_started: int
    #: time.perf_counter() just after the last player process was started
    last_start: float | None
    last_exit_code: int | None
    #: the sound path is failing now (cleared by the next clean run)
    failing: bool
    last_failure: str | None
    volume: int
    device: str | None
    #: "aplay", a playsound3 backend name, or None before the first play / with none available
    backend: str | None


# The worker's commands: (kind, argument, future)
_Command = tuple[str, object, "Future[str | None] | None"]

_live: weakref.WeakSet[SoundService] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for service in list(_live):
        service.close()


class SoundService:
    """Plays the desk's sounds on a worker thread of its own.

    Callbacks (called from the worker thread; hop to your own thread before touching a UI):
    - on_failure(reason): the sound path started failing, or fails for a new reason; `reason` is
      readable ("aplay exited with code 1: Unknown PCM nonexistent; audio open error: …").
      A loop that keeps failing does not repeat the same reason.
    - on_ok(): a player ran to a clean end after a failure (clear the banner).

    A loop plays, waits for the end of the sound plus `loop_gap_s`, plays again; it keeps trying
    at that pace while it fails, so it recovers by itself when the device comes back. A new loop
    cuts whatever sounds and starts at once. A one-shot (`play_once`, `test`) cuts an older
    one-shot but not a loop's run: it plays when the run ends, and the loop resumes after it.
    """

    def __init__(
        self,
        *,
        volume: int = 100,
        device: str | None = None,
        cache_dir: Path | None = None,
        on_failure: Callable[[str], None] | None = None,
        on_ok: Callable[[], None] | None = None,
        loop_gap_s: float = LOOP_GAP_S,
    ) -> None:
        self.on_failure = on_failure
        self.on_ok = on_ok
        self._cache_dir = cache_dir or default_cache_dir()
        self._gap = loop_gap_s
        self._queue: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        # volume and device: set here, then by the worker only (through commands)
        self._volume = max(0, min(100, int(volume)))
        self._device = device or None
        self._state = SoundState(  # what state() shows: replaced as a whole, under _lock
            sound=None,
            looping=None,
            running=False,
            pid=None,
            last_pid=None,
            players_started=0,
            last_start=None,
            last_exit_code=None,
            failing=False,
            last_failure=None,
            volume=self._volume,
            device=self._device,
            backend=None,
        )
        # the worker's own state (worker thread only)
        self._backend: Backend | None = None
        self._backend_name: str | None = None
        self._proc: _ps.PopenLike | None = None
        self._proc_sound: SoundName | None = None
        self._proc_once = False
        self._proc_futures: list[Future[str | None]] = []
        self._loop: SoundName | None = None
        self._once: tuple[SoundName, list[Future[str | None]]] | None = None
        self._next_start = 0.0
        self._durations: dict[SoundName, float] = {}
        self._thread = threading.Thread(target=self._run, name="desk-sound", daemon=True)
        self._thread.start()
        _live.add(self)

    # -- the public face: every call only queues a command ------------------------------------

    def play_loop(self, name: SoundName) -> None:
        """Loop `name` until stop() or another play_loop(); the same loop again changes nothing."""
        self._send("loop", SoundName(name))

    def play_once(self, name: SoundName) -> None:
        """Play `name` once: at once, or when a loop's current run ends; the loop resumes after."""
        self._send("once", SoundName(name))

    def stop(self) -> None:
        """Silence: end the loop and any one-shot, stop the player."""
        self._send("stop", None)

    def set_volume(self, volume: int) -> None:
        """0–100, from the next player run on."""
        self._send("volume", max(0, min(100, int(volume))))

    def set_device(self, device: str | None) -> None:
        """An ALSA device name (`list_devices()`), or None for ALSA's default; next run on."""
        self._send("device", device or None)

    def test(self) -> Future[str | None]:
        """Play test.wav once; the future gets None when it played cleanly, else the reason
        (`asyncio.wrap_future()` awaits it). Failures also go to on_failure as usual."""
        future: Future[str | None] = Future()
        if not self._send("once", SoundName.TEST, future):
            _resolve(future, "the sound service is closed")
        return future

    def state(self) -> SoundState:
        with self._lock:
            return self._state

    def close(self, timeout: float = 5.0) -> None:
        """Stop the player and the worker thread; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(("close", None, None))
        _live.discard(self)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("the sound worker did not stop within %.1f s", timeout)

    def _send(self, kind: str, arg: object, future: Future[str | None] | None = None) -> bool:
        with self._lock:
            if self._closed:
                log.debug("sound service closed: %s ignored", kind)
                return False
            self._queue.put((kind, arg, future))
            return True

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)

    # -- the worker ------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                try:
                    command = self._queue.get(timeout=self._wait_time())
                except queue.Empty:
                    pass
                else:
                    if command[0] == "close":
                        return
                    self._handle(command)
                self._tick()
        except Exception:
            log.exception("the sound worker failed")
            with self._lock:
                self._closed = True  # nothing would play what is asked from now on: refuse it
            self._report(f"the sound worker failed: {sys.exc_info()[1]}")
        finally:
            self._end_player("closed")
            if self._once is not None:
                for future in self._once[1]:
                    _resolve(future, "the sound service is closed")
                self._once = None
            self._loop = None
            self._update(sound=None, looping=None)

    def _wait_time(self) -> float | None:
        if self._proc is not None:
            return POLL_S
        if self._once is not None:
            return 0.0
        if self._loop is not None:
            return max(0.0, self._next_start - time.monotonic())
        return None

    def _handle(self, command: _Command) -> None:
        kind, arg, future = command
        if kind == "loop":
            assert isinstance(arg, SoundName)
            if self._loop == arg:
                return
            # an alarm wins: it cuts whatever sounds and starts now
            self._loop = arg
            if self._once is not None:
                for old in self._once[1]:
                    _resolve(old, f"interrupted by {arg.value}")
                self._once = None
            self._end_player(f"interrupted by {arg.value}")
            self._next_start = 0.0
            self._update(looping=arg, sound=arg)
        elif kind == "once":
            assert isinstance(arg, SoundName)
            futures = [future] if future is not None else []
            if self._proc is not None and self._proc_once and self._proc_sound == arg:
                self._proc_futures += futures  # the same one-shot already sounds: let it finish
                return
            if self._once is not None:
                if self._once[0] == arg:
                    self._once[1].extend(futures)
                    return
                for old in self._once[1]:
                    _resolve(old, f"interrupted by {arg.value}")
            if self._proc is not None and self._proc_once:
                self._end_player(f"interrupted by {arg.value}")  # the newer one-shot wins
            # a loop's run is not cut: the one-shot plays as soon as the run ends
            self._once = (arg, futures)
        elif kind == "stop":
            self._loop = None
            if self._once is not None:
                for old in self._once[1]:
                    _resolve(old, "stopped")
                self._once = None
            self._end_player("stopped")
            self._update(sound=None, looping=None)
        elif kind == "volume":
            assert isinstance(arg, int)
            self._volume = arg
            self._update(volume=arg)
        elif kind == "device":
            assert arg is None or isinstance(arg, str)
            self._device = arg
            self._backend = None
            self._update(device=arg)

    def _tick(self) -> None:
        if self._proc is not None:
            code = self._proc.poll()
            if code is None:
                return
            self._finish(code)
        if self._once is not None:
            name, futures = self._once
            self._once = None
            self._start(name, once=True, futures=futures)
        elif self._loop is not None and time.monotonic() >= self._next_start:
            self._start(self._loop, once=False, futures=[])

    def _duration(self, name: SoundName) -> float:
        if name not in self._durations:
            try:
                self._durations[name] = wav_duration(sound_path(name))
            except (OSError, wave.Error, EOFError):
                return 1.0
        return self._durations[name]

    def _start(self, name: SoundName, *, once: bool, futures: list[Future[str | None]]) -> None:
        begun = time.monotonic()
        self._next_start = begun + self._duration(name) + self._gap
        self._update(sound=name)
        try:
            path = render_volume(sound_path(name), self._volume, self._cache_dir)
        except (OSError, ValueError, wave.Error, EOFError) as exc:
            self._failed(f"cannot read {name.value}.wav: {exc}", futures)
            return
        if self._backend is None:
            self._backend, self._backend_name = choose_backend(self._device)
            self._update(backend=None if self._backend is None else self._backend_name)
        if self._backend is None:
            self._failed(NO_BACKEND, futures)
            return
        try:
            sound = _ps.playsound(path, block=False, backend=self._backend)  # type: ignore[arg-type]
        except (OSError, _ps.PlaysoundException) as exc:
            self._backend = None  # look again next time: it may have been installed or removed
            self._failed(f"{self._backend_name} could not start: {exc}", futures)
            return
        proc = sound.subprocess
        started = time.perf_counter()
        # the pace counts from the real start: a slow start must not shorten the silence after it
        self._next_start = time.monotonic() + self._duration(name) + self._gap
        pid = getattr(proc, "pid", None)
        self._proc, self._proc_sound, self._proc_once, self._proc_futures = proc, name, once, futures
        with self._lock:
            self._state = replace(
                self._state,
                running=True,
                pid=pid,
                last_pid=pid,
                players_started=self._state.players_started + 1,
                last_start=started,
            )

    def _failed(self, reason: str, futures: list[Future[str | None]]) -> None:
        self._report(reason)  # callbacks first: whoever awaits the future sees them done
        for future in futures:
            _resolve(future, reason)

    def _finish(self, code: int) -> None:
        """The player exited by itself: a clean end is ok, anything else a failure with its stderr."""
        text = self._collect(self._proc)
        futures = self._proc_futures
        self._proc, self._proc_futures = None, []
        self._update(running=False, pid=None, last_exit_code=code, sound=self._loop)
        if code == 0:
            reason = None
        else:
            reason = f"{self._backend_name or 'the player'} exited with code {code}"
            detail = summarise_stderr(text)
            if detail:
                reason += f": {detail}"
        self._report(reason)
        for future in futures:
            _resolve(future, reason)

    def _end_player(self, why: str) -> None:
        """Stop the running player, if any (terminate, then kill); this is not a failure."""
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        if proc.poll() is None:
            proc.terminate()
            if isinstance(proc, subprocess.Popen):
                try:
                    proc.wait(TERMINATE_WAIT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            else:
                proc.wait()
        self._collect(proc)
        for future in self._proc_futures:
            _resolve(future, why)
        self._proc_futures = []
        self._update(running=False, pid=None, last_exit_code=proc.poll())

    @staticmethod
    def _collect(proc: object) -> str:
        """The player's stderr (after it exited), and the pipe closed."""
        stream = getattr(proc, "stderr", None) if isinstance(proc, subprocess.Popen) else None
        if stream is None:
            return ""
        try:
            data = stream.read()
        except (OSError, ValueError):
            data = b""
        finally:
            stream.close()
        return data.decode(errors="replace") if isinstance(data, bytes) else str(data)

    def _report(self, reason: str | None) -> None:
        with self._lock:
            was_failing, previous = self._state.failing, self._state.last_failure
            if reason is None:
                self._state = replace(self._state, failing=False)
            else:
                self._state = replace(self._state, failing=True, last_failure=reason)
        if reason is not None:
            if not was_failing or reason != previous:
                log.warning("sound path failing: %s", reason)
                self._call(self.on_failure, reason)
        elif was_failing:
            log.info("sound path ok again")
            self._call(self.on_ok)

    @staticmethod
    def _call(callback: Callable[..., None] | None, *args: object) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("a sound callback failed")


def _resolve(future: Future[str | None], result: str | None) -> None:
    with contextlib.suppress(InvalidStateError):
        future.set_result(result)
