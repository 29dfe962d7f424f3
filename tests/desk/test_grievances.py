"""The grievance case: legal and illegal moves with their messages, the call-back rule, deadlines in days."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from desk import incidents
from desk.grievances import (
    CallbackResult,
    GrievanceAction,
    GrievanceDeadlines,
    GrievanceStatus,
    grievance_clock,
    grievance_deadlines,
    next_status,
)
from desk.incidents import IllegalTransition
from desk.sla import SHANGHAI, ClockState, SlaPolicy, Stage, WorkingHours

St, A, R = GrievanceStatus, GrievanceAction, CallbackResult
#: 2024: Dragon Boat Festival on Monday 10 June
POLICY = SlaPolicy.default(WorkingHours(holidays=frozenset({date(2024, 6, 10)})))

#: every legal move and where it leads (call-backs: see the tests below)
LEGAL = {
    (St.RECEIVED, A.SIGN): St.SIGNED,
    (St.SIGNED, A.ASSIGN): St.ASSIGNED,
    (St.ASSIGNED, A.ASSIGN): St.ASSIGNED,  # re-assign
    (St.ASSIGNED, A.REPLY): St.REPLIED,
    (St.REPLIED, A.REPLY): St.REPLIED,  # a further reply
    (St.REPLIED, A.RECORD_OUTCOME): St.OUTCOME_RECORDED,
    (St.OUTCOME_RECORDED, A.RECORD_OUTCOME): St.OUTCOME_RECORDED,  # a correction
    (St.CALLBACK_DONE, A.CLOSE): St.CLOSED,
    (St.CLOSED, A.REOPEN): St.ASSIGNED,
}
CALLBACK_FROM = (St.OUTCOME_RECORDED, St.CALLBACK_DONE)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, second, tzinfo=SHANGHAI)


def test_the_whole_way_from_received_to_closed() -> None:
    status = St.RECEIVED
    for action in (A.SIGN, A.ASSIGN, A.REPLY, A.RECORD_OUTCOME):
        status = next_status(status, action)
    status = next_status(status, A.CALLBACK, R.SATISFIED)
    assert status is St.CALLBACK_DONE
    assert next_status(status, A.CLOSE) is St.CLOSED


@pytest.mark.parametrize(("current", "action"), [(s, a) for s in St for a in A if a is not A.CALLBACK])
def test_every_move_is_legal_exactly_when_listed(current: GrievanceStatus, action: GrievanceAction) -> None:
    if (current, action) in LEGAL:
        assert next_status(current, action) is LEGAL[current, action]
    else:
        with pytest.raises(IllegalTransition):
            next_status(current, action)


@pytest.mark.parametrize("current", list(St))
@pytest.mark.parametrize("result", list(R))
def test_call_backs(current: GrievanceStatus, result: CallbackResult) -> None:
    if current not in CALLBACK_FROM:
        with pytest.raises(IllegalTransition, match="cannot call back about a grievance"):
            next_status(current, A.CALLBACK, result)
    elif result is R.UNSATISFIED:
        assert next_status(current, A.CALLBACK, result) is St.ASSIGNED
    else:
        assert next_status(current, A.CALLBACK, result) is St.CALLBACK_DONE


def test_an_unreachable_resident_still_lets_the_case_close() -> None:
    done = next_status(St.OUTCOME_RECORDED, A.CALLBACK, R.UNREACHABLE)
    assert next_status(done, A.CLOSE) is St.CLOSED


def test_an_unsatisfied_resident_sends_the_case_back_round_the_loop() -> None:
    status = next_status(St.OUTCOME_RECORDED, A.CALLBACK, R.UNSATISFIED)
    assert status is St.ASSIGNED
    with pytest.raises(IllegalTransition):
        next_status(status, A.CLOSE)
    for action in (A.REPLY, A.RECORD_OUTCOME):
        status = next_status(status, action)
    assert next_status(status, A.CALLBACK, R.SATISFIED) is St.CALLBACK_DONE


@pytest.mark.parametrize(
    ("current", "message"),
    [
        (St.RECEIVED, "cannot close this grievance: it is not even signed for yet"),
        (
            St.ASSIGNED,
            "cannot close this grievance: the resident has not been answered, the outcome is not recorded"
            " and there was no call-back",
        ),
        (
            St.REPLIED,
            "cannot close this grievance: the outcome is not recorded"
            " and the resident has not been called back",
        ),
        (
            St.OUTCOME_RECORDED,
            "cannot close this grievance: the resident has not been called back"
            " (asked whether they are satisfied)",
        ),
        (St.CLOSED, "cannot close this grievance: it is already closed"),
    ],
)
def test_closing_too_early_says_what_is_missing(current: GrievanceStatus, message: str) -> None:
    with pytest.raises(IllegalTransition, match=f"^{re.escape(message)}$"):
        next_status(current, A.CLOSE)


@pytest.mark.parametrize(
    ("current", "action", "message"),
    [
        (St.RECEIVED, A.REPLY, "cannot reply to a grievance that is received (only when: assigned, replied)"),
        (St.ASSIGNED, A.SIGN, "cannot sign for a grievance that is assigned (only when: received)"),
        (St.RECEIVED, A.ASSIGN, "cannot assign a grievance that is received (only when: signed, assigned)"),
        (
            St.ASSIGNED,
            A.RECORD_OUTCOME,
            "cannot record the outcome of a grievance that is assigned"
            " (only when: replied, outcome recorded)",
        ),
        (St.SIGNED, A.REOPEN, "cannot reopen a grievance that is signed (only when: closed)"),
    ],
)
def test_illegal_moves_say_why(current: GrievanceStatus, action: GrievanceAction, message: str) -> None:
    with pytest.raises(IllegalTransition, match=f"^{re.escape(message)}$"):
        next_status(current, action)


def test_a_call_back_needs_its_result_and_only_a_call_back_takes_one() -> None:
    with pytest.raises(
        IllegalTransition,
        match=re.escape("a call-back needs its result: satisfied, unsatisfied or unreachable"),
    ):
        next_status(St.OUTCOME_RECORDED, A.CALLBACK)
    with pytest.raises(IllegalTransition, match="goes with a call-back, not with record outcome"):
        next_status(St.REPLIED, A.RECORD_OUTCOME, R.SATISFIED)


def test_the_error_is_the_incident_lifecycles_own() -> None:
    assert IllegalTransition is incidents.IllegalTransition
    assert issubclass(IllegalTransition, ValueError)


def test_deadlines_of_a_grievance_received_on_a_monday_morning() -> None:
    # one working day = 7.5 h; five = 37.5 h; amber from 75 % of five = 28 h 7 min 30 s
    # Monday 10:00 + 37.5 h: Mon 6 h, Tue–Fri 30 h, Monday 10 June is a holiday, Tuesday 08:30 + 1.5 h
    # amber: Mon 6 h, Tue 7.5 h, Wed 7.5 h, Thu 3.5 h by 12:00, then 3 h 37 min 30 s from 13:30
    assert grievance_deadlines(at(3, 10), POLICY) == GrievanceDeadlines(
        sign_by=at(4, 10), answer_by=at(11, 10), warn_from=at(6, 17, 7, 30)
    )


def test_deadlines_of_a_grievance_received_on_a_saturday_night() -> None:
    # nothing counts until Tuesday 08:30 (Monday is a holiday): Tuesday is the first working day
    sign_by, answer_by, warn_from = grievance_deadlines(at(8, 22), POLICY)
    assert (sign_by, answer_by) == (at(11, 17, 30), at(17, 17, 30))
    # 28 h 7 min 30 s: Tue–Thu 22.5 h, Fri 3.5 h by 12:00, then 2 h 7 min 30 s from 13:30
    assert warn_from == at(14, 15, 37, 30)


def test_deadlines_in_calendar_days_when_the_policy_says_so() -> None:
    policy = SlaPolicy.from_mapping(
        {"class.grievance": {"working_time": False, "acknowledge_days": 1, "resolve_days": 5, "warn_at": 0.8}}
    )
    assert grievance_deadlines(at(8, 22), policy) == (at(9, 22), at(13, 22), at(12, 22))


def test_deadlines_without_targets_are_none() -> None:
    policy = SlaPolicy.from_mapping({"grievance": {"acknowledge_s": None, "resolve_s": None}})
    assert grievance_deadlines(at(3, 10), policy) == (None, None, None)


def test_the_grievance_clock_signs_then_answers() -> None:
    c = grievance_clock(POLICY, at(3, 10), None, None, None, at(4, 9))
    assert (c.stage, c.due_at, c.state) == (Stage.ACKNOWLEDGE, at(4, 10), ClockState.WARNING)
    c = grievance_clock(POLICY, at(3, 10), at(3, 11), at(3, 11, 5), None, at(4, 9))
    assert (c.stage, c.due_at, c.state) == (Stage.RESOLVE, at(11, 10), ClockState.OK)
    assert c.remaining == timedelta(days=7, hours=1)
    c = grievance_clock(POLICY, at(3, 10), at(3, 11), at(3, 11, 5), at(11, 10, 0, 1), at(12, 9))
    assert c.state is ClockState.MET
