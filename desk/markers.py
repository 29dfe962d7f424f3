"""What an elder's marker on the map says: normal, in an incident, low battery, stale, offline.

Pure rules over the last position, the device's status and the open incidents; the map view
colours markers by the state, the legend names them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

#: a position older than this is stale (configurable: `MarkerRules.stale_after`)
DEFAULT_STALE_AFTER = timedelta(minutes=5)
#: a battery at or below this share is low
DEFAULT_LOW_BATTERY = 0.2
OFFLINE_STATUSES = frozenset({"offline", "not_worn"})


class MarkerState(StrEnum):
    """From the most to the least urgent: the first that applies is shown."""

    INCIDENT = "incident"
    OFFLINE = "offline"
    STALE = "stale"
    LOW_BATTERY = "low_battery"
    NORMAL = "normal"


class MarkerRules:
    def __init__(
        self, stale_after: timedelta = DEFAULT_STALE_AFTER, low_battery: float = DEFAULT_LOW_BATTERY
    ) -> None:
        if stale_after <= timedelta(0):
            raise ValueError("stale_after must be positive")
        self.stale_after = stale_after
        self.low_battery = low_battery

    def is_stale(self, at: datetime | None, now: datetime) -> bool:
        return at is None or now - at > self.stale_after

    def state(
        self,
        *,
        at: datetime | None,
        now: datetime,
        battery: float | None = None,
        device_status: str | None = None,
        in_incident: bool = False,
    ) -> MarkerState:
        """The marker of one elder: an open incident first, then offline, stale, low battery."""
        if in_incident:
            return MarkerState.INCIDENT
        if device_status in OFFLINE_STATUSES:
            return MarkerState.OFFLINE
        if self.is_stale(at, now):
            return MarkerState.STALE
        if device_status == "low_battery" or (battery is not None and battery <= self.low_battery):
            return MarkerState.LOW_BATTERY
        return MarkerState.NORMAL
