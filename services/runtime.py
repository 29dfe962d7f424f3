"""The running desk without a window: database, ingest, feeds and (for the demo) the simulator.

`main.py ingest`, the window and the benchmarks all build one `DeskRuntime`.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desk.audit import AuditEntry, BrokenLink, verify
from desk.auth import ACTION_PERMISSION, PERMISSIONS, Permission
from desk.directory import ImportPreview
from desk.feeds import FeedStatus, Problem
from desk.grievances import CallbackResult, GrievanceCase
from desk.incidents import Action, IllegalTransition, Incident, Outcome, QueueItem
from desk.privacy import PERSONAL_FIELDS, retention_cutoff, reveal_problem
from services.auth import AuthService
from services.config import Config
from services.db import make_engine, migrate
from services.directory import preview_file
from services.feeds import CommandResult, FeedClient
from services.ingest import IngestService
from services.store import CASE_WRITES, Changes, Store
from services.writer import WRITES, ProcessBackend, ThreadBackend

log = logging.getLogger("desk.runtime")


class DeskRuntime:
    """Owns the long-lived services; `start()` then `await stop()`."""

    def __init__(
        self,
        config: Config,
        *,
        on_changes: Callable[[Changes], None] | None = None,
        on_feed_status: Callable[[FeedStatus], None] | None = None,
        on_storage_trouble: Callable[[str | None], None] | None = None,
        writer_process: bool = True,
        hasher: Any = None,
    ) -> None:
        self.config = config
        self.engine = make_engine(config.database_url)
        self.store = Store(self.engine)  # reads; every write goes through the ingest's writer
        feeds = [(f.name, f.url) for f in config.feeds]
        backend = (
            ProcessBackend(config.database_url, feeds)
            if writer_process
            else ThreadBackend(config.database_url, feeds)
        )
        self.ingest = IngestService(backend, on_changes=on_changes, on_trouble=on_storage_trouble)
        self.on_feed_status = on_feed_status
        self.feeds: dict[str, FeedClient] = {}
        self.simulator: Any = None
        #: who is signed in; every operator action below asks it first (`authorize`)
        self.auth = AuthService(
            self.store, self.ingest, config.desk_id, policy=config.security.lockout, hasher=hasher
        )
        self._purge_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await asyncio.to_thread(migrate, self.engine)
        await self.ingest.start()
        await self.auth.ensure_accounts(
            self.config.demo, force_change=self.config.security.demo_force_password_change
        )
        self._purge_task = asyncio.create_task(self._purge_loop(), name="desk-retention")
        if self.config.simulator.enabled:
            await self._start_simulator()
        rows = {r["name"]: r for r in await asyncio.to_thread(self.store.feeds)}
        for feed in self.config.feeds:
            client = FeedClient(
                feed, self.config.desk_id, self.ingest, self.on_feed_status, initial=rows.get(feed.name)
            )
            self.feeds[feed.name] = client
            await client.start()
        log.info(
            "desk %s running with %d feed(s) on %s",
            self.config.desk_id,
            len(self.feeds),
            self.engine.url.render_as_string(hide_password=True),
        )

    async def _start_simulator(self) -> None:
        from services.simulator import SimulatorConfig, SimulatorServer

        sim = self.config.simulator
        state = Path(sim.state_path) if sim.state_path else None
        new_history = state is None or not state.exists()
        scenario = Path(sim.first_run_scenario) if sim.first_run_scenario and new_history else None
        self.simulator = SimulatorServer(
            SimulatorConfig(
                port=sim.port, token=sim.token, rate=sim.rate, state_path=state, scenario=scenario
            )
        )
        await self.simulator.start()

    async def stop(self) -> None:
        """Stop the feeds, commit what is queued, stop the simulator; within seconds."""
        await asyncio.gather(*(c.stop() for c in self.feeds.values()), return_exceptions=True)
        if self._purge_task is not None:
            self._purge_task.cancel()
            await asyncio.gather(self._purge_task, return_exceptions=True)
        try:
            await self.ingest.stop()
        finally:  # the simulator's port and the database connections are let go in any case
            if self.simulator is not None:
                await self.simulator.stop()
            self.engine.dispose()

    def statuses(self) -> list[FeedStatus]:
        return [c.status() for c in self.feeds.values()]

    @property
    def storage_trouble(self) -> str | None:
        """Why the database refuses to write (events are held meanwhile), or None."""
        return self.ingest.trouble

    # ---- operator actions (ordered with the ingest on the writer thread) --------------------------
    async def act(
        self,
        incident_id: int,
        action: Action,
        by: str,
        *,
        outcome: Outcome | None = None,
        note: str | None = None,
    ) -> Incident:
        """Move an incident; for a grievance its case keeps step (acknowledging signs it, closing needs the
        call-back), see `Store.act_with_case`. PermissionDenied when `by`'s role may not."""
        self.authorize(by, ACTION_PERMISSION[action])
        result: Incident = await self.ingest.write("act", incident_id, action, by, outcome=outcome, note=note)
        return result

    async def dispatch(
        self,
        incident_id: int | None,
        assignee: str,
        summary: str,
        by: str,
        location: dict[str, Any] | None = None,
    ) -> CommandResult:
        """Create a task and send `dispatch` over the command feed; a refusal is in the record.

        A grievance's case is assigned with it (refused before anything is sent when the case cannot be).
        """
        self.authorize(by, Permission.DISPATCH)
        client = self._command_client()
        ref = f"T-{uuid.uuid4().hex[:10].upper()}"
        await self.ingest.write("add_task", ref, incident_id, assignee, summary, by)
        body: dict[str, Any] = {
            "task": ref,
            "incident": str(incident_id),
            "assignee": assignee,
            "summary": summary,
        }
        if location:
            body["location"] = location
        result = await client.command("dispatch", body)
        if not result.ok and incident_id is not None:
            await self.ingest.write(
                "log_incident", incident_id, "dispatch_refused", by, f"task {ref}: {result.error}"
            )
        return result

    def _command_client(self) -> FeedClient:
        feed = self.config.command_feed
        if feed is None or feed.name not in self.feeds:
            raise RuntimeError("no feed is configured to take commands (set commands = true on one)")
        return self.feeds[feed.name]

    async def recall(self, task_ref: str, reason: str, by: str) -> CommandResult:
        """Withdraw a task: recorded first, then `recall` goes to the field platform."""
        self.authorize(by, Permission.RECALL)
        client = self._command_client()
        await self.ingest.write("recall_task", task_ref, by, reason)
        return await client.command("recall", {"task": task_ref, "reason": reason})

    async def reply(self, incident_id: int, text: str, by: str) -> CommandResult:
        """Answer a grievance's resident through the channel it came in on (`reply`); a reply sent to an
        assigned case answers it (the case is then replied and its answer clock stops)."""
        self.authorize(by, Permission.REPLY)
        client = self._command_client()
        text = text.strip()
        if not text:
            raise IllegalTransition("a reply needs some text")
        events = await asyncio.to_thread(self.store.incident_events, incident_id)
        grievance = next((e for e in events if e["type"] == "grievance"), None)
        if grievance is None:
            raise IllegalTransition(f"incident {incident_id} has no grievance to answer")
        result = await client.command("reply", {"event": grievance["event_id"], "text": text})
        outcome = "sent" if result.ok else f"refused: {result.error}"
        note = f"reply {outcome}: {text[:400]}"
        if CASE_WRITES <= WRITES:
            await self.ingest.write("record_reply", incident_id, by, note, sent=result.ok)
        else:  # a writer that does not know the case writes yet: the reply is in the record all the same
            await self.ingest.write("log_incident", incident_id, "reply", by, note)
        return result

    def _case_write(self, method: str, *args: Any) -> Any:
        if method not in WRITES:
            raise RuntimeError(
                f"the desk's writer does not run {method} yet: services/writer.py WRITES must include"
                " services.store.CASE_WRITES"
            )
        return self.ingest.write(method, *args)

    # ---- grievance cases (sign = acknowledge and close/reopen go through `act`; assign = `dispatch`) ----
    async def categorise_grievance(self, incident_id: int, category: str, by: str) -> GrievanceCase:
        """File a grievance under another category (its priority follows; the original is kept)."""
        self.authorize(by, Permission.GRIEVANCE_CASE)
        result: GrievanceCase = await self._case_write("categorise_grievance", incident_id, category, by)
        return result

    async def record_grievance_outcome(self, incident_id: int, text: str, by: str) -> GrievanceCase:
        """What came of the grievance, after it was answered (recording again corrects it)."""
        self.authorize(by, Permission.GRIEVANCE_CASE)
        result: GrievanceCase = await self._case_write("record_grievance_outcome", incident_id, text, by)
        return result

    async def record_callback(
        self, incident_id: int, result: CallbackResult, by: str, note: str | None = None
    ) -> GrievanceCase:
        """The call-back: satisfied or unreachable lets the case close; unsatisfied sends it back."""
        self.authorize(by, Permission.GRIEVANCE_CASE)
        case: GrievanceCase = await self._case_write("record_callback", incident_id, result, by, note)
        return case

    async def close_grievance(self, incident_id: int, by: str, note: str | None = None) -> GrievanceCase:
        """Close the case and its incident; refused until the resident was called back."""
        self.authorize(by, Permission.CLOSE)
        result: GrievanceCase = await self._case_write("close_grievance", incident_id, by, note)
        return result

    async def grievance_case(self, incident_id: int) -> GrievanceCase | None:
        return await asyncio.to_thread(self.store.grievance_case, incident_id)

    async def add_note(self, incident_id: int, text: str, by: str) -> None:
        self.authorize(by, Permission.NOTE)
        await self.ingest.write("add_note", incident_id, by, text)

    async def merge(self, target_id: int, source_id: int, by: str) -> Incident:
        self.authorize(by, Permission.MERGE)
        result: Incident = await self.ingest.write("merge", target_id, source_id, by)
        return result

    async def set_staff_status(self, ref: str, status: str, by: str) -> None:
        self.authorize(by, Permission.STAFF_STATUS)
        await self.ingest.write("set_staff_status", ref, status, by)

    async def acknowledge_alarm(self, incident_id: int, by: str) -> Incident:
        """A sounding alarm acknowledged (F2, also from the lock screen): every signed-in role may."""
        self.authorize(by, Permission.ALARM_ACKNOWLEDGE)
        result: Incident = await self.ingest.write("act", incident_id, Action.ACKNOWLEDGE, by)
        return result

    # ---- users, permissions, the audit trail and personal data (services.privacy) ----------------
    def authorize(self, by: str, permission: Permission) -> Any:
        """The signed-in operator acting as `by`, when their role holds `permission`; else PermissionDenied
        with the domain's message (desk.auth.refusal)."""
        return self.auth.authorize(by, permission)

    def authorize_current(self, permission: Permission) -> Any:
        """The signed-in operator, when their role holds `permission` (for services that record names
        given by the view, the shift's signatures)."""
        op = self.auth.current
        return self.authorize(op.username if op is not None else "", permission)

    def may(self, permission: Permission) -> bool:
        """Whether the signed-in operator may (for the views: a disabled button says why)."""
        op = self.auth.current
        return op is not None and permission in PERMISSIONS[op.role]

    async def reveal(self, by: str, ref: str, reason: str) -> dict[str, Any]:
        """An elder's (or any profile's) personal data in clear, for a reason that goes into the trail."""
        self.authorize(by, Permission.REVEAL)
        problem = reveal_problem(reason)
        if problem is not None:
            raise IllegalTransition(problem)
        profile = await asyncio.to_thread(self.store.profile, ref)
        if profile is None:
            raise IllegalTransition(f"no profile {ref}")
        fields = sorted(f for f in PERSONAL_FIELDS if f == "name" or profile["data"].get(f))
        if profile["data"].get("contacts"):
            fields.append("contacts")
        await self.ingest.write(
            "audit",
            by,
            "personal.reveal",
            f"profile:{ref}",
            None,
            {"fields": fields, "reason": reason.strip()},
        )
        log.info("%s revealed the personal data of %s", by, ref)
        return {"ref": ref, "name": profile["name"], **profile["data"]}

    async def export_directory(self, by: str, path: Path, reason: str) -> int:
        """The directory with its personal data in clear, as CSV (administrators; audited with the reason)."""
        self.authorize(by, Permission.EXPORT_PERSONAL)
        problem = reveal_problem(reason)
        if problem is not None:
            raise IllegalTransition(problem)
        profiles = await asyncio.to_thread(self.store.profiles)
        await asyncio.to_thread(write_directory_csv, path, profiles)
        await self.ingest.write(
            "audit", by, "personal.export", "directory", None,
            {"file": path.name, "profiles": len(profiles), "reason": reason.strip()},
        )  # fmt: skip
        return len(profiles)

    async def preview_import(self, by: str, path: Path, default_kind: str | None = None) -> ImportPreview:
        """Read and check a directory file (nothing is written): the profiles and every bad row."""
        self.authorize(by, Permission.DIRECTORY)
        return await asyncio.to_thread(preview_file, path, default_kind)

    async def import_directory(self, by: str, preview: ImportPreview) -> dict[str, int]:
        """Write a previewed import in one transaction; refused while any row is bad (nothing written)."""
        self.authorize(by, Permission.DIRECTORY)
        if not preview.ok:
            first = preview.errors[0] if preview.errors else "no rows"
            raise IllegalTransition(f"nothing imported: {len(preview.errors)} bad row(s), first {first}")
        counts: dict[str, int] = await self.ingest.write(
            "import_directory", preview.profiles, by, preview.source
        )
        return counts

    async def audit_trail(self, by: str, limit: int = 500) -> list[AuditEntry]:
        self.authorize(by, Permission.AUDIT)
        return await asyncio.to_thread(self.store.audit_entries, None, limit)

    async def verify_audit(self, by: str) -> tuple[int, BrokenLink | None]:
        self.authorize(by, Permission.AUDIT)
        return await asyncio.to_thread(verify_store, self.store)

    async def purge_positions(self) -> int:
        """Delete position history older than the configured days (`[security] position_days`)."""
        cutoff = retention_cutoff(datetime.now(UTC), self.config.security.position_days)
        deleted: int = await self.ingest.write("purge_positions", cutoff, "system")
        if deleted:
            log.info("retention: %d positions older than %s purged", deleted, cutoff.date())
        return deleted

    async def _purge_loop(self) -> None:
        """The retention job: a minute after the start (the desk is up first), then every purge_every_s."""
        await asyncio.sleep(min(60.0, self.config.security.purge_every_s))
        while True:
            try:
                await self.purge_positions()
            except Exception:
                log.exception("retention: the purge failed")
            await asyncio.sleep(self.config.security.purge_every_s)

    # ---- the map: safe zones the shift lead draws ------------------------------------------------
    async def set_safe_zone(self, elder: str, polygon: list[tuple[float, float]] | None, by: str) -> None:
        """Draw (corners as (lat, lon) in WGS-84) or remove (None) an elder's safe zone: the writer's
        wandering watch uses it from the next fix; the desk log records who did it."""
        self.authorize(by, Permission.SAFE_ZONE)
        await self.ingest.write("set_safe_zone", elder, polygon, by, self.config.desk_id)

    # ---- reads for the views (off the GUI thread) -----------------------------------------------
    async def incidents_by_id(self, ids: list[int]) -> list[Incident]:
        return await asyncio.to_thread(self.store.incidents_by_id, ids)

    async def queue_items(self, ids: list[int] | None = None) -> list[QueueItem]:
        """Rows of the dispatch queue: all open incidents, or exactly `ids` (to refresh or remove); a
        grievance's row carries its case (`QueueItem.case`)."""
        return await asyncio.to_thread(queue_items_with_cases, self.store, ids)

    async def problems(self, limit: int = 200) -> list[Problem]:
        """Quarantined events, protocol errors and feed notices, newest first."""
        return await asyncio.to_thread(self.store.problems, limit)


def verify_store(store: Store) -> tuple[int, BrokenLink | None]:
    """Check the whole audit chain as stored (main.py audit verify)."""
    return verify(store.iter_audit())


def write_directory_csv(path: Path, profiles: list[dict[str, Any]]) -> None:
    columns = ["编号", "类型", "姓名", "电话", "住址", "身份证号", "网格"]
    kinds = {"elder": "老人", "staff": "工作人员", "team": "队伍"}
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for p in profiles:
            d = p.get("data") or {}
            out.writerow(
                [p["ref"], kinds.get(p["kind"], p["kind"]), p["name"], d.get("phone", ""),
                 d.get("address", ""), d.get("id_number", ""), d.get("grid", "")]
            )  # fmt: skip


def queue_items_with_cases(store: Store, ids: list[int] | None = None) -> list[QueueItem]:
    """`Store.queue_items` with each grievance's case attached (one more read for all of them)."""
    items = store.queue_items(ids)
    cases = store.grievance_cases([i.incident.id for i in items if i.incident.kind == "grievance"])
    return [dataclasses.replace(i, case=cases[i.incident.id]) if i.incident.id in cases else i for i in items]
