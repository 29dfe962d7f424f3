"""The shift service: open a shift, hand it over with its report, the two signatures, the shift log.

Writes go through the writer (in order with the ingest); reads run in a thread; the report's charts
are drawn on the calling (GUI) thread by the renderer the composition root gives.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from desk.auth import Operator, Permission, PermissionDenied, allowed
from desk.incidents import IllegalTransition
from desk.shifts import (
    Shift,
    ShiftError,
    ShiftLogEntry,
    SignedReport,
    build_report,
    canonical,
    summary,
)
from desk.sla import SlaPolicy
from services.reports import ChartRenderer, report_html
from services.store import Store

log = logging.getLogger("desk.shift")


class Writer(Protocol):
    """services.ingest.IngestService: a store write after everything queued before it."""

    def write(self, method: str, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


class ShiftService:
    """The desk's shifts and their reports, for the window and the managers' review."""

    def __init__(
        self,
        store: Store | None,
        ingest: Writer | None,
        desk_id: str,
        policy: SlaPolicy,
        charts: ChartRenderer | None = None,
        authorize: Callable[[Permission], object] | None = None,
        check_signer: Callable[[str, str], Awaitable[Operator]] | None = None,
        signed_in: Callable[[], Operator | None] | None = None,
    ) -> None:
        self._store = store
        #: a signer's user name and password -> that person (services.auth.AuthService.check_password)
        self._check_signer = check_signer
        self._signed_in = signed_in
        #: asks whether the signed-in operator may (DeskRuntime.authorize_current); None: nobody may write
        self._authorize = authorize
        self._ingest = ingest
        self.desk_id = desk_id
        self.policy = policy
        self.charts = charts

    @property
    def available(self) -> bool:
        """False for a window built around a stand-in runtime (tests of the layout)."""
        return self._store is not None and self._ingest is not None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the shift service has no store")
        return self._store

    @property
    def ingest(self) -> Writer:
        if self._ingest is None:
            raise RuntimeError("the shift service has no writer")
        return self._ingest

    def _require(self, permission: Permission) -> None:
        if self._authorize is None:
            raise PermissionDenied(None, permission)
        self._authorize(permission)

    async def current(self) -> Shift | None:
        return await asyncio.to_thread(self.store.current_shift, self.desk_id)

    async def open(self, lead: str, staff: Sequence[str], by: str) -> Shift:
        self._require(Permission.SHIFT)
        shift: Shift = await self.ingest.write("open_shift", self.desk_id, lead, list(staff), by)
        log.info("shift %d opened by %s", shift.id, shift.lead)
        return shift

    async def hand_over(self, shift_id: int, incoming: str, notes: str | None, by: str) -> SignedReport:
        """Close the shift to the incoming lead and keep its handover report (to be signed)."""
        self._require(Permission.SHIFT)
        shift: Shift = await self.ingest.write("close_shift", shift_id, incoming, notes, by)
        log.info("shift %d handed over to %s", shift.id, shift.handed_to)
        return await self.generate(shift.id, "handover", by)

    async def generate(self, shift_id: int, kind: str, by: str, end: datetime | None = None) -> SignedReport:
        """Compute the figures (in a thread), draw the charts (here), keep the report with its hash."""
        self._require(Permission.REPORTS)
        shift = await asyncio.to_thread(self.store.shift, shift_id)
        if shift is None:
            raise LookupError(f"no shift {shift_id}")
        data = await asyncio.to_thread(self.store.report_input, shift, end)
        report = await asyncio.to_thread(build_report, data, self.policy)
        page = report_html(report, self.charts)
        figures = canonical(summary(report))
        saved: SignedReport = await self.ingest.write(
            "save_report", shift.id, kind, by, (data.start, data.end), page, figures
        )
        return saved

    def signed_in(self) -> str | None:
        """The user name of the operator signed in at this desk (the outgoing lead, usually)."""
        op = self._signed_in() if self._signed_in is not None else None
        return op.username if op is not None else None

    async def sign(
        self, report_id: int, username: str, password: str, *, incoming: bool, confirmed: bool = False
    ) -> SignedReport:
        """A lead signs with their own account, wherever the desk's operator is signed in: their user
        name and password are checked (a wrong one counts toward the lock-out like a sign-in), their
        role must run shifts, and the signature carries their name and user name."""
        if self._check_signer is None:
            raise ShiftError("signatures cannot be checked at this desk (no accounts)")
        if not password:
            raise ShiftError("a signature needs the signer's password")
        try:
            signer = await self._check_signer(username, password)
        except IllegalTransition as exc:  # services.auth.SignInRefused: wrong password, locked, disabled
            raise ShiftError(f"not signed: {exc}") from exc
        if not allowed(signer.role, Permission.SHIFT):
            raise ShiftError(f"not signed: {signer.label} is not a shift lead")
        by = signer.username if signer.label == signer.username else f"{signer.label} ({signer.username})"
        signed: SignedReport = await self.ingest.write(
            "sign_report", report_id, by, incoming=incoming, confirmed=confirmed
        )
        log.info("report %d signed by %s (%s)", report_id, by, "incoming" if incoming else "outgoing")
        return signed

    async def log(self, start: datetime, end: datetime | None = None) -> list[ShiftLogEntry]:
        return await asyncio.to_thread(self.store.shift_log, start, end)

    async def add_entry(
        self, shift_id: int | None, category: str, text: str, by: str, corrects: int | None = None
    ) -> ShiftLogEntry:
        self._require(Permission.NOTE)
        entry: ShiftLogEntry = await self.ingest.write(
            "add_log_entry", shift_id, category, text, by, corrects
        )
        return entry

    async def shifts(
        self, since: datetime | None = None, until: datetime | None = None, lead: str | None = None
    ) -> list[Shift]:
        return await asyncio.to_thread(self.store.shifts, since, until, lead)

    async def reports(self, shift_id: int | None = None) -> list[SignedReport]:
        return await asyncio.to_thread(self.store.reports, shift_id)

    async def verify(self, report_id: int) -> list[str]:
        return await asyncio.to_thread(self.store.verify_report, report_id)


def figures_of(report: SignedReport) -> dict[str, Any]:
    """The summary figures a stored report carries (empty when unreadable)."""
    try:
        data = json.loads(report.summary)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
