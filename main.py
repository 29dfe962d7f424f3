"""Duty Desk: the composition root. Builds config, services and window; owns the one event loop.

python main.py [--config FILE] [--lang zh_CN|en] [--theme auto|day|night]
                                               the desk window (language: DESK_LANG, else zh_CN)
python main.py simulate --port 8765 [--token T] [--rate X] [--scenario FILE]
python main.py ingest                          ingest without a window until SIGTERM/SIGINT
python main.py events|incidents|feeds --json   what is stored
python main.py audit verify                    check the audit trail's hash chain (exit 1 when broken)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from services import config as config_mod

log = logging.getLogger("desk")


def _lang(value: str) -> str:
    from views.i18n import normalise_lang  # no Qt: the headless commands parse this too

    try:
        return normalise_lang(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _default_lang() -> str:
    """DESK_LANG, else zh_CN; a DESK_LANG the desk cannot use is reported, not fatal."""
    value = os.environ.get("DESK_LANG") or "zh_CN"
    try:
        return _lang(value)
    except argparse.ArgumentTypeError as exc:
        print(f"warning: DESK_LANG: {exc}; using zh_CN", file=sys.stderr)
        return "zh_CN"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Duty Desk (社区值班台)")
    p.add_argument("--config", type=Path, help="TOML configuration file (default: the user's, else the demo)")
    p.add_argument("--log-level", default="INFO")
    p.add_argument(
        "--lang",
        type=_lang,
        default=_default_lang(),
        help="the window's language: zh_CN (the default) or en; default from DESK_LANG",
    )
    p.add_argument(
        "--theme",
        choices=("auto", "day", "night"),
        default=os.environ.get("DESK_THEME") or None,
        help="day or night colours, or by the clock (auto); default: the last choice, else auto",
    )
    sub = p.add_subparsers(dest="command")
    sim = sub.add_parser("simulate", help="serve the demo community's CES/1 stream")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=config_mod.DEMO_PORT)
    sim.add_argument("--token")
    sim.add_argument("--rate", type=float, default=1.0)
    sim.add_argument("--scenario", type=Path, help="JSONL scenario to replay")
    sim.add_argument("--state", type=Path, help="history file (default: in the user data directory)")
    sim.add_argument("--no-live", action="store_true", help="only the scenario, no random live events")
    sub.add_parser("ingest", help="ingest the feeds without a window until SIGTERM/SIGINT")
    for name in ("events", "incidents", "feeds"):
        sp = sub.add_parser(name, help=f"print the stored {name}")
        sp.add_argument("--json", action="store_true", required=True)
    rep = sub.add_parser("report", help="write a shift's handover report as PDF and/or HTML")
    which = rep.add_mutually_exclusive_group(required=True)
    which.add_argument("--shift", type=int, metavar="ID", help="the shift's number")
    which.add_argument("--last", action="store_true", help="the last shift handed over (else the open one)")
    rep.add_argument("--pdf", type=Path, metavar="FILE")
    rep.add_argument("--html", type=Path, metavar="FILE")
    aud = sub.add_parser("audit", help="the audit trail")
    aud.add_argument("what", choices=("verify",), help="verify: check the hash chain, name the first break")
    return p


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=_json_default) + "\n")


def _store(cfg: config_mod.Config) -> Any:
    from services.db import make_engine, migrate
    from services.store import Store

    engine = make_engine(cfg.database_url)
    migrate(engine)
    return Store(engine)


def cmd_events(cfg: config_mod.Config) -> int:
    rows = _store(cfg).events()
    _print_json(
        [
            {
                "id": r["event_id"] or _raw_id(r["raw"]),
                "type": r["type"],
                "feed": r["feed"],
                "stream": r["stream"],
                "seq": r["seq"],
                "status": r["status"],
                "reason": r["reason"],
                "received_at": r["received_at"],
            }
            for r in rows
        ]
    )
    return 0


def _raw_id(raw: str) -> object:
    from services.store import raw_event_json

    event = raw_event_json(raw)
    return event.get("id") if isinstance(event, dict) else None


def cmd_incidents(cfg: config_mod.Config) -> int:
    incs = _store(cfg).incidents()
    _print_json(
        [
            {
                "id": i.id,
                "type": i.kind,
                "class": i.cls.value,
                "priority": int(i.priority),
                "status": i.status.value,
                "title": i.title,
                "place": i.place,
                "subject": i.subject,
                "opened_at": i.opened_at,
                "last_event_at": i.last_event_at,
                "count": i.count,
                "cleared_at": i.cleared_at,
                "outcome": i.outcome.value if i.outcome else None,
                "event_ids": i.event_ids,
            }
            for i in incs
        ]
    )
    return 0


def cmd_feeds(cfg: config_mod.Config) -> int:
    rows = {r["name"]: r for r in _store(cfg).feeds()}
    out = []
    for feed in cfg.feeds:
        r = rows.get(feed.name, {})
        out.append(
            {
                "name": feed.name,
                "url": feed.url,
                "state": r.get("state", "never connected"),
                "detail": r.get("state_detail"),
                "stream": r.get("stream"),
                "cursor": r.get("cursor", 0),
                "gaps": r.get("gaps", 0),
                "protocol_errors": r.get("protocol_errors", 0),
                "repeats": r.get("repeats", 0),
                "duplicates": r.get("duplicates", 0),
                "last_event_at": r.get("last_event_at"),
            }
        )
    _print_json(out)
    return 0


async def _until_signalled(
    start: Callable[[], Coroutine[Any, Any, Any]], stop: Callable[[], Coroutine[Any, Any, Any]]
) -> None:
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    await start()
    try:
        await done.wait()
    finally:
        log.info("stopping")
        await asyncio.wait_for(stop(), 10)


def cmd_report(cfg: config_mod.Config, args: argparse.Namespace) -> int:
    """Write a shift's report: the stored handover report (with its signatures and integrity check)
    when there is one, else one generated now from the records."""
    if args.pdf is None and args.html is None:
        print("report: say where to write it: --pdf FILE and/or --html FILE", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the charts and the PDF need no screen
    from PySide6.QtWidgets import QApplication

    from services.reports import ReportService, signed_html
    from widgets.report_render import chart_png, html_to_pdf

    store = _store(cfg)
    shift = store.last_shift() if args.last else store.shift(args.shift)
    if shift is None:
        print("report: no such shift" if not args.last else "report: no shift yet", file=sys.stderr)
        return 1
    _app = QApplication.instance() or QApplication([])
    stored = [r for r in store.reports(shift.id) if r.kind == "handover"]
    if stored:
        page = signed_html(stored[-1], store.verify_report(stored[-1].id))
    else:
        page = ReportService(store, cfg.sla, chart_png).render(shift.id).html
    if args.html is not None:
        args.html.write_text(page, encoding="utf-8")
        print(f"shift {shift.id}: {args.html}")
    if args.pdf is not None:
        html_to_pdf(page, str(args.pdf), f"值班交接报告 第 {shift.id} 班")
        print(f"shift {shift.id}: {args.pdf}")
    return 0


def cmd_audit(cfg: config_mod.Config) -> int:
    """Check the audit trail's chain; print the first broken link (exit 1) or the count and last hash."""
    from services.runtime import verify_store

    store = _store(cfg)
    checked, broken = verify_store(store)
    if broken is not None:
        print(f"audit trail BROKEN: {broken}")
        print(f"(entries before #{broken.seq} are intact; checked {checked})")
        return 1
    last = store.audit_entries(limit=1)
    head = last[-1].hash if last else "-"
    print(f"audit trail intact: {checked} entries, last hash {head}")
    return 0


def cmd_ingest(cfg: config_mod.Config) -> int:
    from services.runtime import DeskRuntime

    runtime = DeskRuntime(cfg)
    asyncio.run(_until_signalled(runtime.start, runtime.stop))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from services.simulator import SimulatorConfig, SimulatorServer

    state = args.state or (config_mod.data_dir() / "simulator.db")
    state.parent.mkdir(parents=True, exist_ok=True)
    server = SimulatorServer(
        SimulatorConfig(
            host=args.host,
            port=args.port,
            token=args.token,
            rate=args.rate,
            state_path=state,
            scenario=args.scenario,
            live=not args.no_live,
        )
    )

    async def start() -> None:
        await server.start()
        print(f"simulating the demo community on {server.url} (rate ×{args.rate})", flush=True)

    asyncio.run(_until_signalled(start, server.stop))
    return 0


def settle_heap() -> None:
    """Freeze what the desk built to start (modules, Qt bindings, the window, the first reads).

    A full collection of Python's cyclic garbage collector scans every tracked object: ~110,000
    once the window is up, 60–110 ms on the 2-core desk, and live positions churn enough objects
    to trigger one every few seconds, each a stall of the GUI (bench/map.py). Frozen objects are
    never scanned again (they are still freed by reference counting), so a full collection then
    looks at what the desk made since: a few milliseconds."""
    gc.collect()
    gc.freeze()


def cmd_window(cfg: config_mod.Config, lang: str = "zh_CN", theme_name: str | None = None) -> int:
    """The desk window on one qasync event loop; closing it stops the services cleanly.

    `lang` is zh_CN (shipped) or en; without its compiled translation (and no pyside6-lrelease to
    compile it) the window runs in English with a warning in the log.
    """
    import qasync
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from services.alarms import AlarmService, incident_recorder
    from services.runtime import DeskRuntime
    from services.signals import DeskSignals
    from services.sound import SoundService
    from views.i18n import install_translator
    from views.main_window import DeskWindow
    from views.prompts import ask
    from views.sign_in import ChangePasswordDialog, SignInDialog
    from views.theme import Theme

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # the loop ends after the services have stopped
    app.setOrganizationName("duty-desk")
    app.setApplicationName("Duty Desk")
    if install_translator(app, lang):
        log.info("window language: %s", lang)

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        # the one error sink for async UI work: log it, never kill the desk in the night
        log.error("unexpected error", exc_info=(kind, value, tb))

    sys.excepthook = excepthook

    async def run() -> None:
        signals = DeskSignals()
        runtime = DeskRuntime(
            cfg,
            on_changes=signals.emit_changes,
            on_feed_status=signals.emit_feed_status,
            on_storage_trouble=signals.emit_storage_trouble,
        )
        await runtime.start()
        # the alarms sound from the start, before anyone signs in: a fall at 3 a.m. after a restart
        # is heard at the sign-in prompt (and what waited before the restart sounds again)
        loop = asyncio.get_running_loop()
        # the operator's last choice of volume and device, else the config's
        settings = QSettings()
        volume = int(str(settings.value("alarm/volume", cfg.alarms.volume)))
        device = str(settings.value("alarm/device", cfg.alarms.device or "")) or None
        sound = SoundService(volume=volume, device=device)
        alarms = AlarmService(
            runtime,
            sound,
            cfg.desk_id,
            policy=cfg.alarms.policy,
            record=incident_recorder(runtime.ingest, cfg.desk_id),
        )
        alarms.volume, alarms.device = volume, device

        # the speaker reports from its own thread: hop to the loop's
        def sound_failed(reason: str) -> None:
            loop.call_soon_threadsafe(alarms.sound_failed, reason)

        def sound_ok() -> None:
            loop.call_soon_threadsafe(alarms.sound_ok)

        sound.on_failure, sound.on_ok = sound_failed, sound_ok
        signals.changes_committed.connect(alarms.on_changes)
        alarms.start()
        # nobody works the desk unsigned: the services refuse every action until someone signs in
        sign_in = SignInDialog(runtime.auth)
        if not await ask(sign_in):
            await alarms.stop()
            await asyncio.to_thread(sound.close)
            await asyncio.wait_for(runtime.stop(), 10)
            return
        if runtime.auth.current is not None and runtime.auth.current.must_change_password:
            await ask(ChangePasswordDialog(runtime.auth))
        window = DeskWindow(runtime, signals, Theme(theme_name) if theme_name else None, alarms)
        closed = asyncio.Event()
        window.closed.connect(closed.set)

        # SIGTERM (a shutdown, a service manager) and SIGINT close the window as the operator would:
        # the layout is kept, the services stop, every acknowledged event is already committed.
        # Python runs its handlers between bytecodes: a timer gives it some while Qt waits.
        def stop_on_signal(signum: int, _frame: Any) -> None:
            log.info("signal %d: closing the window", signum)
            QTimer.singleShot(0, window.close)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, stop_on_signal)
        wake = QTimer(window)
        wake.start(250)
        window.show()
        window.raise_()
        window.activateWindow()  # the keys (F2 above all) work at once, without a click first
        await window.load()
        settle_heap()
        try:
            await closed.wait()
        finally:
            await alarms.stop()
            await asyncio.to_thread(sound.close)
            await asyncio.wait_for(runtime.stop(), 10)

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(run())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "simulate":
        return cmd_simulate(args)
    try:
        cfg = config_mod.load(args.config)
    except config_mod.ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    commands: dict[str | None, Callable[[config_mod.Config], int]] = {
        "events": cmd_events,
        "incidents": cmd_incidents,
        "feeds": cmd_feeds,
        "ingest": cmd_ingest,
        "report": lambda c: cmd_report(c, args),
        "audit": cmd_audit,
        None: lambda c: cmd_window(c, args.lang, args.theme),
    }
    return commands[args.command](cfg)


if __name__ == "__main__":
    sys.exit(main())
