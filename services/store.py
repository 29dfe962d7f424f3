"""The store: durable ingest of event frames, applying them, and the incident repository.

Every write runs on one writer thread (see services.ingest); reads may come from any thread.
ORM rows never leave this module: callers get `desk` dataclasses or plain dicts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from desk.events import EventType, Invalid, ValidEvent, validate
from desk.feeds import FeedState, Problem, ProblemKind
from desk.geofence import GeofenceWatch, check_ring, wandering_signal
from desk.grievances import CATEGORIES as GRIEVANCE_CATEGORIES
from desk.grievances import (
    NOT_RESOLVED_LIKE_AN_ALARM,
    CallbackResult,
    GrievanceAction,
    GrievanceCase,
    GrievanceStatus,
    status_from_incident,
)
from desk.grievances import TRANSITIONS as GRIEVANCE_TRANSITIONS
from desk.grievances import next_status as grievance_next_status
from desk.incidents import (
    GRIEVANCE_PRIORITY,
    OPEN_STATUSES,
    TASK_FINAL,
    Action,
    IllegalTransition,
    Incident,
    IncidentClass,
    Outcome,
    Priority,
    QueueItem,
    Signal,
    Status,
    TaskStatus,
    joins,
    next_status,
    signal_of,
    task_moves,
)
from desk.shifts import (
    MANUAL_CATEGORIES,
    DeviceState,
    FeedChange,
    Handled,
    LogCategory,
    LogSource,
    ReportInput,
    Shift,
    ShiftError,
    ShiftLogEntry,
    SignedReport,
    check_handover,
    check_open,
    content_hash,
    desk_category,
    incident_category,
    seal_of,
    tampering,
)
from services.accounts import AccountStore, append_audit, append_audits
from services.db import (
    CommandRow,
    DeskLogRow,
    DeviceRow,
    EventRow,
    FeedNoticeRow,
    FeedRow,
    GrievanceCaseRow,
    IncidentEventRow,
    IncidentLogRow,
    IncidentNoteRow,
    IncidentRow,
    LastPositionRow,
    PositionRow,
    ProfileRow,
    ProtocolErrorRow,
    SafeZoneRow,
    ShiftLogRow,
    ShiftReportRow,
    ShiftRow,
    StaffStatusRow,
    TaskRow,
    TaskUpdateRow,
    UTCDateTime,
)

log = logging.getLogger("desk.db")

T_EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
T_FEEDS: Table = FeedRow.__table__  # type: ignore[assignment]
T_INCIDENTS: Table = IncidentRow.__table__  # type: ignore[assignment]
T_INC_EVENTS: Table = IncidentEventRow.__table__  # type: ignore[assignment]
T_INC_LOG: Table = IncidentLogRow.__table__  # type: ignore[assignment]
T_TASKS: Table = TaskRow.__table__  # type: ignore[assignment]
T_TASK_UPDATES: Table = TaskUpdateRow.__table__  # type: ignore[assignment]
T_PROFILES: Table = ProfileRow.__table__  # type: ignore[assignment]
T_LAST_POS: Table = LastPositionRow.__table__  # type: ignore[assignment]
T_POSITIONS: Table = PositionRow.__table__  # type: ignore[assignment]
T_DEVICES: Table = DeviceRow.__table__  # type: ignore[assignment]
T_PROTO_ERRORS: Table = ProtocolErrorRow.__table__  # type: ignore[assignment]
T_NOTICES: Table = FeedNoticeRow.__table__  # type: ignore[assignment]
T_COMMANDS: Table = CommandRow.__table__  # type: ignore[assignment]
T_NOTES: Table = IncidentNoteRow.__table__  # type: ignore[assignment]
T_STAFF_STATUS: Table = StaffStatusRow.__table__  # type: ignore[assignment]
T_DESK_LOG: Table = DeskLogRow.__table__  # type: ignore[assignment]
T_SAFE_ZONES: Table = SafeZoneRow.__table__  # type: ignore[assignment]

SYSTEM = "system"


def now_utc() -> datetime:
    return datetime.now(UTC)


class Inbound(NamedTuple):
    """One event frame as it arrived, waiting for its commit (a tuple: cheap to send to the writer)."""

    feed: str
    stream: str
    seq: int
    raw: str  # the whole frame, as received; the writer reads the event out of it
    received_at: datetime
    arrived: float  # time.perf_counter(): CLOCK_MONOTONIC, comparable across processes

    def event(self) -> object:
        try:
            frame = orjson.loads(self.raw)  # the writer's hot path: several times faster than json
        except orjson.JSONDecodeError:
            try:  # what orjson refuses but the feed client's json took (NaN, huge integers)
                frame = json.loads(self.raw)
            except ValueError:
                return None
        return frame.get("event") if isinstance(frame, dict) else None


@dataclass(slots=True)
class Changes:
    """What one committed unit of work changed, for the views to refresh only that."""

    acks: dict[str, int] = field(default_factory=dict)
    stored: int = 0
    applied: int = 0
    quarantined: list[tuple[str, str | None, str]] = field(default_factory=list)  # feed, id, reason
    repeats: int = 0
    duplicates: int = 0
    incidents: set[int] = field(default_factory=set)
    new_incidents: list[int] = field(default_factory=list)
    tasks: set[str] = field(default_factory=set)
    positions: set[str] = field(default_factory=set)
    profiles: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)  # wearables whose status moved (their elder's ref)
    feeds: set[str] = field(default_factory=set)
    arrivals: list[float] = field(default_factory=list)
    committed_at: float = 0.0

    def merge(self, part: Changes) -> None:
        for feed, seq in part.acks.items():
            self.acks[feed] = max(seq, self.acks.get(feed, 0))
        self.stored += part.stored
        self.applied += part.applied
        self.quarantined.extend(part.quarantined)
        self.repeats += part.repeats
        self.duplicates += part.duplicates
        self.incidents |= part.incidents
        self.new_incidents.extend(part.new_incidents)
        self.tasks |= part.tasks
        self.positions |= part.positions
        self.profiles |= part.profiles
        self.devices |= part.devices
        self.feeds |= part.feeds
        self.arrivals.extend(part.arrivals)
        self.committed_at = max(self.committed_at, part.committed_at)

    @property
    def empty(self) -> bool:
        return not (
            self.stored or self.incidents or self.feeds or self.tasks or self.repeats or self.duplicates
        )


def database_said(error: BaseException) -> str:
    """The first line of what the database said (a DBAPI error wrapped by SQLAlchemy), without
    the statement and its values (an event's data), which the log keeps."""
    said = str(getattr(error, "orig", None) or error).strip()
    return said.splitlines()[0][:200] if said else type(error).__name__


class PartlyCommitted(Exception):
    """A batch committed frame by frame met a database that refuses to write: `changes` are the
    frames before that point (committed, to be acked and shown); the rest are not."""

    def __init__(self, changes: Changes, reason: str) -> None:
        super().__init__(reason)
        self.changes = changes
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (PartlyCommitted, (self.changes, self.reason))


@dataclass(slots=True)
class FeedCursor:
    stream: str | None
    cursor: int


def _upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: list[str],
    newer_than: str | None = None,
) -> None:
    """INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL; `newer_than` keeps the newest row."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    cols = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    where = table.c[newer_than] <= stmt.excluded[newer_than] if newer_than else None
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=cols, where=where), list(rows))


_UTC_TEXT: dict[datetime, str] = {}


def _sqlite_utc(value: datetime | None) -> str | None:
    """An aware datetime as SQLAlchemy's SQLite DATETIME text, in UTC (what UTCDateTime stores).

    Cached: an event's time is written to several tables, and bursts share their seconds.
    """
    if value is None:
        return None
    text = _UTC_TEXT.get(value)
    if text is None:
        if len(_UTC_TEXT) > 50_000:
            _UTC_TEXT.clear()
        utc = value if value.tzinfo is UTC else value.astimezone(UTC)
        text = _UTC_TEXT[value] = utc.replace(tzinfo=None).isoformat(" ", "microseconds")
    return text


class _FastWrite:
    """executemany straight to the driver for the hot tables (events, positions, last positions).

    SQLAlchemy's per-row parameter processing cost more than the insert itself; this keeps the
    types' own bind processors (so values are stored exactly as the ORM stores them) and skips
    the rest. The SQL (INSERT, optionally ON CONFLICT … DO UPDATE … WHERE newer) is the same on
    SQLite and PostgreSQL; any DBAPI paramstyle works.
    """

    def __init__(
        self,
        table: Table,
        columns: list[str],
        *,
        conflict: list[str] | None = None,
        newer_than: str | None = None,
    ) -> None:
        self.table = table
        self.columns = columns
        self.conflict = conflict
        self.newer_than = newer_than
        self._prepared: dict[str, tuple[str, list[tuple[int, Callable[[Any], Any]]]]] = {}

    def _prepare(self, conn: Connection) -> tuple[str, list[tuple[int, Callable[[Any], Any]]]]:
        dialect = conn.dialect
        cached = self._prepared.get(dialect.name)
        if cached is not None:
            return cached
        style = dialect.paramstyle
        marks = [
            "?" if style == "qmark" else f":{i + 1}" if style == "numeric" else "%s"
            for i in range(len(self.columns))
        ]
        q = dialect.identifier_preparer
        table = q.format_table(self.table)
        names = ", ".join(q.quote(c) for c in self.columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(marks)})"
        if self.conflict:
            keys = ", ".join(q.quote(c) for c in self.conflict)
            sets = ", ".join(
                f"{q.quote(c)} = excluded.{q.quote(c)}" for c in self.columns if c not in self.conflict
            )
            sql += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
            if self.newer_than:
                col = q.quote(self.newer_than)
                sql += f" WHERE {table}.{col} <= excluded.{col}"
        procs: list[tuple[int, Callable[[Any], Any]]] = []
        for i, name in enumerate(self.columns):
            col_type = self.table.c[name].type
            if dialect.name == "sqlite" and isinstance(col_type, UTCDateTime):
                procs.append((i, _sqlite_utc))
                continue
            proc = col_type._cached_bind_processor(dialect)
            if proc is not None:
                procs.append((i, proc))
        cached = self._prepared[dialect.name] = (sql, procs)
        return cached

    def _convert(self, conn: Connection, rows: list[tuple[Any, ...]]) -> tuple[str, list[tuple[Any, ...]]]:
        sql, procs = self._prepare(conn)
        if procs:
            converted = []
            for row in rows:
                values = list(row)
                for i, proc in procs:
                    values[i] = proc(values[i])
                converted.append(tuple(values))
            rows = converted
        return sql, rows

    def __call__(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql, rows = self._convert(conn, rows)
        conn.exec_driver_sql(sql, rows)

    def returning(self, conn: Connection, rows: list[tuple[Any, ...]], columns: list[str]) -> list[Any]:
        """INSERT the rows with multi-row VALUES (one statement per 900 parameters at most, which every
        SQLite takes) and return `columns` of each inserted row, in no particular order."""
        if not rows:
            return []
        sql, rows = self._convert(conn, rows)
        head = sql.partition(" VALUES ")[0]
        style = conn.dialect.paramstyle
        q = conn.dialect.identifier_preparer
        tail = " RETURNING " + ", ".join(q.quote(c) for c in columns)
        width = len(self.columns)
        per = max(1, 900 // width)
        out: list[Any] = []
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            marks = [
                "?" if style == "qmark" else f":{i + 1}" if style == "numeric" else "%s"
                for i in range(len(chunk) * width)
            ]
            values = ", ".join(
                f"({', '.join(marks[r * width : (r + 1) * width])})" for r in range(len(chunk))
            )
            statement = f"{head} VALUES {values}{tail}"
            out.extend(conn.exec_driver_sql(statement, tuple(v for row in chunk for v in row)).all())
        return out


_EVENT_COLUMNS = [
    "event_id",
    "feed",
    "stream",
    "seq",
    "received_at",
    "type",
    "event_time",
    "status",
    "reason",
    "raw",
]
_insert_events = _FastWrite(T_EVENTS, _EVENT_COLUMNS)
_INCIDENT_COLUMNS = [
    "key",
    "kind",
    "cls",
    "priority",
    "status",
    "title",
    "place",
    "subject",
    "opened_at",
    "last_event_at",
    "updated_at",
    "count",
    "cleared_at",
    "lat",
    "lon",
]
_insert_incidents = _FastWrite(T_INCIDENTS, _INCIDENT_COLUMNS)


def _known_ids(conn: Connection, ids: list[str]) -> set[str]:
    """Which of these event ids are stored already (straight to the driver: it runs every batch)."""
    style = conn.dialect.paramstyle
    marks = ", ".join(
        "?" if style == "qmark" else f":{i + 1}" if style == "numeric" else "%s" for i in range(len(ids))
    )
    rows = conn.exec_driver_sql(f"SELECT event_id FROM events WHERE event_id IN ({marks})", tuple(ids))
    return {r[0] for r in rows}


_insert_positions = _FastWrite(T_POSITIONS, ["subject", "lat", "lon", "crs", "at"])
_upsert_last_positions = _FastWrite(
    T_LAST_POS, ["subject", "lat", "lon", "crs", "at", "battery"], conflict=["subject"], newer_than="at"
)
_upsert_devices = _FastWrite(
    T_DEVICES, ["device", "elder", "status", "battery", "at"], conflict=["device"], newer_than="at"
)


def _incident_from_row(row: Any) -> Incident:
    return Incident(
        id=row.id,
        key=row.key,
        kind=row.kind,
        cls=IncidentClass(row.cls),
        priority=Priority(row.priority),
        status=Status(row.status),
        title=row.title,
        place=row.place,
        subject=row.subject,
        opened_at=row.opened_at,
        last_event_at=row.last_event_at,
        count=row.count,
        cleared_at=row.cleared_at,
        outcome=Outcome(row.outcome) if row.outcome else None,
        lat=row.lat,
        lon=row.lon,
        acknowledged_at=row.acknowledged_at,
        dispatched_at=row.dispatched_at,
        resolved_at=row.resolved_at,
        merged_into=row.merged_into,
    )


def _log_row(
    incident_id: int, action: str, by: str, src: str | None, dst: str | None, note: str | None, now: datetime
) -> dict[str, Any]:
    return dict(
        incident_id=incident_id, at=now, action=action, by=by, from_status=src, to_status=dst, note=note
    )


def _incident_audit(
    incident_id: int, action: str, by: str, src: str | None, dst: str | None, note: str | None
) -> tuple[str, str, str, Any, Any]:
    """The audit entry (actor, action, target, before, after) of a step in an incident's log."""
    before, after = {"status": src}, {"status": dst, "note": note}
    return (by, f"incident.{action}", f"incident:{incident_id}", before, after)


def _desk_audit(desk: str, kind: str, by: str, note: str | None) -> tuple[str, str, str, Any, Any]:
    """The audit entry of an entry in the desk's own log."""
    return (by, f"desk.{kind}", f"desk:{desk}", None, {"note": note})


@dataclass(slots=True)
class _Work:
    """What one batch will write, collected so that each table gets one statement."""

    history: list[tuple[Any, ...]] = field(default_factory=list)
    last_pos: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    tasks: list[ValidEvent] = field(default_factory=list)
    incident_updates: dict[int, Incident] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    # incidents opened by this batch, in order, with stand-in ids (-1, -2, …) until they are inserted
    opened: list[Incident] = field(default_factory=list)


class Store(AccountStore):
    """Writes (from the writer thread) and reads of the desk's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._wconn: Connection | None = None  # the writer's own connection, kept open
        self._cursors: dict[str, FeedCursor] = {}
        self._open: dict[str, Incident] = {}  # open incidents by key, kept by the writer
        self._fences = GeofenceWatch()  # flagged elders' safe zones (desk.geofence), kept by the writer

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction on the writer's persistent connection (no pool check-out per batch)."""
        if self._wconn is None or self._wconn.closed:
            self._wconn = self.engine.connect()
        try:
            with self._wconn.begin():
                yield self._wconn
        except Exception:
            self._wconn.close()  # a fresh connection after any failure
            self._wconn = None
            raise

    def close(self) -> None:
        if self._wconn is not None:
            self._wconn.close()
            self._wconn = None
        self.engine.dispose()

    # ---- start -------------------------------------------------------------------------------
    def load(self, feeds: Iterable[tuple[str, str]] = ()) -> None:
        """Make sure each (name, url) feed has a row; load cursors and the open incidents."""
        with self._write() as conn:
            known = {r.name: r for r in conn.execute(select(T_FEEDS))}
            for name, url in feeds:
                if name not in known:
                    conn.execute(
                        insert(T_FEEDS).values(
                            name=name,
                            url=url,
                            cursor=0,
                            gaps=0,
                            protocol_errors=0,
                            repeats=0,
                            duplicates=0,
                            state="connecting",
                        )
                    )
                elif known[name].url != url:
                    conn.execute(update(T_FEEDS).where(T_FEEDS.c.name == name).values(url=url))
        self.reload_memory()

    def reload_memory(self) -> None:
        """Read cursors, open incidents and safe zones again (at load, after a call failed)."""
        with self.engine.connect() as conn:
            self._cursors = {
                r.name: FeedCursor(r.stream, r.cursor)
                for r in conn.execute(select(T_FEEDS.c.name, T_FEEDS.c.stream, T_FEEDS.c.cursor))
            }
            open_rows = conn.execute(
                select(T_INCIDENTS).where(T_INCIDENTS.c.status.in_([s.value for s in OPEN_STATUSES]))
            )
            self._open = {}
            for row in open_rows:
                inc = _incident_from_row(row)
                self._open[inc.key] = inc
            self._fences = GeofenceWatch()
            for row in conn.execute(select(T_PROFILES).where(T_PROFILES.c.kind == "elder")):
                self._fences.set_profile(row.ref, row.kind, row.data or {})
            for row in conn.execute(select(T_SAFE_ZONES)):  # drawn polygons win over home + radius
                self._fences.set_polygon(row.elder, [(lat, lon) for lat, lon in row.polygon])

    def quarantine_raw(
        self, item: Inbound, reason: str = "could not be applied (see the desk log)"
    ) -> Changes:
        """Keep one frame that broke the apply step, verbatim, quarantined; move the cursor past it.

        A frame of this feed, stream and seq that is already kept (a stream served again after
        a reset) is a repeat: only the cursor moves."""
        now = now_utc()
        try:
            return self._quarantine_raw(item, reason, now)
        except IntegrityError:
            with self._write() as conn:
                conn.execute(
                    update(T_FEEDS)
                    .where(T_FEEDS.c.name == item.feed)
                    .values(cursor=item.seq, repeats=T_FEEDS.c.repeats + 1)
                )
        self._cursors.setdefault(item.feed, FeedCursor(item.stream, 0)).cursor = item.seq
        return Changes(
            acks={item.feed: item.seq},
            repeats=1,
            feeds={item.feed},
            arrivals=[item.arrived],
            committed_at=time.perf_counter(),
        )

    def pass_over(self, item: Inbound, reason: str) -> Changes:
        """The last resort for a frame the database will not keep even quarantined (a value it
        cannot hold): say so among the feed's problems, with its seq, and move the cursor past it,
        so that one frame cannot stop every feed."""
        log.error("frame %s/%s/%d not stored: %s", item.feed, item.stream, item.seq, reason)
        with self._write() as conn:
            self._notice(conn, item.feed, "not_stored", f"seq {item.seq}: {reason}"[:2000], 0)
            conn.execute(update(T_FEEDS).where(T_FEEDS.c.name == item.feed).values(cursor=item.seq))
        self._cursors.setdefault(item.feed, FeedCursor(item.stream, 0)).cursor = item.seq
        return Changes(
            acks={item.feed: item.seq},
            feeds={item.feed},
            arrivals=[item.arrived],
            committed_at=time.perf_counter(),
        )

    def _quarantine_raw(self, item: Inbound, reason: str, now: datetime) -> Changes:
        with self._write() as conn:
            conn.execute(
                insert(T_EVENTS).values(
                    event_id=None,
                    feed=item.feed,
                    stream=item.stream,
                    seq=item.seq,
                    received_at=item.received_at,
                    type=None,
                    event_time=None,
                    status="quarantined",
                    reason=reason,
                    raw=item.raw,
                )
            )
            conn.execute(
                update(T_FEEDS).where(T_FEEDS.c.name == item.feed).values(cursor=item.seq, last_event_at=now)
            )
        self._cursors.setdefault(item.feed, FeedCursor(item.stream, 0)).cursor = item.seq
        ch = Changes(
            acks={item.feed: item.seq},
            stored=1,
            quarantined=[(item.feed, None, reason)],
            feeds={item.feed},
            arrivals=[item.arrived],
            committed_at=time.perf_counter(),
        )
        return ch

    def cursors(self) -> dict[str, FeedCursor]:
        """Every feed's committed stream and seq (the ingest keeps a copy)."""
        return {name: FeedCursor(c.stream, c.cursor) for name, c in self._cursors.items()}

    def cursor(self, feed: str) -> FeedCursor:
        """The committed stream and seq of a feed (what `hello` says)."""
        cur = self._cursors.get(feed)
        return FeedCursor(cur.stream, cur.cursor) if cur else FeedCursor(None, 0)

    # ---- the ingest path ---------------------------------------------------------------------
    def commit_batch(self, items: Sequence[Inbound]) -> Changes:
        """Store every new frame verbatim, apply or quarantine it, move the cursors, commit once.

        One frame the apply step cannot take (a bug, a value the database refuses) would fail the
        whole batch: the frames are then committed one by one, here, before anything sent after
        this batch, and that frame is kept quarantined with the reason. A database that refuses to
        write at all (OperationalError: locked, gone, disk full) raises: nothing is quarantined
        for it, and the ingest holds everything and tries again."""
        try:
            return self._commit_batch(items)
        except OperationalError:
            raise
        except Exception as exc:
            log.error("committing %d events failed (%s); committing them one by one", len(items), exc)
        total = Changes()
        for item in items:
            try:
                part = self._commit_one(item)
            except OperationalError as exc:
                if total.empty:
                    raise
                # the ones before are committed: the window must hear of them (their incidents)
                raise PartlyCommitted(total, database_said(exc)) from exc
            total.merge(part)
        return total

    def _commit_one(self, item: Inbound) -> Changes:
        """One frame on its own: applied, else kept quarantined, else passed over and said.
        OperationalError (the database refuses to write at all) raises."""
        try:
            return self._commit_batch([item])
        except OperationalError:
            raise
        except Exception as exc:
            reason = f"could not be applied: {exc}"
        try:
            return self.quarantine_raw(item, reason)
        except OperationalError:
            raise
        except Exception as exc:
            return self.pass_over(item, f"{reason}; not kept either: {exc}")

    def _commit_batch(self, items: Sequence[Inbound]) -> Changes:
        ch = Changes()
        now = now_utc()
        rows: list[tuple[Any, ...]] = []
        valid: list[ValidEvent] = []
        seen_seq: dict[str, int] = {}
        ids: dict[str, int] = {}
        checked: list[tuple[Inbound, ValidEvent | Invalid]] = []
        skipped: dict[str, tuple[int, int]] = {}  # feed -> (repeats, duplicates)
        for item in items:
            cur = self._cursors.setdefault(item.feed, FeedCursor(item.stream, 0))
            if cur.stream != item.stream or item.seq <= max(cur.cursor, seen_seq.get(item.feed, 0)):
                ch.repeats += 1  # already committed (resent after a reconnect) or from a stream left behind
                rep, dup = skipped.get(item.feed, (0, 0))
                skipped[item.feed] = (rep + 1, dup)
                continue
            seen_seq[item.feed] = item.seq
            result = validate(item.event())
            checked.append((item, result))
            if isinstance(result, ValidEvent):
                ids[result.id] = ids.get(result.id, 0) + 1
        try:
            with self._write() as conn:
                existing = _known_ids(conn, list(ids)) if ids else set()
                taken: set[str] = set()
                for item, result in checked:
                    ch.acks[item.feed] = item.seq
                    ch.arrivals.append(item.arrived)
                    if isinstance(result, ValidEvent):
                        if result.id in existing or result.id in taken:
                            ch.duplicates += 1  # the same id again changes nothing
                            rep, dup = skipped.get(item.feed, (0, 0))
                            skipped[item.feed] = (rep, dup + 1)
                            continue
                        taken.add(result.id)
                        valid.append(result)
                        rows.append(
                            (
                                result.id,
                                item.feed,
                                item.stream,
                                item.seq,
                                item.received_at,
                                result.type.value,
                                result.time,
                                "applied",
                                None,
                                item.raw,
                            )
                        )
                    else:
                        ch.quarantined.append((item.feed, result.id, result.reason))
                        rows.append(
                            (
                                None,
                                item.feed,
                                item.stream,
                                item.seq,
                                item.received_at,
                                result.type,
                                None,
                                "quarantined",
                                result.reason,
                                item.raw,
                            )
                        )
                _insert_events(conn, rows)
                self._apply(conn, valid, ch, now)
                for feed_name, seq in ch.acks.items():
                    conn.execute(
                        update(T_FEEDS)
                        .where(T_FEEDS.c.name == feed_name)
                        .values(cursor=seq, last_event_at=now)
                    )
                for feed_name, (rep, dup) in skipped.items():
                    conn.execute(
                        update(T_FEEDS)
                        .where(T_FEEDS.c.name == feed_name)
                        .values(repeats=T_FEEDS.c.repeats + rep, duplicates=T_FEEDS.c.duplicates + dup)
                    )
        except Exception:
            self.reload_memory()  # the transaction rolled back: so does what the writer remembers
            raise
        for feed_name, seq in ch.acks.items():
            self._cursors[feed_name].cursor = seq
        ch.stored = len(rows)
        ch.applied = len(valid)
        ch.feeds = set(ch.acks)
        ch.committed_at = time.perf_counter()
        return ch

    def _apply(self, conn: Connection, events: list[ValidEvent], ch: Changes, now: datetime) -> None:
        """Apply a batch with few statements: rows are collected, then written with executemany."""
        w = _Work()
        for ev in events:
            t = ev.type
            if t is EventType.POSITION and ev.location is not None:
                subject = ev.text("subject") or "?"
                loc = ev.location
                w.history.append((subject, loc.lat, loc.lon, loc.crs, ev.time))
                prev = w.last_pos.get(subject)
                if prev is None or prev[4] <= ev.time:
                    w.last_pos[subject] = (subject, loc.lat, loc.lon, loc.crs, ev.time, ev.number("battery"))
                ch.positions.add(subject)
                if crossing := self._fences.observe(subject, loc.lat, loc.lon, loc.crs, ev.time):
                    self._apply_signal(ev, wandering_signal(crossing, loc.place), ch, now, w)
            elif t is EventType.PROFILE:
                ref = ev.text("ref") or "?"
                data = {k: v for k, v in ev.data.items() if k not in ("id", "type", "source", "time")}
                w.profiles[ref] = dict(
                    ref=ref, kind=ev.text("kind"), name=ev.text("name"), data=data, updated_at=ev.time
                )
                ch.profiles.add(ref)
                self._fences.set_profile(ref, ev.text("kind"), data)
            elif t is EventType.TASK:
                w.tasks.append(ev)
            elif t is EventType.DEVICE:
                dev = ev.text("device") or "?"
                w.devices[dev] = (dev, ev.text("elder"), ev.text("status"), ev.number("battery"), ev.time)
                ch.devices.add(ev.text("elder") or dev)
            for sig in signal_of(ev):
                self._apply_signal(ev, sig, ch, now, w)
        self._insert_opened(conn, w, ch, now)
        if w.tasks:
            self._apply_tasks(conn, w.tasks, ch, now, w)
        _insert_positions(conn, w.history)
        _upsert_last_positions(conn, list(w.last_pos.values()))
        _upsert(conn, T_PROFILES, list(w.profiles.values()), ["ref"], newer_than="updated_at")
        _upsert_devices(conn, list(w.devices.values()))
        if w.incident_updates:
            stmt = (
                update(T_INCIDENTS)
                .where(T_INCIDENTS.c.id == bindparam("b_id"))
                .values(
                    count=bindparam("b_count"),
                    last_event_at=bindparam("b_last"),
                    cleared_at=bindparam("b_cleared"),
                    updated_at=now,
                )
            )
            conn.execute(
                stmt,
                [
                    {
                        "b_id": inc.id,
                        "b_count": inc.count,
                        "b_last": inc.last_event_at,
                        "b_cleared": inc.cleared_at,
                    }
                    for inc in w.incident_updates.values()
                ],
            )
        if w.links:
            conn.execute(insert(T_INC_EVENTS), w.links)
        if w.log:
            conn.execute(insert(T_INC_LOG), w.log)

    def _apply_signal(self, ev: ValidEvent, sig: Signal, ch: Changes, now: datetime, w: _Work) -> None:
        inc = self._open.get(sig.key)
        if inc is not None and joins(inc, sig, ev.time):
            if sig.clears:
                inc.cleared_at = ev.time
                w.log.append(_log_row(inc.id, "cleared_at_source", SYSTEM, None, None, f"event {ev.id}", now))
            else:
                inc.count += 1
                inc.last_event_at = max(inc.last_event_at, ev.time)
            if inc.id > 0:  # one opened by this batch is inserted as it ends up
                w.incident_updates[inc.id] = inc
            w.links.append({"incident_id": inc.id, "event_id": ev.id})
            ch.incidents.add(inc.id)
            return
        if sig.clears:
            return  # a clear with nothing open: kept as an event, nothing to mark
        inc = Incident(
            -(len(w.opened) + 1),  # a stand-in until _insert_opened gives it its id
            sig.key,
            sig.kind,
            sig.cls,
            sig.priority,
            Status.NEW,
            sig.title,
            sig.place,
            sig.subject,
            ev.time,
            ev.time,
            lat=ev.location.lat if ev.location else None,
            lon=ev.location.lon if ev.location else None,
        )
        w.opened.append(inc)
        w.links.append({"incident_id": inc.id, "event_id": ev.id})
        w.log.append(_log_row(inc.id, "opened", SYSTEM, None, Status.NEW.value, f"event {ev.id}", now))
        self._open[sig.key] = inc
        ch.incidents.add(inc.id)
        ch.new_incidents.append(inc.id)

    def _insert_opened(self, conn: Connection, w: _Work, ch: Changes, now: datetime) -> None:
        """Insert the incidents this batch opened, as their repeats in the batch left them, with few
        statements (one per incident cost more than the rest of a burst's batch), then put their ids
        where the stand-ins were. Returned rows are matched by key, so no statement holds a key twice."""
        if not w.opened:
            return
        ids: dict[int, int] = {}
        chunks: list[dict[str, Incident]] = [{}]
        for inc in w.opened:  # a second incident of one key (the first one's window passed) waits a round
            if inc.key in chunks[-1]:
                chunks.append({})
            chunks[-1][inc.key] = inc
        for chunk in chunks:
            rows = [
                (
                    inc.key,
                    inc.kind,
                    inc.cls.value,
                    int(inc.priority),
                    inc.status.value,
                    inc.title,
                    inc.place,
                    inc.subject,
                    inc.opened_at,
                    inc.last_event_at,
                    now,
                    inc.count,
                    inc.cleared_at,
                    inc.lat,
                    inc.lon,
                )
                for inc in chunk.values()
            ]
            for new_id, key in _insert_incidents.returning(conn, rows, ["id", "key"]):
                inc = chunk[key]
                ids[inc.id] = inc.id = int(new_id)
        for row in w.links:
            row["incident_id"] = ids.get(row["incident_id"], row["incident_id"])
        for row in w.log:
            row["incident_id"] = ids.get(row["incident_id"], row["incident_id"])
        ch.incidents = {ids.get(i, i) for i in ch.incidents}
        ch.new_incidents = [ids.get(i, i) for i in ch.new_incidents]

    def _apply_tasks(
        self, conn: Connection, events: list[ValidEvent], ch: Changes, now: datetime, w: _Work
    ) -> None:
        refs = {ev.text("task") or "?" for ev in events}
        known = {r.ref: r for r in conn.execute(select(T_TASKS).where(T_TASKS.c.ref.in_(refs)))}
        status = {ref: TaskStatus(r.status) for ref, r in known.items()}
        new_tasks: dict[str, dict[str, Any]] = {}
        updates: list[dict[str, Any]] = []
        arrivals: list[tuple[int, str, str]] = []
        for ev in events:
            ref = ev.text("task") or "?"
            upd = TaskStatus(ev.text("status") or "accepted")
            by = ev.text("by") or "?"
            updates.append(
                dict(task_ref=ref, status=upd.value, by=by, at=ev.time, note=ev.text("note"), event_id=ev.id)
            )
            ch.tasks.add(ref)
            if ref not in status:  # a task this desk did not send (another desk's): keep it
                status[ref] = upd
                new_tasks[ref] = dict(
                    ref=ref,
                    incident_id=None,
                    assignee=by,
                    status=upd.value,
                    summary=None,
                    created_at=ev.time,
                    updated_at=now,
                )
                continue
            if not task_moves(status[ref], upd):
                continue
            status[ref] = upd
            if ref in new_tasks:
                new_tasks[ref]["status"] = upd.value
                continue
            incident_id = known[ref].incident_id
            if incident_id is not None:
                note = f"task {ref} {upd.value} by {by}"
                if upd is TaskStatus.ON_SCENE:
                    arrivals.append((incident_id, by, note))
                else:
                    w.log.append(_log_row(incident_id, f"task_{upd.value}", by, None, None, note, now))
                ch.incidents.add(incident_id)
        conn.execute(insert(T_TASK_UPDATES), updates)
        if new_tasks:
            conn.execute(insert(T_TASKS), list(new_tasks.values()))
        moved = [
            {"b_ref": ref, "b_status": st.value}
            for ref, st in status.items()
            if ref in known and st.value != known[ref].status
        ]
        if moved:
            conn.execute(
                update(T_TASKS)
                .where(T_TASKS.c.ref == bindparam("b_ref"))
                .values(status=bindparam("b_status"), updated_at=now),
                moved,
            )
        for incident_id, by, note in arrivals:
            row = conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id == incident_id)).first()
            if row is not None and row.status == Status.DISPATCHED.value:
                self._transition(conn, _incident_from_row(row), Action.ARRIVE, by, None, note, now)
            else:
                w.log.append(_log_row(incident_id, "task_on_scene", by, None, None, note, now))

    # ---- incident actions (the operator's moves) ---------------------------------------------
    def act(
        self,
        incident_id: int,
        action: Action,
        by: str,
        *,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Incident:
        """Move an incident through its lifecycle; IllegalTransition when the move is not allowed.

        A grievance's case keeps step (see `act_with_case`).
        """
        return self.act_with_case(incident_id, action, by, outcome=outcome, note=note)

    def _transition(
        self,
        conn: Connection,
        inc: Incident,
        action: Action,
        by: str,
        outcome: Outcome | None,
        note: str | None,
        now: datetime,
    ) -> Incident:
        target = next_status(inc.status, action, outcome)
        values: dict[str, Any] = dict(status=target.value, updated_at=now)
        if action in (Action.RESOLVE, Action.FALSE_ALARM, Action.MERGE):
            default = Outcome.MERGED if action is Action.MERGE else Outcome.FALSE_ALARM
            values["outcome"] = (outcome or default).value
        if action is Action.REOPEN:
            values["outcome"] = None
            values["resolved_at"] = None  # the resolve clock runs again
        # when each SLA stage was first met: a person who dispatches or resolves has seen it too
        handled = action not in (Action.ARRIVE, Action.ESCALATE, Action.REOPEN)
        if handled and inc.acknowledged_at is None:
            values["acknowledged_at"] = now
        if action is Action.DISPATCH and inc.dispatched_at is None:
            values["dispatched_at"] = now
        if action in (Action.RESOLVE, Action.FALSE_ALARM, Action.MERGE) and inc.resolved_at is None:
            values["resolved_at"] = now
        conn.execute(update(T_INCIDENTS).where(T_INCIDENTS.c.id == inc.id).values(**values))
        self._log(conn, inc.id, action.value, by, inc.status.value, target.value, note, now)
        old = self._open.get(inc.key)
        inc.status = target
        for name in ("acknowledged_at", "dispatched_at", "resolved_at"):
            if name in values:
                setattr(inc, name, values[name])
        if "outcome" in values:
            inc.outcome = Outcome(values["outcome"]) if values["outcome"] else None
        if target in OPEN_STATUSES:
            if old is None or old.id == inc.id:
                self._open[inc.key] = inc
        elif old is not None and old.id == inc.id:
            del self._open[inc.key]
        return inc

    def _log(
        self,
        conn: Connection,
        incident_id: int,
        action: str,
        by: str,
        src: str | None,
        dst: str | None,
        note: str | None,
        now: datetime,
    ) -> None:
        conn.execute(insert(T_INC_LOG).values(**_log_row(incident_id, action, by, src, dst, note, now)))
        append_audit(conn, *_incident_audit(incident_id, action, by, src, dst, note), now)

    def add_note(self, incident_id: int, by: str, text: str) -> None:
        """A note on an incident (appended; a correction is another note)."""
        text = text.strip()
        if not text:
            raise IllegalTransition("a note needs some text")
        now = now_utc()
        with self._write() as conn:
            if conn.execute(select(T_INCIDENTS.c.id).where(T_INCIDENTS.c.id == incident_id)).first() is None:
                raise IllegalTransition(f"no incident {incident_id}")
            conn.execute(insert(T_NOTES), [dict(incident_id=incident_id, at=now, by=by, text=text)])
            self._log(conn, incident_id, "note", by, None, None, text[:500], now)

    def merge(self, target_id: int, source_id: int, by: str) -> Incident:
        """Fold incident `source_id` into `target_id`: its events and count move over, it closes."""
        if target_id == source_id:
            raise IllegalTransition("an incident cannot be merged into itself")
        now = now_utc()
        with self._write() as conn:
            rows = {
                r.id: r
                for r in conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id.in_([target_id, source_id])))
            }
            if target_id not in rows or source_id not in rows:
                raise IllegalTransition(f"no incident {source_id if target_id in rows else target_id}")
            target, source = _incident_from_row(rows[target_id]), _incident_from_row(rows[source_id])
            if not target.is_open:
                raise IllegalTransition(
                    f"cannot merge into incident {target_id}: it is {target.status.value}"
                )
            self._transition(conn, source, Action.MERGE, by, Outcome.MERGED, f"merged into #{target_id}", now)
            moved = [
                r.event_id
                for r in conn.execute(
                    select(T_INC_EVENTS.c.event_id).where(T_INC_EVENTS.c.incident_id == source_id)
                )
            ]
            known = set(
                conn.execute(
                    select(T_INC_EVENTS.c.event_id).where(T_INC_EVENTS.c.incident_id == target_id)
                ).scalars()
            )
            new_links = [{"incident_id": target_id, "event_id": e} for e in moved if e not in known]
            if new_links:
                conn.execute(insert(T_INC_EVENTS), new_links)
            target.count += source.count
            target.last_event_at = max(target.last_event_at, source.last_event_at)
            target.opened_at = min(target.opened_at, source.opened_at)
            conn.execute(
                update(T_INCIDENTS)
                .where(T_INCIDENTS.c.id == target_id)
                .values(
                    count=target.count,
                    last_event_at=target.last_event_at,
                    opened_at=target.opened_at,
                    updated_at=now,
                )
            )
            conn.execute(
                update(T_INCIDENTS).where(T_INCIDENTS.c.id == source_id).values(merged_into=target_id)
            )
            conn.execute(
                update(T_TASKS).where(T_TASKS.c.incident_id == source_id).values(incident_id=target_id)
            )
            self._log(conn, target_id, "merge", by, None, None, f"#{source_id} merged in", now)
            if target.key in self._open and self._open[target.key].id == target_id:
                self._open[target.key] = target
            return target

    def recall_task(self, ref: str, by: str, reason: str) -> int | None:
        """Withdraw a task; its incident goes back to acknowledged when no other task is active."""
        now = now_utc()
        with self._write() as conn:
            row = conn.execute(select(T_TASKS).where(T_TASKS.c.ref == ref)).first()
            if row is None:
                raise IllegalTransition(f"no task {ref}")
            if TaskStatus(row.status) in TASK_FINAL:
                raise IllegalTransition(f"task {ref} is already {row.status}")
            conn.execute(
                update(T_TASKS)
                .where(T_TASKS.c.ref == ref)
                .values(status=TaskStatus.RECALLED.value, updated_at=now)
            )
            conn.execute(
                insert(T_TASK_UPDATES),
                [
                    dict(
                        task_ref=ref,
                        status=TaskStatus.RECALLED.value,
                        by=by,
                        at=now,
                        note=reason,
                        event_id=None,
                    )
                ],
            )
            append_audit(
                conn,
                by,
                "task.recall",
                f"task:{ref}",
                {"status": row.status},
                {"status": TaskStatus.RECALLED.value, "reason": reason},
                now,
            )
            if row.incident_id is None:
                return None
            active = conn.execute(
                select(func.count())
                .select_from(T_TASKS)
                .where(
                    and_(
                        T_TASKS.c.incident_id == row.incident_id,
                        T_TASKS.c.status.notin_([s.value for s in TASK_FINAL]),
                    )
                )
            ).scalar_one()
            inc_row = conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id == row.incident_id)).first()
            note = f"task {ref} recalled: {reason}"
            if (
                inc_row is not None
                and active == 0
                and inc_row.status in (Status.DISPATCHED.value, Status.ON_SCENE.value)
            ):
                self._transition(conn, _incident_from_row(inc_row), Action.RECALL, by, None, note, now)
            else:
                self._log(conn, row.incident_id, "task_recalled", by, None, None, note, now)
            return int(row.incident_id)

    def set_staff_status(self, ref: str, status: str, by: str) -> None:
        if status not in ("on_duty", "busy", "off_duty"):
            raise ValueError(f"unknown staff status {status!r}")
        with self._write() as conn:
            before = conn.execute(select(T_STAFF_STATUS.c.status).where(T_STAFF_STATUS.c.ref == ref)).scalar()
            _upsert(conn, T_STAFF_STATUS, [dict(ref=ref, status=status, set_by=by, at=now_utc())], ["ref"])
            append_audit(conn, by, "staff.status", f"staff:{ref}", {"status": before}, {"status": status})

    def log_desk(self, desk: str, kind: str, by: str, note: str | None = None) -> None:
        """An entry in the desk's own record (an alarm test, a check-in, a speaker that failed)."""
        now = now_utc()
        with self._write() as conn:
            conn.execute(insert(T_DESK_LOG).values(at=now, desk=desk, kind=kind, by=by, note=note))
            append_audit(conn, *_desk_audit(desk, kind, by, note), now)

    def desk_log(self, since: datetime | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The desk's own record, oldest first (since `since`, at most `limit` of the newest)."""
        q = select(T_DESK_LOG).order_by(T_DESK_LOG.c.id.desc()).limit(limit)
        if since is not None:
            q = q.where(T_DESK_LOG.c.at >= since)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in reversed(list(conn.execute(q)))]

    # ---- safe zones drawn on the map -------------------------------------------------------------
    def set_safe_zone(
        self, elder: str, polygon: Sequence[tuple[float, float]] | None, by: str, desk: str
    ) -> None:
        """The shift lead drew a polygon safe zone for an elder ((lat, lon) in WGS-84), or removed it
        (None): home and radius from the profile again. The wandering watch uses it from the next
        fix; the desk log records the step."""
        now = now_utc()
        with self._write() as conn:
            if polygon is None:
                gone = conn.execute(delete(T_SAFE_ZONES).where(T_SAFE_ZONES.c.elder == elder)).rowcount
                if gone:
                    note = f"{elder}：删除手绘安全区，恢复住址与半径"
                    row = dict(at=now, desk=desk, kind="safe_zone_removed", by=by, note=note)
                    conn.execute(insert(T_DESK_LOG).values(**row))
                ring = None
            else:
                ring = check_ring(polygon)
                points = [[lat, lon] for lat, lon in ring]
                _upsert(
                    conn,
                    T_SAFE_ZONES,
                    [dict(elder=elder, polygon=points, drawn_by=by, drawn_at=now)],
                    ["elder"],
                )
                note = f"{elder}：手绘安全区（{len(ring)} 个顶点）"
                conn.execute(
                    insert(T_DESK_LOG).values(at=now, desk=desk, kind="safe_zone_drawn", by=by, note=note)
                )
        self._fences.set_polygon(elder, ring)  # after the commit: a rollback leaves the watch as it was

    def safe_zones(self) -> dict[str, tuple[tuple[float, float], ...]]:
        """The drawn safe zones: elder -> ring of (lat, lon) in WGS-84."""
        with self.engine.connect() as conn:
            return {
                r.elder: tuple((float(lat), float(lon)) for lat, lon in r.polygon)
                for r in conn.execute(select(T_SAFE_ZONES))
            }

    def log_alarm_steps(self, desk: str, steps: Sequence[tuple[int | None, str, str, str | None]]) -> None:
        """Alarm steps (incident id or None for the desk's own, action, by, note) in one transaction:
        each in its incident's log or the desk log, and in the audit trail, as log_incident and
        log_desk write them one by one (a burst of falls raises thousands at once)."""
        if not steps:
            return
        now = now_utc()
        incident_rows: list[dict[str, Any]] = []
        desk_rows: list[dict[str, Any]] = []
        audits: list[tuple[str, str, str, Any, Any]] = []
        for incident_id, action, by, note in steps:
            if incident_id is None:
                desk_rows.append(dict(at=now, desk=desk, kind=action, by=by, note=note))
                audits.append(_desk_audit(desk, action, by, note))
            else:
                incident_rows.append(_log_row(incident_id, action, by, None, None, note, now))
                audits.append(_incident_audit(incident_id, action, by, None, None, note))
        with self._write() as conn:
            if incident_rows:
                conn.execute(insert(T_INC_LOG), incident_rows)
            if desk_rows:
                conn.execute(insert(T_DESK_LOG), desk_rows)
            append_audits(conn, audits, now)

    def log_incident(self, incident_id: int, action: str, by: str, note: str) -> None:
        """An entry in an incident's record that moves nothing (a reply sent, a call-back made)."""
        with self._write() as conn:
            self._log(conn, incident_id, action, by, None, None, note, now_utc())

    # ---- tasks and commands --------------------------------------------------------------------
    def add_task(self, ref: str, incident_id: int | None, assignee: str, summary: str, by: str) -> None:
        if incident_id is not None and self.grievance_cases([incident_id]):
            self._add_grievance_task(ref, incident_id, assignee, summary, by)  # the case is assigned too
            return
        now = now_utc()
        with self._write() as conn:
            conn.execute(
                insert(T_TASKS).values(
                    ref=ref,
                    incident_id=incident_id,
                    assignee=assignee,
                    status=TaskStatus.SENT.value,
                    summary=summary,
                    created_at=now,
                    updated_at=now,
                )
            )
            append_audit(
                conn,
                by,
                "task.create",
                f"task:{ref}",
                None,
                {"incident": incident_id, "assignee": assignee, "summary": summary},
                now,
            )
            if incident_id is not None:
                row = conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id == incident_id)).first()
                if row is not None:
                    self._transition(
                        conn,
                        _incident_from_row(row),
                        Action.DISPATCH,
                        by,
                        None,
                        f"task {ref} to {assignee}",
                        now,
                    )

    def record_command(self, command_id: str, feed: str, name: str, body: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                insert(T_COMMANDS).values(
                    id=command_id, feed=feed, name=name, body=body, created_at=now_utc(), ok=None
                )
            )

    def record_result(self, command_id: str, ok: bool, error: str | None) -> None:
        with self._write() as conn:
            conn.execute(
                update(T_COMMANDS)
                .where(T_COMMANDS.c.id == command_id)
                .values(ok=ok, error=error, answered_at=now_utc())
            )

    def pending_commands(self, feed: str) -> list[tuple[str, str, dict[str, Any]]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(T_COMMANDS.c.id, T_COMMANDS.c.name, T_COMMANDS.c.body)
                .where(and_(T_COMMANDS.c.feed == feed, T_COMMANDS.c.ok.is_(None)))
                .order_by(T_COMMANDS.c.created_at)
            )
            return [(r.id, r.name, dict(r.body)) for r in rows]

    # ---- feed health -------------------------------------------------------------------------
    def set_stream(self, feed: str, stream: str, *, reset: bool) -> FeedCursor:
        """Adopt a server's stream id; a reset (a different id) restarts the cursor from 0."""
        cur = self._cursors.setdefault(feed, FeedCursor(None, 0))
        old = cur.stream
        cur.stream, cur.cursor = stream, 0 if reset or old is None else cur.cursor
        with self._write() as conn:
            conn.execute(
                update(T_FEEDS).where(T_FEEDS.c.name == feed).values(stream=stream, cursor=cur.cursor)
            )
            if reset:
                self._notice(
                    conn,
                    feed,
                    "stream_reset",
                    f"server stream changed from {old} to {stream}: reading it again from the start",
                    0,
                )
        return FeedCursor(cur.stream, cur.cursor)

    def record_gap(self, feed: str, count: int, detail: str) -> None:
        with self._write() as conn:
            conn.execute(update(T_FEEDS).where(T_FEEDS.c.name == feed).values(gaps=T_FEEDS.c.gaps + count))
            self._notice(conn, feed, "gap", detail, count)

    def record_notice(self, feed: str, kind: str, detail: str) -> None:
        with self._write() as conn:
            self._notice(conn, feed, kind, detail, 0)

    def _notice(self, conn: Connection, feed: str, kind: str, detail: str, count: int) -> None:
        conn.execute(insert(T_NOTICES).values(feed=feed, at=now_utc(), kind=kind, detail=detail, count=count))

    def record_protocol_error(self, feed: str, reason: str, sample: str) -> None:
        with self._write() as conn:
            conn.execute(insert(T_PROTO_ERRORS).values(feed=feed, at=now_utc(), reason=reason, sample=sample))
            conn.execute(
                update(T_FEEDS)
                .where(T_FEEDS.c.name == feed)
                .values(protocol_errors=T_FEEDS.c.protocol_errors + 1)
            )

    def set_feed_state(self, feed: str, state: str, detail: str | None) -> None:
        with self._write() as conn:
            old = conn.execute(select(T_FEEDS.c.state).where(T_FEEDS.c.name == feed)).scalar()
            self._feed_transition(conn, feed, old, state, detail)
            conn.execute(
                update(T_FEEDS)
                .where(T_FEEDS.c.name == feed)
                .values(state=state, state_detail=detail, state_since=now_utc())
            )

    # ---- reads ------------------------------------------------------------------------------
    def feeds(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(T_FEEDS).order_by(T_FEEDS.c.name))]

    def events(self, limit: int | None = None) -> list[dict[str, Any]]:
        q = select(
            T_EVENTS.c.event_id,
            T_EVENTS.c.type,
            T_EVENTS.c.feed,
            T_EVENTS.c.stream,
            T_EVENTS.c.seq,
            T_EVENTS.c.status,
            T_EVENTS.c.reason,
            T_EVENTS.c.received_at,
            T_EVENTS.c.raw,
        ).order_by(T_EVENTS.c.pk)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def count_events(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                r[0]: r[1]
                for r in conn.execute(select(T_EVENTS.c.status, func.count()).group_by(T_EVENTS.c.status))
            }

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        q = select(T_INCIDENTS).order_by(T_INCIDENTS.c.priority, T_INCIDENTS.c.opened_at)
        if open_only:
            q = q.where(T_INCIDENTS.c.status.in_([s.value for s in OPEN_STATUSES]))
        with self.engine.connect() as conn:
            incs = [_incident_from_row(r) for r in conn.execute(q)]
            links: dict[int, list[str]] = {}
            for r in conn.execute(select(T_INC_EVENTS.c.incident_id, T_INC_EVENTS.c.event_id)):
                links.setdefault(r.incident_id, []).append(r.event_id)
        for inc in incs:
            inc.event_ids = links.get(inc.id, [])
        return incs

    def incidents_by_id(self, ids: Iterable[int]) -> list[Incident]:
        wanted = list(ids)
        if not wanted:
            return []
        with self.engine.connect() as conn:
            return [
                _incident_from_row(r)
                for r in conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id.in_(wanted)))
            ]

    def queue_items(self, ids: Iterable[int] | None = None) -> list[QueueItem]:
        """Open incidents (or exactly `ids`, open or not) with their running task and names."""
        q = select(T_INCIDENTS)
        if ids is None:
            q = q.where(T_INCIDENTS.c.status.in_([s.value for s in OPEN_STATUSES]))
        else:
            wanted = list(ids)
            if not wanted:
                return []
            q = q.where(T_INCIDENTS.c.id.in_(wanted))
        with self.engine.connect() as conn:
            incidents = [_incident_from_row(r) for r in conn.execute(q)]
            if not incidents:
                return []
            inc_ids = [i.id for i in incidents]
            tasks: dict[int, Any] = {}
            tq = (
                select(T_TASKS)
                .where(T_TASKS.c.incident_id.in_(inc_ids))
                .where(T_TASKS.c.status.notin_([s.value for s in TASK_FINAL]))
                .order_by(T_TASKS.c.created_at)
            )
            for t in conn.execute(tq):
                tasks[t.incident_id] = t  # the newest running task wins
            accepted: dict[str, datetime] = {}
            refs = [t.ref for t in tasks.values()]
            if refs:
                aq = (
                    select(T_TASK_UPDATES.c.task_ref, func.min(T_TASK_UPDATES.c.at))
                    .where(
                        and_(
                            T_TASK_UPDATES.c.task_ref.in_(refs),
                            T_TASK_UPDATES.c.status == TaskStatus.ACCEPTED.value,
                        )
                    )
                    .group_by(T_TASK_UPDATES.c.task_ref)
                )
                accepted = {r[0]: r[1] for r in conn.execute(aq)}
            people = {i.subject for i in incidents if i.subject} | {
                t.assignee for t in tasks.values() if t.assignee
            }
            names = {}
            if people:
                names = dict(
                    conn.execute(
                        select(T_PROFILES.c.ref, T_PROFILES.c.name).where(T_PROFILES.c.ref.in_(list(people)))
                    ).all()
                )
            reporters = self._reporter_names(conn, [i.id for i in incidents if i.kind == "grievance"])
        out = []
        for inc in incidents:
            task: Any = tasks.get(inc.id)
            subject_name = reporters.get(inc.id) if inc.kind == "grievance" else names.get(inc.subject or "")
            out.append(
                QueueItem(
                    incident=inc,
                    subject_name=subject_name,
                    task_ref=task.ref if task else None,
                    task_status=TaskStatus(task.status) if task else None,
                    assignee=task.assignee if task else None,
                    assignee_name=names.get(task.assignee) if task and task.assignee else None,
                    task_sent_at=task.created_at if task else None,
                    task_accepted_at=accepted.get(task.ref) if task else None,
                )
            )
        return out

    def _reporter_names(self, conn: Connection, incident_ids: list[int]) -> dict[int, str]:
        """The reporter's name of each grievance incident (from its first event)."""
        if not incident_ids:
            return {}
        q = (
            select(T_INC_EVENTS.c.incident_id, T_EVENTS.c.raw)
            .join(T_EVENTS, T_EVENTS.c.event_id == T_INC_EVENTS.c.event_id)
            .where(T_INC_EVENTS.c.incident_id.in_(incident_ids))
            .order_by(T_EVENTS.c.pk)
        )
        out: dict[int, str] = {}
        for incident_id, raw in conn.execute(q):
            if incident_id in out:
                continue
            event = raw_event_json(raw)
            reporter = event.get("reporter") if isinstance(event, dict) else None
            name = reporter.get("name") if isinstance(reporter, dict) else None
            if isinstance(name, str) and name:
                out[incident_id] = name
        return out

    def incident_events(self, incident_id: int) -> list[dict[str, Any]]:
        """The events linked to an incident, oldest first: id, type, time, the event object."""
        q = (
            select(
                T_EVENTS.c.event_id,
                T_EVENTS.c.type,
                T_EVENTS.c.event_time,
                T_EVENTS.c.received_at,
                T_EVENTS.c.raw,
            )
            .join(T_INC_EVENTS, T_INC_EVENTS.c.event_id == T_EVENTS.c.event_id)
            .where(T_INC_EVENTS.c.incident_id == incident_id)
            .order_by(T_EVENTS.c.event_time, T_EVENTS.c.pk)
        )
        with self.engine.connect() as conn:
            return [
                {
                    "event_id": r.event_id,
                    "type": r.type,
                    "time": r.event_time,
                    "received_at": r.received_at,
                    "event": raw_event_json(r.raw),
                }
                for r in conn.execute(q)
            ]

    def notes(self, incident_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = select(T_NOTES).where(T_NOTES.c.incident_id == incident_id).order_by(T_NOTES.c.id)
            return [dict(r._mapping) for r in conn.execute(q)]

    def staff_statuses(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {r.ref: r.status for r in conn.execute(select(T_STAFF_STATUS))}

    def incident_log(self, incident_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = select(T_INC_LOG).where(T_INC_LOG.c.incident_id == incident_id).order_by(T_INC_LOG.c.id)
            return [dict(r._mapping) for r in conn.execute(q)]

    def tasks(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(T_TASKS).order_by(T_TASKS.c.created_at))]

    def profiles(self, kind: str | None = None) -> list[dict[str, Any]]:
        q = select(T_PROFILES).order_by(T_PROFILES.c.ref)
        if kind:
            q = q.where(T_PROFILES.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def last_positions(self) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            return {r.subject: dict(r._mapping) for r in conn.execute(select(T_LAST_POS))}

    def last_positions_of(self, subjects: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The last positions of the named subjects only (the map's incremental read)."""
        wanted = list(subjects)
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), 500):  # SQLite's bound parameters are limited
                q = select(T_LAST_POS).where(T_LAST_POS.c.subject.in_(wanted[i : i + 500]))
                out.update({r.subject: dict(r._mapping) for r in conn.execute(q)})
        return out

    def trail(self, subject: str, since: datetime) -> list[dict[str, Any]]:
        """A subject's positions since `since`, oldest first (lat, lon, crs, at): the map's trail."""
        q = (
            select(T_POSITIONS.c.lat, T_POSITIONS.c.lon, T_POSITIONS.c.crs, T_POSITIONS.c.at)
            .where(and_(T_POSITIONS.c.subject == subject, T_POSITIONS.c.at >= since))
            .order_by(T_POSITIONS.c.at, T_POSITIONS.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def devices(self) -> dict[str, dict[str, Any]]:
        """Every wearable's last known status and battery, by device id (with the elder wearing it)."""
        with self.engine.connect() as conn:
            return {r.device: dict(r._mapping) for r in conn.execute(select(T_DEVICES))}

    def protocol_errors(self, feed: str | None = None) -> list[dict[str, Any]]:
        q = select(T_PROTO_ERRORS).order_by(T_PROTO_ERRORS.c.id)
        if feed:
            q = q.where(T_PROTO_ERRORS.c.feed == feed)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def problems(self, limit: int = 200) -> list[Problem]:
        """The newest quarantined events, protocol errors and feed notices, newest first."""
        with self.engine.connect() as conn:
            return _problem_rows(conn, limit)

    def notices(self, feed: str | None = None) -> list[dict[str, Any]]:
        q = select(T_NOTICES).order_by(T_NOTICES.c.id)
        if feed:
            q = q.where(T_NOTICES.c.feed == feed)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    # ---- grievance cases (诉求工单): sign, assign, reply, outcome, call-back, close ---------------
    # The case keeps step with the incident's lifecycle: signing is acknowledging, assigning is
    # dispatching (a task), closing the case resolves (handled) and closes the incident. Until its first
    # case step a grievance has no row: its case is what the incident's status implies.
    def grievance_case(self, incident_id: int) -> GrievanceCase | None:
        """The case of a grievance incident; None when there is no such incident or it is no grievance."""
        return self.grievance_cases([incident_id]).get(incident_id)

    def grievance_cases(self, incident_ids: Iterable[int]) -> dict[int, GrievanceCase]:
        """The cases of those of `incident_ids` that are grievances, by incident id."""
        wanted = list(incident_ids)
        if not wanted:
            return {}
        q = select(T_INCIDENTS).where(
            and_(T_INCIDENTS.c.id.in_(wanted), T_INCIDENTS.c.kind == GRIEVANCE_KIND)
        )
        with self.engine.connect() as conn:
            return _cases_of(conn, [_incident_from_row(r) for r in conn.execute(q)])

    def act_with_case(
        self,
        incident_id: int,
        action: Action,
        by: str,
        *,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Incident:
        """`act`, with a grievance's case in step: acknowledging signs it, close and reopen are the case's
        (closing only after the call-back), and a grievance is not resolved like an alarm."""
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            if inc.kind != GRIEVANCE_KIND:
                return self._transition(conn, inc, action, by, outcome, note, now)
            case, exists = _case_for_update(conn, inc)
            if action is Action.RESOLVE:
                raise IllegalTransition(NOT_RESOLVED_LIKE_AN_ALARM)
            if action is Action.CLOSE and inc.status is not Status.FALSE_ALARM:
                return self._close_case(conn, inc, case, exists, by, note, now)
            if action is Action.REOPEN and case.status is GrievanceStatus.CLOSED:
                reopened = _step(case, GrievanceAction.REOPEN, by, now)
                self._transition(conn, inc, Action.REOPEN, by, None, note, now)
                self._save_case(conn, case, [("case_reopen", reopened, note)], exists, by, now)
                return inc
            steps: list[tuple[str, GrievanceCase, str | None]] = []
            current = case
            if action in (Action.ACKNOWLEDGE, Action.DISPATCH) and current.status is GrievanceStatus.RECEIVED:
                current = _step(current, GrievanceAction.SIGN, by, now)
                steps.append(("case_sign", current, None))
            if action is Action.DISPATCH:
                current = _step(current, GrievanceAction.ASSIGN, by, now)
                steps.append(("case_assign", current, note))
            self._transition(conn, inc, action, by, outcome, note, now)
            if steps:
                self._save_case(conn, case, steps, exists, by, now)
            return inc

    def close_grievance(self, incident_id: int, by: str, note: str | None = None) -> GrievanceCase:
        """Close a grievance case (and its incident): only once the resident was called back."""
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            self._close_case(conn, inc, case, exists, by, note, now)
            return _cases_of(conn, [inc])[inc.id]

    def _close_case(
        self,
        conn: Connection,
        inc: Incident,
        case: GrievanceCase,
        exists: bool,
        by: str,
        note: str | None,
        now: datetime,
    ) -> Incident:
        closed = _step(case, GrievanceAction.CLOSE, by, now)  # refuses before anything moves
        if inc.status in OPEN_STATUSES:
            self._transition(conn, inc, Action.RESOLVE, by, Outcome.HANDLED, "grievance case closed", now)
        if inc.status in (Status.RESOLVED, Status.FALSE_ALARM):
            self._transition(conn, inc, Action.CLOSE, by, None, note, now)
        self._save_case(conn, case, [("case_close", closed, note)], exists, by, now)
        return inc

    def _add_grievance_task(self, ref: str, incident_id: int, assignee: str, summary: str, by: str) -> None:
        """`add_task` for a grievance: the case is assigned too (signed first if it was not), or refused."""
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            steps: list[tuple[str, GrievanceCase, str | None]] = []
            current = case
            if current.status is GrievanceStatus.RECEIVED:
                current = _step(current, GrievanceAction.SIGN, by, now)
                steps.append(("case_sign", current, None))
            current = _step(current, GrievanceAction.ASSIGN, by, now)
            steps.append(("case_assign", current, f"task {ref} to {assignee}"))
            conn.execute(
                insert(T_TASKS).values(
                    ref=ref,
                    incident_id=incident_id,
                    assignee=assignee,
                    status=TaskStatus.SENT.value,
                    summary=summary,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._transition(conn, inc, Action.DISPATCH, by, None, f"task {ref} to {assignee}", now)
            self._save_case(conn, case, steps, exists, by, now)

    def record_reply(self, incident_id: int, by: str, note: str, *, sent: bool) -> GrievanceCase:
        """A reply in the record; a sent one answers the case when it is assigned (else it stays as it is:
        an interim word to the resident before anyone is assigned, or a further word after the answer)."""
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            allowed, _ = GRIEVANCE_TRANSITIONS[GrievanceAction.REPLY]
            if sent and case.status in allowed:
                replied = _step(case, GrievanceAction.REPLY, by, now)
                self._save_case(conn, case, [("reply", replied, note)], exists, by, now)
            else:
                self._log(conn, incident_id, "reply", by, None, None, note, now)
            return _cases_of(conn, [inc])[inc.id]

    def categorise_grievance(self, incident_id: int, category: str, by: str) -> GrievanceCase:
        """File the grievance under `category` (its priority follows); the category it came with stays."""
        if category not in GRIEVANCE_CATEGORIES:
            raise IllegalTransition(f"unknown grievance category {category!r}")
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            if case.status is GrievanceStatus.CLOSED:
                raise IllegalTransition("cannot categorise a grievance that is closed (reopen it first)")
            if category == case.category:
                return case
            new = replace(case, category=category, categorised_at=now, categorised_by=by)
            priority = GRIEVANCE_PRIORITY[category]
            conn.execute(
                update(T_INCIDENTS)
                .where(T_INCIDENTS.c.id == incident_id)
                .values(priority=int(priority), updated_at=now)
            )
            kept = self._open.get(inc.key)
            if kept is not None and kept.id == incident_id:
                kept.priority = priority
            self._save_case(
                conn, case, [("categorise", new, f"{case.category} → {category}")], exists, by, now
            )
            return new

    def record_grievance_outcome(self, incident_id: int, text: str, by: str) -> GrievanceCase:
        """What came of the grievance, in words (recording again corrects it)."""
        text = text.strip()
        if not text:
            raise IllegalTransition("an outcome needs some text")
        now = now_utc()
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            new = replace(_step(case, GrievanceAction.RECORD_OUTCOME, by, now), outcome=text)
            self._save_case(conn, case, [("record_outcome", new, text[:500])], exists, by, now)
            return new

    def record_callback(
        self, incident_id: int, result: CallbackResult, by: str, note: str | None = None
    ) -> GrievanceCase:
        """The call-back: was the resident satisfied? Unsatisfied sends the case back to its assignee."""
        now = now_utc()
        note = (note or "").strip() or None
        with self._write() as conn:
            inc = self._incident_for_update(conn, incident_id)
            case, exists = _case_for_update(conn, inc)
            new = _step(case, GrievanceAction.CALLBACK, by, now, callback=result)
            new = replace(new, callback=result, callback_note=note)
            detail = result.value if note is None else f"{result.value}: {note[:450]}"
            self._save_case(conn, case, [("callback", new, detail)], exists, by, now)
            return new

    def _incident_for_update(self, conn: Connection, incident_id: int) -> Incident:
        row = conn.execute(select(T_INCIDENTS).where(T_INCIDENTS.c.id == incident_id)).first()
        if row is None:
            raise IllegalTransition(f"no incident {incident_id}")
        return _incident_from_row(row)

    def _save_case(
        self,
        conn: Connection,
        old: GrievanceCase,
        steps: list[tuple[str, GrievanceCase, str | None]],
        exists: bool,
        by: str,
        now: datetime,
    ) -> None:
        """Write the case as its last step left it, and each step (log action, case after, note) to the
        incident's record with the case status it moved from and to."""
        before = old
        for name, after, note in steps:
            moved = name != "categorise"
            src, dst = (before.status.value, after.status.value) if moved else (None, None)
            self._log(conn, old.incident_id, name, by, src, dst, note, now)
            before = after
        values = _case_values(before)
        values["updated_at"] = now
        if exists:
            conn.execute(update(T_CASES).where(T_CASES.c.incident_id == old.incident_id).values(**values))
        else:
            conn.execute(insert(T_CASES).values(**values))

    # ---- the shift (值班): shifts, the shift log, signed handover reports ---------------------------
    # The shift log is a view: the incident log, the desk log and the feed notices already hold every
    # action, written in the transaction that made it; the shift_log table adds only what no other
    # record holds (manual entries, the shift's own steps, feed outages and recoveries).
    def open_shift(self, desk: str, lead: str, staff: Sequence[str], by: str) -> Shift:
        """Open a shift with its lead and staff on duty; ShiftError while another one is open."""
        now = now_utc()
        with self._write() as conn:
            lead, people = check_open(lead, staff, _current_shift(conn, desk))
            shift_id = conn.execute(
                insert(T_SHIFTS).values(desk=desk, lead=lead, staff=list(people), opened_at=now, opened_by=by)
            ).inserted_primary_key[0]  # type: ignore[index]
            text = "、".join(people)
            _shift_entry(conn, shift_id, now, "opened", by, f"{lead}：{text}" if text else lead)
            return _shift_from_row(conn.execute(select(T_SHIFTS).where(T_SHIFTS.c.id == shift_id)).one())

    def close_shift(self, shift_id: int, incoming: str, notes: str | None, by: str) -> Shift:
        """Hand the shift over to the incoming lead (with the outgoing lead's notes); it closes."""
        now = now_utc()
        with self._write() as conn:
            row = conn.execute(select(T_SHIFTS).where(T_SHIFTS.c.id == shift_id)).first()
            shift = _shift_from_row(row) if row is not None else None
            incoming = check_handover(shift, incoming)
            notes = (notes or "").strip() or None
            conn.execute(
                update(T_SHIFTS)
                .where(T_SHIFTS.c.id == shift_id)
                .values(closed_at=now, handed_to=incoming, notes=notes)
            )
            _shift_entry(conn, shift_id, now, "handed_over", by, incoming)
            return _shift_from_row(conn.execute(select(T_SHIFTS).where(T_SHIFTS.c.id == shift_id)).one())

    def add_log_entry(
        self, shift_id: int | None, category: str, text: str, by: str, corrects: int | None = None
    ) -> ShiftLogEntry:
        """A manual entry in the shift log; a correction names the entry it corrects (never edits it)."""
        cat = LogCategory(category)
        if cat not in MANUAL_CATEGORIES:
            raise ShiftError(f"{category} entries are written by the desk, not by hand")
        text = text.strip()
        if not text:
            raise ShiftError("a log entry needs some text")
        if cat is LogCategory.CORRECTION and corrects is None:
            raise ShiftError("a correction names the entry it corrects")
        now = now_utc()
        with self._write() as conn:
            if corrects is not None and (
                conn.execute(select(T_SHIFT_LOG.c.id).where(T_SHIFT_LOG.c.id == corrects)).first() is None
            ):
                raise ShiftError(f"no shift log entry {corrects}")
            entry_id = conn.execute(
                insert(T_SHIFT_LOG).values(
                    shift_id=shift_id,
                    at=now,
                    category=cat.value,
                    source=LogSource.MANUAL.value,
                    by=by,
                    text=text,
                    corrects=corrects,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            append_audit(
                conn,
                by,
                "shift.log_entry",
                f"shift:{shift_id}",
                None,
                {"category": cat.value, "text": text, "corrects": corrects},
                now,
            )
        return ShiftLogEntry(now, cat, text, by, LogSource.MANUAL, entry_id=entry_id, corrects=corrects)

    def _feed_transition(
        self, conn: Connection, feed: str, old: str | None, new: str, detail: str | None
    ) -> None:
        """A feed going down or coming back goes into the shift log (the feeds row keeps only the now)."""
        was_down = old is not None and FeedState(old).is_down
        down = FeedState(new).is_down
        if was_down == down or (not down and new != FeedState.LIVE.value):
            return
        conn.execute(
            insert(T_SHIFT_LOG).values(
                shift_id=None,
                at=now_utc(),
                category=LogCategory.FEED.value,
                source="feed_down" if down else "feed_up",
                by=SYSTEM,
                text=f"{new}: {detail}" if detail else new,
                feed=feed,
            )
        )

    def save_report(
        self,
        shift_id: int,
        kind: str,
        by: str,
        period: tuple[datetime, datetime],
        content: str,
        summary_json: str,
    ) -> SignedReport:
        """Keep a generated report with the hash of its content (not signed yet)."""
        if kind not in ("handover", "on_demand"):
            raise ValueError(f"unknown report kind {kind!r}")
        now = now_utc()
        with self._write() as conn:
            report_id = conn.execute(
                insert(T_REPORTS).values(
                    shift_id=shift_id,
                    kind=kind,
                    created_at=now,
                    created_by=by,
                    period_from=period[0],
                    period_to=period[1],
                    content=content,
                    summary=summary_json,
                    content_hash=content_hash(content, summary_json),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            return _report_from_row(conn.execute(select(T_REPORTS).where(T_REPORTS.c.id == report_id)).one())

    def sign_report(
        self, report_id: int, by: str, *, incoming: bool, confirmed: bool = False
    ) -> SignedReport:
        """The outgoing lead signs first, then the incoming lead (confirming the open items): sealed.

        Refused once sealed, out of order, and for a report whose content no longer matches its hash.
        """
        by = by.strip()
        if not by:
            raise ShiftError("a signature needs a name")
        now = now_utc()
        with self._write() as conn:
            row = conn.execute(select(T_REPORTS).where(T_REPORTS.c.id == report_id)).first()
            if row is None:
                raise ShiftError(f"no report {report_id}")
            rep = _report_from_row(row)
            if rep.sealed:
                raise ShiftError(f"report {report_id} is signed by both leads and can no longer change")
            if "content" in tampering(rep):
                raise ShiftError(f"report {report_id} was changed after it was generated")
            if not incoming:
                if rep.signed_out_by is not None:
                    raise ShiftError(f"report {report_id} is already signed by {rep.signed_out_by}")
                values: dict[str, Any] = dict(signed_out_by=by, signed_out_at=now)
                what = "signed_out"
            else:
                if rep.signed_out_by is None or rep.signed_out_at is None:
                    raise ShiftError("the outgoing lead signs first")
                if by == rep.signed_out_by:
                    raise ShiftError("the incoming lead signs second, not the outgoing lead again")
                prev = conn.execute(
                    select(T_REPORTS.c.seal)
                    .where(T_REPORTS.c.seal.is_not(None))
                    .order_by(T_REPORTS.c.signed_in_at.desc(), T_REPORTS.c.id.desc())
                    .limit(1)
                ).scalar()
                seal = seal_of(
                    prev, rep.content_hash, rep.signed_out_by, rep.signed_out_at, by, now, confirmed
                )
                values = dict(
                    signed_in_by=by,
                    signed_in_at=now,
                    open_items_confirmed=confirmed,
                    prev_seal=prev,
                    seal=seal,
                )
                what = "signed_in"
            conn.execute(update(T_REPORTS).where(T_REPORTS.c.id == report_id).values(**values))
            _shift_entry(conn, rep.shift_id, now, what, by, f"#{report_id}")
            return _report_from_row(conn.execute(select(T_REPORTS).where(T_REPORTS.c.id == report_id)).one())

    def current_shift(self, desk: str | None = None) -> Shift | None:
        with self.engine.connect() as conn:
            return _current_shift(conn, desk)

    def shift(self, shift_id: int) -> Shift | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(T_SHIFTS).where(T_SHIFTS.c.id == shift_id)).first()
            return _shift_from_row(row) if row is not None else None

    def last_shift(self) -> Shift | None:
        """The newest closed shift, or the open one when none closed yet."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(T_SHIFTS)
                .where(T_SHIFTS.c.closed_at.is_not(None))
                .order_by(T_SHIFTS.c.closed_at.desc(), T_SHIFTS.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                row = conn.execute(select(T_SHIFTS).order_by(T_SHIFTS.c.id.desc()).limit(1)).first()
            return _shift_from_row(row) if row is not None else None

    def shifts(
        self, since: datetime | None = None, until: datetime | None = None, lead: str | None = None
    ) -> list[Shift]:
        """Shifts that opened in [since, until) and were led by `lead` (all when None), newest first."""
        q = select(T_SHIFTS).order_by(T_SHIFTS.c.opened_at.desc(), T_SHIFTS.c.id.desc())
        if since is not None:
            q = q.where(T_SHIFTS.c.opened_at >= since)
        if until is not None:
            q = q.where(T_SHIFTS.c.opened_at < until)
        if lead:
            q = q.where(T_SHIFTS.c.lead == lead)
        with self.engine.connect() as conn:
            return [_shift_from_row(r) for r in conn.execute(q)]

    def shift_log(self, start: datetime, end: datetime | None = None) -> list[ShiftLogEntry]:
        """Every action in [start, end] (to now when None), oldest first: the records and the manual log."""
        with self.engine.connect() as conn:
            return _shift_log(conn, start, end)

    def report_input(self, shift: Shift, end: datetime | None = None) -> ReportInput:
        """What a report of `shift` needs, from its opening to its close (or `end`, or now)."""
        start = shift.opened_at
        stop = end or shift.closed_at or now_utc()
        with self.engine.connect() as conn:
            opened = [
                _incident_from_row(r)
                for r in conn.execute(
                    select(T_INCIDENTS).where(
                        and_(T_INCIDENTS.c.opened_at >= start, T_INCIDENTS.c.opened_at < stop)
                    )
                )
            ]
            ids = [i.id for i in opened]
            # still open at the end: those open now, and those closed only after the end
            open_now = [
                _incident_from_row(r)
                for r in conn.execute(
                    select(T_INCIDENTS).where(
                        and_(
                            T_INCIDENTS.c.opened_at < stop,
                            T_INCIDENTS.c.merged_into.is_(None),
                            (T_INCIDENTS.c.status.in_([s.value for s in OPEN_STATUSES]))
                            | (T_INCIDENTS.c.resolved_at >= stop),
                        )
                    )
                )
            ]
            open_now = [_as_of(i, stop) for i in open_now]
            on_scene: dict[int, datetime] = {}
            handled: dict[int, Handled] = {}
            for chunk in _chunks(ids, 900):
                q = (
                    select(T_TASKS.c.incident_id, func.min(T_TASK_UPDATES.c.at))
                    .join(T_TASK_UPDATES, T_TASK_UPDATES.c.task_ref == T_TASKS.c.ref)
                    .where(
                        and_(
                            T_TASKS.c.incident_id.in_(chunk),
                            T_TASK_UPDATES.c.status == TaskStatus.ON_SCENE.value,
                        )
                    )
                    .group_by(T_TASKS.c.incident_id)
                )
                on_scene.update({r[0]: r[1] for r in conn.execute(q)})
                hq = (
                    select(T_INC_LOG.c.incident_id, T_INC_LOG.c.by, T_INC_LOG.c.at)
                    .where(
                        and_(
                            T_INC_LOG.c.incident_id.in_(chunk),
                            T_INC_LOG.c.action.in_(_HANDLING),
                            T_INC_LOG.c.by != SYSTEM,
                        )
                    )
                    .order_by(T_INC_LOG.c.id)
                )
                for r in conn.execute(hq):
                    handled.setdefault(r.incident_id, Handled(r.incident_id, r.by, r.at))
            devices = [
                DeviceState(r.device, r.elder, r.status, r.battery, r.at)
                for r in conn.execute(select(T_DEVICES))
            ]
            changes = [
                FeedChange(r.feed, r.at, r.source.removeprefix("feed_"), r.text)
                for r in conn.execute(
                    select(T_SHIFT_LOG).where(
                        and_(T_SHIFT_LOG.c.source.in_(["feed_down", "feed_up"]), T_SHIFT_LOG.c.at < stop)
                    )
                )
            ]
            changes += [
                FeedChange(r.feed, r.at, r.kind, r.detail, r._mapping["count"])
                for r in conn.execute(
                    select(T_NOTICES).where(and_(T_NOTICES.c.at >= start, T_NOTICES.c.at < stop))
                )
            ]
            log_entries = _shift_log(conn, start, stop)
        return ReportInput(
            shift,
            start,
            stop,
            opened,
            open_now,
            on_scene,
            list(handled.values()),
            devices,
            changes,
            log_entries,
        )

    def reports(self, shift_id: int | None = None) -> list[SignedReport]:
        """Stored reports (of one shift, or all), oldest first."""
        q = select(T_REPORTS).order_by(T_REPORTS.c.id)
        if shift_id is not None:
            q = q.where(T_REPORTS.c.shift_id == shift_id)
        with self.engine.connect() as conn:
            return [_report_from_row(r) for r in conn.execute(q)]

    def report(self, report_id: int) -> SignedReport | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(T_REPORTS).where(T_REPORTS.c.id == report_id)).first()
            return _report_from_row(row) if row is not None else None

    def verify_report(self, report_id: int) -> list[str]:
        """What no longer matches in a stored report: content, signatures, seal, chain (empty: intact)."""
        with self.engine.connect() as conn:
            rows = [
                _report_from_row(r)
                for r in conn.execute(
                    select(T_REPORTS)
                    .where(T_REPORTS.c.seal.is_not(None) | (T_REPORTS.c.id == report_id))
                    .order_by(T_REPORTS.c.signed_in_at, T_REPORTS.c.id)
                )
            ]
        prev: str | None = None
        for rep in rows:
            if rep.id == report_id:
                return tampering(rep, prev if rep.sealed else None) if rep.sealed else tampering(rep)
            prev = rep.seal
        raise ShiftError(f"no report {report_id}")


def _problem_rows(conn: Connection, limit: int) -> list[Problem]:
    out: list[Problem] = []
    q = (
        select(
            T_EVENTS.c.received_at,
            T_EVENTS.c.feed,
            T_EVENTS.c.reason,
            T_EVENTS.c.event_id,
            T_EVENTS.c.seq,
            T_EVENTS.c.raw,
        )
        .where(T_EVENTS.c.status == "quarantined")
        .order_by(T_EVENTS.c.pk.desc())
        .limit(limit)
    )
    for r in conn.execute(q):
        event = raw_event_json(r.raw)
        ref = event.get("id") if isinstance(event, dict) and isinstance(event.get("id"), str) else None
        out.append(
            Problem(
                r.received_at,
                r.feed,
                ProblemKind.QUARANTINED,
                r.reason or "",
                ref or f"seq {r.seq}",
                r.raw[:300],
            )
        )
    q2 = select(T_PROTO_ERRORS).order_by(T_PROTO_ERRORS.c.id.desc()).limit(limit)
    for r in conn.execute(q2):
        out.append(Problem(r.at, r.feed, ProblemKind.PROTOCOL_ERROR, r.reason, None, r.sample[:300]))
    q3 = select(T_NOTICES).order_by(T_NOTICES.c.id.desc()).limit(limit)
    for r in conn.execute(q3):
        try:
            kind = ProblemKind(r.kind)
        except ValueError:
            kind = ProblemKind.SERVER_ERROR
        out.append(Problem(r.at, r.feed, kind, r.detail))
    out.sort(key=lambda p: p.at, reverse=True)
    return out[:limit]


def raw_event_json(raw_frame: str) -> Any:
    """The event object inside a stored frame (for exports)."""
    try:
        return json.loads(raw_frame).get("event")
    except (ValueError, AttributeError):
        return None


# ---- grievance cases: rows and steps ---------------------------------------------------------------
GRIEVANCE_KIND = "grievance"
#: the store writes of the grievance case besides `act` and `add_task` (the writer must list them)
CASE_WRITES = frozenset(
    {"record_reply", "categorise_grievance", "record_grievance_outcome", "record_callback", "close_grievance"}
)
T_CASES: Table = GrievanceCaseRow.__table__  # type: ignore[assignment]
_CASE_STAMPS: dict[GrievanceAction, tuple[str, bool]] = {
    # the case field of each step, and whether only its first time counts (the clocks stop at it)
    GrievanceAction.SIGN: ("signed", True),
    GrievanceAction.ASSIGN: ("assigned", True),
    GrievanceAction.REPLY: ("replied", True),
    GrievanceAction.RECORD_OUTCOME: ("outcome", False),
    GrievanceAction.CALLBACK: ("callback", False),
    GrievanceAction.CLOSE: ("closed", False),
}


def _step(
    case: GrievanceCase,
    action: GrievanceAction,
    by: str,
    now: datetime,
    *,
    callback: CallbackResult | None = None,
) -> GrievanceCase:
    """The case after `action` by `by` (IllegalTransition with desk.grievances' message when refused)."""
    status = grievance_next_status(case.status, action, callback)
    changes: dict[str, Any] = {"status": status}
    stamp = _CASE_STAMPS.get(action)
    if stamp is not None:
        name, first_only = stamp
        if not first_only or getattr(case, f"{name}_at") is None:
            changes[f"{name}_at"] = now
            changes[f"{name}_by"] = by
    if action is GrievanceAction.REOPEN:  # the next close needs a new call-back
        changes.update(callback=None, callback_note=None, callback_at=None, callback_by=None, closed_at=None)
        changes.update(closed_by=None)
    return replace(case, **changes)


def _case_values(case: GrievanceCase) -> dict[str, Any]:
    values = {f.name: getattr(case, f.name) for f in fields(case)}
    values["status"] = case.status.value
    values["callback"] = case.callback.value if case.callback is not None else None
    return values


def _case_from_row(row: Any) -> GrievanceCase:
    values = {f.name: getattr(row, f.name) for f in fields(GrievanceCase)}
    values["status"] = GrievanceStatus(row.status)
    values["callback"] = CallbackResult(row.callback) if row.callback else None
    return GrievanceCase(**values)


def _implied_case(inc: Incident, category: str) -> GrievanceCase:
    """The case of a grievance with no case step yet: what its incident's lifecycle says."""
    status = status_from_incident(inc.status)
    signed = status is not GrievanceStatus.RECEIVED
    return GrievanceCase(
        inc.id,
        status,
        category,
        category,
        signed_at=inc.acknowledged_at if signed else None,
        assigned_at=inc.dispatched_at,
    )


def _grievance_categories(conn: Connection, incident_ids: list[int]) -> dict[int, str]:
    """The category each grievance incident came in with (its first grievance event's)."""
    if not incident_ids:
        return {}
    q = (
        select(T_INC_EVENTS.c.incident_id, T_EVENTS.c.raw)
        .join(T_EVENTS, T_EVENTS.c.event_id == T_INC_EVENTS.c.event_id)
        .where(and_(T_INC_EVENTS.c.incident_id.in_(incident_ids), T_EVENTS.c.type == GRIEVANCE_KIND))
        .order_by(T_EVENTS.c.pk)
    )
    out: dict[int, str] = {}
    for incident_id, raw in conn.execute(q):
        if incident_id in out:
            continue
        event = raw_event_json(raw)
        category = event.get("category") if isinstance(event, dict) else None
        out[incident_id] = category if category in GRIEVANCE_CATEGORIES else "other"
    return out


def _cases_of(conn: Connection, incidents: list[Incident]) -> dict[int, GrievanceCase]:
    grievances = [i for i in incidents if i.kind == GRIEVANCE_KIND]
    if not grievances:
        return {}
    ids = [i.id for i in grievances]
    rows = {r.incident_id: r for r in conn.execute(select(T_CASES).where(T_CASES.c.incident_id.in_(ids)))}
    categories = _grievance_categories(conn, [i for i in ids if i not in rows])
    return {
        i.id: _case_from_row(rows[i.id]) if i.id in rows else _implied_case(i, categories.get(i.id, "other"))
        for i in grievances
    }


def _case_for_update(conn: Connection, inc: Incident) -> tuple[GrievanceCase, bool]:
    """The case of grievance `inc` and whether it has a row yet; IllegalTransition for other incidents."""
    if inc.kind != GRIEVANCE_KIND:
        raise IllegalTransition(f"incident {inc.id} is not a grievance")
    exists = conn.execute(select(T_CASES.c.incident_id).where(T_CASES.c.incident_id == inc.id)).first()
    return _cases_of(conn, [inc])[inc.id], exists is not None


# ---- the shift: rows and the shift log's sources ----------------------------------------------------
T_SHIFTS: Table = ShiftRow.__table__  # type: ignore[assignment]
T_SHIFT_LOG: Table = ShiftLogRow.__table__  # type: ignore[assignment]
T_REPORTS: Table = ShiftReportRow.__table__  # type: ignore[assignment]
#: the incident-log actions that mean a person handled the alarm (for the load per operator)
_HANDLING = ["acknowledge", "alarm_acknowledged", "dispatch", "resolve", "false_alarm", "sign", "assign"]


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _shift_from_row(row: Any) -> Shift:
    return Shift(
        id=row.id,
        desk=row.desk,
        lead=row.lead,
        staff=tuple(row.staff or ()),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        closed_at=row.closed_at,
        handed_to=row.handed_to,
        notes=row.notes,
    )


def _current_shift(conn: Connection, desk: str | None) -> Shift | None:
    q = select(T_SHIFTS).where(T_SHIFTS.c.closed_at.is_(None)).order_by(T_SHIFTS.c.id.desc()).limit(1)
    if desk is not None:
        q = q.where(T_SHIFTS.c.desk == desk)
    row = conn.execute(q).first()
    return _shift_from_row(row) if row is not None else None


def _shift_entry(conn: Connection, shift_id: int, at: datetime, action: str, by: str, text: str) -> None:
    conn.execute(
        insert(T_SHIFT_LOG).values(
            shift_id=shift_id,
            at=at,
            category=LogCategory.SHIFT.value,
            source=f"shift_{action}"[:16],
            by=by,
            text=text,
        )
    )
    append_audit(conn, by, f"shift.{action}", f"shift:{shift_id}", None, {"text": text}, at)


def _report_from_row(row: Any) -> SignedReport:
    return SignedReport(
        id=row.id,
        shift_id=row.shift_id,
        kind=row.kind,
        created_at=row.created_at,
        created_by=row.created_by,
        period_from=row.period_from,
        period_to=row.period_to,
        content=row.content,
        summary=row.summary,
        content_hash=row.content_hash,
        signed_out_by=row.signed_out_by,
        signed_out_at=row.signed_out_at,
        signed_in_by=row.signed_in_by,
        signed_in_at=row.signed_in_at,
        open_items_confirmed=row.open_items_confirmed,
        prev_seal=row.prev_seal,
        seal=row.seal,
    )


def _as_of(inc: Incident, end: datetime) -> Incident:
    """The incident as it stood at `end`: a stage done after it is not done yet."""

    def before(t: datetime | None) -> datetime | None:
        return t if t is not None and t < end else None

    ack, disp, res = before(inc.acknowledged_at), before(inc.dispatched_at), before(inc.resolved_at)
    status = inc.status
    if not inc.is_open and res is None:  # closed only after the end: open then
        status = Status.DISPATCHED if disp else Status.ACKNOWLEDGED if ack else Status.NEW
    return replace(inc, status=status, acknowledged_at=ack, dispatched_at=disp, resolved_at=res)


def _shift_log(conn: Connection, start: datetime, end: datetime | None) -> list[ShiftLogEntry]:
    def window(col: Any) -> Any:
        return and_(col >= start, col <= end) if end is not None else col >= start

    out: list[ShiftLogEntry] = []
    q = (
        select(
            T_INC_LOG.c.at,
            T_INC_LOG.c.action,
            T_INC_LOG.c.by,
            T_INC_LOG.c.note,
            T_INC_LOG.c.incident_id,
            T_INCIDENTS.c.title,
        )
        .join(T_INCIDENTS, T_INCIDENTS.c.id == T_INC_LOG.c.incident_id)
        .where(window(T_INC_LOG.c.at))
    )
    for r in conn.execute(q):
        text = f"{r.title} — {r.note}" if r.note else r.title
        out.append(
            ShiftLogEntry(
                r.at,
                incident_category(r.action),
                text,
                r.by,
                LogSource.INCIDENT,
                r.incident_id,
                action=r.action,
            )
        )
    for r in conn.execute(select(T_DESK_LOG).where(window(T_DESK_LOG.c.at))):
        out.append(
            ShiftLogEntry(r.at, desk_category(r.kind), r.note or "", r.by, LogSource.DESK, action=r.kind)
        )
    for r in conn.execute(select(T_NOTICES).where(window(T_NOTICES.c.at))):
        out.append(
            ShiftLogEntry(
                r.at, LogCategory.FEED, r.detail, SYSTEM, LogSource.FEED, feed=r.feed, action=r.kind
            )
        )
    for r in conn.execute(select(T_SHIFT_LOG).where(window(T_SHIFT_LOG.c.at))):
        source = LogSource.MANUAL
        action = ""
        if r.source.startswith("feed_"):
            source, action = LogSource.FEED, r.source.removeprefix("feed_")
        elif r.source.startswith("shift_"):
            source, action = LogSource.SHIFT, r.source.removeprefix("shift_")
        out.append(
            ShiftLogEntry(
                r.at,
                LogCategory(r.category),
                r.text,
                r.by,
                source,
                r.incident_id,
                r.feed,
                r.id,
                r.corrects,
                action,
            )
        )
    out.sort(key=lambda e: e.at)
    return out
