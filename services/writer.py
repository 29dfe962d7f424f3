"""Where the store's writes run: a thread of this process, or a writer process of its own.

The desk runs the writer in its own process (started with `spawn`): validating, applying and
committing thousands of events a second then never competes with the window's event loop for
the GIL. Tests of the protocol use the thread backend, which behaves the same.

A backend takes calls in order with `send()` and gives their results in the same order with
`recv()`, so the ingest can keep the next batch on its way while the writer commits this one.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError

log = logging.getLogger("desk.writer")

# the store methods a backend may run (a guard against calling anything else across a pipe)
WRITES = frozenset(
    {
        "commit_batch",
        "pass_over",
        "cursors",
        "set_stream",
        "record_gap",
        "record_notice",
        "record_protocol_error",
        "set_feed_state",
        "record_command",
        "record_result",
        "pending_commands",
        "act",
        "add_task",
        "add_note",
        "merge",
        "recall_task",
        "set_staff_status",
        "log_incident",
        "log_desk",
        "log_alarm_steps",
        # grievance cases (their writes keep the incident and its case in step)
        "act_with_case",
        "record_reply",
        "categorise_grievance",
        "record_grievance_outcome",
        "record_callback",
        "close_grievance",
        # the shift: open, hand over, the manual shift log, reports and their two signatures
        "open_shift",
        "close_shift",
        "add_log_entry",
        "save_report",
        "sign_report",
        # users, the audit trail, retention and the directory import (services.accounts)
        "audit",
        "create_user",
        "update_user",
        "set_password",
        "record_sign_in",
        "purge_positions",
        "import_directory",
        # the map: a safe zone the shift lead drew (or removed)
        "set_safe_zone",
    }
)


#: not store methods: the writer's own controls. RESUME runs calls again after a halt (the
#: store's memory is read again first: a failed call may have left it ahead of the database);
#: HALT stands in for a call that could not be sent, so that nothing after it runs before it
RESUME = "resume"
HALT = "halt"
CONTROLS = frozenset({RESUME, HALT})


class WriterDied(RuntimeError):
    """The writer process ended; it has been started again and the call may be retried."""


class StorageUnavailable(RuntimeError):
    """The database refuses to write at the moment (the desk holds its events meanwhile)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the database refuses to write ({reason}); try again shortly")
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (StorageUnavailable, (self.reason,))


class WriterHalted(RuntimeError):
    """A batch of events failed, or the database refused to write: the writer runs nothing sent
    after it until the ingest, having taken those calls back in order, says `resume`."""


Call = tuple[str, tuple[Any, ...], dict[str, Any]]


class WriterBackend(Protocol):
    def start(self) -> None: ...

    @property
    def epoch(self) -> int:
        """How many times the writer was started again: a call meant for an older one is refused."""

    def send(self, call: Call, epoch: int | None = None) -> None:
        """Queue a store call (may block while the writer is busy); WriterDied if it is gone, or if
        `epoch` names a writer that has since been replaced (the call was resent after the restart)."""

    def recv(self) -> Any:
        """The result of the oldest call sent (its exception is raised here); WriterDied if gone."""

    def restart(self) -> None: ...

    def stop(self) -> None: ...

    def kill(self) -> None:
        """End the writer at once (a thread waiting on its result is released)."""


class ThreadBackend:
    """The store in this process: `recv()` runs the oldest call on the calling thread."""

    def __init__(self, database_url: str, feeds: Iterable[tuple[str, str]]) -> None:
        from services.db import make_engine
        from services.store import Store

        self.store = Store(make_engine(database_url))
        self._feeds = list(feeds)
        self._calls: queue.SimpleQueue[Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._halted = False
        self.restarts = 0

    def start(self) -> None:
        self.store.load(self._feeds)

    @property
    def epoch(self) -> int:
        return self.restarts

    def run(self, call: Call) -> Any:
        method, args, kwargs = call
        if method == RESUME:
            self.store.reload_memory()  # raises while the database is away: still halted
            self._halted = False
            return None
        if method == HALT:
            self._halted = True
            raise WriterHalted("a call before this one could not be sent")
        if method not in WRITES:
            raise ValueError(f"not a store write: {method}")
        if self._halted:
            raise WriterHalted("a batch before this call failed; it was not run")
        try:
            return getattr(self.store, method)(*args, **kwargs)
        except Exception as exc:
            # events after these must not be committed (and acked) before them; and a database
            # that refuses to write (locked, gone, full) refuses what comes next too
            self._halted = method == "commit_batch" or isinstance(exc, OperationalError)
            raise

    def send(self, call: Call, epoch: int | None = None) -> None:
        with self._lock:
            if epoch is not None and epoch != self.restarts:
                raise WriterDied("the writer restarted after this call was made")
            self._calls.put(call)

    def recv(self) -> Any:
        return self.run(self._calls.get())  # waits for the sender, as a pipe would

    def restart(self) -> None:
        with self._lock:
            self._calls = queue.SimpleQueue()
            self._halted = False
            self.restarts += 1
        self.store.load(self._feeds)

    def stop(self) -> None:
        self.store.close()

    def kill(self) -> None:
        self._calls.put(("cursors", (), {}))  # a recv() waiting for a call gets one


@dataclass(frozen=True, slots=True)
class _Failure:
    exc: BaseException


def _serve(
    database_url: str, feeds: list[tuple[str, str]], conn: multiprocessing.connection.Connection
) -> None:
    """The writer process: run store methods as they come, answer each with its result."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s writer %(name)s: %(message)s"
    )
    backend = ThreadBackend(database_url, feeds)
    backend.start()
    conn.send(("ready", None))
    try:
        while True:
            try:
                method, args, kwargs = conn.recv()
            except EOFError:
                return
            if method == "stop":
                conn.send(("stopped", None))
                return
            try:
                result: Any = backend.run((method, args, kwargs))
            except Exception as exc:  # the caller re-raises it (IllegalTransition and the like)
                result = _Failure(exc)
            try:
                conn.send((method, result))
            except (OSError, EOFError):
                raise
            except Exception as exc:  # a result that cannot be pickled (the call itself ran)
                conn.send((method, _Failure(RuntimeError(f"{method}: its result cannot be sent: {exc!r}"))))
    finally:
        backend.stop()


class ProcessBackend:
    """The store in a writer process of its own, spoken to over a pipe."""

    START_TIMEOUT_S = 60.0

    def __init__(self, database_url: str, feeds: Iterable[tuple[str, str]]) -> None:
        self.database_url = database_url
        self.feeds = list(feeds)
        self._ctx = multiprocessing.get_context("spawn")  # fork would inherit the running event loop
        self._proc: Any = None
        self._conn: multiprocessing.connection.Connection | None = None
        self.restarts = 0
        # sends come from one thread, restart and stop from another: closing the pipe under a
        # send in progress broke it mid-write (a TypeError, not an OSError, that stopped the ingest)
        self._pipe_lock = threading.Lock()
        self._ended = False  # stop() or kill(): no restart after that

    def start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_serve, args=(self.database_url, self.feeds, child), name="desk-writer", daemon=True
        )
        proc.start()
        child.close()
        if not parent.poll(self.START_TIMEOUT_S):
            proc.kill()
            raise RuntimeError("the writer process did not start")
        try:
            parent.recv()
        except EOFError as exc:
            raise RuntimeError("the writer process failed at start (see its log)") from exc
        self._proc, self._conn = proc, parent
        log.info("writer process %d ready", proc.pid)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def epoch(self) -> int:
        return self.restarts

    def send(self, call: Call, epoch: int | None = None) -> None:
        if call[0] not in WRITES and call[0] not in CONTROLS:
            raise ValueError(f"not a store write: {call[0]}")
        with self._pipe_lock:
            if epoch is not None and epoch != self.restarts:
                raise WriterDied("the writer process restarted after this call was made")
            conn = self._conn
            if conn is None:
                raise WriterDied("the writer process is not running")
            try:
                conn.send(call)
            except (EOFError, OSError) as exc:
                raise WriterDied(f"cannot reach the writer process: {exc}") from exc

    def recv(self) -> Any:
        conn = self._conn
        if conn is None:
            raise WriterDied("the writer process is not running")
        try:
            _, result = conn.recv()
        except (EOFError, OSError) as exc:
            raise WriterDied(f"the writer process ended: {exc!r}") from exc
        if isinstance(result, _Failure):
            raise result.exc
        return result

    def restart(self) -> None:
        """Start a new writer process after the old one died (the caller resends what was lost)."""
        if self._ended:
            raise WriterDied("the writer was stopped")
        log.error("the writer process died; starting it again")
        with self._pipe_lock:  # a send in progress ends first (the dead pipe fails it at once)
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self.restarts += 1  # from here on, a call meant for the old writer is refused
        if self._proc is not None:
            self._proc.join(1)
            if self._proc.is_alive():
                self._proc.kill()
        self.start()
        if self._ended:  # stopped while it started: not left running
            self.kill()
            raise WriterDied("the writer was stopped")

    def kill(self) -> None:
        self._ended = True
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.kill()  # the pipe's end in the writer closes: a recv() waiting on it ends

    def stop(self) -> None:
        self._ended = True
        with self._pipe_lock:
            conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.send(("stop", (), {}))
            if conn.poll(10):
                conn.recv()
        except (EOFError, OSError):
            pass
        conn.close()
        if self._proc is not None:
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()
