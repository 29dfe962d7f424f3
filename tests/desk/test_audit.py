"""The audit chain: each entry hashes its fields and the previous hash; the verifier names the first break."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from desk.audit import GENESIS, AuditEntry, append, canonical, entry_hash, verify

T0 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def chain(n: int) -> list[AuditEntry]:
    out: list[AuditEntry] = []
    for i in range(n):
        prev = out[-1] if out else None
        out.append(
            append(prev, T0 + timedelta(seconds=i), "lead", "incident.acknowledge", f"incident:{i}",
                   {"status": "open"}, {"status": "acknowledged"})
        )  # fmt: skip
    return out


def test_an_entry_hashes_its_fields_and_the_previous_hash() -> None:
    first, second = chain(2)
    assert (first.seq, first.prev_hash, second.seq, second.prev_hash) == (1, GENESIS, 2, first.hash)
    assert first.before == '{"status":"open"}' and first.after == '{"status":"acknowledged"}'
    assert first.hash == entry_hash(1, T0, "lead", "incident.acknowledge", "incident:0",
                                    '{"status":"open"}', '{"status":"acknowledged"}', GENESIS)  # fmt: skip
    assert len(first.hash) == 64 and first.hash != second.hash
    assert canonical({"b": 1, "a": "王"}) == '{"a":"王","b":1}'


def test_an_intact_chain_verifies() -> None:
    assert verify(chain(5)) == (5, None)
    assert verify([]) == (0, None)


def test_an_edited_entry_is_the_first_broken_link() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], actor="operator")
    checked, broken = verify(entries)
    assert checked == 3 and broken is not None
    assert broken.seq == 3 and broken.reason == "its content does not match its hash (it was edited)"
    assert str(broken).startswith("first broken link at entry #3 2026-12-05T02:00:02+00:00 operator")


def test_an_edit_that_also_rehashes_breaks_the_next_link() -> None:
    entries = chain(5)
    e = entries[1]
    forged = dataclasses.replace(e, after='{"status":"closed"}')
    forged = dataclasses.replace(
        forged, hash=entry_hash(e.seq, e.at, e.actor, e.action, e.target, e.before, forged.after, e.prev_hash)
    )
    entries[1] = forged
    _, broken = verify(entries)
    assert broken is not None and broken.seq == 3
    assert broken.reason.startswith("it does not follow the previous entry")


def test_a_removed_entry_is_named() -> None:
    entries = chain(5)
    del entries[3]
    _, broken = verify(entries)
    assert broken is not None and (broken.seq, broken.reason) == (5, "entry #4 is missing (found #5)")
