"""The sound path through the real player: `aplay` on an ALSA null output (tests/data/alsa-null.conf),
which accepts and discards the samples, so a player really starts and ends with no sound card."""

from __future__ import annotations

import array
import contextlib
import importlib.util
import itertools
import math
import os
import shutil
import stat
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playsound3 import playsound3 as ps

from services.sound import (
    NO_BACKEND,
    SOUNDS_DIR,
    AudioDevice,
    SoundName,
    SoundService,
    list_devices,
    parse_aplay_list,
    render_volume,
    sound_path,
    summarise_stderr,
    wav_duration,
)

ALSA_NULL = Path(__file__).resolve().parent.parent / "data" / "alsa-null.conf"
ALSA_BASE = Path("/usr/share/alsa/alsa.conf")
needs_aplay = pytest.mark.skipif(
    shutil.which("aplay") is None,
    reason="aplay is not installed (Debian: alsa-utils; `make test` as root installs it)",
)


@pytest.fixture
def alsa_null(monkeypatch: pytest.MonkeyPatch) -> None:
    """ALSA's default output becomes the null device for this test (and the players it starts)."""
    assert ALSA_BASE.exists(), "alsa-utils is installed but ALSA's own configuration is missing"
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_BASE}:{ALSA_NULL}")


class Recorder:
    """on_failure / on_ok as they arrive from the worker thread."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.oks = 0
        self.lock = threading.Lock()

    def failure(self, reason: str) -> None:
        assert threading.current_thread() is not threading.main_thread()
        with self.lock:
            self.failures.append(reason)

    def ok(self) -> None:
        with self.lock:
            self.oks += 1


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., tuple[SoundService, Recorder]]]:
    made: list[SoundService] = []

    def make(**kwargs: Any) -> tuple[SoundService, Recorder]:
        rec = Recorder()
        service = SoundService(cache_dir=tmp_path / "cache", on_failure=rec.failure, on_ok=rec.ok, **kwargs)
        made.append(service)
        return service, rec

    yield make
    for service in made:
        service.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, step: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def peak(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        samples = array.array("h", w.readframes(w.getnframes()))
    return max(abs(s) for s in samples)


def dbfs(value: int) -> float:
    return 20 * math.log10(value / 32767)


def fake_player(folder: Path, script: str) -> None:
    """An `aplay` of our own on PATH (only there): for a player that cannot start or never ends."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "aplay"
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sounds", SOUNDS_DIR / "make_sounds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the files --------------------------------------------------------------------------------------


def test_committed_sounds_are_what_the_script_generates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_generator().main(tmp_path)
    capsys.readouterr()
    for name in SoundName:
        committed = sound_path(name)
        assert committed.read_bytes() == (tmp_path / committed.name).read_bytes(), name
        with wave.open(str(committed), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert committed.stat().st_size < 150_000
        assert 0.3 < wav_duration(committed) < 2.0


def test_escalation_is_louder_than_the_normal_sounds_and_the_chime_is_soft() -> None:
    levels = {name: dbfs(peak(sound_path(name))) for name in SoundName}
    for name in (SoundName.LIFE, SoundName.FIRE, SoundName.SECURITY, SoundName.WELFARE, SoundName.TEST):
        assert -6.5 < levels[name] < -5.5, (name, levels[name])
    assert levels[SoundName.ESCALATED1] > -1 and levels[SoundName.ESCALATED2] > -1
    assert levels[SoundName.GRIEVANCE] < -10
    assert len({sound_path(n).read_bytes() for n in SoundName}) == len(SoundName)


def test_lower_volume_renders_a_quieter_copy_once(tmp_path: Path) -> None:
    source = sound_path(SoundName.LIFE)
    assert render_volume(source, 100, tmp_path) == source
    half = render_volume(source, 50, tmp_path)
    assert half.parent == tmp_path and half != source
    assert peak(half) == pytest.approx(peak(source) * 0.25, rel=0.01)
    assert peak(render_volume(source, 20, tmp_path)) < peak(half)
    assert peak(render_volume(source, 0, tmp_path)) == 0
    mtime = half.stat().st_mtime_ns
    time.sleep(0.01)
    assert render_volume(source, 50, tmp_path) == half
    assert half.stat().st_mtime_ns == mtime, "rendered again instead of taken from the cache"
    assert wav_duration(half) == wav_duration(source)


def test_device_list_and_stderr_are_parsed_for_people() -> None:
    text = (
        "null\n    Discard all samples (playback)\n"
        "default\n"
        "hw:CARD=PCH,DEV=0\n    HDA Intel PCH, ALC\n    Direct\n"
    )
    assert parse_aplay_list(text) == [
        AudioDevice("null", "Discard all samples (playback)"),
        AudioDevice("default", ""),
        AudioDevice("hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC, Direct"),
    ]
    stderr = (
        "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM nonexistent\n"
        "aplay: main:831: audio open error: No such file or directory\n"
    )
    assert summarise_stderr(stderr) == "Unknown PCM nonexistent; audio open error: No such file or directory"


@needs_aplay
def test_list_devices_names_the_null_output(alsa_null: None) -> None:
    devices = {d.name: d.description for d in list_devices()}
    assert "null" in devices and "Discard" in devices["null"]


# -- the real player ------------------------------------------------------------------------------


@needs_aplay
def test_the_real_aplay_starts_and_ends_cleanly(
    alsa_null: None, make_service: Callable[..., tuple[SoundService, Recorder]]
) -> None:
    service, rec = make_service()
    before = time.perf_counter()
    assert service.test().result(timeout=5) is None
    state = service.state()
    assert state.players_started == 1 and state.last_pid is not None
    assert not state.running and state.pid is None and state.last_exit_code == 0
    assert state.backend == "aplay" and not state.failing
    assert state.last_start is not None and state.last_start >= before
    assert rec.failures == [] and rec.oks == 0
    with pytest.raises(ProcessLookupError):  # ended and reaped
        os.kill(state.last_pid, 0)

    # and the process is aplay: look at the running players of a loop in /proc. Popen may return
    # before the child's exec shows there (its name is still the parent's), so keep looking;
    # the worker reaps a player only when it polls (every 20 ms), so the exited one stays visible.
    service.play_loop(SoundName.CHECKIN)
    names: dict[int, str] = {}

    def saw_aplay() -> bool:
        s = service.state()
        if s.running and s.pid is not None:
            with contextlib.suppress(FileNotFoundError):
                names[s.pid] = Path(f"/proc/{s.pid}/comm").read_text().strip()
        return "aplay" in names.values()

    assert wait_until(saw_aplay, step=0.001), (names, service.state())
    service.stop()


@needs_aplay
def test_a_loop_restarts_the_player_at_its_pace_until_stopped(
    alsa_null: None, tmp_path: Path, make_service: Callable[..., tuple[SoundService, Recorder]]
) -> None:
    service, rec = make_service(volume=60)
    period = wav_duration(sound_path(SoundName.CHECKIN)) + 0.2  # the sound plus the loop's gap
    started = time.perf_counter()
    service.play_loop(SoundName.CHECKIN)
    assert time.perf_counter() - started < 0.02, "play_loop blocked its caller"
    service.play_loop(SoundName.CHECKIN)  # the same loop again changes nothing
    starts: set[float] = set()

    def collect() -> bool:
        s = service.state()
        if s.last_start is not None:
            starts.add(s.last_start)
        return False

    wait_until(collect, timeout=3 * period + 0.3)
    assert service.state().looping == SoundName.CHECKIN
    ordered = sorted(starts)
    assert 3 <= len(ordered) <= 5, ordered
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= period - 0.03, gaps  # the null device returns at once: the pace is ours
    assert max(gaps) < period + 0.3, gaps
    assert ordered[0] - started < 0.25, "the first run did not start at once"

    service.stop()
    assert wait_until(lambda: service.state().looping is None and not service.state().running, 2)
    count = service.state().players_started
    time.sleep(2 * period)
    assert service.state().players_started == count, "a stopped loop started another player"
    assert service.state().last_exit_code == 0 and rec.failures == []
    assert (tmp_path / "cache" / "checkin-v060.wav").exists(), "volume 60 did not play a rendered copy"


@needs_aplay
def test_a_failing_device_is_reported_with_its_reason_and_ok_after_a_good_run(
    alsa_null: None, make_service: Callable[..., tuple[SoundService, Recorder]]
) -> None:
    service, rec = make_service(device="nonexistent")
    reason = service.test().result(timeout=5)
    assert reason is not None
    assert "exited with code 1" in reason and "Unknown PCM nonexistent" in reason
    assert rec.failures == [reason] and service.state().failing
    assert service.test().result(timeout=5) == reason
    assert rec.failures == [reason], "the same failure was reported twice"

    service.set_device(None)
    assert service.test().result(timeout=5) is None
    assert rec.oks == 1
    state = service.state()
    assert not state.failing and state.last_failure == reason and state.players_started == 3


@needs_aplay
def test_a_failing_loop_keeps_trying_at_its_pace_and_recovers(
    alsa_null: None, make_service: Callable[..., tuple[SoundService, Recorder]]
) -> None:
    service, rec = make_service(device="nonexistent")
    period = wav_duration(sound_path(SoundName.CHECKIN)) + 0.2
    service.play_loop(SoundName.CHECKIN)
    time.sleep(2.5 * period)
    assert 2 <= service.state().players_started <= 4, service.state()
    assert len(rec.failures) == 1 and "Unknown PCM nonexistent" in rec.failures[0]
    service.set_device("null")
    assert wait_until(lambda: rec.oks == 1, timeout=2 * period + 1)
    assert not service.state().failing and service.state().looping == SoundName.CHECKIN


def test_no_audio_backend_is_reported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_service: Callable[..., tuple[SoundService, Recorder]],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(ps, "DEFAULT_BACKEND", None)
    service, rec = make_service()
    assert service.test().result(timeout=5) == NO_BACKEND
    assert rec.failures == [NO_BACKEND]
    state = service.state()
    assert state.failing and state.players_started == 0 and state.backend is None


def test_a_player_that_cannot_start_is_reported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_service: Callable[..., tuple[SoundService, Recorder]],
) -> None:
    fake_player(tmp_path / "bin", "#!/nonexistent/interpreter\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    service, rec = make_service()
    service.play_once(SoundName.FIRE)
    assert wait_until(lambda: bool(rec.failures))
    assert rec.failures[0].startswith("aplay could not start:"), rec.failures
    assert service.state().players_started == 0


def test_stop_and_close_end_a_running_player_and_leave_nothing_behind(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_service: Callable[..., tuple[SoundService, Recorder]],
) -> None:
    # a player that would run for 30 s: a real device plays a long sound the same way
    fake_player(tmp_path / "bin", "#!/bin/sh\nexec /bin/sleep 30\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    service, rec = make_service()
    service.play_loop(SoundName.LIFE)
    assert wait_until(lambda: service.state().running)
    first = service.state().pid
    assert first is not None
    service.stop()
    assert wait_until(lambda: not service.state().running, timeout=3)
    assert service.state().last_exit_code == -15 and rec.failures == []
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)

    service.play_loop(SoundName.FIRE)
    assert wait_until(lambda: service.state().running and service.state().pid != first)
    second = service.state().pid
    assert second is not None
    started = time.monotonic()
    service.close()
    service.close()  # twice is fine
    assert time.monotonic() - started < 3
    assert [t for t in threading.enumerate() if t.name == "desk-sound"] == []
    assert not service.state().running and service.state().looping is None
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)
    count = service.state().players_started
    service.play_loop(SoundName.LIFE)  # ignored after close
    assert service.test().result(timeout=1) == "the sound service is closed"
    assert service.state().players_started == count
