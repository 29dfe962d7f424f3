"""Operator → Import directory…: a community's list of elders, staff and teams (CSV or Excel) read and
checked first (`DeskRuntime.preview_import`, nothing written), shown row by row, then imported in one
transaction (`DeskRuntime.import_directory`). With any bad row nothing can be imported: the table names
each bad row and its problem, to be fixed in the file and read again.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

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

from desk.directory import ImportPreview
from desk.incidents import IllegalTransition
from desk.privacy import mask_name
from views.access import permission_refusal
from views.prompts import plain_label

log = logging.getLogger("desk.window")


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
        self.file_label.setText(str(path))
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
            cells = [str(e.row), self.tr("bad row"), "", "", e.problem]
            self._set_row(r, cells)
            r += 1
        for p in preview.profiles:
            what = self.tr("will be changed") if p["ref"] in known else self.tr("will be added")
            kind = kinds.get(p["kind"], p["kind"])
            self._set_row(r, ["", what, p["ref"], kind, mask_name(p["name"])])
            r += 1
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
            text += " " + self.tr("Columns ignored: {0}").format(", ".join(preview.unknown_headers))
        self.summary.setText(text)

    def _set_row(self, r: int, cells: list[str]) -> None:
        for c, text in enumerate(cells):
            self.table.setItem(r, c, QTableWidgetItem(text))

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
            self._show_error(permission_refusal(exc) or str(exc))
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
