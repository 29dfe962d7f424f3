"""What the operator sees of a feed: its state and its health figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FeedState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth_failed"
    STALLED = "stalled"
    STOPPED = "stopped"

    @property
    def is_down(self) -> bool:
        """A state the operator must notice (everything but live and a first connection)."""
        return self not in (FeedState.LIVE, FeedState.CONNECTING)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    name: str
    url: str
    state: FeedState
    detail: str | None
    stream: str | None
    cursor: int
    gaps: int
    protocol_errors: int
    last_event_at: datetime | None
    state_since: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "url": self.url,
            "state": self.state.value,
            "detail": self.detail,
            "stream": self.stream,
            "cursor": self.cursor,
            "gaps": self.gaps,
            "protocol_errors": self.protocol_errors,
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "state_since": self.state_since.isoformat() if self.state_since else None,
        }


class ProblemKind(StrEnum):
    QUARANTINED = "quarantined"  # an event that failed validation (kept, acked, not applied)
    PROTOCOL_ERROR = "protocol_error"  # a frame that could not be read at all
    GAP = "gap"
    STREAM_RESET = "stream_reset"
    AUTH_FAILED = "auth_failed"
    STALLED = "stalled"
    SERVER_ERROR = "server_error"
    NOT_STORED = "not_stored"  # a frame the database would not keep even quarantined (its seq)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something about the streams the operator should see, with a reason a person can read."""

    at: datetime
    feed: str
    kind: ProblemKind
    detail: str
    ref: str | None = None  # the event id or seq it concerns
    sample: str | None = None  # the start of the frame, for protocol errors
