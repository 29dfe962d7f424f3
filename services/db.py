"""The database: typed SQLAlchemy 2 models (portable types), the engine, and migrations at start.

The same code runs on SQLite (the embedded default) and PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

log = logging.getLogger("desk.db")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC on every backend, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: a stream's seq: any positive 64-bit number (SQLite's INTEGER is 64-bit; PostgreSQL's is not)
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class FeedRow(Base):
    """A feed's cursor and health: what survives a restart."""

    __tablename__ = "feeds"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    stream: Mapped[str | None] = mapped_column(String(128))
    cursor: Mapped[int] = mapped_column(SEQ, default=0)
    gaps: Mapped[int] = mapped_column(Integer, default=0)
    protocol_errors: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    last_event_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(32), default="connecting")
    state_detail: Mapped[str | None] = mapped_column(String(500))
    state_since: Mapped[datetime | None]


class EventRow(Base):
    """Every event frame, verbatim, with what became of it."""

    __tablename__ = "events"
    __table_args__ = (
        # few indexes: every one is paid on each of thousands of inserts a second; the partial one
        # is paid only by quarantined events, and lists them for the operator
        UniqueConstraint("feed", "stream", "seq", name="uq_events_feed_stream_seq"),
        Index(
            "ix_events_quarantined",
            "pk",
            sqlite_where=text("status = 'quarantined'"),
            postgresql_where=text("status = 'quarantined'"),
        ),
    )
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # the CES/1 id when it is valid: unique, so a second delivery changes nothing
    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    feed: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(128))
    seq: Mapped[int] = mapped_column(SEQ)
    received_at: Mapped[datetime]
    type: Mapped[str | None] = mapped_column(String(64))
    event_time: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # applied | quarantined
    reason: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class ProtocolErrorRow(Base):
    __tablename__ = "protocol_errors"
    __table_args__ = (Index("ix_protocol_errors_feed", "feed"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    sample: Mapped[str] = mapped_column(Text)


class FeedNoticeRow(Base):
    """Things about a feed the operator should know: gaps, stream resets, outages, auth failures."""

    __tablename__ = "feed_notices"
    __table_args__ = (Index("ix_feed_notices_feed", "feed"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=0)


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status", "status"), Index("ix_incidents_key", "key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(64))
    cls: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    place: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(128))
    opened_at: Mapped[datetime]
    last_event_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=1)
    cleared_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # when each SLA stage was met (the first time), for the clocks and the handover report
    acknowledged_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    merged_into: Mapped[int | None] = mapped_column(Integer)


class IncidentEventRow(Base):
    __tablename__ = "incident_events"
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class IncidentLogRow(Base):
    """Every move of an incident: who, when, from what to what."""

    __tablename__ = "incident_log"
    __table_args__ = (Index("ix_incident_log_incident", "incident_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(128))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class IncidentNoteRow(Base):
    """Notes on an incident: appended, never edited."""

    __tablename__ = "incident_notes"
    __table_args__ = (Index("ix_incident_notes_incident", "incident_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)


class GrievanceCaseRow(Base):
    """A grievance incident's case: its status, the category as filed, outcome, call-back, who did what.

    One row per grievance incident, written at its first case step (before that the incident's own
    lifecycle says where it stands).
    """

    __tablename__ = "grievance_cases"
    __table_args__ = (Index("ix_grievance_cases_status", "status"),)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(32))
    original_category: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(Text)
    callback: Mapped[str | None] = mapped_column(String(16))
    callback_note: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None]
    signed_by: Mapped[str | None] = mapped_column(String(128))
    assigned_at: Mapped[datetime | None]
    assigned_by: Mapped[str | None] = mapped_column(String(128))
    replied_at: Mapped[datetime | None]
    replied_by: Mapped[str | None] = mapped_column(String(128))
    outcome_at: Mapped[datetime | None]
    outcome_by: Mapped[str | None] = mapped_column(String(128))
    callback_at: Mapped[datetime | None]
    callback_by: Mapped[str | None] = mapped_column(String(128))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(128))
    categorised_at: Mapped[datetime | None]
    categorised_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime]


class DeskLogRow(Base):
    """What happened at the desk itself, outside any incident: alarm tests, check-ins, a dead speaker."""

    __tablename__ = "desk_log"
    __table_args__ = (Index("ix_desk_log_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    desk: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)


class StaffStatusRow(Base):
    """On duty, busy or off duty, as the shift lead set it."""

    __tablename__ = "staff_status"
    ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class TaskRow(Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_incident", "incident_id"),)
    ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    assignee: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TaskUpdateRow(Base):
    __tablename__ = "task_updates"
    __table_args__ = (Index("ix_task_updates_task", "task_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_ref: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[str | None] = mapped_column(String(128))


class ProfileRow(Base):
    """The directory: elders, staff and teams, as their sources last described them."""

    __tablename__ = "profiles"
    ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class SafeZoneRow(Base):
    """A safe zone the shift lead drew on the map: a ring of [lat, lon] in WGS-84 (no row: home and
    radius from the profile). Removing the polygon deletes the row; the desk log keeps both steps."""

    __tablename__ = "safe_zones"
    elder: Mapped[str] = mapped_column(String(128), primary_key=True)
    polygon: Mapped[list[list[float]]] = mapped_column(JSON)
    drawn_by: Mapped[str] = mapped_column(String(128))
    drawn_at: Mapped[datetime]


class LastPositionRow(Base):
    __tablename__ = "last_positions"
    subject: Mapped[str] = mapped_column(String(128), primary_key=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    crs: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]
    battery: Mapped[float | None] = mapped_column(Float)


class PositionRow(Base):
    """Position history (for trails; purged after a configurable number of days)."""

    __tablename__ = "positions"
    # by time: a batch's positions land at the end of the index, not on a page per elder (0008)
    __table_args__ = (Index("ix_positions_at_subject", "at", "subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    crs: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]


class DeviceRow(Base):
    __tablename__ = "devices"
    device: Mapped[str] = mapped_column(String(128), primary_key=True)
    elder: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    battery: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime]


class CommandRow(Base):
    """Commands sent to a feed and their results (resent by id after a reconnect)."""

    __tablename__ = "commands"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    feed: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    ok: Mapped[bool | None]
    error: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]


class ShiftRow(Base):
    """A shift (值班): its lead, the staff on duty, when it opened and to whom it was handed over."""

    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_opened_at", "opened_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    desk: Mapped[str] = mapped_column(String(64))
    lead: Mapped[str] = mapped_column(String(128))
    staff: Mapped[list[str]] = mapped_column(JSON)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(128))
    closed_at: Mapped[datetime | None]
    handed_to: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[str | None] = mapped_column(Text)  # the outgoing lead's notes


class ShiftLogRow(Base):
    """Entries of the shift log that no other record holds: manual ones and feed outages.

    Append-only: never updated; a correction is a new entry that names the one it corrects.
    """

    __tablename__ = "shift_log"
    __table_args__ = (Index("ix_shift_log_at", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"))
    at: Mapped[datetime]
    category: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(16))  # manual | feed
    by: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(Integer)
    feed: Mapped[str | None] = mapped_column(String(64))
    corrects: Mapped[int | None] = mapped_column(ForeignKey("shift_log.id"))


class ShiftReportRow(Base):
    """A handover report as it was generated and signed: the content, its hash and the two signatures.

    Once both leads signed, the row is sealed (`seal` chains the previous sealed report's seal): a later
    change of the content or the signatures no longer matches and shows as tampering.
    """

    __tablename__ = "shift_reports"
    __table_args__ = (Index("ix_shift_reports_shift", "shift_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    kind: Mapped[str] = mapped_column(String(16))  # handover | on_demand
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(128))
    period_from: Mapped[datetime]
    period_to: Mapped[datetime]
    content: Mapped[str] = mapped_column(Text)  # the report's HTML, charts embedded
    summary: Mapped[str] = mapped_column(Text)  # canonical JSON of the figures (the managers' trends)
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_out_by: Mapped[str | None] = mapped_column(String(128))
    signed_out_at: Mapped[datetime | None]
    signed_in_by: Mapped[str | None] = mapped_column(String(128))
    signed_in_at: Mapped[datetime | None]
    open_items_confirmed: Mapped[bool | None]
    prev_seal: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))


class UserRow(Base):
    """A person who signs in at the desk: role, argon2id hash of the password, lockout state."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool]
    must_change_password: Mapped[bool]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditRow(Base):
    """The audit trail (desk.audit): append-only, each entry chained to the previous one by its hash."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the window read while the writer commits; synchronous=FULL makes an acknowledged
    # event survive a power cut, not only a crash (NORMAL may lose the last commits).
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages stay in memory under a burst
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite files get their folder and durable settings."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run at every start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.info("database at the newest revision")
