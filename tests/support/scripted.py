"""A minimal scripted CES/1 server on loopback, for conformance tests of the desk's client.

It keeps a history and behaves as a test tells it: raw frames to slip in, silence, a new
stream id, forgotten history (for gaps), a connection cut after N events, a required token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from desk import protocol


@dataclass
class Script:
    stream: str = "stream-A"
    token: str | None = None
    oldest: int = 1  # the lowest seq still served (raise it to make a gap)
    before_events: list[str | bytes] = field(default_factory=list)  # raw frames after welcome
    silent: bool = False  # say nothing after the welcome
    cut_after: int | None = None  # close the connection after sending this many events
    heartbeat_s: float | None = None
    skip_seqs: set[int] = field(default_factory=set)  # never send these (a gap mid-stream)
    resend_from: int | None = None  # after the replay, send again from this seq (repeats)


class ScriptedServer:
    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self.events: list[dict[str, Any]] = []  # seq = index + 1
        self.hellos: list[dict[str, Any]] = []
        self.acks: list[int] = []
        self.commands: list[dict[str, Any]] = []
        self.connections = 0
        self.auth_failures = 0
        self._server: Server | None = None
        self._live: set[ServerConnection] = set()
        self._new = asyncio.Event()

    # ---- history -----------------------------------------------------------------------------
    def add(self, event: dict[str, Any]) -> int:
        self.events.append(event)
        self._new.set()
        return len(self.events)

    def add_many(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            self.add(e)

    @property
    def head(self) -> int:
        return len(self.events)

    # ---- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await serve(
            self._handler, "127.0.0.1", 0, process_request=self._auth, compression=None, max_size=2**20
        )

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/"

    async def drop(self) -> None:
        """Cut every open connection (the desk must resume)."""
        for ws in list(self._live):
            await ws.close(1001, "going away")

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for_ack(self, seq: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not self.acks or self.acks[-1] < seq:
                await asyncio.sleep(0.01)

    # ---- the protocol ------------------------------------------------------------------------
    def _auth(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.script.token is None:
            return None
        if request.headers.get("Authorization") != f"Bearer {self.script.token}":
            self.auth_failures += 1
            return connection.respond(HTTPStatus.UNAUTHORIZED, "bad token\n")
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        self._live.add(ws)
        try:
            hello = json.loads(await ws.recv())
            self.hellos.append(hello)
            s = self.script
            since = hello.get("since", 0) if hello.get("stream") == s.stream else 0
            await ws.send(protocol.welcome(s.stream, self.head, s.oldest))
            reader = asyncio.create_task(self._read(ws))
            try:
                for raw in s.before_events:
                    await ws.send(raw)
                if s.silent:
                    await ws.wait_closed()
                    return
                await self._send_from(ws, max(since + 1, s.oldest))
            finally:
                reader.cancel()
        except Exception:
            pass
        finally:
            self._live.discard(ws)

    async def _send_from(self, ws: ServerConnection, seq: int) -> None:
        sent = 0
        resent = False
        while True:
            while seq <= self.head:
                if seq not in self.script.skip_seqs:
                    await ws.send(protocol.event_frame(seq, self.events[seq - 1]))
                    sent += 1
                    if self.script.cut_after is not None and sent >= self.script.cut_after:
                        self.script.cut_after = None
                        await ws.close(1011, "cut by the test")
                        return
                seq += 1
            if self.script.resend_from is not None and not resent:
                resent = True
                seq = self.script.resend_from
                continue
            self._new.clear()
            new = asyncio.ensure_future(self._new.wait())
            closed = asyncio.ensure_future(ws.wait_closed())
            done, _ = await asyncio.wait(
                {new, closed}, timeout=self.script.heartbeat_s, return_when=asyncio.FIRST_COMPLETED
            )
            new.cancel()
            closed.cancel()
            if closed in done:
                return
            if not done:
                await ws.send(protocol.heartbeat(self.head, "2026-12-04T03:00:00+08:00"))

    async def _read(self, ws: ServerConnection) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("op") == "ack":
                    self.acks.append(frame["seq"])
                elif frame.get("op") == "command":
                    self.commands.append(frame)
                    ok = frame.get("name") in ("dispatch", "recall", "reply")
                    await ws.send(protocol.result(frame["id"], ok, None if ok else "unsupported"))
