"""The whole alarm path with the real speaker: a fall from a real feed makes the real player
(aplay, through playsound3's backend interface) run on ALSA's null output until the fall is
acknowledged; a speaker that cannot play puts up the red banner, and the visual alarm stays."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from services.alarms import AlarmService
from services.sound import SoundName, SoundService
from tests.support.events import fall
from tests.views.live import live_desk, run_on_qasync, until

ALSA_BASE = Path("/usr/share/alsa/alsa.conf")
ALSA_NULL = Path(__file__).resolve().parents[1] / "data" / "alsa-null.conf"

pytestmark = pytest.mark.skipif(
    shutil.which("aplay") is None,
    reason="aplay is not installed (Debian: alsa-utils; `make test` as root installs it)",
)


@pytest.fixture
def speaker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoundService]:
    """The real sound service, its default output ALSA's null device."""
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{ALSA_BASE}:{ALSA_NULL}")
    service = SoundService(cache_dir=tmp_path / "sounds", loop_gap_s=0.05)
    yield service
    service.close()


def _hop(service: SoundService, alarms: AlarmService) -> None:
    """As main.py does: the speaker's reports reach the alarms on the loop's thread."""
    loop = asyncio.get_running_loop()

    def failed(reason: str) -> None:
        loop.call_soon_threadsafe(alarms.sound_failed, reason)

    def ok() -> None:
        loop.call_soon_threadsafe(alarms.sound_ok)

    service.on_failure, service.on_ok = failed, ok


def _is_aplay(pid: int | None) -> bool:
    try:
        return pid is not None and Path(f"/proc/{pid}/comm").read_text().strip() == "aplay"
    except OSError:
        return False


def test_a_fall_runs_the_real_player_until_acknowledged(
    qapp: QApplication, qtbot: QtBot, db_url: str, speaker: SoundService
) -> None:
    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            assert desk.alarms is not None and desk.window.alarm_banner is not None
            _hop(speaker, desk.alarms)
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            await until(lambda: speaker.state().looping is SoundName.LIFE, "the fall's loop")
            await until(lambda: speaker.state().players_started >= 2, "the player to run, and again", 8)
            seen_aplay = False
            for _ in range(200):  # an aplay process of ours, seen in /proc while it runs
                seen_aplay = seen_aplay or _is_aplay(speaker.state().pid)
                if seen_aplay:
                    break
                await asyncio.sleep(0.01)
            assert seen_aplay
            state = speaker.state()
            assert state.backend == "aplay" and not state.failing and state.last_exit_code in (None, 0)
            desk.window.alarm_banner.ack_button.click()
            await until(lambda: speaker.state().looping is None and not speaker.state().running, "silence")
            started = speaker.state().players_started
            await asyncio.sleep(0.8)  # longer than a loop's pace: nothing starts again
            assert speaker.state().players_started == started
            assert desk.window.audio_banner.isHidden()

    run_on_qasync(qapp, scenario())


def test_a_speaker_that_cannot_play_shows_the_red_banner_and_the_alarm_stays_visible(
    qapp: QApplication, qtbot: QtBot, db_url: str, speaker: SoundService
) -> None:
    speaker.set_device("nonexistent")  # no such ALSA output: aplay exits 1 with its reason

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            assert desk.alarms is not None and desk.window.alarm_banner is not None
            _hop(speaker, desk.alarms)
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            red = desk.window.audio_banner
            await until(lambda: red.isVisible(), "the red banner", 8)
            assert "AUDIO ALARM NOT WORKING" in red.text() and "nonexistent" in red.text()
            assert desk.window.alarm_banner.isVisible()  # the fall is still shown
            await until(
                lambda: "alarm_sound_failed" in [e["kind"] for e in desk.runtime.store.desk_log()],
                "the failure in the desk's record",
            )
            # the device comes back: the next run plays and the banner goes
            speaker.set_device(None)
            await until(lambda: red.isHidden(), "the red banner to go once the speaker plays", 8)

    run_on_qasync(qapp, scenario())


def test_no_audio_backend_at_all_is_said_too(
    qapp: QApplication, qtbot: QtBot, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import playsound3.playsound3 as ps

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no aplay, no other player
    monkeypatch.setattr(ps, "DEFAULT_BACKEND", None)
    service = SoundService(cache_dir=tmp_path / "sounds")

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=service) as desk:
            assert desk.alarms is not None
            _hop(service, desk.alarms)
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            red = desk.window.audio_banner
            await until(lambda: red.isVisible(), "the red banner")
            assert "no audio backend" in red.text()

    try:
        run_on_qasync(qapp, scenario())
    finally:
        service.close()
