"""Small builders of CES/1 events for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"


def examples(name: str) -> list[dict[str, Any]]:
    """The protocol's example events (copied from the shared protocol folder into tests/data)."""
    lines = (DATA / f"ces-{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def fall(n: int, elder: str = "E-0042", minute: int = 0, second: int = 0) -> dict[str, Any]:
    return {
        "id": f"fall-{n}",
        "type": "fall",
        "source": "fall-detectors",
        "time": f"2026-12-04T02:{minute:02d}:{second:02d}+08:00",
        "device": "FD-7731",
        "elder": elder,
        "confidence": 0.9,
        "location": {"lat": 31.8612, "lon": 117.2598, "place": "丁香家园二期 3栋"},
    }


def position(n: int, subject: str = "E-0001", second: int = 0) -> dict[str, Any]:
    return {
        "id": f"pos-{n}",
        "type": "position",
        "source": "fall-detectors",
        "time": f"2026-12-04T02:{(second // 60) % 60:02d}:{second % 60:02d}+08:00",
        "subject": subject,
        "location": {"lat": 31.86 + n * 1e-6, "lon": 117.26},
        "battery": 0.5,
    }


def alarm(
    n: int, kind: str = "smoke", state: str = "raised", device: str = "SMK-1", minute: int = 0
) -> dict[str, Any]:
    return {
        "id": f"alarm-{n}",
        "type": "alarm",
        "source": "security",
        "time": f"2026-12-04T03:{minute:02d}:00+08:00",
        "kind": kind,
        "state": state,
        "site": "5栋 3楼 楼道",
        "device": device,
        "severity": "critical",
    }
