"""The store's users, audit trail, position retention and directory import (a part of `Store`).

Every write here runs on the writer (services.writer) like the rest of the store, and appends its audit
entry in the same transaction as the change: the chain (desk.audit) is in the order of the commits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update

from desk.audit import AuditEntry, append
from desk.auth import LoginState, Operator, Role
from desk.incidents import IllegalTransition
from services.db import AuditRow, PositionRow, ProfileRow, UserRow

log = logging.getLogger("desk.audit")

T_USERS: Table = UserRow.__table__  # type: ignore[assignment]
T_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
_T_POSITIONS: Table = PositionRow.__table__  # type: ignore[assignment]
_T_PROFILES: Table = ProfileRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the administrators' list shows it (never the hash)."""

    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    failures: int
    locked_until: datetime | None

    def operator(self) -> Operator:
        return Operator(self.username, self.role, self.display_name, self.must_change_password)

    def login_state(self) -> LoginState:
        return LoginState(self.failures, self.locked_until)


def _user(row: Any) -> UserRecord:
    return UserRecord(
        row.username,
        row.display_name,
        Role(row.role),
        bool(row.active),
        bool(row.must_change_password),
        int(row.failures),
        row.locked_until,
    )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        row.seq, row.at, row.actor, row.action, row.target, row.before, row.after, row.prev_hash, row.hash
    )


def _public(user: UserRecord | None) -> dict[str, Any] | None:
    """What the audit keeps of a user (no hash)."""
    if user is None:
        return None
    return {
        "display_name": user.display_name,
        "role": user.role.value,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def append_audit(
    conn: Connection,
    actor: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry after the newest, in the caller's transaction (the writer is the only writer)."""
    return append_audits(conn, [(actor, action, target, before, after)], at or datetime.now(UTC))[0]


def append_audits(
    conn: Connection, entries: Sequence[tuple[str, str, str, Any, Any]], at: datetime
) -> list[AuditEntry]:
    """Append (actor, action, target, before, after) entries after the newest, with one read and
    one insert (an alarm burst records thousands of steps at once)."""
    if not entries:
        return []
    last = conn.execute(select(T_AUDIT).order_by(T_AUDIT.c.seq.desc()).limit(1)).first()
    prev = _entry(last) if last is not None else None
    out: list[AuditEntry] = []
    for actor, action, target, before, after in entries:
        prev = append(prev, at, actor, action, target, before, after)
        out.append(prev)
    conn.execute(
        insert(T_AUDIT),
        [
            dict(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                target=e.target,
                before=e.before,
                after=e.after,
                prev_hash=e.prev_hash,
                hash=e.hash,
            )
            for e in out
        ],
    )
    return out


class AccountStore:
    """Mixed into services.store.Store: needs its engine and its writer transaction."""

    engine: Engine

    def _write(self) -> contextlib.AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def reload_memory(self) -> None:  # provided by Store: the writer's view of the directory
        raise NotImplementedError

    # ---- the audit chain ---------------------------------------------------------------------
    def _audit(
        self,
        conn: Connection,
        actor: str,
        action: str,
        target: str,
        before: Any = None,
        after: Any = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        return append_audit(conn, actor, action, target, before, after, at)

    def audit(
        self, actor: str, action: str, target: str, before: Any = None, after: Any = None
    ) -> AuditEntry:
        """An entry that goes with no other write: a reveal of personal data, an export, a sign-in."""
        with self._write() as conn:
            return self._audit(conn, actor, action, target, before, after)

    def audit_entries(self, target: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """The trail oldest first (of one target; the newest `limit`)."""
        q = select(T_AUDIT).order_by(T_AUDIT.c.seq.desc() if limit else T_AUDIT.c.seq)
        if target is not None:
            q = q.where(T_AUDIT.c.target == target)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = [_entry(r) for r in conn.execute(q)]
        return list(reversed(rows)) if limit else rows

    def iter_audit(self, batch: int = 5000) -> Iterator[AuditEntry]:
        """The whole trail in order, a batch at a time (for verification)."""
        after = 0
        with self.engine.connect() as conn:
            while True:
                rows = list(
                    conn.execute(
                        select(T_AUDIT).where(T_AUDIT.c.seq > after).order_by(T_AUDIT.c.seq).limit(batch)
                    )
                )
                if not rows:
                    return
                for r in rows:
                    yield _entry(r)
                after = rows[-1].seq

    # ---- users ---------------------------------------------------------------------------------
    def users(self) -> list[UserRecord]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(T_USERS).order_by(T_USERS.c.username))]

    def user(self, username: str) -> UserRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(T_USERS).where(T_USERS.c.username == username)).first()
        return _user(row) if row is not None else None

    def password_hash(self, username: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(T_USERS.c.password_hash).where(T_USERS.c.username == username)
            ).scalar_one_or_none()

    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(T_USERS)).scalar_one())

    def create_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password_hash: str,
        by: str,
        *,
        must_change_password: bool = True,
    ) -> UserRecord:
        username = username.strip()
        if not username:
            raise IllegalTransition("a user needs a user name")
        now = datetime.now(UTC)
        with self._write() as conn:
            if conn.execute(select(T_USERS.c.username).where(T_USERS.c.username == username)).first():
                raise IllegalTransition(f"user {username} exists already")
            values = dict(
                username=username,
                display_name=display_name.strip() or username,
                role=Role(role).value,
                password_hash=password_hash,
                active=True,
                must_change_password=must_change_password,
                failures=0,
                locked_until=None,
                created_at=now,
                updated_at=now,
            )
            conn.execute(insert(T_USERS).values(**values))
            user = _user(conn.execute(select(T_USERS).where(T_USERS.c.username == username)).one())
            self._audit(conn, by, "user.create", f"user:{username}", None, _public(user), now)
            return user

    def update_user(self, username: str, by: str, **changes: Any) -> UserRecord:
        """Change a user's role, display name or active flag (audited with before and after)."""
        allowed = {"role", "display_name", "active"}
        if set(changes) - allowed:
            raise ValueError(f"cannot change {sorted(set(changes) - allowed)}")
        if "role" in changes:
            changes["role"] = Role(changes["role"]).value
        now = datetime.now(UTC)
        with self._write() as conn:
            before = self._user_for_update(conn, username)
            conn.execute(
                update(T_USERS).where(T_USERS.c.username == username).values(updated_at=now, **changes)
            )
            after = _user(conn.execute(select(T_USERS).where(T_USERS.c.username == username)).one())
            self._audit(conn, by, "user.update", f"user:{username}", _public(before), _public(after), now)
            return after

    def set_password(self, username: str, password_hash: str, by: str, *, must_change: bool) -> UserRecord:
        """A new password (a reset by an administrator sets `must_change`); unlocks the account."""
        now = datetime.now(UTC)
        with self._write() as conn:
            self._user_for_update(conn, username)
            conn.execute(
                update(T_USERS)
                .where(T_USERS.c.username == username)
                .values(
                    password_hash=password_hash,
                    must_change_password=must_change,
                    failures=0,
                    locked_until=None,
                    updated_at=now,
                )
            )
            action = "user.password_changed" if by == username else "user.password_reset"
            self._audit(
                conn, by, action, f"user:{username}", None, {"must_change_password": must_change}, now
            )
            return _user(conn.execute(select(T_USERS).where(T_USERS.c.username == username)).one())

    def record_sign_in(
        self,
        username: str,
        ok: bool,
        failures: int,
        locked_until: datetime | None,
        desk: str,
        purpose: str = "sign_in",
    ) -> None:
        """A sign-in attempt on a known account (or a password given for `purpose`, such as a
        signature): its lockout state, and the trail."""
        now = datetime.now(UTC)
        with self._write() as conn:
            conn.execute(
                update(T_USERS)
                .where(T_USERS.c.username == username)
                .values(failures=failures, locked_until=locked_until)
            )
            if ok:
                action = f"user.{purpose}"
            elif locked_until is not None:
                action = "user.locked"
            else:
                action = f"user.{purpose}_failed"
            after: dict[str, Any] = {"desk": desk, "failures": failures}
            if locked_until is not None:
                after["locked_until"] = locked_until.isoformat()
            self._audit(conn, username, action, f"user:{username}", None, after, now)

    def _user_for_update(self, conn: Connection, username: str) -> UserRecord:
        row = conn.execute(select(T_USERS).where(T_USERS.c.username == username)).first()
        if row is None:
            raise IllegalTransition(f"no user {username}")
        return _user(row)

    def profile(self, ref: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_T_PROFILES).where(_T_PROFILES.c.ref == ref)).first()
        return {"ref": row.ref, "kind": row.kind, "name": row.name, "data": row.data or {}} if row else None

    # ---- personal data --------------------------------------------------------------------------
    def purge_positions(self, before: datetime, by: str) -> int:
        """Delete position history older than `before` (retention); the count goes into the trail."""
        with self._write() as conn:
            deleted = conn.execute(delete(_T_POSITIONS).where(_T_POSITIONS.c.at < before)).rowcount
            if deleted:
                self._audit(
                    conn,
                    by,
                    "positions.purge",
                    "positions",
                    None,
                    {"before": before.isoformat(), "deleted": deleted},
                )
            return int(deleted or 0)

    def import_directory(self, profiles: Sequence[dict[str, Any]], by: str, source: str) -> dict[str, int]:
        """Elders, staff and teams from a community's list, all in one transaction (all or nothing).

        Each profile: ref, kind, name, data. Returns the counts of added and updated profiles.
        """
        now = datetime.now(UTC)
        added = updated = 0
        with self._write() as conn:
            refs = [p["ref"] for p in profiles]
            known: dict[str, Any] = {}
            for i in range(0, len(refs), 500):
                for r in conn.execute(select(_T_PROFILES).where(_T_PROFILES.c.ref.in_(refs[i : i + 500]))):
                    known[r.ref] = r
            for p in profiles:
                row = known.get(p["ref"])
                if row is None:
                    conn.execute(
                        insert(_T_PROFILES).values(
                            ref=p["ref"], kind=p["kind"], name=p["name"], data=p["data"], updated_at=now
                        )
                    )
                    added += 1
                else:
                    data = {**(row.data or {}), **p["data"]}
                    conn.execute(
                        update(_T_PROFILES)
                        .where(_T_PROFILES.c.ref == p["ref"])
                        .values(kind=p["kind"], name=p["name"], data=data, updated_at=now)
                    )
                    updated += 1
            counts = {"added": added, "updated": updated}
            self._audit(
                conn,
                by,
                "directory.import",
                "directory",
                None,
                {"source": source, **counts, "refs": refs[:200]},
                now,
            )
        self.reload_memory()  # flagged elders' safe zones follow the new directory
        return counts
