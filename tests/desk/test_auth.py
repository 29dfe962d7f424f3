"""Roles and their permissions, the password policy and the lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.auth import (
    ACTION_PERMISSION,
    PERMISSIONS,
    LockoutPolicy,
    LoginState,
    Permission,
    PermissionDenied,
    Role,
    after_failure,
    allowed,
    password_problems,
    refusal,
    require,
)
from desk.incidents import Action, IllegalTransition

P = Permission

#: the issue's table, written out: every (role, permission) pair the desk grants
EXPECTED = {
    Role.OPERATOR: {P.ACKNOWLEDGE, P.ALARM_ACKNOWLEDGE, P.NOTE, P.CHECK_IN, P.ALARM_TEST, P.REVEAL},
    Role.LEAD: {
        P.ACKNOWLEDGE, P.ALARM_ACKNOWLEDGE, P.NOTE, P.CHECK_IN, P.ALARM_TEST, P.REVEAL, P.SNOOZE, P.SPEAKER,
        P.DISPATCH, P.RECALL, P.REPLY, P.ESCALATE, P.RESOLVE, P.CLOSE, P.REOPEN, P.MERGE,
        P.GRIEVANCE_CASE, P.STAFF_STATUS, P.SAFE_ZONE, P.SHIFT, P.REPORTS,
    },
    Role.MANAGER: {P.ALARM_ACKNOWLEDGE, P.REPORTS, P.AUDIT},
    Role.ADMIN: {
        P.ALARM_ACKNOWLEDGE, P.AUDIT, P.REVEAL, P.EXPORT_PERSONAL, P.USERS, P.FEEDS, P.DIRECTORY, P.POLICIES,
        P.SPEAKER,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_the_permission_table(role: Role, permission: Permission) -> None:
    assert allowed(role, permission) is (permission in EXPECTED[role])
    assert PERMISSIONS[role] == EXPECTED[role]


def test_every_role_may_silence_a_sounding_alarm_but_a_manager_runs_no_operations() -> None:
    assert all(allowed(r, P.ALARM_ACKNOWLEDGE) for r in Role)
    operations = set(ACTION_PERMISSION.values()) | {P.NOTE, P.REPLY, P.SHIFT}
    assert not any(allowed(Role.MANAGER, p) for p in operations)
    assert not any(allowed(Role.ADMIN, p) for p in operations)


def test_a_refusal_names_the_role_the_action_and_who_may() -> None:
    with pytest.raises(PermissionDenied) as caught:
        require(Role.OPERATOR, P.DISPATCH)
    assert str(caught.value) == ("a night operator may not dispatch (allowed: shift lead); ask a shift lead")
    assert isinstance(caught.value, IllegalTransition)  # the views show it like any refusal
    assert caught.value.role is Role.OPERATOR and caught.value.permission is P.DISPATCH
    assert refusal(Role.MANAGER, P.ACKNOWLEDGE) == (
        "a manager may not acknowledge (allowed: night operator, shift lead); ask the shift lead on duty"
    )
    assert refusal(None, P.NOTE) == "sign in first: note needs a signed-in operator"
    require(Role.LEAD, P.CLOSE)  # no exception


def test_each_incident_move_needs_its_permission() -> None:
    assert ACTION_PERMISSION[Action.ACKNOWLEDGE] is P.ACKNOWLEDGE
    assert ACTION_PERMISSION[Action.CLOSE] is P.CLOSE
    assert set(ACTION_PERMISSION) == set(Action)


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("short1", ["at least 10 characters"]),
        ("onlyletters", ["letters and digits"]),
        ("wang-2024-desk", ["not the user name"]),
        ("password1", ["at least 10 characters", "not a common or repetitive password"]),
        ("1111111111a", ["not a common or repetitive password"]),
        ("夜班值守2024年12月", []),
        ("Lantern-Night-47", []),
    ],
)
def test_the_password_policy(password: str, problems: list[str]) -> None:
    assert password_problems(password, "wang") == problems


T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes() -> None:
    policy = LockoutPolicy(max_failures=5, lock_for=timedelta(minutes=15))
    state = LoginState()
    for i in range(4):
        state = after_failure(state, T0 + timedelta(seconds=i), policy)
        assert state == LoginState(i + 1, None) and not state.locked(T0)
    state = after_failure(state, T0 + timedelta(seconds=10), policy)
    assert state.locked_until == T0 + timedelta(minutes=15, seconds=10)
    assert state.locked(T0 + timedelta(minutes=15, seconds=9))
    assert not state.locked(T0 + timedelta(minutes=15, seconds=10))
    # after the lock ran out, one more failure starts a new count
    again = after_failure(state, T0 + timedelta(minutes=20), policy)
    assert again == LoginState(1, None)
