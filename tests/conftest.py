"""Shared test setup: offscreen Qt, settings and data under tmp_path, one qapp (pytest-qt)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, config and data of every test live under its own tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path: Path) -> Iterator[None]:
    """QSettings resolves XDG_CONFIG_HOME once per process, so the per-test XDG_CONFIG_HOME above
    does not reach it after the first test: point it at this test's folder explicitly."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    yield


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.db'}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A writer process a failed test left running would keep a thread waiting on it, and the
    test run from ever exiting (CI hung for its whole 90 minutes so): end them all."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
