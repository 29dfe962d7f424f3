"""Scripted scenarios: a JSONL file of ``{"at": seconds_after_start, "event": {...}}`` lines.

The simulator fills what a line leaves out (id, time, source, the elder's device and whereabouts),
so a scenario can say no more than ``{"type": "fall", "elder": "E-0042"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class ScenarioError(ValueError):
    """A scenario file that cannot be read; the message names the file and the line."""


def load_scenario(path: Path) -> list[tuple[float, dict[str, Any]]]:
    """The steps of a scenario file, in the order of their ``at``."""
    steps: list[tuple[float, dict[str, Any]]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ScenarioError(f"{where}: not JSON ({exc})") from exc
        if not isinstance(obj, dict):
            raise ScenarioError(f"{where}: a line must be a JSON object")
        at, event = obj.get("at"), obj.get("event")
        if isinstance(at, bool) or not isinstance(at, int | float) or at < 0:
            raise ScenarioError(f"{where}: 'at' must be a number of seconds >= 0")
        if not isinstance(event, dict):
            raise ScenarioError(f"{where}: 'event' must be an object")
        steps.append((float(at), event))
    steps.sort(key=lambda step: step[0])
    return steps
