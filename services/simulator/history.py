"""The simulator's event history: one stream id and a gap-free ``seq`` per event, in SQLite.

With a path the history (and the results of commands already answered) survives a restart, so a
desk that resumes with ``since`` gets exactly what it missed; without one it lives in memory.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk.protocol import dumps

log = logging.getLogger("desk.simulator")

#: recent events kept decoded in memory, so live senders never touch the database
_TAIL = 20_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_id ON events (id);
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL, ok INTEGER NOT NULL, error TEXT
);
"""


@dataclass(frozen=True, slots=True)
class Record:
    """One stored event and its place in the stream."""

    seq: int
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command was answered, kept so that a resent command gets the same answer."""

    ok: bool
    error: str | None = None


class History:
    """Append-only event log with a stable stream id; ``seq`` starts at 1 and grows by 1."""

    def __init__(self, path: Path | None = None) -> None:
        self._db = sqlite3.connect(":memory:" if path is None else str(path))
        self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'stream'").fetchone()
        self.created = row is None
        if row is None:
            self.stream = str(uuid.uuid4())
            with self._db:
                self._db.execute("INSERT INTO meta (key, value) VALUES ('stream', ?)", (self.stream,))
        else:
            self.stream = str(row[0])
        first, last = self._db.execute("SELECT MIN(seq), MAX(seq) FROM events").fetchone()
        self._head: int = last or 0
        self._oldest: int = first or self._head + 1
        self._tail: deque[Record] = deque(maxlen=_TAIL)
        log.info(
            "history %s: stream %s, seq %d..%d", path or "in memory", self.stream, self._oldest, self._head
        )

    @property
    def head(self) -> int:
        """The highest seq held (0 when empty)."""
        return self._head

    @property
    def oldest(self) -> int:
        """The lowest seq that can still be replayed (head + 1 when empty)."""
        return self._oldest

    def append(self, event: dict[str, Any]) -> int:
        """Store one event; returns its seq."""
        return self.extend((event,))[-1]

    def extend(self, events: Iterable[dict[str, Any]]) -> list[int]:
        """Store events in one transaction; returns their seqs."""
        records = [Record(self._head + i, e) for i, e in enumerate(events, start=1)]
        if not records:
            return []
        with self._db:
            self._db.executemany(
                "INSERT INTO events (seq, id, body) VALUES (?, ?, ?)",
                [(r.seq, _event_id(r.event), dumps(r.event)) for r in records],
            )
        self._tail.extend(records)
        self._head = records[-1].seq
        return [r.seq for r in records]

    def read(self, after_seq: int, limit: int = 1000) -> list[Record]:
        """Up to ``limit`` events with seq > ``after_seq``, oldest first."""
        start = max(after_seq, self._oldest - 1)
        if start >= self._head:
            return []
        if self._tail and start + 1 >= self._tail[0].seq:
            first = start + 1 - self._tail[0].seq
            return [self._tail[i] for i in range(first, min(first + limit, len(self._tail)))]
        rows = self._db.execute(
            "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (start, limit)
        ).fetchall()
        return [Record(seq, json.loads(body)) for seq, body in rows]

    def find(self, event_id: str) -> dict[str, Any] | None:
        """The latest stored event with this id, if any."""
        row = self._db.execute(
            "SELECT body FROM events WHERE id = ? ORDER BY seq DESC LIMIT 1", (event_id,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def trim(self, keep: int) -> None:
        """Forget all but the newest ``keep`` events (at least one), so ``oldest`` moves up."""
        cut = self._head - max(keep, 1)
        if cut < self._oldest:
            return
        with self._db:
            self._db.execute("DELETE FROM events WHERE seq <= ?", (cut,))
        while self._tail and self._tail[0].seq <= cut:
            self._tail.popleft()
        self._oldest = cut + 1

    def command_result(self, command_id: str) -> CommandResult | None:
        """The answer already given to a command id, if any."""
        row = self._db.execute("SELECT ok, error FROM commands WHERE id = ?", (command_id,)).fetchone()
        return None if row is None else CommandResult(bool(row[0]), row[1])

    def record_command(self, command_id: str, name: str, body: object, result: CommandResult) -> None:
        """Remember a command and its answer."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO commands (id, name, body, ok, error) VALUES (?, ?, ?, ?, ?)",
                (command_id, name, json.dumps(body, ensure_ascii=False), int(result.ok), result.error),
            )

    def close(self) -> None:
        self._db.close()


def _event_id(event: dict[str, Any]) -> str | None:
    value = event.get("id")
    return value if isinstance(value, str) else None
