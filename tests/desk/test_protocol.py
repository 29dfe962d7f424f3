"""CES/1 framing and the reconnect back-off."""

from __future__ import annotations

import json

import pytest

from desk.protocol import (
    ERROR_SAMPLE_BYTES,
    Frame,
    FrameError,
    backoff_delay,
    event_frame,
    hello,
    read_frame,
)


def test_backoff_doubles_from_half_a_second_to_thirty_with_jitter() -> None:
    lows = [backoff_delay(n, 0.5, 30.0, 0.0) for n in range(10)]
    highs = [backoff_delay(n, 0.5, 30.0, 0.999999) for n in range(10)]
    assert lows[:4] == [0.25, 0.5, 1.0, 2.0]
    assert highs[0] == pytest.approx(0.5) and highs[3] == pytest.approx(4.0)
    assert max(highs) == pytest.approx(30.0) and highs[-1] == pytest.approx(30.0)
    assert backoff_delay(1000, 0.5, 30.0, 0.5) <= 30.0


def test_jitter_spreads_desks() -> None:
    delays = {round(backoff_delay(5, 0.5, 30.0, r / 10), 3) for r in range(10)}
    assert len(delays) == 10


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01", "binary frame"),
        ("{not json", "not JSON"),
        ("[1]", "not a JSON object but list"),
        ('{"op": 3}', "unknown op 3"),
        ('{"op": "hello"}', "unknown op 'hello'"),  # a client op coming from a server
    ],
)
def test_unreadable_frames(data: str | bytes, reason: str) -> None:
    result = read_frame(data)
    assert isinstance(result, FrameError) and reason in result.reason


def test_oversize_frame_is_refused_with_a_4_kib_sample() -> None:
    big = json.dumps({"op": "event", "seq": 1, "event": {"text": "字" * 100_000}}, ensure_ascii=False)
    result = read_frame(big)
    assert isinstance(result, FrameError) and "over the 256 KiB limit" in result.reason
    assert len(result.sample.encode()) <= ERROR_SAMPLE_BYTES


def test_frames_round_trip() -> None:
    frame = read_frame(event_frame(7, {"id": "a", "text": "<b>楼上</b>"}))
    assert isinstance(frame, Frame) and frame.op == "event" and frame.body["seq"] == 7
    assert json.loads(hello("desk-01", None, 0)) == {
        "op": "hello",
        "protocol": 1,
        "desk": "desk-01",
        "stream": None,
        "since": 0,
    }
