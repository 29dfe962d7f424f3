"""Screenshots that tests take: kept under docs/screenshots/ for the README when asked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def keep_for_docs(shot: Path) -> None:
    """With DESK_SAVE_SCREENSHOTS=1, copy `shot` to docs/screenshots/ under its own name."""
    if os.environ.get("DESK_SAVE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / shot.name)
