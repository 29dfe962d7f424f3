"""The grievance case (诉求工单): signed for, assigned, answered, outcome recorded, called back, closed.

Pure rules like the incident lifecycle; the clocks count working days through desk.sla (签收 is the
acknowledge stage, 答复 the resolve stage, assigning the dispatch stage).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from desk.incidents import IllegalTransition, IncidentClass
from desk.sla import SlaClock, SlaPolicy, clock, deadline


class GrievanceStatus(StrEnum):
    RECEIVED = "received"
    SIGNED = "signed"  # 签收
    ASSIGNED = "assigned"  # 派单 to the grid worker of the place
    REPLIED = "replied"  # 答复 through the channel it came in on
    OUTCOME_RECORDED = "outcome_recorded"
    CALLBACK_DONE = "callback_done"  # 回访: the resident was asked whether satisfied
    CLOSED = "closed"  # 办结


class GrievanceAction(StrEnum):
    SIGN = "sign"
    ASSIGN = "assign"  # also re-assigns to someone else
    REPLY = "reply"  # a further reply keeps the case replied
    RECORD_OUTCOME = "record_outcome"  # recording again corrects it
    CALLBACK = "callback"
    CLOSE = "close"
    REOPEN = "reopen"  # the resident comes back about a closed case


class CallbackResult(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"  # the case goes back to the assignee
    UNREACHABLE = "unreachable"  # the call-back was tried: the case may close


_S = GrievanceStatus
TRANSITIONS: dict[GrievanceAction, tuple[frozenset[GrievanceStatus], GrievanceStatus]] = {
    GrievanceAction.SIGN: (frozenset({_S.RECEIVED}), _S.SIGNED),
    GrievanceAction.ASSIGN: (frozenset({_S.SIGNED, _S.ASSIGNED}), _S.ASSIGNED),
    GrievanceAction.REPLY: (frozenset({_S.ASSIGNED, _S.REPLIED}), _S.REPLIED),
    GrievanceAction.RECORD_OUTCOME: (frozenset({_S.REPLIED, _S.OUTCOME_RECORDED}), _S.OUTCOME_RECORDED),
    GrievanceAction.CALLBACK: (frozenset({_S.OUTCOME_RECORDED, _S.CALLBACK_DONE}), _S.CALLBACK_DONE),
    GrievanceAction.CLOSE: (frozenset({_S.CALLBACK_DONE}), _S.CLOSED),
    GrievanceAction.REOPEN: (frozenset({_S.CLOSED}), _S.ASSIGNED),
}

#: what is still missing before a case may close, by the status it is in
_CLOSE_MISSING = {
    _S.RECEIVED: "it is not even signed for yet",
    _S.SIGNED: "it is not assigned, answered, its outcome recorded or the resident called back",
    _S.ASSIGNED: "the resident has not been answered, the outcome is not recorded and there was no call-back",
    _S.REPLIED: "the outcome is not recorded and the resident has not been called back",
    _S.OUTCOME_RECORDED: "the resident has not been called back (asked whether they are satisfied)",
    _S.CLOSED: "it is already closed",
}


_VERBS = {
    GrievanceAction.SIGN: "sign for",
    GrievanceAction.ASSIGN: "assign",
    GrievanceAction.REPLY: "reply to",
    GrievanceAction.RECORD_OUTCOME: "record the outcome of",
    GrievanceAction.CALLBACK: "call back about",
    GrievanceAction.CLOSE: "close",
    GrievanceAction.REOPEN: "reopen",
}


def _words_action(action: GrievanceAction) -> str:
    return action.value.replace("_", " ")


def _words(status: GrievanceStatus) -> str:
    return status.value.replace("_", " ")


def next_status(
    current: GrievanceStatus, action: GrievanceAction, callback: CallbackResult | None = None
) -> GrievanceStatus:
    """The status after `action`, or IllegalTransition with a message for the operator.

    A call-back needs its result; an unsatisfied resident sends the case back to assigned.
    """
    if callback is not None and action is not GrievanceAction.CALLBACK:
        raise IllegalTransition(f"a call-back result goes with a call-back, not with {_words_action(action)}")
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        if action is GrievanceAction.CLOSE:
            raise IllegalTransition(f"cannot close this grievance: {_CLOSE_MISSING[current]}")
        names = ", ".join(_words(s) for s in GrievanceStatus if s in allowed)
        raise IllegalTransition(
            f"cannot {_VERBS[action]} a grievance that is {_words(current)} (only when: {names})"
        )
    if action is GrievanceAction.CALLBACK:
        if callback is None:
            raise IllegalTransition("a call-back needs its result: satisfied, unsatisfied or unreachable")
        if callback is CallbackResult.UNSATISFIED:
            return GrievanceStatus.ASSIGNED
    return target


class GrievanceDeadlines(NamedTuple):
    """When a case must be signed for and answered, and when the answer clock turns amber."""

    sign_by: datetime | None
    answer_by: datetime | None
    warn_from: datetime | None


def grievance_deadlines(received_at: datetime, policy: SlaPolicy) -> GrievanceDeadlines:
    """The deadlines of a grievance received at `received_at` (aware), in working time when the policy says.

    None where the policy sets no target for that stage.
    """
    target = policy.target("grievance", IncidentClass.GRIEVANCE)

    def due(limit: timedelta | None) -> datetime | None:
        return deadline(received_at, limit, target, policy.hours) if limit is not None else None

    answer = target.resolve
    return GrievanceDeadlines(
        due(target.acknowledge), due(answer), due(answer * target.warn_at if answer is not None else None)
    )


def grievance_clock(
    policy: SlaPolicy,
    received_at: datetime,
    signed_at: datetime | None,
    assigned_at: datetime | None,
    replied_at: datetime | None,
    now: datetime,
) -> SlaClock:
    """The running clock of a grievance case: sign, (assign, if the policy sets it), answer."""
    return clock(
        policy, "grievance", IncidentClass.GRIEVANCE, received_at, signed_at, assigned_at, replied_at, now
    )
