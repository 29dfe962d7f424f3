"""The desk's languages: Simplified Chinese (shipped, the default) and English (the source strings).

`install_translator(app, lang)` loads `resources/i18n/desk_<lang>.qm`, compiling it from its `.ts`
with pyside6-lrelease when it is missing or older than the `.ts` (someone ran `python main.py`
without `make`). Without a translation the desk runs in English and says so in the log.
Qt itself is imported inside the functions: `main.py` reads `--lang` before any Qt is loaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

log = logging.getLogger("desk.ui")

I18N_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"
DEFAULT_LANG = "zh_CN"
LANGUAGES = ("zh_CN", "en")
_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN", "en": "en", "en_us": "en"}
# the objectName of the translators this module installs (so that it can find and remove them)
_TRANSLATOR_NAME = "duty-desk-translator"


def normalise_lang(value: str) -> str:
    """'zh_CN' or 'en' from the usual spellings (zh, zh-CN, en_US…); ValueError for anything else."""
    lang = _ALIASES.get(value.strip().lower().replace(".utf-8", "").replace(".utf8", ""))
    if lang is None:
        raise ValueError(f"unsupported language {value!r} (choose {' or '.join(LANGUAGES)})")
    return lang


def ts_path(lang: str) -> Path:
    return I18N_DIR / f"desk_{lang}.ts"


def find_lrelease() -> list[str] | None:
    """The command that compiles .ts to .qm: PySide6's lrelease next to this Python, else on PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return [str(beside)]
    for name in ("pyside6-lrelease", "lrelease"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def compile_translation(ts: Path, qm: Path) -> bool:
    """Compile `ts` into `qm` (written whole or not at all); False, logged, if that fails."""
    command = find_lrelease()
    if command is None:
        log.warning("pyside6-lrelease is not installed: cannot compile %s", ts.name)
        return False
    partial = qm.with_name(f".{qm.name}.{os.getpid()}.tmp")
    try:
        qm.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [*command, "-silent", str(ts), "-qm", str(partial)], capture_output=True, text=True, timeout=60
        )
        if proc.returncode != 0 or not partial.exists():
            log.warning("pyside6-lrelease failed on %s: %s", ts.name, (proc.stderr or proc.stdout).strip())
            return False
        partial.replace(qm)  # atomic: a desk starting alongside never reads half a file
        return True
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot compile %s: %s", ts.name, exc)
        return False
    finally:
        partial.unlink(missing_ok=True)


def translation_file(lang: str, qm_dir: Path | None = None) -> Path | None:
    """The compiled translation of `lang`, compiled now if missing or older than its .ts."""
    ts = ts_path(lang)
    qm = (qm_dir or I18N_DIR) / f"desk_{lang}.qm"
    fresh = qm.exists() and (not ts.exists() or qm.stat().st_mtime >= ts.stat().st_mtime)
    if fresh:
        return qm
    if not ts.exists():
        log.warning("no translation source %s", ts)
        return None
    if compile_translation(ts, qm):
        return qm
    # a read-only install: compile where this user may write
    fallback = Path(tempfile.gettempdir()) / f"duty-desk-i18n-{os.getuid()}" / qm.name
    if fallback.parent != qm.parent and compile_translation(ts, fallback):
        return fallback
    return qm if qm.exists() else None  # an older translation beats none


def install_translator(app: QCoreApplication, lang: str, *, qm_dir: Path | None = None) -> bool:
    """Put `lang` in effect for the texts created from now on; False (and English) when its
    translation cannot be loaded. Replaces a translator this function installed before."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    lang = normalise_lang(lang)
    for old in app.findChildren(QTranslator, _TRANSLATOR_NAME):
        app.removeTranslator(old)
        old.setObjectName("")  # Qt deletes it (still the app's child: Python must not delete it too)
        old.deleteLater()
    if lang == "en":
        return True  # the source strings
    qm = translation_file(lang, qm_dir)
    desk = QTranslator(app)
    desk.setObjectName(_TRANSLATOR_NAME)
    if qm is None or not desk.load(str(qm)):
        log.warning("no %s translation could be loaded (%s): the desk runs in English", lang, qm)
        desk.setParent(None)
        return False
    app.installTranslator(desk)
    # Qt's own words (standard buttons, context menus), when PySide6 ships them
    qt = QTranslator(app)
    qt.setObjectName(_TRANSLATOR_NAME)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    else:
        qt.setParent(None)
    return True
