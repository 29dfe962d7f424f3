"""CES/1 conformance of the desk's feed client against a real websockets server on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from desk.feeds import FeedState
from services.feeds import CommandTimeout
from tests.support.desk import DeskUnderTest
from tests.support.events import examples, fall, position
from tests.support.scripted import Script, ScriptedServer

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    yield srv
    await srv.stop()


async def run_desk(server: ScriptedServer, db_url: str, **feed: object) -> DeskUnderTest:
    return await DeskUnderTest(server.url, db_url, **feed).start()


async def test_hello_welcome_store_then_ack(server: ScriptedServer, db_url: str) -> None:
    server.add_many([position(i) for i in range(1, 51)])
    desk = await run_desk(server, db_url)
    try:
        await server.wait_for_ack(50)
        assert server.hellos[0] == {
            "op": "hello",
            "protocol": 1,
            "desk": "desk-test",
            "stream": None,
            "since": 0,
        }
        # every acked seq was committed before the ack went out
        assert desk.store.cursor("f1").cursor == 50 and len(desk.store.events()) == 50
        assert desk.client.state is FeedState.LIVE
        assert server.acks == sorted(server.acks)
    finally:
        await desk.stop()


async def test_resume_after_a_dropped_connection(server: ScriptedServer, db_url: str) -> None:
    server.add_many([position(i) for i in range(1, 31)])
    desk = await run_desk(server, db_url)
    try:
        await server.wait_for_ack(30)
        await server.drop()
        server.add_many([position(i) for i in range(31, 41)])
        await desk.until(lambda: server.connections >= 2, what="reconnect")
        await server.wait_for_ack(40)
        assert server.hellos[1]["since"] == 30 and server.hellos[1]["stream"] == "stream-A"
        ids = [r["event_id"] for r in desk.store.events()]
        assert ids == [f"pos-{i}" for i in range(1, 41)]
    finally:
        await desk.stop()


async def test_cut_mid_replay_loses_nothing_and_stores_nothing_twice(db_url: str) -> None:
    srv = ScriptedServer(Script(cut_after=120))
    await srv.start()
    srv.add_many([position(i) for i in range(1, 301)])
    desk = await run_desk(srv, db_url)
    try:
        await srv.wait_for_ack(300)
        ids = [r["event_id"] for r in desk.store.events()]
        assert ids == [f"pos-{i}" for i in range(1, 301)]
        assert srv.connections >= 2
    finally:
        await desk.stop()
        await srv.stop()


async def test_every_invalid_example_is_quarantined_acked_and_the_stream_goes_on(
    server: ScriptedServer, db_url: str
) -> None:
    events = examples("invalid") + examples("valid")
    server.add_many(events)
    desk = await run_desk(server, db_url)
    try:
        await server.wait_for_ack(len(events))
        rows = desk.store.events()
        assert [r["status"] for r in rows[:7]] == ["quarantined"] * 7
        assert all(r["status"] == "applied" for r in rows[7:])
        assert sum(len(c.quarantined) for c in desk.changes) == 7
    finally:
        await desk.stop()


async def test_unreadable_binary_and_oversize_frames_are_protocol_errors(db_url: str) -> None:
    big = json.dumps({"op": "event", "seq": 1, "event": {"pad": "x" * (300 * 1024)}})
    huge = json.dumps({"op": "event", "seq": 2**63, "event": fall(99)})  # past a 64-bit column
    bad = [
        "not json {",
        b"\x00\x01binary",
        "[1,2,3]",
        '{"op":"teleport"}',
        big,
        '{"op":"event","seq":"x"}',
        huge,
    ]
    srv = ScriptedServer(Script(before_events=bad))
    await srv.start()
    srv.add_many([fall(1), fall(2, minute=30)])
    desk = await run_desk(srv, db_url)
    try:
        await srv.wait_for_ack(2)
        errors = desk.store.protocol_errors("f1")
        reasons = [e["reason"] for e in errors]
        assert len(errors) == 7, reasons
        assert reasons[0].startswith("not JSON") and reasons[1].startswith("binary frame")
        assert "not a JSON object" in reasons[2] and "unknown op 'teleport'" in reasons[3]
        assert "over the 256 KiB limit" in reasons[4] and len(errors[4]["sample"].encode()) <= 4096
        assert "seq 'x'" in reasons[5] and f"seq {2**63}" in reasons[6]
        assert desk.client.protocol_errors == 7 and desk.store.feeds()[0]["protocol_errors"] == 7
        assert desk.client.state is FeedState.LIVE  # the stream carried on
        assert [r["event_id"] for r in desk.store.events()] == ["fall-1", "fall-2"]
    finally:
        await desk.stop()
        await srv.stop()


async def test_wrong_token_shows_authentication_failed_and_waits(db_url: str) -> None:
    srv = ScriptedServer(Script(token="right"))
    await srv.start()
    desk = await run_desk(srv, db_url, token="wrong", auth_retry_s=60.0)
    try:
        await desk.until_state(FeedState.AUTH_FAILED)
        assert "401" in (desk.client.detail or "")
        await asyncio.sleep(0.5)
        assert srv.auth_failures == 1  # no hammering: the next try is a minute away
        assert desk.store.notices("f1")[-1]["kind"] == "auth_failed"
    finally:
        await desk.stop()
        await srv.stop()


async def test_right_token_is_sent_as_bearer(db_url: str) -> None:
    srv = ScriptedServer(Script(token="s3cret"))
    await srv.start()
    srv.add(fall(1))
    desk = await run_desk(srv, db_url, token="s3cret")
    try:
        await srv.wait_for_ack(1)
        assert srv.auth_failures == 0
    finally:
        await desk.stop()
        await srv.stop()


async def test_stream_reset_reads_the_new_stream_from_the_start(server: ScriptedServer, db_url: str) -> None:
    server.add_many([fall(1), fall(2, minute=30), fall(3, minute=59)])
    desk = await run_desk(server, db_url)
    try:
        await server.wait_for_ack(3)
        # the server loses its history and starts a new sequence space
        server.script.stream = "stream-B"
        server.events = []
        server.acks.clear()
        server.add_many([fall(10, elder="E-1"), fall(11, elder="E-2")])
        await server.drop()
        await desk.until(
            lambda: desk.store.cursor("f1").stream == "stream-B" and desk.store.cursor("f1").cursor == 2,
            what="new stream read",
        )
        kinds = [n["kind"] for n in desk.store.notices("f1")]
        assert "stream_reset" in kinds
        assert server.hellos[-1]["stream"] == "stream-B" and server.hellos[-1]["since"] == 0
        ids = [r["event_id"] for r in desk.store.events()]
        assert ids == ["fall-1", "fall-2", "fall-3", "fall-10", "fall-11"]
    finally:
        await desk.stop()


async def test_gap_when_the_server_no_longer_holds_history(db_url: str) -> None:
    srv = ScriptedServer(Script(oldest=41))
    await srv.start()
    srv.add_many([position(i) for i in range(1, 51)])
    desk = await run_desk(srv, db_url)
    try:
        await srv.wait_for_ack(50)
        assert desk.client.gaps == 40
        assert desk.store.feeds()[0]["gaps"] == 40
        notice = desk.store.notices("f1")[-1]
        assert notice["kind"] == "gap" and notice["count"] == 40
        assert len(desk.store.events()) == 10
    finally:
        await desk.stop()
        await srv.stop()


async def test_gap_mid_stream_and_repeats(db_url: str) -> None:
    srv = ScriptedServer(Script(skip_seqs={5, 6}, resend_from=3))
    await srv.start()
    srv.add_many([position(i) for i in range(1, 11)])
    desk = await run_desk(srv, db_url)
    try:
        await srv.wait_for_ack(10)
        await desk.until(lambda: desk.store.feeds()[0]["repeats"] >= 6, what="repeats counted")
        assert desk.client.gaps == 2
        assert len(desk.store.events()) == 8  # 1-4, 7-10; the resent 3-10 changed nothing
    finally:
        await desk.stop()
        await srv.stop()


async def test_heartbeat_silence_closes_and_reconnects(db_url: str) -> None:
    srv = ScriptedServer(Script(silent=True))
    await srv.start()
    desk = await run_desk(srv, db_url, silence_s=0.5)
    try:
        await desk.until(lambda: srv.connections >= 2, what="reconnect after silence")
        assert any(s.state is FeedState.STALLED for s in desk.states)
        assert "stalled" in [n["kind"] for n in desk.store.notices("f1")]
    finally:
        await desk.stop()
        await srv.stop()


async def test_heartbeats_keep_a_quiet_feed_live(db_url: str) -> None:
    srv = ScriptedServer(Script(heartbeat_s=0.1))
    await srv.start()
    desk = await run_desk(srv, db_url, silence_s=0.6)
    try:
        await desk.until_state(FeedState.LIVE)
        await asyncio.sleep(1.5)
        assert srv.connections == 1 and desk.client.state is FeedState.LIVE
    finally:
        await desk.stop()
        await srv.stop()


async def test_commands_get_results_and_unanswered_ones_are_resent(
    server: ScriptedServer, db_url: str
) -> None:
    desk = await run_desk(server, db_url)
    try:
        await desk.until_state(FeedState.LIVE)
        result = await desk.client.command(
            "dispatch", {"task": "T-1", "incident": "1", "assignee": "S-003", "summary": "看看"}
        )
        assert result.ok
        bad = await desk.client.command("teleport", {})
        assert not bad.ok and bad.error == "unsupported"
        rows = {
            r["id"]: r
            for r in desk.store.engine.connect()
            .execute(__import__("sqlalchemy").text("select id, ok from commands"))
            .mappings()
        }
        assert rows[result.id]["ok"] == 1
    finally:
        await desk.stop()


async def test_command_sent_while_down_goes_out_after_reconnect(db_url: str) -> None:
    srv = ScriptedServer(Script(token="t"))
    await srv.start()
    desk = await run_desk(srv, db_url, token="wrong", auth_retry_s=0.3)
    try:
        await desk.until_state(FeedState.AUTH_FAILED)
        with pytest.raises(CommandTimeout):
            await desk.client.command("recall", {"task": "T-9", "reason": "x"}, command_id="c-1", timeout=0.2)
        srv.script.token = None  # the server takes the desk again
        await desk.until(lambda: any(c["id"] == "c-1" for c in srv.commands), what="command resent")
    finally:
        await desk.stop()
        await srv.stop()
