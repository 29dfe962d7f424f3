"""The layers of CONVENTIONS.md as checks: import-linter contracts and the Qt version pin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from views.queue import QueueModel

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout


def test_pyside_is_below_the_broken_release() -> None:
    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), "PySide6 6.12 aborts in model calls on Python 3.11 (none_dealloc)"


def test_model_calls_returning_none_do_not_crash(qapp: object) -> None:
    """Regression guard for the 6.12 none_dealloc abort: thousands of data() calls answering None."""
    model: QAbstractTableModel = QueueModel()
    index = model.index(0, 0)  # invalid: no rows
    nones = 0
    for _ in range(20000):
        if model.data(index, Qt.ItemDataRole.DisplayRole) is None:
            nones += 1
        if model.headerData(0, Qt.Orientation.Vertical) is None:
            nones += 1
        QModelIndex().data()
    assert nones == 40000


def _imports(folder: str) -> set[tuple[str, str]]:
    import ast

    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(ROOT)), node.module))
            elif isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), a.name) for a in node.names}
    return found


def test_services_use_qt_core_only() -> None:
    # import-linter cannot forbid a subpackage of an external package, so this reads the imports itself
    qt = {(f, m) for f, m in _imports("services") if m.startswith("PySide6")}
    assert qt, "services talk to the UI through QtCore signals"
    assert {m for _, m in qt} <= {"PySide6.QtCore", "PySide6"}, qt
