"""Operator → Import directory…: a community's list of elders, staff and teams (CSV or Excel) read and
checked first (`DeskRuntime.preview_import`, nothing written), shown row by row, then imported in one
transaction (`DeskRuntime.import_directory`). With any bad row nothing can be imported: the table names
each bad row and its problems (in the operator's language: `problem_text`), to be fixed in the file and
read again.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.directory import ImportPreview, Problem, ProblemCode, RowError
from desk.incidents import IllegalTransition
from desk.privacy import mask_name
from views.access import permission_refusal
from views.labels import QT_TRANSLATE_NOOP, readable_reason
from views.prompts import plain_label

log = logging.getLogger("desk.window")

# the English words of every problem (the same as desk.directory's templates), marked for lupdate
PROBLEM_TEXTS: dict[ProblemCode, str] = {
    ProblemCode.EMPTY_FILE: QT_TRANSLATE_NOOP("DirectoryImportDialog", "the file is empty"),
    ProblemCode.UNREADABLE: QT_TRANSLATE_NOOP("DirectoryImportDialog", "cannot read {0}: {1}"),
    ProblemCode.NO_NAME_COLUMN: QT_TRANSLATE_NOOP("DirectoryImportDialog", "no 姓名 (name) column"),
    ProblemCode.NO_REF_COLUMN: QT_TRANSLATE_NOOP("DirectoryImportDialog", "no 编号 (ref) column"),
    ProblemCode.NO_ROWS: QT_TRANSLATE_NOOP("DirectoryImportDialog", "no rows under the header"),
    ProblemCode.REF_EMPTY: QT_TRANSLATE_NOOP("DirectoryImportDialog", "编号 (ref) is empty"),
    ProblemCode.REF_REPEATS: QT_TRANSLATE_NOOP("DirectoryImportDialog", "编号 {0} repeats row {1}"),
    ProblemCode.NAME_EMPTY: QT_TRANSLATE_NOOP("DirectoryImportDialog", "姓名 (name) is empty"),
    ProblemCode.BAD_KIND: QT_TRANSLATE_NOOP(
        "DirectoryImportDialog", "类型 (kind) {0!r} is not 老人, 工作人员 or 队伍"
    ),
    ProblemCode.BAD_PHONE: QT_TRANSLATE_NOOP("DirectoryImportDialog", "电话 {0!r} is not a phone number"),
    ProblemCode.BAD_ID_NUMBER: QT_TRANSLATE_NOOP(
        "DirectoryImportDialog", "身份证号 is not a valid ID number (length or check digit)"
    ),
    ProblemCode.BAD_BIRTH_YEAR: QT_TRANSLATE_NOOP("DirectoryImportDialog", "出生年份 {0!r} is not a year"),
    ProblemCode.BAD_ROLE: QT_TRANSLATE_NOOP("DirectoryImportDialog", "岗位 {0!r} is not 网格员 or 巡逻"),
}


def problem_text(problem: Problem) -> str:
    """One problem in the operator's language (its values, from the file, as they are)."""
    source = PROBLEM_TEXTS.get(problem.code, problem.code.value)
    template = QCoreApplication.translate("DirectoryImportDialog", source)
    return template.format(*problem.args)


def row_problems_text(error: RowError) -> str:
    """All the problems of a bad row, in the operator's language (a row without codes: its own words)."""
    if not error.problems:
        return error.problem
    separator = QCoreApplication.translate("DirectoryImportDialog", "; ")
    return separator.join(problem_text(p) for p in error.problems)


class DirectoryImportDialog(QDialog):
    """Choose a file (`choose_file`, or `load(path)` directly), read its preview, `run_import()`."""

    def __init__(self, runtime: Any, by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.by = by
        self.preview: ImportPreview | None = None
        self.imported: dict[str, int] | None = None
        self.busy: asyncio.Future[Any] | None = None
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle(self.tr("Import directory"))
        self.setMinimumSize(820, 520)
        lay = QVBoxLayout(self)
        lay.addWidget(
            plain_label(
                self.tr(
                    "Elders, staff and teams from a CSV or Excel file (the first row names the columns:"
                    " 编号, 类型, 姓名, 电话, 住址, …). Nothing is written until every row is good."
                ),
                wrap=True,
            )
        )
        top = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("Choose a file…"))
        self.choose_button.clicked.connect(self.choose_file)
        top.addWidget(self.choose_button)
        self.file_label = plain_label()
        top.addWidget(self.file_label, 1)
        lay.addLayout(top)
        self.summary = plain_label(wrap=True)
        lay.addWidget(self.summary)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Row"),
                self.tr("What happens"),
                self.tr("Ref"),
                self.tr("Kind"),
                self.tr("Name / problem"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table)
        self.error = plain_label(wrap=True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setEnabled(False)
        self.import_button.setToolTip(self.tr("Choose a file first."))
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(lambda: self._run(self.run_import()))
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    # ---- the file --------------------------------------------------------------------------------
    def choose_file(self) -> None:
        """A file dialog (window-modal, no nested loop); the chosen file is read at once."""
        self.file_dialog = QFileDialog(
            self, self.tr("Directory file"), "", self.tr("Directory files (*.csv *.xlsx);;All files (*)")
        )
        self.file_dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.file_dialog.fileSelected.connect(lambda path: self._run(self.load(Path(path))))
        self.file_dialog.open()

    async def load(self, path: Path) -> bool:
        """Read and check `path` (nothing written); the table shows what would happen. True when it can be
        imported."""
        self._show_error("")
        self.imported = None
        # the name (a deep folder's whole path would widen the dialog past the screen), the path on hover
        self.file_label.setText(path.name)
        self.file_label.setToolTip(str(path))
        try:
            preview: ImportPreview = await self.runtime.preview_import(self.by, path)
        except IllegalTransition as exc:
            self.preview = None
            self._show_error(permission_refusal(exc) or str(exc))
            self._update_button()
            return False
        refs = [p["ref"] for p in preview.profiles]
        known = await asyncio.to_thread(self._known, refs)
        self.preview = preview
        self._fill(preview, known)
        self._update_button()
        return preview.ok

    def _known(self, refs: list[str]) -> set[str]:
        store = self.runtime.store
        return {ref for ref in refs if store.profile(ref) is not None}

    def _fill(self, preview: ImportPreview, known: set[str]) -> None:
        errors = sorted(preview.errors, key=lambda e: e.row)
        self.table.setRowCount(len(errors) + len(preview.profiles))
        kinds = {"elder": self.tr("elder"), "staff": self.tr("staff"), "team": self.tr("team")}
        r = 0
        for e in errors:
            problems = row_problems_text(e)
            self._set_row(r, [str(e.row), self.tr("bad row"), "", "", problems])[4].setToolTip(problems)
            r += 1
        for p in preview.profiles:
            what = self.tr("will be changed") if p["ref"] in known else self.tr("will be added")
            kind = kinds.get(p["kind"], p["kind"])
            self._set_row(r, ["", what, p["ref"], kind, mask_name(p["name"])])
            r += 1
        # a row with many problems wraps instead of being cut (measured for the few bad rows, not every row)
        least = self.table.verticalHeader().defaultSectionSize()
        for r in range(len(errors)):
            self.table.setRowHeight(r, max(least, self.table.sizeHintForRow(r) + 6))
        added = sum(1 for p in preview.profiles if p["ref"] not in known)
        changed = len(preview.profiles) - added
        if preview.errors:
            text = self.tr(
                "%n bad row(s): nothing can be imported. Fix them in the file and choose it again.",
                "",
                len(preview.errors),
            )
        elif not preview.profiles:
            text = self.tr("The file holds no rows to import.")
        else:
            text = self.tr("Ready: {0} to add, {1} to change.").format(added, changed)
        if preview.unknown_headers:
            ignored = self.tr(", ").join(preview.unknown_headers)
            text += " " + self.tr("Columns ignored: {0}").format(ignored)
        self.summary.setText(text)

    def _set_row(self, r: int, cells: list[str]) -> list[QTableWidgetItem]:
        items = [QTableWidgetItem(text) for text in cells]
        for c, item in enumerate(items):
            self.table.setItem(r, c, item)
        return items

    def _update_button(self) -> None:
        ok = self.preview is not None and self.preview.ok and self.imported is None
        self.import_button.setEnabled(ok)
        if ok:
            self.import_button.setToolTip(self.tr("Write every row in one go."))
        elif self.preview is None:
            self.import_button.setToolTip(self.tr("Choose a file first."))
        elif self.imported is not None:
            self.import_button.setToolTip(self.tr("Imported."))
        else:
            self.import_button.setToolTip(self.tr("Nothing can be imported while a row is bad."))

    # ---- the import ------------------------------------------------------------------------------
    async def run_import(self) -> bool:
        if self.preview is None or not self.preview.ok:
            return False
        self._show_error("")
        self.import_button.setEnabled(False)
        try:
            counts: dict[str, int] = await self.runtime.import_directory(self.by, self.preview)
        except IllegalTransition as exc:
            # the services refuse a permission, or a preview with a bad row (the button prevents that)
            self._show_error(permission_refusal(exc) or self.tr("Nothing was imported: a row is bad."))
            self._update_button()
            return False
        except Exception as exc:  # the database refuses to write, …
            log.warning("the directory import failed: %s", exc)
            self._show_error(self.tr("Nothing was imported: {0}").format(readable_reason(str(exc))))
            self._update_button()
            return False
        self.imported = counts
        self.summary.setText(
            self.tr("Imported from {0}: {1} added, {2} changed.").format(
                self.preview.source, counts.get("added", 0), counts.get("updated", 0)
            )
        )
        self._update_button()
        return True

    def _run(self, work: Any) -> None:
        async def run() -> None:
            await work

        self.busy = asyncio.ensure_future(run())
        self.busy.add_done_callback(_log_failure)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("directory import failed", exc_info=task.exception())
