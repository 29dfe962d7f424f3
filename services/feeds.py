"""The CES/1 client (sections 1–5): one `FeedClient` per configured feed.

It connects, says hello with the committed cursor, hands every event frame to the ingest
(which stores it, then acks), detects stream resets, gaps and silence, reconnects with
back-off and jitter, and carries commands with their results.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from desk import protocol
from desk.feeds import FeedState, FeedStatus
from desk.protocol import Frame, FrameError, read_frame
from services.config import FeedConfig
from services.ingest import IngestService
from services.store import Inbound

log = logging.getLogger("desk.feed")


_BEARER = re.compile(r"(Bearer\s+)\S+")


class _RedactTokens(logging.Filter):
    """websockets logs the handshake's headers at DEBUG: the feed's bearer token never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer" in message:
            record.msg, record.args = _BEARER.sub(r"\1***", message), None
        return True


for _name in ("websockets", "websockets.client", "websockets.server"):
    logging.getLogger(_name).addFilter(_RedactTokens())


@dataclass(frozen=True, slots=True)
class CommandResult:
    id: str
    ok: bool
    error: str | None = None


class CommandTimeout(TimeoutError):
    """No result yet; the command stays pending and is sent again after a reconnect."""


class _Stalled(Exception):
    pass


class _SilenceWatch:
    """Ends a session (with `_Stalled`) once it has waited `seconds` for a frame.

    One timer per silence period, not one per frame: `_recv` only notes when its wait began, and the
    timer, when it runs out, looks at that and arms itself again if the wait is younger. (A
    `wait_for()` around every frame cost a task and two Qt timers on the GUI thread per frame.)
    Waiting for anything else (room in the ingest, the writer) is not silence.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.waiting_since: float | None = None  # monotonic start of the current wait for a frame
        self._task: asyncio.Task[Any] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._fired = False

    async def __aenter__(self) -> _SilenceWatch:
        self._task = asyncio.current_task()
        self._timer = asyncio.get_running_loop().call_later(self.seconds, self._check)
        return self

    def _check(self) -> None:
        since = self.waiting_since
        left = self.seconds if since is None else since + self.seconds - time.monotonic()
        if left > 0:
            self._timer = asyncio.get_running_loop().call_later(left, self._check)
            return
        self._fired = True
        assert self._task is not None
        self._task.cancel()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._fired and exc_type is asyncio.CancelledError:
            assert self._task is not None
            if self._task.uncancel() == 0:  # cancelled by the watch alone (not by stop())
                raise _Stalled from None


class _Resync(Exception):
    """Reconnect at once (a stream reset: say hello again from 0)."""


class _BadSession(Exception):
    pass


StatusListener = Callable[[FeedStatus], None]


class FeedClient:
    """One live feed. Reports every change of its status to `listener(FeedStatus)`."""

    def __init__(
        self,
        config: FeedConfig,
        desk_id: str,
        ingest: IngestService,
        listener: StatusListener | None = None,
        *,
        initial: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.desk_id = desk_id
        self.ingest = ingest
        self.listener = listener
        init = initial or {}
        self.state = FeedState.CONNECTING
        self.detail: str | None = None
        self.state_since = datetime.now(UTC)
        self.gaps = int(init.get("gaps") or 0)
        self.protocol_errors = int(init.get("protocol_errors") or 0)
        self.last_event_at: datetime | None = init.get("last_event_at")
        self.sessions = 0
        self._ws: ClientConnection | None = None
        self._stream: str | None = None
        self._acked = 0
        self._pending: dict[str, tuple[str, dict[str, Any], asyncio.Future[CommandResult]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        ingest.register_acks(config.name, self._send_ack)

    @property
    def name(self) -> str:
        return self.config.name

    # ---- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        for cid, name, body in await self.ingest.write("pending_commands", self.name):
            self._pending[cid] = (name, body, asyncio.get_running_loop().create_future())
        self._task = asyncio.create_task(self._run(), name=f"feed-{self.name}")

    async def stop(self) -> None:
        self._stop.set()
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._set_state(FeedState.STOPPED, None)

    def status(self) -> FeedStatus:
        cur = self.ingest.cursor(self.name)
        return FeedStatus(
            self.name,
            self.config.url,
            self.state,
            self.detail,
            cur.stream,
            cur.cursor,
            self.gaps,
            self.protocol_errors,
            self.last_event_at,
            self.state_since,
        )

    # ---- commands ----------------------------------------------------------------------------
    async def command(
        self, name: str, body: dict[str, Any], *, command_id: str | None = None, timeout: float = 10.0
    ) -> CommandResult:
        """Send a command and wait for its result; it is kept and resent after a reconnect."""
        cid = command_id or uuid.uuid4().hex
        entry = self._pending.get(cid)
        if entry is None:
            future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
            self._pending[cid] = (name, body, future)
            await self.ingest.write("record_command", cid, self.name, name, body)
        else:
            future = entry[2]
        if self._ws is not None and self.state is FeedState.LIVE:
            with contextlib.suppress(ConnectionClosed):  # if closed: resent after the reconnect
                await self._ws.send(protocol.command(cid, name, body))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError as exc:
            raise CommandTimeout(
                f"no result for {name} {cid} within {timeout:.0f} s; it will be sent again"
            ) from exc

    # ---- the connection loop -------------------------------------------------------------------
    def _ssl(self) -> ssl.SSLContext | None:
        if not self.config.url.startswith("wss://"):
            return None
        return ssl.create_default_context(cafile=self.config.ca_file)  # verifies certificates and host names

    async def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            started = time.monotonic()
            delay: float | None = None
            headers = {"Authorization": f"Bearer {self.config.token}"} if self.config.token else None
            try:
                async with connect(
                    self.config.url,
                    additional_headers=headers,
                    compression=None,
                    max_size=protocol.READ_LIMIT_BYTES,
                    proxy=None,
                    ping_interval=None,
                    open_timeout=10,
                    close_timeout=2,
                    ssl=self._ssl(),
                ) as ws:
                    self._ws = ws
                    await self._session(ws)
                    self._set_state(FeedState.RECONNECTING, "the server closed the stream")
            except _Resync:
                delay = 0.0
            except _Stalled:
                self._note("stalled", f"no frame for {self.config.silence_s:.0f} s; reconnecting")
                self._set_state(FeedState.STALLED, f"silent for {self.config.silence_s:.0f} s; reconnecting")
            except InvalidStatus as exc:
                code = exc.response.status_code
                if code in (401, 403):
                    self._note("auth_failed", f"HTTP {code}: the server refused the token")
                    self._set_state(
                        FeedState.AUTH_FAILED,
                        f"HTTP {code}: token refused; next try in {self.config.auth_retry_s:.0f} s",
                    )
                    delay = self.config.auth_retry_s
                else:
                    self._set_state(FeedState.RECONNECTING, f"HTTP {code} from the server")
            except ConnectionClosed as exc:
                why = (
                    f"connection closed: {exc.rcvd.reason or exc.rcvd.code}"
                    if exc.rcvd
                    else "connection lost"
                )
                if exc.rcvd and exc.rcvd.code == 1009:
                    why = "connection closed: a frame was larger than the desk reads (4 MiB)"
                self._set_state(FeedState.RECONNECTING, why)
            except _BadSession as exc:
                self._set_state(FeedState.RECONNECTING, str(exc))
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                self._set_state(FeedState.RECONNECTING, f"cannot connect: {type(exc).__name__}: {exc}"[:300])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let one feed's surprise end the desk
                log.exception("feed %s failed", self.name)
                self._set_state(FeedState.RECONNECTING, f"error: {type(exc).__name__}: {exc}"[:300])
            finally:
                self._ws = None
            if self._stop.is_set():
                break
            if time.monotonic() - started >= protocol.BACKOFF_RESET_S:
                attempt = 0  # a session that lasted resets the back-off
            if delay is None:
                delay = protocol.backoff_delay(
                    attempt, self.config.backoff_base_s, self.config.backoff_max_s, random.random()
                )
                attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)

    @staticmethod
    async def _recv(ws: ClientConnection, watch: _SilenceWatch) -> str | bytes:
        # a frame already buffered returns without a turn of the event loop
        watch.waiting_since = time.monotonic()
        data = await ws.recv()
        watch.waiting_since = None
        return data

    async def _session(self, ws: ClientConnection) -> None:
        async with _SilenceWatch(self.config.silence_s) as watch:
            await self._converse(ws, watch)

    async def _converse(self, ws: ClientConnection, watch: _SilenceWatch) -> None:
        cur = self.ingest.cursor(self.name)
        await ws.send(protocol.hello(self.desk_id, cur.stream, cur.cursor))
        first = read_frame(await self._recv(ws, watch))
        if not isinstance(first, Frame) or first.op != "welcome":
            reason = first.reason if isinstance(first, FrameError) else f"expected welcome, got {first.op}"
            self._protocol_error(
                f"no welcome: {reason}", first.sample if isinstance(first, FrameError) else ""
            )
            raise _BadSession(f"the server did not welcome the desk ({reason})")
        stream, head, oldest = first.body.get("stream"), first.body.get("head"), first.body.get("oldest")
        if not isinstance(stream, str) or not stream or not _is_seq(head, 0) or not _is_seq(oldest, 0):
            self._protocol_error(
                "welcome without a valid stream, head and oldest", protocol.dumps(first.body)
            )
            raise _BadSession("the server's welcome was malformed")
        assert isinstance(head, int) and isinstance(oldest, int)
        since = cur.cursor
        if cur.stream is not None and stream != cur.stream:
            log.warning("feed %s: stream reset %s -> %s", self.name, cur.stream, stream)
            await self.ingest.set_stream(self.name, stream, reset=True)
            if since > 0:
                raise _Resync
        elif cur.stream is None:
            await self.ingest.set_stream(self.name, stream, reset=False)
        last = since
        if since + 1 < oldest:
            missing = oldest - since - 1
            self._gap(missing, f"the server no longer holds events {since + 1}–{oldest - 1}")
            last = oldest - 1
        self._stream = stream
        self._acked = since
        self.sessions += 1
        self._set_state(FeedState.LIVE, f"stream {stream}, head {head}")
        for cid, (name, body, future) in list(self._pending.items()):
            if not future.done():
                await ws.send(protocol.command(cid, name, body))
        while True:
            await self.ingest.room()
            data = await self._recv(ws, watch)
            arrived = time.perf_counter()
            frame = read_frame(data)
            if isinstance(frame, FrameError):
                self._protocol_error(frame.reason, frame.sample)
                continue
            op, body = frame.op, frame.body
            if op == "event":
                seq = body.get("seq")
                if not _is_seq(seq, 1):
                    self._protocol_error(
                        f"event frame with seq {seq!r} (a positive integer is required)",
                        protocol.dumps(body)[: protocol.ERROR_SAMPLE_BYTES],
                    )
                    continue
                assert isinstance(seq, int)
                if seq > last + 1:
                    self._gap(seq - last - 1, f"events {last + 1}–{seq - 1} never arrived")
                last = max(last, seq)
                now = datetime.now(UTC)
                self.last_event_at = now
                assert isinstance(data, str)
                self.ingest.submit(Inbound(self.name, stream, seq, data, now, arrived))
            elif op == "result":
                self._result(body)
            elif op == "error":
                self._note("server_error", str(body.get("message", ""))[:500])
            elif op == "welcome":
                self._protocol_error("a second welcome in one session", protocol.dumps(body))

    def _result(self, body: dict[str, Any]) -> None:
        cid = body.get("id")
        if not isinstance(cid, str):
            return
        entry = self._pending.pop(cid, None)
        if entry is None:
            return
        ok = body.get("ok") is True
        error = None if ok else str(body.get("error") or "failed")
        if not entry[2].done():
            entry[2].set_result(CommandResult(cid, ok, error))
        self.ingest.write_soon("record_result", cid, ok, error)

    async def _send_ack(self, seq: int) -> None:
        ws = self._ws
        if ws is not None and self.state is FeedState.LIVE and seq > self._acked:
            self._acked = seq
            await ws.send(protocol.ack(seq))

    # ---- bookkeeping ---------------------------------------------------------------------------
    def _protocol_error(self, reason: str, sample: str) -> None:
        self.protocol_errors += 1
        log.warning("feed %s: protocol error: %s", self.name, reason)
        self.ingest.write_soon("record_protocol_error", self.name, reason, sample)
        self._emit()

    def _gap(self, count: int, detail: str) -> None:
        self.gaps += count
        log.warning("feed %s: gap of %d: %s", self.name, count, detail)
        self.ingest.write_soon("record_gap", self.name, count, detail)
        self._emit()

    def _note(self, kind: str, detail: str) -> None:
        self.ingest.write_soon("record_notice", self.name, kind, detail)

    def _set_state(self, state: FeedState, detail: str | None) -> None:
        if state is self.state and detail == self.detail:
            return
        if state is not self.state:
            self.state_since = datetime.now(UTC)
            log.info("feed %s: %s (%s)", self.name, state.value, detail or "")
        self.state, self.detail = state, detail
        self.ingest.write_soon("set_feed_state", self.name, state.value, detail)
        self._emit()

    def _emit(self) -> None:
        if self.listener is not None:
            try:
                self.listener(self.status())
            except Exception:
                log.exception("a feed status listener failed")


#: the largest seq the database holds (a 64-bit integer): a server that counts past it is broken
MAX_SEQ = 2**63 - 1


def _is_seq(value: object, lowest: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= MAX_SEQ
