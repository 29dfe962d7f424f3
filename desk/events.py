"""CES/1 events (section 3): validation of every type into typed values, never raising.

`validate(obj)` answers either a `ValidEvent` or an `Invalid` with a reason a person can read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
# RFC 3339 with a mandatory offset (Z or ±hh:mm); fractional seconds allowed.
RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+\-]\d{2}:\d{2})$"
)


class EventType(StrEnum):
    FALL = "fall"
    SOS = "sos"
    ALARM = "alarm"
    GRIEVANCE = "grievance"
    POSITION = "position"
    DEVICE = "device"
    TASK = "task"
    PROFILE = "profile"


ALARM_KINDS = frozenset(
    {
        "door_forced",
        "door_held",
        "face_watchlist",
        "vehicle_watchlist",
        "intrusion",
        "smoke",
        "fire",
        "gas",
        "water_leak",
        "elevator_entrapment",
        "camera_offline",
        "tamper",
        "other",
    }
)
ALARM_STATES = frozenset({"raised", "cleared"})
SEVERITIES = frozenset({"critical", "high", "medium", "low"})
CHANNELS = frozenset({"wechat", "hotline", "app", "walk_in", "other"})
CATEGORIES = frozenset(
    {"noise", "sanitation", "animals", "parking", "repairs", "safety", "neighbours", "elderly_care", "other"}
)
DEVICE_STATUSES = frozenset({"online", "offline", "low_battery", "not_worn", "charging"})
TASK_STATUSES = frozenset({"accepted", "declined", "en_route", "on_scene", "completed", "unable"})
PROFILE_KINDS = frozenset({"elder", "staff", "team"})
STAFF_ROLES = frozenset({"grid", "patrol"})
CRS_VALUES = frozenset({"wgs84", "gcj02"})


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    crs: str = "wgs84"
    accuracy_m: float | None = None
    place: str | None = None


@dataclass(frozen=True, slots=True)
class ValidEvent:
    """An event that passed validation: common fields typed, the whole object kept in `data`."""

    id: str
    type: EventType
    source: str
    time: datetime
    location: Location | None
    data: Mapping[str, Any] = field(repr=False)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        return float(value) if isinstance(value, int | float) and _is_number(value) else None


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why an event was quarantined; `id`/`type` are kept when they could be read."""

    reason: str
    id: str | None = None
    type: str | None = None


class _Reject(Exception):
    pass


def _is_number(value: object) -> bool:
    kind = type(value)  # exact types: a bool is not a number here
    return kind is int or (kind is float and math.isfinite(value))  # type: ignore[arg-type]


_TIMES: dict[str, datetime | None] = {}


def parse_time(value: object) -> datetime | None:
    """RFC 3339 with an offset, or None (cached: a burst of events shares its seconds)."""
    if not isinstance(value, str):
        return None
    if value in _TIMES:
        return _TIMES[value]
    if len(_TIMES) > 20_000:
        _TIMES.clear()
    parsed = _TIMES[value] = _parse_time(value)
    return parsed


def _parse_time(value: str) -> datetime | None:
    if not RFC3339_RE.match(value):
        return None
    text = value.replace("z", "Z").replace("t", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    frac = re.search(r"\.(\d+)", text)
    if frac and len(frac.group(1)) > 6:  # Python keeps microseconds
        text = text.replace(frac.group(0), "." + frac.group(1)[:6])
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(
    obj: Mapping[str, Any], key: str, *, lo: int = 1, hi: int = 1000, required: bool = True
) -> str | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _Reject(f"missing field '{key}'")
        return None
    value = obj[key]
    if not isinstance(value, str):
        raise _Reject(f"'{key}' must be text, not {type(value).__name__}")
    if not lo <= len(value) <= hi:
        if not value:
            raise _Reject(f"'{key}' is empty")
        raise _Reject(f"'{key}' has {len(value)} characters (allowed {lo}–{hi})")
    return value


def _choice(
    obj: Mapping[str, Any], key: str, allowed: frozenset[str], *, required: bool = True
) -> str | None:
    value = _text(obj, key, hi=64, required=required)
    if value is not None and value not in allowed:
        raise _Reject(f"'{key}' is {value!r}, not one of {', '.join(sorted(allowed))}")
    return value


def _fraction(obj: Mapping[str, Any], key: str) -> None:
    if key in obj and obj[key] is not None:
        value = obj[key]
        if not _is_number(value) or not 0 <= value <= 1:
            raise _Reject(f"'{key}' must be a number from 0 to 1, not {value!r}")


def _non_negative(obj: Mapping[str, Any], key: str) -> None:
    if key in obj and obj[key] is not None:
        value = obj[key]
        if not _is_number(value) or value < 0:
            raise _Reject(f"'{key}' must be a number ≥ 0, not {value!r}")


def _lat_lon(obj: Mapping[str, Any], where: str) -> tuple[float, float]:
    lat, lon = obj.get("lat"), obj.get("lon")
    if lat is None or lon is None:
        raise _Reject(f"{where} needs 'lat' and 'lon'")
    if not _is_number(lat) or not -90 <= lat <= 90:
        raise _Reject(f"{where} latitude {lat!r} is out of range (−90 to 90)")
    if not _is_number(lon) or not -180 <= lon <= 180:
        raise _Reject(f"{where} longitude {lon!r} is out of range (−180 to 180)")
    return float(lat), float(lon)


def _location(value: object, where: str = "location") -> Location:
    if not isinstance(value, dict):
        raise _Reject(f"'{where}' must be an object")
    lat, lon = _lat_lon(value, where)
    crs = value.get("crs", "wgs84")
    if crs is None:
        crs = "wgs84"
    if crs not in CRS_VALUES:
        raise _Reject(f"{where} crs {crs!r} is not wgs84 or gcj02")
    _non_negative(value, "accuracy_m")
    place = _text(value, "place", hi=500, required=False)
    acc = value.get("accuracy_m")
    return Location(lat, lon, str(crs), float(acc) if acc is not None else None, place)


def _list_of_text(obj: Mapping[str, Any], key: str) -> None:
    if key in obj and obj[key] is not None:
        value = obj[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _Reject(f"'{key}' must be a list of text")


def _check_fall(obj: Mapping[str, Any]) -> None:
    _text(obj, "device", hi=128)
    _text(obj, "elder", hi=128)
    _fraction(obj, "confidence")


def _check_sos(obj: Mapping[str, Any]) -> None:
    _text(obj, "device", hi=128)
    _text(obj, "elder", hi=128)


def _check_alarm(obj: Mapping[str, Any]) -> None:
    _choice(obj, "kind", ALARM_KINDS)
    _choice(obj, "state", ALARM_STATES)
    _text(obj, "site", hi=500)
    _text(obj, "device", hi=128, required=False)
    _choice(obj, "severity", SEVERITIES, required=False)


def _check_grievance(obj: Mapping[str, Any]) -> None:
    _choice(obj, "channel", CHANNELS)
    _choice(obj, "category", CATEGORIES)
    _text(obj, "text", hi=4000)
    _text(obj, "title", hi=500, required=False)
    reporter = obj.get("reporter")
    if reporter is not None:
        if not isinstance(reporter, dict):
            raise _Reject("'reporter' must be an object")
        for key in ("name", "phone", "address"):
            _text(reporter, key, hi=500, required=False)


def _check_position(obj: Mapping[str, Any]) -> None:
    _text(obj, "subject", hi=128)
    if obj.get("location") is None:
        raise _Reject("missing field 'location' (required for a position)")
    _fraction(obj, "battery")
    _non_negative(obj, "speed_mps")


def _check_device(obj: Mapping[str, Any]) -> None:
    _text(obj, "device", hi=128)
    _text(obj, "elder", hi=128, required=False)
    _choice(obj, "status", DEVICE_STATUSES)
    _fraction(obj, "battery")


def _check_task(obj: Mapping[str, Any]) -> None:
    _text(obj, "task", hi=128)
    _choice(obj, "status", TASK_STATUSES)
    _text(obj, "by", hi=128)
    _text(obj, "note", hi=4000, required=False)


def _check_profile(obj: Mapping[str, Any]) -> None:
    kind = _choice(obj, "kind", PROFILE_KINDS)
    _text(obj, "ref", hi=128)
    _text(obj, "name", hi=200)
    if kind == "elder":
        by = obj.get("birth_year")
        if by is not None and (not isinstance(by, int) or isinstance(by, bool) or not 1880 <= by <= 2100):
            raise _Reject(f"'birth_year' {by!r} is not a plausible year")
        _text(obj, "address", hi=500, required=False)
        _list_of_text(obj, "conditions")
        contacts = obj.get("contacts")
        if contacts is not None:
            if not isinstance(contacts, list):
                raise _Reject("'contacts' must be a list")
            for i, contact in enumerate(contacts):
                if not isinstance(contact, dict):
                    raise _Reject(f"contact {i + 1} must be an object")
                for key in ("name", "relation", "phone"):
                    _text(contact, key, hi=200)
        _text(obj, "device", hi=128, required=False)
        if obj.get("home") is not None:
            if not isinstance(obj["home"], dict):
                raise _Reject("'home' must be an object with lat and lon")
            _lat_lon(obj["home"], "home")
        _non_negative(obj, "safe_radius_m")
    elif kind == "staff":
        _choice(obj, "role", STAFF_ROLES)
        for key in ("team", "grid", "phone"):
            _text(obj, key, hi=128, required=False)
    else:
        members = obj.get("members")
        if members is not None and (
            not isinstance(members, list) or not all(isinstance(m, str) for m in members)
        ):
            raise _Reject("'members' must be a list of refs")


_CHECKS: dict[EventType, Callable[[Mapping[str, Any]], None]] = {
    EventType.FALL: _check_fall,
    EventType.SOS: _check_sos,
    EventType.ALARM: _check_alarm,
    EventType.GRIEVANCE: _check_grievance,
    EventType.POSITION: _check_position,
    EventType.DEVICE: _check_device,
    EventType.TASK: _check_task,
    EventType.PROFILE: _check_profile,
}
_TYPES = {t.value: t for t in EventType}


def validate(obj: object) -> ValidEvent | Invalid:
    """Validate one decoded event object; never raises."""
    try:
        return _validate(obj)
    except _Reject as exc:
        raw_id = obj.get("id") if isinstance(obj, dict) else None
        raw_type = obj.get("type") if isinstance(obj, dict) else None
        return Invalid(
            str(exc),
            raw_id if isinstance(raw_id, str) and ID_RE.match(raw_id) else None,
            raw_type if isinstance(raw_type, str) else None,
        )
    except Exception as exc:  # a validator bug must quarantine, never stop the stream
        return Invalid(f"could not be checked: {type(exc).__name__}: {str(exc)[:200]}")


def _validate(obj: object) -> ValidEvent:
    if not isinstance(obj, dict):
        raise _Reject(f"the event is not an object but {type(obj).__name__}")
    event_id = obj.get("id")
    if event_id is None:
        raise _Reject("missing field 'id'")
    if not isinstance(event_id, str) or not ID_RE.match(event_id):
        shown = repr(event_id)[:80]
        raise _Reject(f"'id' {shown} is not 1–128 characters of A–Z a–z 0–9 . _ : -")
    raw_type = obj.get("type")
    if raw_type is None:
        raise _Reject("missing field 'type'")
    etype = _TYPES.get(raw_type) if isinstance(raw_type, str) else None
    if etype is None:
        raise _Reject(f"unknown type {str(raw_type)[:64]!r}")
    source = _text(obj, "source", hi=64)
    assert source is not None
    if "time" not in obj:
        raise _Reject("missing field 'time'")
    when = parse_time(obj["time"])
    if when is None:
        raise _Reject(f"'time' {str(obj['time'])[:64]!r} is not RFC 3339 with an offset")
    location = _location(obj["location"]) if obj.get("location") is not None else None
    _CHECKS[etype](obj)
    return ValidEvent(event_id, etype, source, when, location, obj)
