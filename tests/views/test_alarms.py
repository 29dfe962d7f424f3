"""Alarms in the live window: a fall from a real feed sounds until a person acknowledges it (from
the banner's key or the button), the ladder climbs on a fake clock and the window flashes,
several alarms at once, snoozes, a dead speaker, the night check-in, and the record of it all.

The speaker here is `Speaker`, a recorder of what it was asked to play (the real player on ALSA
is tested in tests/services/test_sound.py and tests/e2e/test_alarm_sound.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk.alarms import AlarmPolicy
from desk.incidents import Action, Status
from tests.support.events import alarm, fall
from tests.views.live import LEAD, LiveDesk, live_desk, run_on_qasync, until


class Speaker:
    """What the alarm service asked the speaker to do, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.looping: str | None = None

    def play_loop(self, name: Any) -> None:
        self.calls.append(("loop", str(name)))
        self.looping = str(name)

    def play_once(self, name: Any) -> None:
        self.calls.append(("once", str(name)))

    def stop(self) -> None:
        self.calls.append(("stop", None))
        self.looping = None


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)  # 03:00 in Hefei

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def status(desk: LiveDesk, incident_id: int) -> Status:
    return {i.id: i.status for i in desk.runtime.store.incidents()}[incident_id]


def log_actions(desk: LiveDesk, incident_id: int) -> list[str]:
    return [e["action"] for e in desk.runtime.store.incident_log(incident_id)]


def test_a_fall_sounds_until_acknowledged_from_anywhere_with_f2(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            window, banner = desk.window, desk.window.alarm_banner
            assert banner is not None and banner.isHidden()
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            await until(lambda: speaker.looping == "life", "the fall's sound to loop")
            await until(lambda: banner.isVisible(), "the alarm banner")
            assert banner.headline.text().startswith("LIFE · P1 · ")
            assert "ago" in banner.detail.text()
            assert not banner.snooze_button.isEnabled()  # a P1 cannot be silenced
            # the focus is in the search box: F2 works from anywhere in the window
            window.search.setFocus()
            qtbot.keyClick(window.search, Qt.Key.Key_F2)
            await until(lambda: speaker.looping is None, "the sound to stop")
            await until(lambda: banner.confirmation.isVisible(), "the confirmation")
            assert banner.confirmation.text().startswith("Acknowledged: ")
            assert "by lead-test after" in banner.confirmation.text()  # the signed-in lead
            assert banner.isHidden()
            inc_id = desk.runtime.store.incidents()[0].id
            assert status(desk, inc_id) is Status.ACKNOWLEDGED
            await until(lambda: "alarm_acknowledged" in log_actions(desk, inc_id), "the record")
            actions = log_actions(desk, inc_id)
            assert [a for a in actions if a.startswith("alarm_")] == ["alarm_raised", "alarm_acknowledged"]
            assert "acknowledge" in actions
            assert speaker.calls == [("loop", "life"), ("stop", None)]

    run_on_qasync(qapp, scenario())


def test_the_ladder_climbs_and_the_window_flashes_until_the_button_is_pressed(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()
    clock = Clock()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker, alarm_clock=clock) as desk:
            window, banner = desk.window, desk.window.alarm_banner
            assert banner is not None and desk.alarms is not None
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            await until(lambda: speaker.looping == "life", "the fall's sound")
            clock.advance(29)
            await until(lambda: desk.alarms is not None and desk.alarms.playing == "life", "a tick")
            assert not window.flash.flashing
            clock.advance(2)  # 31 s: the first step
            await until(lambda: speaker.looping == "escalated1", "the louder tone")
            assert window.flash.flashing
            assert "ESCALATED" in banner.headline.text()
            await until(lambda: bool(window.escalations), "the escalation put to the shift lead")
            assert "Still not acknowledged after 30 s" in window.escalations[0]
            clock.advance(30)  # 61 s: the second step
            await until(lambda: speaker.looping == "escalated2", "the second step")
            assert "ESCALATED TWICE" in banner.headline.text()
            banner.ack_button.click()
            await until(lambda: speaker.looping is None, "silence after the acknowledgement")
            assert not window.flash.flashing
            inc_id = desk.runtime.store.incidents()[0].id
            await until(lambda: "alarm_acknowledged" in log_actions(desk, inc_id), "the record")
            record = desk.runtime.store.incident_log(inc_id)
            steps = [(e["action"], e["note"]) for e in record if e["action"].startswith("alarm_")]
            assert steps[0] == ("alarm_raised", "")
            assert steps[1] == ("alarm_escalated", "after 30 s; level 1")
            assert steps[2] == ("alarm_escalated", "after 60 s; level 2")
            assert steps[3] == ("alarm_acknowledged", "after 61 s; level 2")

    run_on_qasync(qapp, scenario())


def test_several_alarms_the_sound_follows_the_worst_and_one_ack_leaves_the_others(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            banner = desk.window.alarm_banner
            assert banner is not None and desk.alarms is not None
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(alarm(1, kind="door_forced"))
            await until(lambda: speaker.looping == "security", "the security sound")
            desk.simulator.inject(alarm(2, kind="smoke"))
            await until(lambda: speaker.looping == "fire", "the fire sound over the security one")
            assert banner.headline.text().startswith("FIRE")
            assert banner.more.text() == "+1 more waiting"
            # the panel acknowledges the smoke alarm (not the banner): its alarm ends, the door's goes on
            smoke = next(i for i in desk.runtime.store.incidents() if i.kind == "smoke")
            await desk.runtime.act(smoke.id, Action.ACKNOWLEDGE, LEAD)
            await until(lambda: speaker.looping == "security", "back to the security sound")
            assert banner.headline.text().startswith("SECURITY")
            assert banner.more.text() == ""
            # the door alarm may wait, with a reason
            assert banner.snooze_button.isEnabled()
            banner.snooze_button.click()
            await until(lambda: banner.prompt is not None and banner.prompt.isVisible(), "the snooze prompt")
            assert banner.prompt is not None and banner.prompt.text is not None
            banner.prompt.text.setText("巡逻队已在现场")
            banner.prompt.accept()
            await until(lambda: speaker.looping is None, "the snoozed alarm quiet")
            assert "snoozed" in banner.detail.text()
            door = next(i for i in desk.runtime.store.incidents() if i.kind == "door_forced")
            await until(lambda: "alarm_snoozed" in log_actions(desk, door.id), "the snooze in the record")
            note = next(
                e["note"] for e in desk.runtime.store.incident_log(door.id) if e["action"] == "alarm_snoozed"
            )
            assert note.endswith("2 min: 巡逻队已在现场")

    run_on_qasync(qapp, scenario())


def test_a_dead_speaker_shows_a_red_banner_that_stays_and_the_alarm_still_shows(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            assert desk.alarms is not None and desk.window.alarm_banner is not None
            desk.alarms.sound_failed("aplay: audio open error: no such device")
            red = desk.window.audio_banner
            assert red.isVisible() and "AUDIO ALARM NOT WORKING" in red.text()
            assert "no such device" in red.text()
            desk.simulator.inject(fall(1))
            await until(
                lambda: desk.window.alarm_banner is not None and desk.window.alarm_banner.isVisible(),
                "the visual alarm",
            )
            assert red.isVisible()
            desk.alarms.sound_ok()
            assert red.isHidden()

    run_on_qasync(qapp, scenario())


def test_a_quiet_night_asks_for_a_check_in_and_a_missed_one_is_an_alarm(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()
    clock = Clock()
    policy = AlarmPolicy(checkin_idle=timedelta(minutes=20), checkin_grace=timedelta(minutes=2))

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker, alarm_clock=clock, alarm_policy=policy) as desk:
            window, banner, alarms = desk.window, desk.window.alarm_banner, desk.alarms
            assert banner is not None and alarms is not None
            alarms.local_clock = lambda: datetime(2026, 12, 5, 3, 0)  # night at the desk
            alarms.activity()
            clock.advance(21 * 60)
            await until(lambda: banner.checkin_request.isVisible(), "the check-in request")
            assert ("once", "checkin") in speaker.calls
            clock.advance(2 * 60)
            await until(lambda: speaker.looping == "checkin", "the missed check-in alarm")
            assert banner.headline.text().startswith("CHECK-IN MISSED")
            qtbot.keyClick(window.search, Qt.Key.Key_F3)  # F3: check in
            await until(lambda: speaker.looping is None, "silence after checking in")
            assert banner.checkin_request.isHidden()
            assert banner.confirmation.text().startswith("Checked in at ")
            await until(
                lambda: "alarm_checkin_done" in [e["kind"] for e in desk.runtime.store.desk_log()],
                "the check-in in the desk's record",
            )
            kinds = [e["kind"] for e in desk.runtime.store.desk_log()]
            assert kinds[:3] == ["alarm_checkin_due", "alarm_checkin_missed", "alarm_raised"]
            done = next(e for e in desk.runtime.store.desk_log() if e["kind"] == "alarm_checkin_done")
            assert done["by"] == LEAD and done["note"] == "after 120 s"

    run_on_qasync(qapp, scenario())


def test_the_shift_starts_with_an_alarm_test_that_is_logged(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            window = desk.window
            assert window.test_alarm_action.text() == "Test the alarm"
            window.test_alarm_action.trigger()  # Alarm → Test the alarm
            assert speaker.calls == [("once", "test")]
            assert window.alarm_banner is not None
            assert window.alarm_banner.confirmation.text() == "Alarm test played — did you hear it?"
            await until(lambda: bool(desk.runtime.store.desk_log()), "the test in the desk's record")
            (entry,) = desk.runtime.store.desk_log()
            assert (entry["kind"], entry["by"], entry["desk"]) == ("alarm_tested", LEAD, "desk-test")

    run_on_qasync(qapp, scenario())


class TunableSpeaker(Speaker):
    def __init__(self) -> None:
        super().__init__()
        self.volume: int | None = None
        self.device: str | None = "unset"

    def set_volume(self, volume: int) -> None:
        self.volume = volume

    def set_device(self, device: str | None) -> None:
        self.device = device

    def devices(self) -> list[tuple[str, str]]:
        return [("null", "Discard all samples"), ("plughw:1,0", "USB speaker")]


def test_volume_and_output_are_chosen_in_the_settings_kept_and_logged(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    speaker = TunableSpeaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker) as desk:
            window = desk.window
            window.alarm_settings_action.trigger()  # Alarm → Alarm settings…
            await until(
                lambda: window.alarm_settings is not None and window.alarm_settings.isVisible(), "the dialog"
            )
            dialog = window.alarm_settings
            assert dialog is not None
            assert [dialog.device.itemData(i) for i in range(dialog.device.count())] == [
                "",
                "null",
                "plughw:1,0",
            ]
            dialog.volume.setValue(30)
            assert dialog.warning.isVisible()  # too quiet to be heard across the room
            dialog.volume.setValue(60)
            assert not dialog.warning.isVisible()
            dialog.device.setCurrentIndex(2)
            dialog.test_button.click()
            assert ("once", "test") in speaker.calls
            dialog.accept()
            await until(lambda: speaker.volume == 60, "the volume applied")
            assert speaker.device == "plughw:1,0"
            assert (
                QSettings().value("alarm/volume") == 60 and QSettings().value("alarm/device") == "plughw:1,0"
            )
            await until(
                lambda: "alarm_output_set" in [e["kind"] for e in desk.runtime.store.desk_log()], "the record"
            )
            entry = next(e for e in desk.runtime.store.desk_log() if e["kind"] == "alarm_output_set")
            assert entry["note"] == "volume 60, device plughw:1,0"

    run_on_qasync(qapp, scenario())


def test_what_waits_when_the_alarms_start_sounds_at_once(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    """A fall that arrived while the alarms were not running yet (the desk at its sign-in prompt,
    or stopped) sounds as soon as they start; an acknowledged one does not."""
    from services.alarms import AlarmService

    speaker = Speaker()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url) as desk:  # a desk without alarms for now
            await until(desk.feed_is_live, "the feed to be live")
            desk.simulator.inject(fall(1))
            desk.simulator.inject(alarm(1, kind="door_forced"))
            await until(lambda: len(desk.runtime.store.incidents()) == 2, "two incidents stored")
            door = next(i for i in desk.runtime.store.incidents() if i.kind == "door_forced")
            await desk.runtime.act(door.id, Action.ACKNOWLEDGE, LEAD)
            alarms = AlarmService(desk.runtime, speaker, "desk-test")
            alarms.start()
            try:
                await until(lambda: speaker.looping == "life", "the waiting fall to sound")
                assert [a.title for a in alarms.waiting()] == ["跌倒报警"]
            finally:
                await alarms.stop()

    run_on_qasync(qapp, scenario())


def test_a_flood_of_falls_is_one_notice_and_every_fall_still_sounds_and_is_recorded(
    qapp: QApplication, qtbot: QtBot, db_url: str
) -> None:
    """A faulty gateway sends thirty falls at once: each raises its alarm and is in its incident's
    log, the banner says how many wait, and the shift lead gets one escalation notice saying how
    many climbed the ladder, not thirty."""
    speaker = Speaker()
    clock = Clock()

    async def scenario() -> None:
        async with live_desk(qtbot, db_url, sound=speaker, alarm_clock=clock) as desk:
            window, banner = desk.window, desk.window.alarm_banner
            assert banner is not None and desk.alarms is not None
            await until(desk.feed_is_live, "the feed to be live")
            for n in range(1, 31):
                desk.simulator.inject(fall(n, elder=f"E-{n:04d}"))
            await until(lambda: desk.alarms is not None and desk.alarms.count() == 30, "thirty alarms")
            await until(lambda: "+29 more waiting" in banner.more.text(), "the banner's count")
            assert speaker.looping == "life"
            clock.advance(31)
            await until(lambda: bool(window.escalations), "the escalation put to the shift lead")
            assert len(window.escalations) == 1
            assert window.escalations[0].startswith("30 alarms still not acknowledged, first after 30 s: ")
            assert window.escalations[0].endswith(" · 丁香家园二期 3栋")
            ids = [i.id for i in desk.runtime.store.incidents()]
            assert len(ids) == 30
            await until(
                lambda: all("alarm_escalated" in log_actions(desk, i) for i in ids),
                "every step in the record",
            )
            assert all(log_actions(desk, i).count("alarm_raised") == 1 for i in ids)

    run_on_qasync(qapp, scenario())
