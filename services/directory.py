"""Reading a community's directory file (CSV in UTF-8 or GBK, or Excel .xlsx through openpyxl)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from desk.directory import ImportPreview, Problem, ProblemCode, RowError, parse_rows


def read_rows(path: Path) -> list[list[Any]]:
    """The first sheet's (or the CSV's) rows as values."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [list(r) for r in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError("unreadable text")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def preview_file(path: Path, default_kind: str | None = None) -> ImportPreview:
    """Parse and check a directory file; a file that cannot be read is one error on row 1."""
    try:
        rows = read_rows(path)
    except Exception as exc:  # a broken spreadsheet, a file that is not one
        problem = Problem(ProblemCode.UNREADABLE, (path.name, str(exc)))
        return ImportPreview(str(path), [], errors=[RowError.of(1, problem)])
    return parse_rows(rows, path.name, default_kind)
