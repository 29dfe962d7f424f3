"""SLA clocks: the default targets, amber and red at exact times, stages, working time, policy overrides."""

from __future__ import annotations

import math
import re
import tomllib
from datetime import UTC, date, datetime, time, timedelta

import pytest

from desk.incidents import IncidentClass
from desk.sla import (
    SHANGHAI,
    Breach,
    ClockState,
    SlaPolicy,
    SlaTarget,
    Stage,
    WorkingHours,
    add_working_time,
    breaches,
    clock,
    working_time_between,
)

E, S, W, G = IncidentClass.EMERGENCY, IncidentClass.SECURITY, IncidentClass.WELFARE, IncidentClass.GRIEVANCE
#: a Monday night: working hours play no part in alarm clocks
T0 = datetime(2024, 6, 3, 2, 0, tzinfo=SHANGHAI)
#: 2024: Dragon Boat Festival on Monday 10 June
DRAGON_BOAT = WorkingHours(holidays=frozenset({date(2024, 6, 10)}))
#: 2024: Labour Day off Wed 1 – Sun 5 May, made up on Sunday 28 April and Saturday 11 May
LABOUR_DAY = WorkingHours(
    holidays=frozenset(date(2024, 5, d) for d in range(1, 6)),
    workdays=frozenset({date(2024, 4, 28), date(2024, 5, 11)}),
)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 6) -> datetime:
    return datetime(2024, month, day, hour, minute, second, tzinfo=SHANGHAI)


def sec(n: float) -> timedelta:
    return timedelta(seconds=n)


# --- defaults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cls", "acknowledge", "dispatch", "resolve"),
    [
        *[
            (k, E, sec(30), sec(60), timedelta(minutes=30))
            for k in ("fall", "sos", "fire", "smoke", "gas", "elevator_entrapment")
        ],
        *[
            (k, S, sec(60), timedelta(minutes=5), timedelta(hours=1))
            for k in ("door_forced", "face_watchlist", "vehicle_watchlist", "intrusion")
        ],
        *[
            (k, W, timedelta(minutes=15), None, timedelta(hours=4))
            for k in ("water_leak", "door_held", "device_offline", "device_low_battery")
        ],
    ],
)
def test_default_alarm_targets(
    kind: str, cls: IncidentClass, acknowledge: timedelta, dispatch: timedelta | None, resolve: timedelta
) -> None:
    target = SlaPolicy.default().target(kind, cls)
    assert (target.acknowledge, target.dispatch, target.resolve) == (acknowledge, dispatch, resolve)
    assert not target.working_time
    assert target.warn_at == 0.75


def test_default_grievance_targets_are_one_and_five_working_days() -> None:
    target = SlaPolicy.default().target("grievance", G)
    # a working day is 08:30–12:00 plus 13:30–17:30: 7.5 h
    assert WorkingHours().day_length == timedelta(hours=7, minutes=30)
    assert target.acknowledge == timedelta(hours=7, minutes=30)
    assert target.dispatch is None
    assert target.resolve == timedelta(hours=37, minutes=30)
    assert target.working_time


@pytest.mark.parametrize(
    ("kind", "cls", "due_ack", "warn_ack"),
    [
        ("fall", E, sec(30), sec(22.5)),
        ("door_forced", S, sec(60), sec(45)),
        ("water_leak", W, timedelta(minutes=15), timedelta(minutes=11, seconds=15)),
    ],
)
def test_each_default_runs_its_acknowledge_clock(
    kind: str, cls: IncidentClass, due_ack: timedelta, warn_ack: timedelta
) -> None:
    c = clock(SlaPolicy.default(), kind, cls, T0, None, None, None, T0)
    assert (c.stage, c.due_at, c.warn_from, c.remaining, c.state) == (
        Stage.ACKNOWLEDGE,
        T0 + due_ack,
        T0 + warn_ack,
        due_ack,
        ClockState.OK,
    )


# --- amber and red ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "state", "remaining"),
    [
        (sec(0), ClockState.OK, sec(30)),
        (sec(22.499999), ClockState.OK, sec(7.500001)),
        (sec(22.5), ClockState.WARNING, sec(7.5)),  # 75 % of 30 s
        (sec(30), ClockState.WARNING, sec(0)),  # due, not yet late
        (sec(30.000001), ClockState.BREACHED, sec(-0.000001)),
        (sec(95), ClockState.BREACHED, sec(-65)),
    ],
)
def test_a_fall_turns_amber_at_75_percent_and_red_after_30_s(
    after: timedelta, state: ClockState, remaining: timedelta
) -> None:
    c = clock(SlaPolicy.default(), "fall", E, T0, None, None, None, T0 + after)
    assert c.stage is Stage.ACKNOWLEDGE
    assert (c.state, c.remaining) == (state, remaining)


def test_stages_run_acknowledge_then_dispatch_then_resolve() -> None:
    policy = SlaPolicy.default()
    acked, dispatched, resolved = T0 + sec(10), T0 + sec(55), T0 + timedelta(minutes=20)

    c = clock(policy, "fall", E, T0, acked, None, None, T0 + sec(44))
    assert (c.stage, c.due_at, c.warn_from, c.state) == (Stage.DISPATCH, T0 + sec(60), T0 + sec(45), "ok")
    c = clock(policy, "fall", E, T0, acked, None, None, T0 + sec(50))
    assert (c.stage, c.state, c.remaining) == (Stage.DISPATCH, ClockState.WARNING, sec(10))

    c = clock(policy, "fall", E, T0, acked, dispatched, None, T0 + sec(56))
    assert (c.stage, c.due_at, c.warn_from, c.state) == (
        Stage.RESOLVE,
        T0 + timedelta(minutes=30),
        T0 + timedelta(minutes=22, seconds=30),
        ClockState.OK,
    )

    c = clock(policy, "fall", E, T0, acked, dispatched, resolved, T0 + timedelta(hours=1))
    assert (c.stage, c.due_at, c.remaining, c.state) == (None, None, None, ClockState.MET)
    assert c.urgency == -math.inf


def test_dispatching_without_acknowledging_stops_both_clocks() -> None:
    c = clock(SlaPolicy.default(), "sos", E, T0, None, T0 + sec(20), None, T0 + sec(25))
    assert c.stage is Stage.RESOLVE


def test_a_target_without_a_dispatch_stage_goes_straight_to_resolve() -> None:
    c = clock(SlaPolicy.default(), "water_leak", W, T0, T0 + timedelta(minutes=3), None, None, T0)
    assert (c.stage, c.due_at) == (Stage.RESOLVE, T0 + timedelta(hours=4))


def test_a_late_acknowledgement_leaves_the_dispatch_clock_running_on_its_own_time() -> None:
    c = clock(SlaPolicy.default(), "fall", E, T0, T0 + sec(40), None, None, T0 + sec(41))
    assert (c.stage, c.state, c.remaining) == (Stage.DISPATCH, ClockState.OK, sec(19))  # amber from 45 s


def test_urgency_sorts_most_overdue_first_then_closest_to_its_limit() -> None:
    policy = SlaPolicy.default()
    now = T0 + timedelta(minutes=10)
    clocks = {
        "met": clock(policy, "fall", E, T0, T0, T0, T0 + sec(90), now),
        "grievance, hours left": clock(policy, "grievance", G, at(3, 9), None, None, None, at(3, 9)),
        "fall 5 s left": clock(policy, "fall", E, now - sec(25), None, None, None, now),
        "fall 90 s over": clock(policy, "fall", E, now - sec(120), None, None, None, now),
        "door 10 s over": clock(policy, "door_forced", S, now - sec(70), None, None, None, now),
        "leak 1 min left": clock(policy, "water_leak", W, now - timedelta(minutes=14), None, None, None, now),
    }
    order = sorted(clocks, key=lambda name: -clocks[name].urgency)
    assert order == [
        "fall 90 s over",
        "door 10 s over",
        "fall 5 s left",
        "leak 1 min left",
        "grievance, hours left",
        "met",
    ]
    assert clocks["fall 90 s over"].urgency == 90.0
    assert clocks["fall 5 s left"].urgency == -5.0


# --- breaches -----------------------------------------------------------------------------------------


def test_breaches_lists_stages_done_late() -> None:
    found = breaches(
        SlaPolicy.default(),
        "fall",
        E,
        T0,
        T0 + sec(40),
        T0 + sec(50),
        T0 + timedelta(minutes=35),
        T0 + timedelta(hours=2),
    )
    assert found == [
        Breach(Stage.ACKNOWLEDGE, T0 + sec(30), T0 + sec(40), sec(10)),
        Breach(Stage.RESOLVE, T0 + timedelta(minutes=30), T0 + timedelta(minutes=35), timedelta(minutes=5)),
    ]


def test_breaches_lists_every_stage_still_open_past_its_time() -> None:
    found = breaches(SlaPolicy.default(), "fall", E, T0, None, None, None, T0 + sec(120))
    assert found == [
        Breach(Stage.ACKNOWLEDGE, T0 + sec(30), None, sec(90)),
        Breach(Stage.DISPATCH, T0 + sec(60), None, sec(60)),
    ]


def test_no_breaches_when_every_stage_was_in_time() -> None:
    done = T0 + sec(30)  # exactly on time is in time
    assert (
        breaches(SlaPolicy.default(), "fire", E, T0, done, T0 + sec(60), T0 + sec(600), T0 + sec(900)) == []
    )


# --- working time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        (at(3, 10), timedelta(hours=1), at(3, 11)),
        (at(3, 11, 30), timedelta(hours=1), at(3, 14)),  # across lunch
        (at(3, 12, 15), timedelta(hours=1), at(3, 14, 30)),  # from inside lunch
        (at(3, 8, 30), timedelta(hours=7, minutes=30), at(3, 17, 30)),  # ends at closing, not next morning
        (at(3, 17), timedelta(hours=1), at(4, 9)),  # across the evening
        (at(3, 20), timedelta(minutes=30), at(4, 9)),  # from the evening
        (at(7, 17), timedelta(hours=1), at(10, 9)),  # Friday to Monday
        (at(8, 10), timedelta(0), at(8, 10)),  # nothing to add on a Saturday
    ],
)
def test_add_working_time(start: datetime, amount: timedelta, expected: datetime) -> None:
    assert add_working_time(start, amount, WorkingHours()) == expected


def test_add_working_time_skips_a_public_holiday() -> None:
    assert add_working_time(at(7, 17), timedelta(hours=1), DRAGON_BOAT) == at(11, 9)


def test_add_working_time_skips_holidays_and_works_make_up_days() -> None:
    # Tuesday 30 April 17:00 → next working time is Monday 6 May
    assert add_working_time(at(30, 17, month=4), timedelta(hours=1), LABOUR_DAY) == at(6, 9, month=5)
    # Friday 10 May 17:00 → Saturday 11 May is a make-up working day
    assert add_working_time(at(10, 17, month=5), timedelta(hours=1), LABOUR_DAY) == at(11, 9, month=5)


def test_add_working_time_answers_in_the_zone_it_was_asked_in() -> None:
    start = datetime(2024, 6, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = add_working_time(start, timedelta(hours=3, minutes=30), WorkingHours())
    assert due == datetime(2024, 6, 3, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    assert due.tzinfo is UTC


def test_working_time_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_working_time(datetime(2024, 6, 3, 9), timedelta(hours=1), WorkingHours())


def test_working_time_between() -> None:
    assert working_time_between(at(3, 11), at(3, 14), WorkingHours()) == timedelta(hours=1, minutes=30)
    assert working_time_between(at(7, 16), at(11, 16), DRAGON_BOAT) == timedelta(hours=7, minutes=30)
    assert working_time_between(at(11, 16), at(7, 16), DRAGON_BOAT) == -timedelta(hours=7, minutes=30)
    assert working_time_between(at(8, 9), at(9, 18), WorkingHours()) == timedelta(0)  # a weekend


def test_working_hours_refuse_a_calendar_without_working_days() -> None:
    with pytest.raises(ValueError, match="at least one working weekday"):
        WorkingHours(weekdays=frozenset())
    with pytest.raises(ValueError, match="overlaps"):
        WorkingHours(periods=((time(8), time(12)), (time(11), time(17))))


def test_a_grievance_clock_counts_working_time_over_weekend_and_holiday() -> None:
    policy = SlaPolicy.default(DRAGON_BOAT)
    received = at(7, 16)  # Friday 16:00; Monday 10 June is a holiday
    # 1.5 h on Friday, then Tuesday 08:30–12:00 and 13:30–16:00
    sign_by = at(11, 16)
    # amber after 75 % of 7.5 h = 5 h 37 min 30 s: Friday 1.5 h, Tuesday 3.5 h, then 37 min 30 s
    warn = at(11, 14, 7, 30)

    c = clock(policy, "grievance", G, received, None, None, None, at(10, 12))
    assert (c.stage, c.due_at, c.warn_from, c.state) == (Stage.ACKNOWLEDGE, sign_by, warn, ClockState.OK)
    assert c.working_time
    assert c.remaining == timedelta(hours=28)  # wall-clock, holiday and all
    assert clock(policy, "grievance", G, received, None, None, None, warn).state is ClockState.WARNING
    late = clock(policy, "grievance", G, received, None, None, None, at(11, 16, 0, 1))
    assert (late.state, late.remaining) == (ClockState.BREACHED, sec(-1))


def test_a_grievance_missed_at_closing_time_is_late_that_evening() -> None:
    policy = SlaPolicy.default()
    c = clock(policy, "grievance", G, at(3, 8, 30), None, None, None, at(3, 19))
    assert (c.due_at, c.state, c.remaining) == (at(3, 17, 30), ClockState.BREACHED, -timedelta(hours=1.5))


# --- policy -------------------------------------------------------------------------------------------


def test_overrides_per_kind_inherit_from_the_class_and_per_class_reach_every_kind() -> None:
    policy = SlaPolicy.from_mapping(
        {"fall": {"acknowledge_s": 20, "dispatch_s": 45}, "class.welfare": {"resolve_s": 7200}}
    )
    fall = policy.target("fall", E)
    assert (fall.acknowledge, fall.dispatch, fall.resolve) == (sec(20), sec(45), timedelta(minutes=30))
    assert policy.target("sos", E).acknowledge == sec(30)
    leak = policy.target("water_leak", W)
    assert (leak.acknowledge, leak.dispatch, leak.resolve) == (
        timedelta(minutes=15),
        None,
        timedelta(hours=2),
    )
    assert policy.target("grievance", G) == SlaPolicy.default().target("grievance", G)
    assert clock(policy, "fall", E, T0, None, None, None, T0 + sec(21)).state is ClockState.BREACHED


def test_overrides_in_minutes_hours_days_warn_at_and_no_target() -> None:
    policy = SlaPolicy.from_mapping(
        {
            "door_forced": {"dispatch_min": 3},
            "class.welfare": {"dispatch_h": 1},
            "class.grievance": {"resolve_days": 10},
            "fall": {"warn_at": 0.5, "dispatch_s": None},
        }
    )
    assert policy.target("door_forced", S).dispatch == timedelta(minutes=3)
    assert policy.target("intrusion", S).dispatch == timedelta(minutes=5)
    assert policy.target("tamper", W).dispatch == timedelta(hours=1)
    assert policy.target("grievance", G).resolve == timedelta(hours=75)  # ten working days of 7.5 h
    fall = policy.target("fall", E)
    assert fall.dispatch is None
    assert clock(policy, "fall", E, T0, None, None, None, T0 + sec(15)).state is ClockState.WARNING


def test_policy_from_a_toml_file_with_working_hours_and_holidays() -> None:
    text = """
    [fall]
    acknowledge_s = 20

    ["class.welfare"]
    resolve_h = 2

    [working_hours]
    periods = [["09:00", "12:00"], ["14:00", "18:00"]]
    holidays = [2024-06-10]
    workdays = ["2024-06-08"]
    """
    policy = SlaPolicy.from_mapping(tomllib.loads(text))
    assert policy.target("fall", E).acknowledge == sec(20)
    assert policy.hours.holidays == frozenset({date(2024, 6, 10)})
    assert policy.hours.workdays == frozenset({date(2024, 6, 8)})
    # the default grievance days follow the configured day: 3 h + 4 h
    assert policy.target("grievance", G).acknowledge == timedelta(hours=7)
    c = clock(policy, "grievance", G, at(7, 17), None, None, None, at(7, 17))
    # Friday 17:00–18:00, then Saturday 8 June, a make-up day: 09:00–12:00 and 14:00–17:00
    assert c.due_at == at(8, 17)


def test_overrides_on_top_of_a_base_policy() -> None:
    base = SlaPolicy.from_mapping({"fall": {"acknowledge_s": 20}})
    policy = SlaPolicy.from_mapping({"fall": {"dispatch_s": 40}}, base=base)
    fall = policy.target("fall", E)
    assert (fall.acknowledge, fall.dispatch) == (sec(20), sec(40))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fal": {"acknowledge_s": 20}}, "unknown incident kind 'fal'"),
        ({"class.welfar": {"resolve_s": 1}}, "unknown class in 'class.welfar'"),
        ({"fall": 30}, "'fall' must be a table of settings, not int"),
        ({"fall": {"acknowledge": 20}}, "unknown setting 'fall.acknowledge'"),
        ({"fall": {"acknowledge_sec": 20}}, "unknown setting 'fall.acknowledge_sec'"),
        ({"fall": {"acknowledge_s": -5}}, "'fall.acknowledge_s' must be a positive number, not -5"),
        ({"fall": {"acknowledge_s": 0}}, "'fall.acknowledge_s' must be a positive number, not 0"),
        ({"fall": {"acknowledge_s": "20"}}, "'fall.acknowledge_s' must be a positive number, not '20'"),
        ({"fall": {"acknowledge_s": True}}, "'fall.acknowledge_s' must be a positive number, not True"),
        (
            {"fall": {"acknowledge_s": 20, "acknowledge_min": 1}},
            "'fall.acknowledge_min' sets the acknowledge target again (already 'fall.acknowledge_s')",
        ),
        (
            {"fall": {"acknowledge_s": 90}},
            "'fall': acknowledge (90 s) cannot be later than dispatch (60 s)",
        ),
        ({"fall": {"warn_at": 1.5}}, "'fall.warn_at' must be a share above 0 and up to 1"),
        ({"fall": {"working_time": "yes"}}, "'fall.working_time' must be true or false, not 'yes'"),
        ({"working_hours": {"lunch": 1}}, "unknown setting 'working_hours.lunch'"),
        (
            {"working_hours": {"periods": [["12:00", "08:30"]]}},
            "'working_hours': working period 12:00–08:30 ends before it starts",
        ),
        ({"working_hours": {"periods": [["8h", "12:00"]]}}, "'working_hours.periods' must be a time of day"),
        ({"working_hours": {"holidays": ["2024-13-01"]}}, "'working_hours.holidays' holds '2024-13-01'"),
        ({"working_hours": {"weekdays": ["monday"]}}, "'working_hours.weekdays' must list days among mon"),
        ({"working_hours": {"timezone": "Mars/Olympus"}}, "'working_hours.timezone' 'Mars/Olympus' is not"),
    ],
)
def test_bad_policies_name_the_bad_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SlaPolicy.from_mapping(data)


def test_targets_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        SlaTarget(acknowledge=timedelta(0))
    with pytest.raises(ValueError, match="warn_at"):
        SlaTarget(acknowledge=sec(30), warn_at=0)
    with pytest.raises(ValueError, match=re.escape("dispatch (600 s) cannot be later than resolve (300 s)")):
        SlaTarget(sec(30), sec(600), sec(300))
