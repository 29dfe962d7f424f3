"""The grievance case (诉求工单): signed for, assigned, answered, outcome recorded, called back, closed.

Pure rules like the incident lifecycle; the clocks count working days through desk.sla (签收 is the
acknowledge stage, 答复 the resolve stage, assigning the dispatch stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from desk.incidents import GRIEVANCE_PRIORITY, IllegalTransition, IncidentClass, Status
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


#: the categories a grievance can be filed under (the CES/1 `category` values)
CATEGORIES: tuple[str, ...] = tuple(GRIEVANCE_PRIORITY)

#: what the incident lifecycle says when a grievance is resolved like an alarm (it has its own steps)
NOT_RESOLVED_LIKE_AN_ALARM = (
    "a grievance is not resolved like an alarm: record its outcome, call the resident back, then close it"
)


@dataclass(frozen=True, slots=True)
class GrievanceCase:
    """Where a grievance case stands and who did each step (None: not done yet)."""

    incident_id: int
    status: GrievanceStatus = GrievanceStatus.RECEIVED
    category: str = "other"  # as the operator filed it; `original_category` as it came in
    original_category: str = "other"
    outcome: str | None = None
    callback: CallbackResult | None = None
    callback_note: str | None = None
    signed_at: datetime | None = None
    signed_by: str | None = None
    assigned_at: datetime | None = None
    assigned_by: str | None = None
    replied_at: datetime | None = None
    replied_by: str | None = None
    outcome_at: datetime | None = None
    outcome_by: str | None = None
    callback_at: datetime | None = None
    callback_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    categorised_at: datetime | None = None
    categorised_by: str | None = None

    @property
    def recategorised(self) -> bool:
        return self.category != self.original_category


def status_from_incident(status: Status) -> GrievanceStatus:
    """The case status an incident's lifecycle implies, for a grievance with no case steps recorded yet
    (one acknowledged or dispatched before the case was kept, or through the plain incident actions)."""
    if status is Status.NEW:
        return GrievanceStatus.RECEIVED
    if status in (Status.ACKNOWLEDGED, Status.ESCALATED):
        return GrievanceStatus.SIGNED
    if status is Status.CLOSED:
        return GrievanceStatus.CLOSED
    return GrievanceStatus.ASSIGNED  # dispatched, on scene, resolved, false alarm: with someone


def case_clock(policy: SlaPolicy, received_at: datetime, case: GrievanceCase, now: datetime) -> SlaClock:
    """The running clock of a case (sign by, then answer by), in working days; MET once answered."""
    return grievance_clock(policy, received_at, case.signed_at, case.assigned_at, case.replied_at, now)
