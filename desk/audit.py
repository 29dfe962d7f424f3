"""The audit trail as a hash chain: who did what, when, to what, with the before and after.

Each entry's hash is SHA-256 over its own fields and the previous entry's hash, so editing, removing
or reordering a stored entry breaks the chain at that entry, and `verify()` names the first break.
(Removing the newest entries leaves a valid, shorter chain: the last hash is also printed by
`main.py audit verify` so it can be kept elsewhere and compared.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8 kept): the exact text that is stored and hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str  # e.g. incident.acknowledge, user.create, personal.reveal
    target: str  # e.g. incident:12, user:wang, elder:E-0007
    before: str  # canonical JSON ("null" when nothing was there)
    after: str
    prev_hash: str
    hash: str

    def summary(self) -> str:
        return f"#{self.seq} {self.at.isoformat()} {self.actor} {self.action} {self.target}"


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("an audit time must be aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    seq: int, at: datetime, actor: str, action: str, target: str, before: str, after: str, prev_hash: str
) -> str:
    body = canonical([seq, _stamp(at), actor, action, target, before, after, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    prev: AuditEntry | None, at: datetime, actor: str, action: str, target: str, before: Any, after: Any
) -> AuditEntry:
    """The next entry after `prev` (None: the first of the chain)."""
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    b, a = canonical(before), canonical(after)
    at = at.astimezone(UTC)
    return AuditEntry(
        seq,
        at,
        actor,
        action,
        target,
        b,
        a,
        prev_hash,
        entry_hash(seq, at, actor, action, target, b, a, prev_hash),
    )


@dataclass(frozen=True, slots=True)
class BrokenLink:
    seq: int
    reason: str
    entry: AuditEntry | None = None

    def __str__(self) -> str:
        where = self.entry.summary() if self.entry is not None else f"#{self.seq}"
        return f"first broken link at entry {where}: {self.reason}"


def verify(entries: Iterable[AuditEntry]) -> tuple[int, BrokenLink | None]:
    """Check the chain in order: (entries checked, the first broken link or None)."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for e in entries:
        count += 1
        if e.seq != expected_seq:
            what = "missing" if e.seq > expected_seq else "repeated or out of order"
            return count, BrokenLink(e.seq, f"entry #{expected_seq} is {what} (found #{e.seq})", e)
        if e.prev_hash != prev_hash:
            return count, BrokenLink(
                e.seq, "it does not follow the previous entry (an entry before it was changed or removed)", e
            )
        if entry_hash(e.seq, e.at, e.actor, e.action, e.target, e.before, e.after, e.prev_hash) != e.hash:
            return count, BrokenLink(e.seq, "its content does not match its hash (it was edited)", e)
        prev_hash, expected_seq = e.hash, e.seq + 1
    return count, None
