"""Who may do what at the desk: roles, the permission table, the password policy and the lockout.

Pure rules; `services.auth` keeps the users and `services.runtime` asks `require()` before each action,
so a role is refused in the services whatever the window shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desk.incidents import Action, IllegalTransition


class Role(StrEnum):
    OPERATOR = "operator"  # night operator: acknowledge, notes, check-in
    LEAD = "lead"  # shift lead: everything on the queue, dispatch, close, handover
    MANAGER = "manager"  # reports and review, no operations
    ADMIN = "admin"  # users, feeds, directory, policies


class Permission(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # an incident, from the queue or the panel
    ALARM_ACKNOWLEDGE = "alarm_acknowledge"  # a sounding alarm (F2), also from the lock screen
    NOTE = "note"
    CHECK_IN = "check_in"
    ALARM_TEST = "alarm_test"
    SNOOZE = "snooze"
    SPEAKER = "speaker"  # the alarm's volume and output device
    DISPATCH = "dispatch"
    RECALL = "recall"
    REPLY = "reply"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"
    GRIEVANCE_CASE = "grievance_case"  # categorise, outcome, call-back
    STAFF_STATUS = "staff_status"
    SAFE_ZONE = "safe_zone"  # draw or remove an elder's safe zone on the map
    SHIFT = "shift"  # open a shift, the shift log, hand over, sign
    REPORTS = "reports"  # read and export handover reports, the review
    AUDIT = "audit"  # read and verify the audit trail
    REVEAL = "reveal"  # show a masked name, phone, address or ID number (with a reason)
    EXPORT_PERSONAL = "export_personal"  # export personal data (the directory)
    USERS = "users"
    FEEDS = "feeds"
    DIRECTORY = "directory"  # import elders, staff and teams
    POLICIES = "policies"  # alarm settings, retention, SLA


_P = Permission
_OPERATOR = frozenset({_P.ACKNOWLEDGE, _P.ALARM_ACKNOWLEDGE, _P.NOTE, _P.CHECK_IN, _P.ALARM_TEST, _P.REVEAL})
_LEAD = _OPERATOR | {
    _P.SNOOZE,
    _P.SPEAKER,
    _P.DISPATCH,
    _P.RECALL,
    _P.REPLY,
    _P.ESCALATE,
    _P.RESOLVE,
    _P.CLOSE,
    _P.REOPEN,
    _P.MERGE,
    _P.GRIEVANCE_CASE,
    _P.STAFF_STATUS,
    _P.SAFE_ZONE,
    _P.SHIFT,
    _P.REPORTS,
}
#: the permission table: what each role may do (a sounding alarm may be acknowledged by every role)
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: _OPERATOR,
    Role.LEAD: frozenset(_LEAD),
    Role.MANAGER: frozenset({_P.ALARM_ACKNOWLEDGE, _P.REPORTS, _P.AUDIT}),
    Role.ADMIN: frozenset(
        {
            _P.ALARM_ACKNOWLEDGE,
            _P.AUDIT,
            _P.REVEAL,
            _P.EXPORT_PERSONAL,
            _P.USERS,
            _P.FEEDS,
            _P.DIRECTORY,
            _P.POLICIES,
            _P.SPEAKER,
        }
    ),
}

#: the incident moves and the permission each needs
ACTION_PERMISSION: dict[Action, Permission] = {
    Action.ACKNOWLEDGE: _P.ACKNOWLEDGE,
    Action.DISPATCH: _P.DISPATCH,
    Action.ARRIVE: _P.DISPATCH,
    Action.RECALL: _P.RECALL,
    Action.ESCALATE: _P.ESCALATE,
    Action.RESOLVE: _P.RESOLVE,
    Action.FALSE_ALARM: _P.RESOLVE,
    Action.CLOSE: _P.CLOSE,
    Action.REOPEN: _P.REOPEN,
    Action.MERGE: _P.MERGE,
}

ROLE_NAMES = {
    Role.OPERATOR: "night operator",
    Role.LEAD: "shift lead",
    Role.MANAGER: "manager",
    Role.ADMIN: "administrator",
}

#: who to ask instead, for the refusal message
_WHO_MAY = {
    Role.OPERATOR: "a shift lead",
    Role.LEAD: "an administrator",
    Role.MANAGER: "the shift lead on duty",
    Role.ADMIN: "the shift lead on duty",
}


class PermissionDenied(IllegalTransition):
    """A role asked for something it may not do; the message names the role, the action and who may."""

    def __init__(self, role: Role | None, permission: Permission) -> None:
        self.role = role
        self.permission = permission
        super().__init__(refusal(role, permission))


def roles_with(permission: Permission) -> list[Role]:
    return [r for r in Role if permission in PERMISSIONS[r]]


def refusal(role: Role | None, permission: Permission) -> str:
    """The refusal as the operator reads it: 'a night operator may not dispatch; ask a shift lead'."""
    if role is None:
        return f"sign in first: {permission.value.replace('_', ' ')} needs a signed-in operator"
    allowed = ", ".join(ROLE_NAMES[r] for r in roles_with(permission)) or "nobody"
    return (
        f"a {ROLE_NAMES[role]} may not {permission.value.replace('_', ' ')} "
        f"(allowed: {allowed}); ask {_WHO_MAY[role]}"
    )


def allowed(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in PERMISSIONS[role]


def require(role: Role | None, permission: Permission) -> None:
    """PermissionDenied unless `role` holds `permission`."""
    if not allowed(role, permission):
        raise PermissionDenied(role, permission)


@dataclass(frozen=True, slots=True)
class Operator:
    """A signed-in person: the name the records carry, the role that decides what they may do."""

    username: str
    role: Role
    display_name: str = ""
    must_change_password: bool = False

    @property
    def label(self) -> str:
        return self.display_name or self.username


# ---- passwords -------------------------------------------------------------------------------------
MIN_PASSWORD_LENGTH = 10
_COMMON = frozenset(
    {"password", "password1", "1234567890", "12345678", "123456789", "qwertyuiop", "admin12345", "abc1234567"}
)


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password (empty: it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("letters and digits")
    if username and username.lower() in password.lower():
        problems.append("not the user name")
    if password.lower() in _COMMON or len(set(password)) < 4:
        problems.append("not a common or repetitive password")
    return problems


# ---- lockout -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After `max_failures` wrong passwords in a row an account is locked for `lock_for`."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LoginState:
    failures: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def after_failure(state: LoginState, now: datetime, policy: LockoutPolicy) -> LoginState:
    """One more wrong password; the N-th in a row locks the account (an expired lock starts over)."""
    failures = 0 if state.locked_until is not None and now >= state.locked_until else state.failures
    failures += 1
    if failures >= policy.max_failures:
        return LoginState(failures, now + policy.lock_for)
    return LoginState(failures, None)


def after_success() -> LoginState:
    return LoginState()
