"""Users and sign-in: argon2id password hashes, the lockout, the signed-in operator, first-run accounts.

Hashing and verifying run in a thread (argon2id is memory-hard on purpose: tens of milliseconds);
every change goes through the writer with its audit entry (services.accounts).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desk.auth import (
    LockoutPolicy,
    Operator,
    Permission,
    Role,
    after_failure,
    after_success,
    password_problems,
    require,
)
from desk.incidents import IllegalTransition
from services.accounts import UserRecord

log = logging.getLogger("desk.auth")

#: the demo community's accounts, created on the demo default's first run (README: "Users and roles")
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str], ...] = (
    ("admin", "系统管理员", Role.ADMIN, "demo-admin-2024"),
    ("lead", "王班长", Role.LEAD, "demo-lead-2024"),
    ("operator", "李值守", Role.OPERATOR, "demo-night-2024"),
    ("manager", "赵主任", Role.MANAGER, "demo-manager-2024"),
)


class SignInRefused(IllegalTransition):
    """Wrong name or password, a locked or disabled account: the message is for the person signing in."""


class Writer(Protocol):
    def write(self, method: str, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


class Accounts(Protocol):
    """The reads AuthService needs (services.store.Store)."""

    def user(self, username: str) -> UserRecord | None: ...
    def users(self) -> list[UserRecord]: ...
    def password_hash(self, username: str) -> str | None: ...
    def count_users(self) -> int: ...


@dataclass(frozen=True, slots=True)
class CreatedAccount:
    username: str
    role: Role
    password: str


def default_hasher() -> PasswordHasher:
    """argon2id with the RFC 9106 low-memory profile (t=3, 64 MiB, p=4): argon2-cffi's defaults."""
    return PasswordHasher()


class AuthService:
    """Who is signed in at this desk, and the user administration.

    on_operator_changed(Operator | None): after a sign-in, a change of operator, a sign-out.
    """

    def __init__(
        self,
        store: Accounts,
        writer: Writer,
        desk_id: str,
        *,
        policy: LockoutPolicy | None = None,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.writer = writer
        self.desk_id = desk_id
        self.policy = policy or LockoutPolicy()
        self.hasher = hasher or default_hasher()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.current: Operator | None = None
        self.on_operator_changed: Callable[[Operator | None], None] | None = None
        # a hash to verify against for unknown names, so they take as long as known ones (made when needed)
        self._dummy: str | None = None

    # ---- permissions -------------------------------------------------------------------------------
    def authorize(self, by: str, permission: Permission) -> Operator:
        """The signed-in operator acting as `by`, if their role holds `permission`; else PermissionDenied."""
        op = self.current
        require(op.role if op is not None and op.username == by else None, permission)
        assert op is not None
        return op

    # ---- sign-in -------------------------------------------------------------------------------------
    async def sign_in(self, username: str, password: str) -> Operator:
        """The operator, now signed in at this desk; SignInRefused otherwise (and counted)."""
        op = await self.check_password(username, password)
        self._set_current(op)
        return op

    async def unlock(self, password: str) -> Operator:
        """The locked desk's operator again (their password); SignInRefused otherwise."""
        if self.current is None:
            raise SignInRefused("nobody is signed in at this desk")
        return await self.check_password(self.current.username, password)

    async def check_password(self, username: str, password: str, *, purpose: str = "sign_in") -> Operator:
        """The account's person if the password is theirs; SignInRefused otherwise (counted toward
        the lock-out). `purpose` names the check in the audit trail ("sign_in", "signature")."""
        username = username.strip()
        user = await asyncio.to_thread(self.store.user, username)
        stored = await asyncio.to_thread(self.store.password_hash, username) if user else None
        now = self.clock()
        if user is None or stored is None:
            if self._dummy is None:
                self._dummy = await asyncio.to_thread(self.hasher.hash, secrets.token_hex(8))
            await asyncio.to_thread(self._verify, self._dummy, password)
            raise SignInRefused("wrong user name or password")
        state = user.login_state()
        if state.locked(now):
            assert state.locked_until is not None
            raise SignInRefused(f"account locked until {state.locked_until.isoformat(timespec='minutes')}")
        ok = await asyncio.to_thread(self._verify, stored, password)
        if not ok or not user.active:
            if not user.active:
                raise SignInRefused("this account is disabled")
            state = after_failure(state, now, self.policy)
            await self.writer.write(
                "record_sign_in", username, False, state.failures, state.locked_until, self.desk_id, purpose
            )
            log.warning("failed sign-in for %s (%d in a row)", username, state.failures)
            if state.locked_until is not None:
                raise SignInRefused(
                    f"account locked until {state.locked_until.isoformat(timespec='minutes')}"
                    f" after {state.failures} wrong passwords"
                )
            raise SignInRefused("wrong user name or password")
        if self.hasher.check_needs_rehash(stored):
            await self.writer.write(
                "set_password",
                username,
                self.hasher.hash(password),
                username,
                must_change=user.must_change_password,
            )
        fresh = after_success()
        await self.writer.write("record_sign_in", username, True, fresh.failures, None, self.desk_id, purpose)
        return user.operator()

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def sign_out(self) -> None:
        if self.current is not None:
            log.info("%s signed out at %s", self.current.username, self.desk_id)
        self._set_current(None)

    def _set_current(self, op: Operator | None) -> None:
        self.current = op
        if self.on_operator_changed is not None:
            self.on_operator_changed(op)

    # ---- passwords ----------------------------------------------------------------------------------
    async def change_password(self, old: str, new: str) -> Operator:
        """The signed-in operator's own password (the forced change after a reset or a demo account)."""
        if self.current is None:
            raise SignInRefused("nobody is signed in at this desk")
        username = self.current.username
        await self.check_password(username, old)
        problems = password_problems(new, username)
        if problems:
            raise IllegalTransition("the new password needs " + ", ".join(problems))
        digest = await asyncio.to_thread(self.hasher.hash, new)
        record: UserRecord = await self.writer.write(
            "set_password", username, digest, username, must_change=False
        )
        self._set_current(record.operator())
        return record.operator()

    # ---- administration (administrators only) ---------------------------------------------------------
    async def users(self, by: str) -> list[UserRecord]:
        self.authorize(by, Permission.USERS)
        return await asyncio.to_thread(self.store.users)

    async def add_user(
        self, by: str, username: str, display_name: str, role: Role, password: str
    ) -> UserRecord:
        self.authorize(by, Permission.USERS)
        problems = password_problems(password, username)
        if problems:
            raise IllegalTransition("the password needs " + ", ".join(problems))
        digest = await asyncio.to_thread(self.hasher.hash, password)
        record: UserRecord = await self.writer.write(
            "create_user", username, display_name, role.value, digest, by, must_change_password=True
        )
        return record

    async def set_role(self, by: str, username: str, role: Role) -> UserRecord:
        self.authorize(by, Permission.USERS)
        if username == by and role is not Role.ADMIN:
            raise IllegalTransition("an administrator cannot take their own administration away")
        record: UserRecord = await self.writer.write("update_user", username, by, role=role.value)
        return record

    async def set_active(self, by: str, username: str, active: bool) -> UserRecord:
        self.authorize(by, Permission.USERS)
        if username == by and not active:
            raise IllegalTransition("an administrator cannot disable their own account")
        record: UserRecord = await self.writer.write("update_user", username, by, active=active)
        return record

    async def reset_password(self, by: str, username: str, password: str) -> UserRecord:
        """A new password that its user must change at the next sign-in; lifts a lockout."""
        self.authorize(by, Permission.USERS)
        problems = password_problems(password, username)
        if problems:
            raise IllegalTransition("the password needs " + ", ".join(problems))
        digest = await asyncio.to_thread(self.hasher.hash, password)
        record: UserRecord = await self.writer.write("set_password", username, digest, by, must_change=True)
        return record

    # ---- first run ---------------------------------------------------------------------------------------
    async def ensure_accounts(self, demo: bool, *, force_change: bool = False) -> list[CreatedAccount]:
        """With no users yet: the demo's four documented accounts, else one administrator with a random
        password; both must change their password (logged once, here)."""
        if await asyncio.to_thread(self.store.count_users):
            return []
        if demo:
            wanted = [CreatedAccount(u, r, p) for u, _, r, p in DEMO_ACCOUNTS]
            names = {u: n for u, n, _, _ in DEMO_ACCOUNTS}
        else:
            wanted = [CreatedAccount("admin", Role.ADMIN, secrets.token_urlsafe(12))]
            names = {"admin": "系统管理员"}  # the desk is run in Chinese; an administrator renames it
        for acc in wanted:
            digest = await asyncio.to_thread(self.hasher.hash, acc.password)
            await self.writer.write(
                "create_user", acc.username, names[acc.username], acc.role.value, digest, "system",
                must_change_password=force_change or not demo,
            )  # fmt: skip
            log.warning(
                "first run: created the %s account %r with password %r%s",
                acc.role.value,
                acc.username,
                acc.password,
                " (demo account, see README)" if demo else " — change it at the first sign-in",
            )
        return wanted
