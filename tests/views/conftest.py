"""The window's languages for view tests: `zh` puts the shipped Chinese translation in effect for one
test, `en` the English source strings; both leave the shared qapp without a translator after.

The translation is compiled from resources/i18n/*.ts into a folder of this test session, so the
tests read the current .ts and never depend on a prior `make`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from views.i18n import install_translator


@pytest.fixture(scope="session")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("i18n")


@pytest.fixture
def zh(qapp: QApplication, qm_dir: Path) -> Iterator[None]:
    assert install_translator(qapp, "zh_CN", qm_dir=qm_dir), "the zh_CN translation did not load"
    yield
    install_translator(qapp, "en")


@pytest.fixture
def en(qapp: QApplication) -> Iterator[None]:
    assert install_translator(qapp, "en")
    yield
