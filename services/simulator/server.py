"""The built-in CES/1 server: the demo community's events over WebSocket, with replay and commands.

One task drives the :class:`Simulation` and appends what it produces to the :class:`History`; each
connection has one sender that reads the history from its own cursor, so replay, live events and
any number of desks all take the same path. Commands are answered once per id, durably.
"""

from __future__ import annotations

import asyncio
import copy
import hmac
import logging
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from desk.geo import gcj02_to_wgs84
from desk.protocol import (
    CLIENT_OPS,
    HEARTBEAT_INTERVAL_S,
    PROTOCOL_VERSION,
    Frame,
    FrameError,
    error,
    event_frame,
    heartbeat,
    read_frame,
    result,
    welcome,
)

from .community import Community, Point, build_community
from .history import CommandResult, History
from .scenario import load_scenario
from .simulation import CST, Simulation

log = logging.getLogger("desk.simulator")

#: the most a desk may send and the simulator reads in one frame (CES/1 section 1)
READ_LIMIT_BYTES = 1024 * 1024
#: events read from the history and sent in one go
SEND_BATCH = 500
#: the generator wakes at most this often, so that high rates go out in batches
MIN_TICK_S = 0.01
HELLO_TIMEOUT_S = 10.0
_TASK_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """How the simulator runs. ``port`` 0 takes any free port; ``state_path`` None keeps history in memory."""

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    rate: float = 1.0
    state_path: Path | None = None
    scenario: Path | None = None
    seed: int = 7
    heartbeat_s: float = HEARTBEAT_INTERVAL_S
    field_delay_scale: float = 1.0
    live: bool = True
    #: share of wearables that report GCJ-02 coordinates, as many Chinese devices do
    gcj02_share: float = 0.2
    #: share of dispatched tasks that the field declines
    decline_share: float = 0.08
    #: keep at most this many events (older ones can no longer be replayed: a late desk sees a gap)
    max_events: int | None = None

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.heartbeat_s <= 0 or self.field_delay_scale < 0:
            raise ValueError("rate and heartbeat_s must be positive, field_delay_scale not negative")
        if not (0 <= self.gcj02_share <= 1 and 0 <= self.decline_share <= 1):
            raise ValueError("gcj02_share and decline_share are shares between 0 and 1")
        if self.max_events is not None and self.max_events < 1:
            raise ValueError("max_events must be at least 1")


@dataclass(eq=False, slots=True)
class _Peer:
    """One connected desk: where its sender is in the history, and results waiting to go out."""

    ws: ServerConnection
    desk: str
    cursor: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    outbox: list[str] = field(default_factory=list)

    def post(self, frame: str) -> None:
        self.outbox.append(frame)
        self.wake.set()


def _now_stamp() -> str:
    return datetime.now(CST).isoformat(timespec="seconds")


class SimulatorServer:
    """A CES/1 server for the demo community: ``await start()``, then desks connect to ``url``."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.port = self.config.port
        self._community = build_community(self.config.seed)
        self._history: History | None = None
        self._sim: Simulation | None = None
        self._server: Server | None = None
        self._runner: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._peers: set[_Peer] = set()
        self._acks: dict[str, int] = {}
        self._t0 = 0.0
        self._commands: dict[str, Callable[[dict[str, Any]], CommandResult]] = {
            "dispatch": self._dispatch,
            "recall": self._recall,
            "reply": self._reply,
        }

    # -- public

    @property
    def url(self) -> str:
        host = self.config.host
        return f"ws://[{host}]:{self.port}/" if ":" in host else f"ws://{host}:{self.port}/"

    @property
    def community(self) -> Community:
        return self._community

    @property
    def head(self) -> int:
        """The highest seq in the history."""
        return self._need_history().head

    @property
    def stream(self) -> str:
        return self._need_history().stream

    @property
    def history(self) -> History:
        return self._need_history()

    def acked(self, desk: str) -> int:
        """The highest seq a desk has acknowledged (0 when none)."""
        return self._acks.get(desk, 0)

    async def start(self) -> None:
        """Open the history, start the community's life and listen; ``port`` and ``url`` are then real."""
        cfg = self.config
        steps = load_scenario(cfg.scenario) if cfg.scenario is not None else []
        history = History(cfg.state_path)
        t0, started = asyncio.get_running_loop().time(), datetime.now(CST)
        sim = Simulation(
            self._community,
            start=started,
            id_tag=history.stream[:8],
            serial_start=history.head + 1,
            seed=cfg.seed,
            rate=cfg.rate,
            gcj02_share=cfg.gcj02_share,
            field_delay_scale=cfg.field_delay_scale,
            decline_share=cfg.decline_share,
        )
        if cfg.live:
            if history.head == 0:
                history.extend(sim.profiles())
            sim.start_live()
        sim.add_scenario(steps)
        try:
            self._server = await serve(
                self._handle,
                cfg.host,
                cfg.port,
                process_request=self._authorize,
                compression=None,
                max_size=READ_LIMIT_BYTES,
                close_timeout=1.0,
            )
        except BaseException:
            history.close()
            raise
        self._history, self._sim = history, sim
        self.port = self._server.sockets[0].getsockname()[1]
        self._t0 = t0
        self._runner = asyncio.create_task(self._run(), name="simulator")
        log.info(
            "simulator on %s: stream %s, head %d, rate %g", self.url, history.stream, history.head, cfg.rate
        )

    async def stop(self) -> None:
        """Close every connection, stop generating and close the history."""
        if self._runner is not None:
            self._runner.cancel()
            with suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self._peers.clear()
        if self._history is not None:
            self._history.close()
            self._history = None
        log.info("simulator stopped")

    def inject(self, event: dict[str, Any]) -> int:
        """Append an event exactly as given (valid or not), send it to every desk; returns its seq."""
        return self._commit([copy.deepcopy(event)])

    # -- generating

    def _need_history(self) -> History:
        if self._history is None:
            raise RuntimeError("the simulator is not running")
        return self._history

    def _now(self) -> float:
        return asyncio.get_running_loop().time() - self._t0

    def _commit(self, events: list[dict[str, Any]]) -> int:
        history = self._need_history()
        history.extend(events)
        # trim in steps of a tenth, not on every commit
        if (
            self.config.max_events is not None
            and history.head - history.oldest >= self.config.max_events * 1.1
        ):
            history.trim(self.config.max_events)
        for peer in self._peers:
            peer.wake.set()
        return history.head

    async def _run(self) -> None:
        """Advance the simulation to the clock, store what happened, sleep until the next thing."""
        assert self._sim is not None
        while True:
            now = self._now()
            try:
                events = self._sim.advance(now)
            except Exception:  # a bug in one generator must not end the stream
                log.exception("the simulation failed at %.1f s", now)
                events = []
            if events:
                self._commit(events)
            due = self._sim.next_due()
            self._wake.clear()
            delay = None if due is None else max(due - now, MIN_TICK_S)
            with suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()

    # -- connections

    def _authorize(self, connection: ServerConnection, request: Request) -> Response | None:
        token = self.config.token
        if token is None:
            return None
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        log.warning(
            "refused a connection from %s: %s token", connection.remote_address, "wrong" if given else "no"
        )
        return connection.respond(HTTPStatus.UNAUTHORIZED, "authentication failed\n")

    async def _handle(self, ws: ServerConnection) -> None:
        peer = await self._greet(ws)
        if peer is None:
            return
        self._peers.add(peer)
        sender = asyncio.create_task(self._send_loop(peer), name=f"simulator-send-{peer.desk}")
        try:
            async for message in ws:
                self._on_message(peer, message)
        except ConnectionClosed:
            pass
        finally:
            self._peers.discard(peer)
            sender.cancel()
            with suppress(asyncio.CancelledError):
                await sender
            log.info("desk %s disconnected at seq %d", peer.desk, peer.cursor)

    async def _greet(self, ws: ServerConnection) -> _Peer | None:
        """Read the hello, answer welcome; None (after an error frame) when the desk got it wrong."""
        history = self._need_history()
        try:
            try:
                async with asyncio.timeout(HELLO_TIMEOUT_S):
                    raw = await ws.recv()
            except TimeoutError:
                await ws.send(error(f"no hello within {HELLO_TIMEOUT_S:g} s"))
                return None
            frame = read_frame(raw, CLIENT_OPS)
            problem = self._hello_problem(frame)
            if problem is not None:
                await ws.send(error(problem))
                return None
            assert not isinstance(frame, FrameError)
            hello = frame.body
            since = hello.get("since") or 0
            if hello.get("stream") != history.stream:
                since = 0
            elif since > history.head:
                log.warning(
                    "desk %s is ahead of the stream (%d > %d)", hello.get("desk"), since, history.head
                )
            await ws.send(welcome(history.stream, history.head, history.oldest))
        except ConnectionClosed:
            return None
        desk = str(hello.get("desk") or "unnamed")
        log.info("desk %s connected, since %d (head %d)", desk, since, history.head)
        return _Peer(ws, desk, since)

    @staticmethod
    def _hello_problem(frame: Frame | FrameError) -> str | None:
        if isinstance(frame, FrameError):
            return f"expected hello: {frame.reason}"
        body = frame.body
        if frame.op != "hello":
            return f"expected hello, got {frame.op}"
        if body.get("protocol") != PROTOCOL_VERSION:
            return f"unsupported protocol {body.get('protocol')!r}"
        since = body.get("since")
        if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
            return "since must be an integer >= 0"
        return None

    async def _send_loop(self, peer: _Peer) -> None:
        """Send results, then the history from the peer's cursor; a heartbeat when quiet for heartbeat_s."""
        loop = asyncio.get_running_loop()
        history = self._need_history()
        last_sent = loop.time()
        try:
            while True:
                sent = False
                if peer.outbox:
                    frames, peer.outbox = peer.outbox, []
                    for frame in frames:
                        await peer.ws.send(frame)
                    sent = True
                batch = history.read(peer.cursor, SEND_BATCH)
                if batch:
                    for record in batch:
                        await peer.ws.send(event_frame(record.seq, record.event))
                    peer.cursor = batch[-1].seq
                    sent = True
                if sent:
                    last_sent = loop.time()
                    await asyncio.sleep(0)  # let the others have the loop between batches
                    continue
                peer.wake.clear()
                quiet_for = self.config.heartbeat_s - (loop.time() - last_sent)
                if quiet_for <= 0:
                    await peer.ws.send(heartbeat(history.head, _now_stamp()))
                    last_sent = loop.time()
                    continue
                with suppress(TimeoutError):
                    async with asyncio.timeout(quiet_for):
                        await peer.wake.wait()
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("sending to desk %s failed", peer.desk)
            await peer.ws.close(1011, "internal error")

    def _on_message(self, peer: _Peer, message: str | bytes) -> None:
        frame = read_frame(message, CLIENT_OPS)
        if isinstance(frame, FrameError):
            log.warning("desk %s sent an unreadable frame: %s", peer.desk, frame.reason)
            return
        body = frame.body
        if frame.op == "ack":
            seq = body.get("seq")
            if isinstance(seq, int) and not isinstance(seq, bool):
                self._acks[peer.desk] = max(self._acks.get(peer.desk, 0), seq)
        elif frame.op == "command":
            self._on_command(peer, body)
        else:
            log.warning("desk %s sent %s again; ignored", peer.desk, frame.op)

    # -- commands

    def _on_command(self, peer: _Peer, frame: dict[str, Any]) -> None:
        """Answer a command once per id: a resent id gets the same answer and changes nothing."""
        command_id = frame.get("id")
        if not isinstance(command_id, str) or not command_id:
            log.warning("desk %s sent a command without an id; ignored", peer.desk)
            return
        history = self._need_history()
        answer = history.command_result(command_id)
        if answer is None:
            name, body = frame.get("name"), frame.get("body")
            handler = self._commands.get(name) if isinstance(name, str) else None
            if handler is None:
                answer = CommandResult(False, "unsupported")
            elif not isinstance(body, dict):
                answer = CommandResult(False, "body must be an object")
            else:
                answer = handler(body)
            history.record_command(command_id, str(name), body, answer)
            log.info("command %s %s from %s: %s", name, command_id, peer.desk, answer)
        peer.post(result(command_id, answer.ok, answer.error))

    def _dispatch(self, body: dict[str, Any]) -> CommandResult:
        assert self._sim is not None
        task, assignee = body.get("task"), body.get("assignee")
        if not isinstance(task, str) or not _TASK_ID.match(task):
            return CommandResult(False, "task must be an id of letters, digits and . _ -")
        if not isinstance(assignee, str) or not self._community.is_assignee(assignee):
            return CommandResult(False, f"unknown assignee {assignee!r}")
        target: Point | None = None
        if body.get("location") is not None:
            target = _target(body["location"])
            if target is None:
                return CommandResult(False, "location must have lat and lon")
        self._sim.dispatch(self._now(), task, assignee, target, self._retry_suffix(task))
        self._wake.set()
        return CommandResult(True)

    def _retry_suffix(self, task: str) -> str:
        """The id suffix of a task's play: none the first time, ":r2", ":r3"… when it is dispatched again."""
        history = self._need_history()
        n, suffix = 1, ""
        while any(history.find(f"task:{task}:{s}{suffix}") for s in ("accepted", "declined")):
            n += 1
            suffix = f":r{n}"
        return suffix

    def _recall(self, body: dict[str, Any]) -> CommandResult:
        assert self._sim is not None
        task = body.get("task")
        if not isinstance(task, str) or not task:
            return CommandResult(False, "task missing")
        self._sim.recall(task)
        return CommandResult(True)

    def _reply(self, body: dict[str, Any]) -> CommandResult:
        event_id, text = body.get("event"), body.get("text")
        if not isinstance(text, str) or not text.strip():
            return CommandResult(False, "text missing")
        found = self._need_history().find(event_id) if isinstance(event_id, str) else None
        if found is None or found.get("type") != "grievance":
            return CommandResult(False, "unknown grievance")
        log.info("reply to %s via %s: %s", event_id, found.get("channel"), text[:80])
        return CommandResult(True)


def _target(location: object) -> Point | None:
    """A dispatch location as a WGS-84 point, or None when it is not one."""
    if not isinstance(location, dict):
        return None
    lat, lon = location.get("lat"), location.get("lon")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    assert isinstance(lat, int | float) and isinstance(lon, int | float)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if location.get("crs") == "gcj02":
        return gcj02_to_wgs84(float(lat), float(lon))
    return float(lat), float(lon)
