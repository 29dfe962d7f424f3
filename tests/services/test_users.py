"""Users, sign-in, lockout, each action as each role, the audit trail and personal data, through a real
DeskRuntime (writer thread, SQLite file)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import insert

from desk.auth import PERMISSIONS, LockoutPolicy, Permission, PermissionDenied, Role, refusal
from desk.incidents import Action, IllegalTransition
from services.auth import DEMO_ACCOUNTS, SignInRefused
from services.config import Config, SecuritySettings, demo_config
from services.db import PositionRow
from services.runtime import DeskRuntime, verify_store
from tests.support.users import FAST_HASHER, PASSWORD, add_user, sign_in

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DeskRuntime]:
    cfg = Config(
        desk_id="desk-t",
        database_url=f"sqlite:///{tmp_path / 'desk.db'}",
        feeds=(),
        security=SecuritySettings(max_failures=3, lockout_minutes=10, position_days=30),
    )
    rt = DeskRuntime(cfg, writer_process=False, hasher=FAST_HASHER)
    await rt.start()
    try:
        yield rt
    finally:
        await rt.stop()


async def test_the_first_run_of_a_non_demo_desk_creates_one_admin_who_must_change_the_password(
    runtime: DeskRuntime,
) -> None:
    (admin,) = runtime.store.users()
    assert (admin.username, admin.role, admin.must_change_password) == ("admin", Role.ADMIN, True)
    stored = runtime.store.password_hash("admin")
    assert stored is not None and stored.startswith("$argon2id$")  # memory-hard, salted


async def test_the_demo_default_creates_the_documented_accounts(tmp_path: Path) -> None:
    cfg = demo_config()
    cfg = Config(**{**{f: getattr(cfg, f) for f in cfg.__dataclass_fields__},
                    "database_url": f"sqlite:///{tmp_path / 'd.db'}", "feeds": ()})  # fmt: skip
    from dataclasses import replace

    cfg = replace(cfg, simulator=replace(cfg.simulator, enabled=False))
    rt = DeskRuntime(cfg, writer_process=False, hasher=FAST_HASHER)
    await rt.start()
    try:
        users = {u.username: u.role for u in rt.store.users()}
        assert users == {u: r for u, _, r, _ in DEMO_ACCOUNTS}
        for username, _, role, password in DEMO_ACCOUNTS:
            op = await rt.auth.sign_in(username, password)
            assert (op.username, op.role, op.must_change_password) == (username, role, False)
    finally:
        await rt.stop()


async def test_wrong_passwords_lock_the_account_and_the_right_one_then_waits(runtime: DeskRuntime) -> None:
    await add_user(runtime, "wang", Role.OPERATOR)
    now = [datetime(2026, 12, 5, 2, 0, tzinfo=UTC)]
    runtime.auth.clock = lambda: now[0]
    for _ in range(2):
        with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
            await runtime.auth.sign_in("wang", "not-the-password-1")
    with pytest.raises(SignInRefused, match="account locked until 2026-12-05T02:10"):
        await runtime.auth.sign_in("wang", "not-the-password-1")
    with pytest.raises(SignInRefused, match="account locked until"):
        await runtime.auth.sign_in("wang", PASSWORD)  # even the right password, while locked
    assert runtime.auth.current is None
    with pytest.raises(SignInRefused, match=r"^wrong user name or password$"):
        await runtime.auth.sign_in("nobody", PASSWORD)  # unknown names say no more than wrong passwords
    now[0] += timedelta(minutes=10)
    op = await runtime.auth.sign_in("wang", PASSWORD)
    assert op.username == "wang" and runtime.auth.current == op
    assert runtime.store.user("wang").failures == 0  # type: ignore[union-attr]
    actions = [e.action for e in runtime.store.audit_entries("user:wang")]
    assert actions == [
        "user.create",
        "user.sign_in_failed",
        "user.sign_in_failed",
        "user.locked",
        "user.sign_in",
    ]


async def test_administrators_add_disable_reset_and_set_roles(runtime: DeskRuntime) -> None:
    await sign_in(runtime, "root", Role.ADMIN)
    with pytest.raises(IllegalTransition, match="the password needs at least 10 characters"):
        await runtime.auth.add_user("root", "zhao", "赵六", Role.OPERATOR, "short1")
    await runtime.auth.add_user("root", "zhao", "赵六", Role.OPERATOR, "Night-Desk-2024")
    await runtime.auth.set_role("root", "zhao", Role.LEAD)
    await runtime.auth.reset_password("root", "zhao", "Fresh-Start-77")
    await runtime.auth.set_active("root", "zhao", False)
    with pytest.raises(SignInRefused, match="disabled"):
        await runtime.auth.sign_in("zhao", "Fresh-Start-77")
    await runtime.auth.set_active("root", "zhao", True)
    op = await runtime.auth.sign_in("zhao", "Fresh-Start-77")
    assert (op.role, op.must_change_password) == (Role.LEAD, True)  # a reset password must be changed
    await runtime.auth.change_password("Fresh-Start-77", "My-Own-Secret-99")
    assert runtime.auth.current is not None and not runtime.auth.current.must_change_password
    trail = [(e.actor, e.action) for e in runtime.store.audit_entries("user:zhao")]
    assert trail == [
        ("root", "user.create"),
        ("root", "user.update"),
        ("root", "user.password_reset"),
        ("root", "user.update"),
        ("root", "user.update"),
        ("zhao", "user.sign_in"),
        ("zhao", "user.sign_in"),  # the old password checked again before the change
        ("zhao", "user.password_changed"),
    ]
    role_change = runtime.store.audit_entries("user:zhao")[1]
    assert '"role":"operator"' in role_change.before and '"role":"lead"' in role_change.after
    # a lead may not administer users
    with pytest.raises(PermissionDenied, match="a shift lead may not users"):
        await runtime.auth.add_user("zhao", "li", "李四", Role.OPERATOR, "Night-Desk-2024")


# ---- each action as each role ------------------------------------------------------------------------
Call = Callable[[DeskRuntime, str], Awaitable[Any]]
NOWHERE = Path("/nonexistent/x.csv")

ACTIONS: dict[str, tuple[Permission, Call]] = {
    "acknowledge": (Permission.ACKNOWLEDGE, lambda rt, by: rt.act(1, Action.ACKNOWLEDGE, by)),
    "escalate": (Permission.ESCALATE, lambda rt, by: rt.act(1, Action.ESCALATE, by)),
    "resolve": (Permission.RESOLVE, lambda rt, by: rt.act(1, Action.RESOLVE, by)),
    "false alarm": (Permission.RESOLVE, lambda rt, by: rt.act(1, Action.FALSE_ALARM, by)),
    "close": (Permission.CLOSE, lambda rt, by: rt.act(1, Action.CLOSE, by)),
    "reopen": (Permission.REOPEN, lambda rt, by: rt.act(1, Action.REOPEN, by)),
    "dispatch": (Permission.DISPATCH, lambda rt, by: rt.dispatch(1, "S-001", "go", by)),
    "recall": (Permission.RECALL, lambda rt, by: rt.recall("T-1", "wrong", by)),
    "reply": (Permission.REPLY, lambda rt, by: rt.reply(1, "ok", by)),
    "note": (Permission.NOTE, lambda rt, by: rt.add_note(1, "called", by)),
    "merge": (Permission.MERGE, lambda rt, by: rt.merge(1, 2, by)),
    "staff status": (Permission.STAFF_STATUS, lambda rt, by: rt.set_staff_status("S-001", "busy", by)),
    "categorise": (Permission.GRIEVANCE_CASE, lambda rt, by: rt.categorise_grievance(1, "safety", by)),
    "outcome": (Permission.GRIEVANCE_CASE, lambda rt, by: rt.record_grievance_outcome(1, "done", by)),
    "close case": (Permission.CLOSE, lambda rt, by: rt.close_grievance(1, by)),
    "alarm acknowledge": (Permission.ALARM_ACKNOWLEDGE, lambda rt, by: rt.acknowledge_alarm(1, by)),
    "reveal": (Permission.REVEAL, lambda rt, by: rt.reveal(by, "E-0001", "联系家属核实")),
    "export": (Permission.EXPORT_PERSONAL, lambda rt, by: rt.export_directory(by, NOWHERE, "年度核对")),
    "import": (Permission.DIRECTORY, lambda rt, by: rt.preview_import(by, Path("/nonexistent.csv"))),
    "audit": (Permission.AUDIT, lambda rt, by: rt.verify_audit(by)),
    "users": (Permission.USERS, lambda rt, by: rt.auth.users(by)),
    "safe zone": (Permission.SAFE_ZONE, lambda rt, by: rt.set_safe_zone("E-0001", None, by)),
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
async def test_each_action_as_each_role(runtime: DeskRuntime, role: Role) -> None:
    """Refused with the domain's message unless the role holds the permission; an allowed call gets past
    the check (and may then fail for its own reasons: no incident 1 here)."""
    await sign_in(runtime, f"u-{role.value}", role)
    outcomes = {}
    for name, (permission, call) in ACTIONS.items():
        try:
            await call(runtime, f"u-{role.value}")
            outcome = "done"
        except PermissionDenied as exc:
            assert str(exc) == refusal(role, permission)
            outcome = "refused"
        except Exception:  # past the permission check
            outcome = "done"
        outcomes[name] = outcome
    expected = {name: "done" if p in PERMISSIONS[role] else "refused" for name, (p, _) in ACTIONS.items()}
    assert outcomes == expected


async def test_nobody_signed_in_or_someone_else_s_name_is_refused(runtime: DeskRuntime) -> None:
    with pytest.raises(PermissionDenied, match="sign in first"):
        await runtime.add_note(1, "x", "lead")
    await sign_in(runtime, "lead", Role.LEAD)
    with pytest.raises(PermissionDenied, match="sign in first"):
        await runtime.add_note(1, "x", "admin")  # acting under another name than the signed-in one
    runtime.auth.sign_out()
    with pytest.raises(PermissionDenied, match="sign in first"):
        await runtime.add_note(1, "x", "lead")


# ---- the audit trail -------------------------------------------------------------------------------
async def test_a_hand_edit_of_the_database_is_the_first_broken_link(
    runtime: DeskRuntime, tmp_path: Path
) -> None:
    await sign_in(runtime, "lead", Role.LEAD)
    await runtime.set_staff_status("S-001", "busy", "lead")
    await runtime.set_staff_status("S-001", "off_duty", "lead")
    await runtime.set_staff_status("S-002", "busy", "lead")
    entries = runtime.store.audit_entries()
    staff = [e for e in entries if e.action == "staff.status"]
    assert [(e.actor, e.target, e.before, e.after) for e in staff] == [
        ("lead", "staff:S-001", '{"status":null}', '{"status":"busy"}'),
        ("lead", "staff:S-001", '{"status":"busy"}', '{"status":"off_duty"}'),
        ("lead", "staff:S-002", '{"status":null}', '{"status":"busy"}'),
    ]
    assert verify_store(runtime.store) == (len(entries), None)
    db = tmp_path / "desk.db"
    cli = [
        sys.executable,
        str(ROOT / "main.py"),
        "--config",
        str(_config_file(tmp_path, db)),
        "audit",
        "verify",
    ]
    ok = subprocess.run(cli, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert ok.returncode == 0 and f"audit trail intact: {len(entries)} entries" in ok.stdout
    # somebody edits the record by hand: the second status change now says S-002 was the one set busy
    edited = staff[1].seq
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET actor = 'operator' WHERE seq = ?", (edited,))
    broken = subprocess.run(cli, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert broken.stdout.splitlines()[0].startswith(
        f"audit trail BROKEN: first broken link at entry #{edited} "
    )
    assert (
        "operator staff.status staff:S-001: its content does not match its hash (it was edited)"
        in broken.stdout
    )


def _config_file(tmp_path: Path, db: Path) -> Path:
    path = tmp_path / "desk.toml"
    path.write_text(f'[desk]\nid = "desk-t"\n[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    return path


async def test_incident_moves_notes_and_tasks_are_in_the_trail(runtime: DeskRuntime) -> None:
    store = runtime.store
    from tests.support.events import fall

    await runtime.ingest.write("commit_batch", [])  # the writer is up
    from desk.events import validate  # noqa: F401  (the fall goes in through the writer as a feed's frame)

    await sign_in(runtime, "lead", Role.LEAD)
    await runtime.ingest.write("log_desk", "desk-t", "alarm_tested", "lead", None)
    entries = store.audit_entries()
    assert entries[-1].action == "desk.alarm_tested" and entries[-1].actor == "lead"
    assert fall  # the live flows are covered by tests/services/test_actions.py's trail test


# ---- personal data ---------------------------------------------------------------------------------
async def _elder(runtime: DeskRuntime) -> None:
    await runtime.ingest.write(
        "import_directory",
        [{"ref": "E-0001", "kind": "elder", "name": "王桂英",
          "data": {"phone": "13812341234", "address": "丁香家园二期 3栋 1单元 502",
                   "id_number": "110101199003071234"}}],
        "setup", "test",
    )  # fmt: skip


async def test_a_reveal_needs_a_reason_and_is_in_the_trail(runtime: DeskRuntime) -> None:
    await _elder(runtime)
    await sign_in(runtime, "night", Role.OPERATOR)
    with pytest.raises(IllegalTransition, match="needs a reason"):
        await runtime.reveal("night", "E-0001", " ")
    clear = await runtime.reveal("night", "E-0001", "老人跌倒，联系本人")
    assert (clear["name"], clear["phone"], clear["id_number"]) == (
        "王桂英",
        "13812341234",
        "110101199003071234",
    )
    last = runtime.store.audit_entries("profile:E-0001")[-1]
    assert (last.actor, last.action) == ("night", "personal.reveal")
    assert last.after == '{"fields":["address","id_number","name","phone"],"reason":"老人跌倒，联系本人"}'


async def test_exports_of_personal_data_need_an_administrator(runtime: DeskRuntime, tmp_path: Path) -> None:
    await _elder(runtime)
    await sign_in(runtime, "lead", Role.LEAD)
    out = tmp_path / "directory.csv"
    with pytest.raises(PermissionDenied):
        await runtime.export_directory("lead", out, "年度核对名单")
    assert not out.exists()
    await sign_in(runtime, "root", Role.ADMIN)
    assert await runtime.export_directory("root", out, "年度核对名单") == 1
    assert "王桂英,13812341234" in out.read_text(encoding="utf-8-sig")
    assert runtime.store.audit_entries("directory")[-1].action == "personal.export"


async def test_position_history_older_than_the_configured_days_is_purged(runtime: DeskRuntime) -> None:
    now = datetime.now(UTC)
    rows = [
        dict(subject="E-0001", lat=31.86, lon=117.26, crs="wgs84", at=now - timedelta(days=d))
        for d in (45, 31, 29, 1)
    ]
    with runtime.engine.begin() as conn:
        conn.execute(insert(PositionRow.__table__), rows)  # type: ignore[arg-type]
    assert await runtime.purge_positions() == 2
    with runtime.engine.connect() as conn:
        left = sorted(r.at for r in conn.execute(PositionRow.__table__.select()))  # type: ignore[attr-defined]
    assert [round((now - t).total_seconds() / 86400) for t in left] == [29, 1]
    last = runtime.store.audit_entries("positions")[-1]
    assert (last.actor, last.action) == ("system", "positions.purge") and '"deleted":2' in last.after


async def test_tokens_never_reach_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A feed with a token the server refuses, its config printed: the token is in no log line."""
    from services.config import FeedConfig
    from services.simulator import SimulatorConfig, SimulatorServer

    secret = "s3cr3t-T0KEN-do-not-log"
    sim = SimulatorServer(SimulatorConfig(port=0, live=False, token="another-token"))
    await sim.start()
    caplog.set_level(logging.DEBUG)
    feed = FeedConfig(name="f", url=sim.url, token=secret, backoff_base_s=0.05, auth_retry_s=0.1)
    cfg = Config(desk_id="d", database_url=f"sqlite:///{tmp_path / 'x.db'}", feeds=(feed,))
    rt = DeskRuntime(cfg, writer_process=False, hasher=FAST_HASHER)
    await rt.start()
    try:
        async with asyncio.timeout(10):
            while "token" not in (rt.feeds["f"].status().detail or ""):
                await asyncio.sleep(0.05)
        logging.getLogger("desk").info("config: %r", cfg)
    finally:
        await rt.stop()
        await sim.stop()
    assert "token refused" in caplog.text or "refused the token" in caplog.text
    assert secret not in caplog.text and secret not in repr(cfg)


async def test_lockout_policy_comes_from_the_config() -> None:
    assert SecuritySettings(max_failures=3, lockout_minutes=10).lockout == LockoutPolicy(
        3, timedelta(minutes=10)
    )


async def test_an_import_with_bad_rows_names_them_and_writes_nothing(
    runtime: DeskRuntime, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "类型", "姓名", "电话", "住址", "身份证号", "网格"])
    sheet.append(
        [
            "E-0101",
            "老人",
            "王桂英",
            "13812341234",
            "丁香家园二期 3栋 1单元 502",
            "11010519491231002X",
            "G-03",
        ]
    )
    sheet.append(["E-0102", "老人", "李秀兰", "1381234", "丁香家园二期 3栋 1单元 503", "", "G-03"])
    sheet.append(["S-0101", "工作人员", "张网格", "13900001111", "", "", "G-03"])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    await sign_in(runtime, "lead", Role.LEAD)
    with pytest.raises(PermissionDenied):
        await runtime.preview_import("lead", path)
    await sign_in(runtime, "root", Role.ADMIN)
    preview = await runtime.preview_import("root", path)
    assert [str(e) for e in preview.errors] == ["row 3: 电话 '1381234' is not a phone number"]
    with pytest.raises(IllegalTransition, match=r"nothing imported: 1 bad row\(s\), first row 3"):
        await runtime.import_directory("root", preview)
    assert runtime.store.profiles() == []  # nothing half-imported
    sheet["D3"] = "13812341235"
    book.save(path)
    preview = await runtime.preview_import("root", path)
    assert preview.ok and preview.counts() == {"elder": 2, "staff": 1}
    assert await runtime.import_directory("root", preview) == {"added": 3, "updated": 0}
    assert [p["ref"] for p in runtime.store.profiles()] == ["E-0101", "E-0102", "S-0101"]
    last = runtime.store.audit_entries("directory")[-1]
    assert (last.actor, last.action) == ("root", "directory.import") and '"added":3' in last.after


async def test_a_failure_inside_the_import_transaction_leaves_nothing(runtime: DeskRuntime) -> None:
    """The store's import is one transaction: a row the database refuses rolls back the rows before it."""
    good = {"ref": "E-1", "kind": "elder", "name": "王桂英", "data": {}}
    bad = {"ref": "E-2", "kind": "elder", "name": None, "data": {}}  # NOT NULL
    with pytest.raises(Exception, match="NOT NULL"):
        await runtime.ingest.write("import_directory", [good, bad], "root", "x.csv")
    assert runtime.store.profiles() == []


async def test_the_security_table(tmp_path: Path) -> None:
    from services.config import ConfigError, parse

    cfg = parse({"security": {"max_failures": 3, "lockout_minutes": 5, "position_days": 7}}, "desk.toml")
    assert (cfg.security.max_failures, cfg.security.position_days, cfg.demo) == (3, 7, False)
    assert cfg.security.lockout == LockoutPolicy(3, timedelta(minutes=5))
    with pytest.raises(ConfigError, match=r"desk.toml: \[security\] unknown keys: lock_screen"):
        parse({"security": {"lock_screen": True}}, "desk.toml")
    with pytest.raises(ConfigError, match=r"\[security\] position_days must be a whole number ≥ 1"):
        parse({"security": {"position_days": 0}}, "desk.toml")
