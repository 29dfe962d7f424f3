"""Roles and permissions in the operator's words (desk.auth), and the disabled-with-a-reason helper."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desk.auth import Permission, PermissionDenied, Role, roles_with
from views.labels import QT_TRANSLATE_NOOP

ROLE_TEXT = {
    Role.OPERATOR: QT_TRANSLATE_NOOP("Access", "night operator"),
    Role.LEAD: QT_TRANSLATE_NOOP("Access", "shift lead"),
    Role.MANAGER: QT_TRANSLATE_NOOP("Access", "manager"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Access", "administrator"),
}

PERMISSION_TEXT = {
    Permission.ACKNOWLEDGE: QT_TRANSLATE_NOOP("Access", "acknowledge incidents"),
    Permission.ALARM_ACKNOWLEDGE: QT_TRANSLATE_NOOP("Access", "acknowledge alarms"),
    Permission.NOTE: QT_TRANSLATE_NOOP("Access", "write notes"),
    Permission.CHECK_IN: QT_TRANSLATE_NOOP("Access", "check in"),
    Permission.ALARM_TEST: QT_TRANSLATE_NOOP("Access", "test the alarm"),
    Permission.SNOOZE: QT_TRANSLATE_NOOP("Access", "snooze alarms"),
    Permission.SPEAKER: QT_TRANSLATE_NOOP("Access", "change the alarm's volume and output"),
    Permission.DISPATCH: QT_TRANSLATE_NOOP("Access", "dispatch"),
    Permission.RECALL: QT_TRANSLATE_NOOP("Access", "recall tasks"),
    Permission.REPLY: QT_TRANSLATE_NOOP("Access", "reply to residents"),
    Permission.ESCALATE: QT_TRANSLATE_NOOP("Access", "escalate"),
    Permission.RESOLVE: QT_TRANSLATE_NOOP("Access", "resolve incidents"),
    Permission.CLOSE: QT_TRANSLATE_NOOP("Access", "close incidents"),
    Permission.REOPEN: QT_TRANSLATE_NOOP("Access", "reopen incidents"),
    Permission.MERGE: QT_TRANSLATE_NOOP("Access", "merge incidents"),
    Permission.GRIEVANCE_CASE: QT_TRANSLATE_NOOP("Access", "work grievance cases"),
    Permission.STAFF_STATUS: QT_TRANSLATE_NOOP("Access", "set duty status"),
    Permission.SAFE_ZONE: QT_TRANSLATE_NOOP("Access", "draw safe zones"),
    Permission.SHIFT: QT_TRANSLATE_NOOP("Access", "open and hand over shifts"),
    Permission.REPORTS: QT_TRANSLATE_NOOP("Access", "read reports"),
    Permission.AUDIT: QT_TRANSLATE_NOOP("Access", "read the audit trail"),
    Permission.REVEAL: QT_TRANSLATE_NOOP("Access", "reveal personal data"),
    Permission.EXPORT_PERSONAL: QT_TRANSLATE_NOOP("Access", "export personal data"),
    Permission.USERS: QT_TRANSLATE_NOOP("Access", "manage users"),
    Permission.FEEDS: QT_TRANSLATE_NOOP("Access", "manage feeds"),
    Permission.DIRECTORY: QT_TRANSLATE_NOOP("Access", "import the directory"),
    Permission.POLICIES: QT_TRANSLATE_NOOP("Access", "change policies"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Access", text)


def role_text(role: Role) -> str:
    return _tr(ROLE_TEXT[role])


def denied_text(role: Role | None, permission: Permission) -> str:
    """Why the operator may not: 'A night operator may not dispatch (allowed: shift lead).'"""
    what = _tr(PERMISSION_TEXT[permission])
    if role is None:
        return QCoreApplication.translate("Access", "Sign in first: {0} needs a signed-in operator.").format(
            what
        )
    allowed = QCoreApplication.translate("Access", ", ").join(role_text(r) for r in roles_with(permission))
    return QCoreApplication.translate("Access", "A {0} may not {1} (allowed: {2}).").format(
        role_text(role), what, allowed
    )


def permission_refusal(exc: Exception) -> str | None:
    """A PermissionDenied in the operator's words (None for any other error)."""
    if isinstance(exc, PermissionDenied):
        return denied_text(exc.role, exc.permission)
    return None
