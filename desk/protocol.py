"""CES/1 framing: the ops, the limits, and the reading of one frame (no I/O).

Both sides use it: the desk's feed client and the built-in simulator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 256 * 1024
#: what the desk reads off the wire at most; larger than the limit so that an oversize frame can be
#: recorded and skipped instead of closing the connection (section 1)
READ_LIMIT_BYTES = 4 * 1024 * 1024
#: how much of an unreadable frame is kept with its protocol error (section 5)
ERROR_SAMPLE_BYTES = 4 * 1024
HEARTBEAT_INTERVAL_S = 15.0
SILENCE_LIMIT_S = 45.0

SERVER_OPS = frozenset({"welcome", "event", "heartbeat", "error", "result"})
CLIENT_OPS = frozenset({"hello", "ack", "command"})
COMMAND_NAMES = frozenset({"dispatch", "recall", "reply"})


@dataclass(frozen=True, slots=True)
class Frame:
    """One readable frame: its op and the decoded object."""

    op: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FrameError:
    """A frame that cannot be read (section 5): why, and the first 4 KiB of it."""

    reason: str
    sample: str


def _sample(data: str | bytes) -> str:
    if isinstance(data, bytes):
        return data[:ERROR_SAMPLE_BYTES].decode("utf-8", errors="replace")
    return data.encode("utf-8", errors="replace")[:ERROR_SAMPLE_BYTES].decode("utf-8", errors="ignore")


def read_frame(data: str | bytes, known_ops: frozenset[str] = SERVER_OPS) -> Frame | FrameError:
    """Read one WebSocket message; never raises."""
    if isinstance(data, bytes):
        return FrameError("binary frame (CES/1 frames are text)", _sample(data))
    size = len(data.encode("utf-8", errors="replace")) if len(data) * 4 > MAX_MESSAGE_BYTES else 0
    if size > MAX_MESSAGE_BYTES:
        return FrameError(f"frame of {size} bytes is over the 256 KiB limit", _sample(data))
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return FrameError(f"not JSON: {str(exc)[:200]}", _sample(data))
    if not isinstance(obj, dict):
        return FrameError(f"not a JSON object but {type(obj).__name__}", _sample(data))
    op = obj.get("op")
    if not isinstance(op, str) or op not in known_ops:
        return FrameError(f"unknown op {op!r}", _sample(data))
    return Frame(op, obj)


def dumps(obj: dict[str, Any]) -> str:
    """Encode a frame compactly, keeping Chinese text readable."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def hello(desk: str, stream: str | None, since: int) -> str:
    return dumps(
        {"op": "hello", "protocol": PROTOCOL_VERSION, "desk": desk, "stream": stream, "since": since}
    )


def welcome(stream: str, head: int, oldest: int) -> str:
    return dumps(
        {"op": "welcome", "protocol": PROTOCOL_VERSION, "stream": stream, "head": head, "oldest": oldest}
    )


def event_frame(seq: int, event: dict[str, Any]) -> str:
    return dumps({"op": "event", "seq": seq, "event": event})


def ack(seq: int) -> str:
    return dumps({"op": "ack", "seq": seq})


def heartbeat(head: int, time: str) -> str:
    return dumps({"op": "heartbeat", "head": head, "time": time})


def command(command_id: str, name: str, body: dict[str, Any]) -> str:
    return dumps({"op": "command", "id": command_id, "name": name, "body": body})


def result(command_id: str, ok: bool, error: str | None = None) -> str:
    out: dict[str, Any] = {"op": "result", "id": command_id, "ok": ok}
    if not ok:
        out["error"] = error or "failed"
    return dumps(out)


def error(message: str) -> str:
    return dumps({"op": "error", "message": message})


#: a session that lasted this long resets the back-off (section 2.6)
BACKOFF_RESET_S = 60.0


def backoff_delay(attempt: int, base_s: float, max_s: float, rand: float) -> float:
    """The wait before reconnect attempt `attempt` (0 first): exponential from `base_s` up to `max_s`,
    with jitter (`rand` in [0, 1)) so that many desks do not reconnect in step: in [ceiling/2, ceiling)."""
    ceiling = min(max_s, base_s * 2 ** min(attempt, 32))
    return ceiling / 2 + rand * ceiling / 2
