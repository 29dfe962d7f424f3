"""The alarm rules on a fake clock: the loop, the ladder, several alarms, snoozes, the check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.alarms import (
    Alarm,
    AlarmBoard,
    AlarmClass,
    AlarmEventKind,
    AlarmPolicy,
    AlarmRefused,
    CheckIn,
    alarm_class,
)
from desk.incidents import IncidentClass

T0 = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)  # 03:00 in Hefei


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def alarm(key: str, cls: AlarmClass = AlarmClass.LIFE, priority: int = 1, t: float = 0) -> Alarm:
    return Alarm(key, cls, priority, f"title {key}", at(t), incident_id=int(key.split(":")[1]))


@pytest.mark.parametrize(
    ("kind", "cls", "expected"),
    [
        ("fall", IncidentClass.EMERGENCY, AlarmClass.LIFE),
        ("sos", IncidentClass.EMERGENCY, AlarmClass.LIFE),
        ("smoke", IncidentClass.EMERGENCY, AlarmClass.FIRE),
        ("gas", IncidentClass.EMERGENCY, AlarmClass.FIRE),
        ("door_forced", IncidentClass.SECURITY, AlarmClass.SECURITY),
        ("low_battery", IncidentClass.WELFARE, AlarmClass.WELFARE),
        ("grievance", IncidentClass.GRIEVANCE, AlarmClass.GRIEVANCE),
    ],
)
def test_each_kind_has_its_sound_class(kind: str, cls: IncidentClass, expected: AlarmClass) -> None:
    assert alarm_class(kind, cls) is expected


def test_a_p1_loops_until_acknowledged_and_climbs_the_ladder() -> None:
    board = AlarmBoard()
    events = board.raise_alarm(alarm("incident:1"))
    assert [e.kind for e in events] == [AlarmEventKind.RAISED]
    assert board.raise_alarm(alarm("incident:1", t=5)) == []  # the same incident again: one alarm
    for t in (0, 10, 29.9):
        assert board.tick(at(t)) == []
        assert board.sound(at(t)) == board.sound(at(0))
        assert board.sound(at(t)) is not None and board.sound(at(t)).level == 0  # type: ignore[union-attr]
    first = board.tick(at(30))
    assert [(e.kind, e.level, e.after_s) for e in first] == [(AlarmEventKind.ESCALATED, 1, 30.0)]
    assert board.sound(at(30)).level == 1  # type: ignore[union-attr]
    assert board.escalated()
    assert board.tick(at(45)) == []
    second = board.tick(at(61))
    assert [(e.kind, e.level, e.at) for e in second] == [(AlarmEventKind.ESCALATED, 2, at(60))]
    done = board.acknowledge("incident:1", "desk-01", at(72.5))
    assert (done.kind, done.by, done.after_s, done.level) == (AlarmEventKind.ACKNOWLEDGED, "desk-01", 72.5, 2)
    assert board.sound(at(73)) is None and len(board) == 0
    with pytest.raises(AlarmRefused, match="no longer waiting"):
        board.acknowledge("incident:1", "desk-01", at(74))


def test_a_late_tick_still_climbs_both_steps_in_order() -> None:
    board = AlarmBoard()
    board.raise_alarm(alarm("incident:1"))
    events = board.tick(at(90))
    assert [(e.level, e.at) for e in events] == [(1, at(30)), (2, at(60))]


def test_the_sound_follows_the_most_severe_alarm_and_one_ack_leaves_the_others() -> None:
    board = AlarmBoard()
    board.raise_alarm(alarm("incident:1", AlarmClass.WELFARE, 3))
    assert board.sound(at(0)).cls is AlarmClass.WELFARE  # type: ignore[union-attr]
    board.raise_alarm(alarm("incident:2", AlarmClass.SECURITY, 2, t=1))
    board.raise_alarm(alarm("incident:3", AlarmClass.FIRE, 1, t=2))
    board.raise_alarm(alarm("incident:4", AlarmClass.LIFE, 1, t=3))
    assert board.sound(at(4)).key == "incident:4"  # type: ignore[union-attr]
    assert [a.key for a in board.waiting()] == ["incident:4", "incident:3", "incident:2", "incident:1"]
    board.acknowledge("incident:4", "desk-01", at(5))
    choice = board.sound(at(5))
    assert choice is not None and (choice.cls, choice.key) == (AlarmClass.FIRE, "incident:3")
    board.acknowledge("incident:3", "desk-01", at(6))
    assert board.sound(at(6)).cls is AlarmClass.SECURITY  # type: ignore[union-attr]


def test_lower_classes_do_not_climb_and_a_grievance_only_chimes() -> None:
    board = AlarmBoard()
    board.raise_alarm(alarm("incident:1", AlarmClass.SECURITY, 2))
    assert board.tick(at(120)) == []
    board.acknowledge("incident:1", "desk-01", at(121))
    board.raise_alarm(alarm("incident:2", AlarmClass.GRIEVANCE, 4))
    waiting = board.waiting()
    assert [a.key for a in waiting] == ["incident:2"] and waiting[0].chimes_once
    assert board.sound(at(1)) is None  # in the banner, but no loop


def test_a_p1_cannot_be_snoozed_a_lower_one_can_with_a_reason() -> None:
    board = AlarmBoard()
    board.raise_alarm(alarm("incident:1"))
    board.raise_alarm(alarm("incident:2", AlarmClass.WELFARE, 3))
    with pytest.raises(AlarmRefused, match="cannot be silenced: acknowledge it"):
        board.snooze("incident:1", 5, "too loud", "desk-01", at(1))
    with pytest.raises(AlarmRefused, match="needs a reason"):
        board.snooze("incident:2", 5, "  ", "desk-01", at(1))
    with pytest.raises(AlarmRefused, match="from 1 to 10 minutes"):
        board.snooze("incident:2", 30, "checking", "desk-01", at(1))
    board.acknowledge("incident:1", "desk-01", at(2))
    event = board.snooze("incident:2", 5, "网格员已电话联系", "desk-01", at(3))
    assert (event.kind, event.by, event.note) == (
        AlarmEventKind.SNOOZED,
        "desk-01",
        "5 min: 网格员已电话联系",
    )
    assert board.sound(at(4)) is None
    assert board.sound(at(3 + 299)) is None
    ended = board.tick(at(3 + 300))
    assert [e.kind for e in ended] == [AlarmEventKind.SNOOZE_ENDED]
    assert board.sound(at(303)).key == "incident:2"  # type: ignore[union-attr]


def test_withdrawn_when_acknowledged_elsewhere() -> None:
    board = AlarmBoard()
    board.raise_alarm(alarm("incident:7"))
    event = board.withdraw("incident:7", at(12), "acknowledged by desk-02")
    assert event is not None and (event.kind, event.after_s) == (AlarmEventKind.WITHDRAWN, 12.0)
    assert board.withdraw("incident:7", at(13)) is None
    assert board.sound(at(13)) is None


def test_the_policy_reads_its_table_and_refuses_nonsense() -> None:
    policy = AlarmPolicy.from_mapping({"escalate_after_s": 20, "second_after_s": 45, "night_from": "23:00"})
    assert policy.escalate_after == timedelta(seconds=20) and policy.second_after == timedelta(seconds=45)
    assert policy.night_from.hour == 23 and policy.night_to.hour == 6
    with pytest.raises(ValueError, match="later than"):
        AlarmPolicy.from_mapping({"escalate_after_s": 60, "second_after_s": 30})
    with pytest.raises(ValueError, match="positive number"):
        AlarmPolicy.from_mapping({"escalate_after_s": -1})
    with pytest.raises(ValueError, match="unknown keys: loudness"):
        AlarmPolicy.from_mapping({"loudness": 11})


def test_night_hours_wrap_midnight() -> None:
    policy = AlarmPolicy()
    assert policy.is_night(datetime(2026, 12, 4, 3, 0))
    assert policy.is_night(datetime(2026, 12, 4, 22, 0))
    assert not policy.is_night(datetime(2026, 12, 4, 6, 0))
    assert not policy.is_night(datetime(2026, 12, 4, 14, 0))


def test_a_quiet_night_asks_for_a_check_in_and_a_missed_one_becomes_an_alarm() -> None:
    policy = AlarmPolicy(checkin_idle=timedelta(minutes=20), checkin_grace=timedelta(minutes=2))
    checkin = CheckIn(policy)
    night = datetime(2026, 12, 5, 3, 0)
    day = datetime(2026, 12, 5, 14, 0)
    checkin.activity(at(0))
    assert checkin.tick(at(19 * 60), night) == []
    # by day a quiet desk is not asked
    assert checkin.tick(at(25 * 60), day) == []
    due = checkin.tick(at(25 * 60), night)
    assert [e.kind for e in due] == [AlarmEventKind.CHECKIN_DUE] and checkin.due
    # moving the mouse is not a check-in
    checkin.activity(at(26 * 60))
    assert checkin.tick(at(26 * 60), night) == []
    missed = checkin.tick(at(27 * 60), night)
    assert [(e.kind, e.after_s) for e in missed] == [(AlarmEventKind.CHECKIN_MISSED, 120.0)]
    assert missed[0].key.startswith("checkin:")
    assert checkin.tick(at(28 * 60), night) == []  # missed once, not every tick
    done = checkin.check_in("desk-01", at(28 * 60))
    assert done is not None and done.after_s == 180.0 and not checkin.due
    assert checkin.tick(at(29 * 60), night) == []


class _NaiveBoard:
    """The rules written the obvious way (every alarm looked at, every time): the reference the
    board must agree with, whatever it keeps to answer quickly when thousands wait."""

    def __init__(self, policy: AlarmPolicy) -> None:
        self.policy = policy
        self.alarms: dict[str, Alarm] = {}

    def order(self, a: Alarm) -> tuple[int, int, datetime, str]:
        from desk.alarms import SEVERITY

        return (SEVERITY.index(a.cls), -a.level, a.raised_at, a.key)

    def tick(self, now: datetime) -> set[tuple[str, str, int]]:
        out = set()
        for a in self.alarms.values():
            if a.snoozed_until is not None and now >= a.snoozed_until:
                a.snoozed_until = None
                out.add(("snooze_ended", a.key, a.level))
            if a.priority != 1:
                continue
            for level, after in ((1, self.policy.escalate_after), (2, self.policy.second_after)):
                if a.level < level and now - a.raised_at >= after:
                    a.level = level
                    out.add(("escalated", a.key, level))
        return out

    def top(self) -> str | None:
        return min(self.alarms.values(), key=self.order).key if self.alarms else None

    def sound(self, now: datetime) -> tuple[AlarmClass, int, str] | None:
        from desk.alarms import CHIME_ONCE

        loud = [a for a in self.alarms.values() if a.cls not in CHIME_ONCE and not a.snoozed(now)]
        if not loud:
            return None
        top = min(loud, key=self.order)
        return (top.cls, max(a.level for a in loud), top.key)


def test_the_board_agrees_with_the_plain_rules_under_any_sequence() -> None:
    from dataclasses import replace

    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    classes = list(AlarmClass)
    step = st.one_of(
        st.tuples(st.just("raise"), st.integers(0, 4), st.sampled_from(classes), st.integers(1, 3)),
        st.tuples(st.just("ack"), st.integers(0, 4)),
        st.tuples(st.just("withdraw"), st.integers(0, 4)),
        st.tuples(st.just("snooze"), st.integers(0, 4), st.integers(1, 10)),
        st.tuples(st.just("wait"), st.integers(0, 45)),
        st.tuples(st.just("peek"), st.integers(0, 700)),  # the speaker asked between two ticks
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(step, max_size=60))
    @example([("raise", 1, AlarmClass.SECURITY, 2), ("snooze", 1, 1), ("peek", 100)])
    def check(steps: list[tuple]) -> None:
        policy = AlarmPolicy()
        board, naive = AlarmBoard(policy), _NaiveBoard(policy)
        now = T0
        for s in steps:
            kind, n = s[0], s[1]
            key = f"incident:{n}"
            if kind == "raise":
                a = Alarm(key, s[2], s[3], key, now, incident_id=n)
                raised = board.raise_alarm(a)
                if key not in naive.alarms:
                    naive.alarms[key] = replace(a)
                assert bool(raised) == (naive.alarms[key].raised_at == now and board.get(key) is a)
            elif kind in ("ack", "withdraw"):
                gone = naive.alarms.pop(key, None)
                if kind == "withdraw":
                    assert (board.withdraw(key, now) is None) == (gone is None)
                elif gone is None:
                    with pytest.raises(AlarmRefused):
                        board.acknowledge(key, "lead", now)
                else:
                    assert board.acknowledge(key, "lead", now).level == gone.level
            elif kind == "snooze":
                ref = naive.alarms.get(key)
                if ref is None or ref.priority == 1:
                    with pytest.raises(AlarmRefused):
                        board.snooze(key, s[2], "checking", "lead", now)
                else:
                    board.snooze(key, s[2], "checking", "lead", now)
                    ref.snoozed_until, ref.snooze_reason = now + timedelta(minutes=s[2]), "checking"
            elif kind == "peek":
                later = now + timedelta(seconds=s[1])
                choice = board.sound(later)
                assert ((choice.cls, choice.level, choice.key) if choice else None) == naive.sound(later)
            else:
                now += timedelta(seconds=s[1] * 7)
                got = {(e.kind.value, e.key, e.level) for e in board.tick(now)}
                assert got == naive.tick(now)
            assert len(board) == len(naive.alarms)
            assert (board.top().key if board.top() else None) == naive.top()
            assert [a.key for a in board.waiting()] == sorted(
                naive.alarms, key=lambda k: naive.order(naive.alarms[k])
            )
            choice = board.sound(now)
            assert ((choice.cls, choice.level, choice.key) if choice else None) == naive.sound(now)
            assert board.escalated() == any(a.level > 0 for a in naive.alarms.values())

    check()


def test_ten_thousand_waiting_alarms_and_the_banner_still_shows_the_worst_first() -> None:
    board = AlarmBoard()
    for n in range(10_000):
        board.raise_alarm(alarm(f"incident:{n}", AlarmClass.WELFARE, priority=2, t=n / 100))
    board.raise_alarm(alarm("incident:99999", AlarmClass.LIFE, t=120))
    top = board.top()
    assert top is not None and top.key == "incident:99999"
    events = board.tick(at(150))  # the fall has waited 30 s: it climbs; the welfare alarms do not
    assert [(e.kind, e.key, e.level) for e in events] == [(AlarmEventKind.ESCALATED, "incident:99999", 1)]
    board.acknowledge("incident:99999", "lead", at(151))
    top = board.top()
    assert top is not None and top.key == "incident:0"
    choice = board.sound(at(151))
    assert choice is not None and (choice.cls, choice.level) == (AlarmClass.WELFARE, 0)
