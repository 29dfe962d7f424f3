"""desk.markers: how an elder's marker reads (incident, offline, stale, low battery, normal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk.markers import MarkerRules, MarkerState

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def test_a_position_becomes_stale_just_after_the_configured_time() -> None:
    rules = MarkerRules(stale_after=timedelta(minutes=3))
    assert rules.state(at=NOW - timedelta(minutes=3), now=NOW) is MarkerState.NORMAL
    assert rules.state(at=NOW - timedelta(minutes=3, seconds=1), now=NOW) is MarkerState.STALE
    assert rules.state(at=None, now=NOW) is MarkerState.STALE
    longer = MarkerRules(stale_after=timedelta(minutes=10))
    assert longer.state(at=NOW - timedelta(minutes=9), now=NOW) is MarkerState.NORMAL


def test_battery_at_or_below_the_threshold_is_low() -> None:
    rules = MarkerRules(low_battery=0.2)
    fresh = NOW - timedelta(seconds=20)
    assert rules.state(at=fresh, now=NOW, battery=0.2) is MarkerState.LOW_BATTERY
    assert rules.state(at=fresh, now=NOW, battery=0.21) is MarkerState.NORMAL
    assert rules.state(at=fresh, now=NOW, battery=0.9, device_status="low_battery") is MarkerState.LOW_BATTERY


def test_the_most_urgent_state_wins() -> None:
    rules = MarkerRules()
    old = NOW - timedelta(hours=1)
    assert rules.state(at=old, now=NOW, battery=0.05, device_status="offline", in_incident=True) is (
        MarkerState.INCIDENT
    )
    assert rules.state(at=old, now=NOW, battery=0.05, device_status="offline") is MarkerState.OFFLINE
    assert rules.state(at=old, now=NOW, device_status="not_worn") is MarkerState.OFFLINE
    assert rules.state(at=old, now=NOW, battery=0.05) is MarkerState.STALE


def test_a_stale_time_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        MarkerRules(stale_after=timedelta(0))
