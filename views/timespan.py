"""Spans of time as the operator reads them (37 s, 4 min 09 s, 1 h 05 min, 2 d), translated."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def span_text(seconds: float) -> str:
    """A span of time (its sign ignored), in the current language."""
    secs = max(0, int(abs(seconds)))
    if secs < 60:
        return QCoreApplication.translate("TimeSpan", "{0} s").format(secs)
    if secs < 3600:
        return QCoreApplication.translate("TimeSpan", "{0} min {1} s").format(secs // 60, f"{secs % 60:02d}")
    if secs < 86400:
        return QCoreApplication.translate("TimeSpan", "{0} h {1} min").format(
            secs // 3600, f"{secs % 3600 // 60:02d}"
        )
    return QCoreApplication.translate("TimeSpan", "{0} d").format(secs // 86400)


# the widest age a column must hold without cutting it (a day and more is shorter again)
AGE_SAMPLE = (23 * 3600 + 59 * 60, 59 * 60 + 59)


def widest_age_texts() -> list[str]:
    """Ages as wide as a column ever shows, in the current language (for sizing it once)."""
    return [span_text(s) for s in AGE_SAMPLE]
