"""The CES/1 validator: every example as the protocol says, and arbitrary JSON never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.events import EventType, Invalid, ValidEvent, parse_time, validate
from tests.support.events import examples


@pytest.mark.parametrize("event", examples("valid"), ids=lambda e: e["id"])
def test_every_valid_example_is_accepted(event: dict) -> None:
    result = validate(event)
    assert isinstance(result, ValidEvent), getattr(result, "reason", "")
    assert result.id == event["id"]
    assert result.type == EventType(event["type"])


EXPECTED_REASONS = [
    "missing field 'id'",
    "'time' 'yesterday' is not RFC 3339",
    "latitude 131.0 is out of range",
    "unknown type 'teleport'",
    "'text' is empty",
    "'state' is 'maybe'",
    "is not 1–128 characters",
]


@pytest.mark.parametrize(("event", "reason"), list(zip(examples("invalid"), EXPECTED_REASONS, strict=True)))
def test_every_invalid_example_has_a_readable_reason(event: dict, reason: str) -> None:
    result = validate(event)
    assert isinstance(result, Invalid)
    assert reason in result.reason


def test_unknown_fields_are_kept_and_ignored() -> None:
    event = {**examples("valid")[0], "vendor_extra": {"x": 1}}
    result = validate(event)
    assert isinstance(result, ValidEvent)
    assert result.data["vendor_extra"] == {"x": 1}


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"confidence": 1.5}, "'confidence' must be a number from 0 to 1"),
        ({"time": "2026-12-04T02:13:05"}, "not RFC 3339 with an offset"),
        ({"location": {"lat": 31.8, "lon": 117.2, "crs": "bd09"}}, "crs 'bd09'"),
        ({"elder": None}, "missing field 'elder'"),
        ({"source": "x" * 65}, "'source' has 65 characters"),
        ({"id": "a" * 129}, "is not 1–128 characters"),
        ({"confidence": True}, "'confidence' must be a number"),
    ],
)
def test_fall_field_rules(patch: dict, reason: str) -> None:
    event = {**examples("valid")[0], **patch}
    result = validate(event)
    assert isinstance(result, Invalid)
    assert reason in result.reason


def test_position_needs_a_location() -> None:
    event = {"id": "p1", "type": "position", "source": "x", "time": "2026-12-04T02:13:05Z", "subject": "E-1"}
    result = validate(event)
    assert isinstance(result, Invalid) and "location" in result.reason


def test_grievance_text_limit() -> None:
    base = next(e for e in examples("valid") if e["type"] == "grievance")
    assert isinstance(validate({**base, "text": "字" * 4000}), ValidEvent)
    result = validate({**base, "text": "字" * 4001})
    assert isinstance(result, Invalid) and "4001 characters" in result.reason


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-12-04T21:13:05+08:00", True),
        ("2026-12-04T13:13:05Z", True),
        ("2026-12-04T13:13:05.123456789Z", True),
        ("2026-12-04 13:13:05+00:00", True),
        ("2026-12-04T13:13:05", False),
        ("2026-13-04T13:13:05Z", False),
        ("2026-12-04T25:13:05Z", False),
        ("04/12/2026", False),
    ],
)
def test_rfc3339(text: str, ok: bool) -> None:
    assert (parse_time(text) is not None) is ok


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=30,
)
FIELDS = st.sampled_from(
    [
        "id",
        "type",
        "source",
        "time",
        "location",
        "elder",
        "device",
        "kind",
        "state",
        "site",
        "text",
        "channel",
        "category",
        "subject",
        "status",
        "task",
        "by",
        "ref",
        "name",
        "contacts",
        "home",
        "reporter",
        "members",
        "battery",
        "confidence",
    ]
)
EVENTISH = st.dictionaries(
    FIELDS,
    JSON
    | st.sampled_from(
        [
            "fall",
            "sos",
            "alarm",
            "grievance",
            "position",
            "device",
            "task",
            "profile",
            "2026-12-04T02:13:05+08:00",
        ]
    ),
)


@settings(max_examples=400, deadline=None)
@given(obj=JSON | EVENTISH)
def test_validator_never_raises_and_always_decides(obj: object) -> None:
    result = validate(obj)
    assert isinstance(result, ValidEvent | Invalid)
    if isinstance(result, Invalid):
        assert result.reason.strip()
    else:
        json.dumps(result.data)  # what was applied is still plain JSON
