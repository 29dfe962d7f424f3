"""What a person reads in a window or dialog, for the language tests: every visible label, button,
group title, placeholder, tool tip, combo box entry, table header and cell, and the window title."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QWidget,
)

#: a word of two or more Latin letters (a ref such as E-0101 or a year such as 19x9 is not one)
WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def shown_texts(root: QWidget) -> list[str]:
    """The texts of `root` and of its visible children (those it shows, not what it hides)."""
    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts += [w.text(), w.toolTip()]
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTableWidget):
            for c in range(w.columnCount()):
                header = w.horizontalHeaderItem(c)
                texts.append(header.text() if header is not None else "")
                for r in range(w.rowCount()):
                    item = w.item(r, c)
                    texts += [item.text(), item.toolTip()] if item is not None else []
    return [t for t in texts if t]


def english_words(texts: Iterable[str], allowed: Iterable[str] = ()) -> dict[str, list[str]]:
    """Each text with a Latin word in it that is not `allowed` (names, file formats), with those words."""
    ok = set(allowed)
    found = {t: [w for w in WORD.findall(t) if w not in ok] for t in texts}
    return {t: words for t, words in found.items() if words}
