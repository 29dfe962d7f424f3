"""The Qt face of the running desk: signals the views connect to.

Signals (past tense):
- feed_status_changed(FeedStatus): a feed's state or health figures changed.
- changes_committed(Changes): one unit of work was committed; it names what changed.
- storage_trouble(str | None): the database refuses to write (the reason), or takes writes again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desk.feeds import FeedStatus
from services.store import Changes


class DeskSignals(QObject):
    feed_status_changed = Signal(object)
    changes_committed = Signal(object)
    storage_trouble = Signal(object)

    def emit_feed_status(self, status: FeedStatus) -> None:
        self.feed_status_changed.emit(status)

    def emit_changes(self, changes: Changes) -> None:
        self.changes_committed.emit(changes)

    def emit_storage_trouble(self, reason: str | None) -> None:
        self.storage_trouble.emit(reason)
