"""The built-in simulator as a desk meets it: a real websockets client on loopback, per CES/1."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from desk import protocol
from desk.events import Invalid, validate
from desk.geo import haversine_m
from services.simulator import SimulatorConfig, SimulatorServer
from services.simulator.community import build_community
from services.simulator.scenario import ScenarioError, load_scenario
from services.simulator.simulation import CST, Simulation

ROOT = Path(__file__).resolve().parents[2]
NIGHT_FALL = ROOT / "resources" / "scenarios" / "night-fall.jsonl"
RFC3339_CST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
PROFILES = 180 + 12 + 8 + 3  # elders, grid workers, patrol officers, teams


@asynccontextmanager
async def simulator(**overrides: Any) -> AsyncIterator[SimulatorServer]:
    """A started simulator on a free port; quiet (live=False) unless asked."""
    server = SimulatorServer(SimulatorConfig(**{"port": 0, "live": False, **overrides}))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class Desk:
    """A minimal CES/1 client that keeps every frame it hears, by kind."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []  # event frames: {"op", "seq", "event"}
        self.results: dict[str, dict[str, Any]] = {}
        self.heartbeats: list[dict[str, Any]] = []
        self.ops: list[str] = []

    async def hello(self, stream: str | None = None, since: int = 0) -> dict[str, Any]:
        await self.ws.send(protocol.hello("desk-01", stream, since))
        welcome = json.loads(await asyncio.wait_for(self.ws.recv(), 2))
        assert welcome["op"] == "welcome", welcome
        return dict(welcome)

    async def until(self, check: Callable[[], bool], timeout: float = 2.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                self._keep(json.loads(await self.ws.recv()))

    async def listen(self, seconds: float) -> None:
        """Take in whatever arrives for a while."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    self._keep(json.loads(await self.ws.recv()))
        except TimeoutError:
            pass

    async def command(self, command_id: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        self.results.pop(command_id, None)
        await self.ws.send(protocol.command(command_id, name, body))
        await self.until(lambda: command_id in self.results)
        return self.results[command_id]

    def _keep(self, frame: dict[str, Any]) -> None:
        self.ops.append(frame["op"])
        if frame["op"] == "event":
            self.events.append(frame)
        elif frame["op"] == "result":
            self.results[frame["id"]] = frame
        elif frame["op"] == "heartbeat":
            self.heartbeats.append(frame)
        else:
            raise AssertionError(f"unexpected frame {frame}")

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.events]

    def tasks(self, task: str) -> list[dict[str, Any]]:
        return [
            f["event"] for f in self.events if f["event"]["type"] == "task" and f["event"]["task"] == task
        ]


@asynccontextmanager
async def desk(server: SimulatorServer, token: str | None = None) -> AsyncIterator[Desk]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    # an unbounded queue: with the default, a client that closes while the server floods it stops
    # reading, never sees the server's close frame behind the queued events, and waits close_timeout
    async with connect(
        server.url, additional_headers=headers, compression=None, open_timeout=2, max_queue=None
    ) as ws:
        yield Desk(ws)


def event(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"t:{n}",
        "type": "fall",
        "source": "test",
        "time": "2026-12-04T02:13:05+08:00",
        "device": "FD-1",
        "elder": "E-0042",
        **fields,
    }


def grievance(event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "grievance",
        "source": "wechat-oa",
        "time": "2026-12-04T02:13:05+08:00",
        "channel": "wechat",
        "category": "noise",
        "text": "楼上太吵",
    }


def assert_valid(events: list[dict[str, Any]]) -> None:
    for e in events:
        checked = validate(e)
        assert not isinstance(checked, Invalid), (checked.reason, e)


# -- session


@pytest.mark.asyncio
async def test_a_new_stream_starts_with_the_directory() -> None:
    async with simulator(live=True) as server, desk(server) as d:
        welcome = await d.hello()
        assert welcome["stream"] == server.stream
        assert welcome["oldest"] == 1
        assert welcome["head"] >= PROFILES
        await d.until(lambda: len(d.events) >= PROFILES)
    assert d.seqs()[:PROFILES] == list(range(1, PROFILES + 1))
    profiles = [f["event"] for f in d.events[:PROFILES]]
    assert {p["type"] for p in profiles} == {"profile"}
    kinds = Counter(p["kind"] for p in profiles)
    assert kinds["elder"] >= 150 and kinds["team"] == 3
    grid_staff = [p for p in profiles if p["kind"] == "staff" and p["role"] == "grid"]
    assert sorted(p["grid"] for p in grid_staff) == [f"G-{n:02d}" for n in range(1, 13)]
    patrol = {p["ref"]: p for p in profiles if p["kind"] == "staff" and p["role"] == "patrol"}
    for team in (p for p in profiles if p["kind"] == "team"):
        assert 2 <= len(team["members"]) <= 3
        assert all(patrol[m]["team"] == team["ref"] for m in team["members"])
    e42 = next(p for p in profiles if p.get("ref") == "E-0042")
    assert e42["device"].startswith("FD-") and e42["home"] and e42["contacts"] and e42["safe_radius_m"] > 0
    assert_valid(profiles)


@pytest.mark.asyncio
async def test_resume_replays_after_since_then_goes_live() -> None:
    async with simulator() as server, desk(server) as d:
        assert [server.inject(event(n)) for n in range(1, 11)] == list(range(1, 11))
        welcome = await d.hello(server.stream, since=4)
        assert (welcome["head"], welcome["oldest"]) == (10, 1)
        await d.until(lambda: len(d.events) == 6)
        assert d.seqs() == [5, 6, 7, 8, 9, 10]
        assert [f["event"]["id"] for f in d.events] == [f"t:{n}" for n in range(5, 11)]
        assert server.inject(event(11)) == 11
        await d.until(lambda: len(d.events) == 7)
        assert d.seqs()[-1] == 11


@pytest.mark.asyncio
async def test_a_desk_from_another_stream_gets_everything_from_the_start() -> None:
    async with simulator() as server, desk(server) as d:
        for n in range(1, 4):
            server.inject(event(n))
        await d.hello("not-this-stream", since=2)
        await d.until(lambda: len(d.events) == 3)
        assert d.seqs() == [1, 2, 3]


@pytest.mark.asyncio
async def test_two_desks_both_get_live_events_and_acks_are_remembered() -> None:
    async with simulator() as server, desk(server) as a, desk(server) as b:
        await a.hello()
        await b.hello()
        server.inject(event(1))
        server.inject(event(2))
        await a.until(lambda: len(a.events) == 2)
        await b.until(lambda: len(b.events) == 2)
        await a.ws.send(protocol.ack(2))
        await a.ws.send(protocol.ack(1))  # acks are cumulative: an older one changes nothing
        await a.listen(0.05)
        assert server.acked("desk-01") == 2


@pytest.mark.asyncio
async def test_history_survives_a_restart_on_the_same_state_file(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    async with simulator(state_path=state) as server, desk(server) as d:
        stream = server.stream
        for n in range(1, 4):
            server.inject(event(n))
        await d.hello()
        assert (await d.command("c-1", "reply", {"event": "wx:later", "text": "好的"}))["ok"] is False
    async with simulator(state_path=state) as server, desk(server) as d:
        assert (server.stream, server.head) == (stream, 3)
        server.inject(grievance("wx:later"))
        welcome = await d.hello(stream, since=3)
        assert (welcome["stream"], welcome["head"]) == (stream, 4)
        await d.until(lambda: len(d.events) == 1)
        assert d.seqs() == [4]
        # the same command id gets the same answer as before the restart
        again = await d.command("c-1", "reply", {"event": "wx:later", "text": "好的"})
        assert (again["ok"], again["error"]) == (False, "unknown grievance")
        assert (await d.command("c-2", "reply", {"event": "wx:later", "text": "好的"}))["ok"] is True


@pytest.mark.asyncio
async def test_a_trimmed_history_says_where_it_starts() -> None:
    async with simulator(max_events=10) as server, desk(server) as d:
        for n in range(1, 31):
            server.inject(event(n))
        welcome = await d.hello(server.stream, since=0)
        assert welcome["head"] == 30 and 10 < welcome["oldest"] <= 21
        await d.until(lambda: bool(d.events) and d.seqs()[-1] == 30)
        assert d.seqs()[0] == welcome["oldest"]


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [None, "wrong"])
async def test_a_missing_or_wrong_token_is_refused_with_401(token: str | None) -> None:
    async with simulator(token="s3cret") as server:
        with pytest.raises(InvalidStatus) as refused:
            async with desk(server, token):
                pass
        assert refused.value.response.status_code == 401
        async with desk(server, "s3cret") as d:
            assert (await d.hello())["op"] == "welcome"


@pytest.mark.asyncio
async def test_a_bad_hello_gets_an_error_and_the_connection_closes() -> None:
    async with simulator() as server, desk(server) as d:
        await d.ws.send(json.dumps({"op": "hello", "protocol": 2, "desk": "x", "stream": None, "since": 0}))
        reply = json.loads(await asyncio.wait_for(d.ws.recv(), 2))
        assert reply["op"] == "error" and "protocol" in reply["message"]
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(d.ws.recv(), 2)


@pytest.mark.asyncio
async def test_heartbeat_when_there_is_nothing_to_send() -> None:
    async with simulator(heartbeat_s=0.15) as server, desk(server) as d:
        server.inject(event(1))
        await d.hello()
        await d.until(lambda: len(d.heartbeats) >= 2)
        assert d.ops[0] == "event"
        assert d.heartbeats[0]["head"] == 1
        assert RFC3339_CST.match(d.heartbeats[0]["time"])


# -- commands


@pytest.mark.asyncio
async def test_dispatch_is_answered_then_played_by_the_field() -> None:
    async with simulator(field_delay_scale=0.001, decline_share=0.0) as server, desk(server) as d:
        await d.hello()
        target = {"lat": 31.8640, "lon": 117.2640, "crs": "wgs84"}
        body = {
            "task": "T-000123",
            "incident": "I-1",
            "assignee": "S-003",
            "summary": "老人跌倒",
            "location": target,
        }
        assert (await d.command("cmd-1", "dispatch", body))["ok"] is True
        await d.until(lambda: any(t["status"] == "completed" for t in d.tasks("T-000123")), timeout=2.5)
        tasks = d.tasks("T-000123")
        assert [t["status"] for t in tasks] == ["accepted", "en_route", "on_scene", "completed"]
        assert [t["id"] for t in tasks] == [
            f"task:T-000123:{s}" for s in ("accepted", "en_route", "on_scene", "completed")
        ]
        assert all(t["by"] == "S-003" and t["source"] == "field-app" for t in tasks)
        assert d.ops.index("result") < d.ops.index("event")
        # the worker walks toward the place between en route and on scene
        order = [f["event"] for f in d.events]
        start, end = order.index(tasks[1]), order.index(tasks[2])
        walk = [
            e["location"] for e in order[start:end] if e["type"] == "position" and e["subject"] == "S-003"
        ]
        assert len(walk) >= 2
        gaps = [haversine_m(p["lat"], p["lon"], target["lat"], target["lon"]) for p in walk]
        assert gaps == sorted(gaps, reverse=True)
        on_scene = tasks[2]["location"]
        assert haversine_m(on_scene["lat"], on_scene["lon"], target["lat"], target["lon"]) < 1.0
        assert_valid(order)

        # the same command id again: the same answer, and nothing is played twice
        assert (await d.command("cmd-1", "dispatch", body))["ok"] is True
        await d.listen(0.2)
        assert len(d.tasks("T-000123")) == 4


@pytest.mark.asyncio
async def test_a_declined_dispatch_stops_there_and_a_new_dispatch_gets_new_ids() -> None:
    async with simulator(field_delay_scale=0.001, decline_share=1.0) as server, desk(server) as d:
        await d.hello()
        body = {"task": "T-7", "incident": "I-7", "assignee": "P-2", "summary": "门禁被撬"}
        assert (await d.command("a", "dispatch", body))["ok"] is True
        await d.until(lambda: len(d.tasks("T-7")) == 1)
        assert (await d.command("b", "dispatch", body))["ok"] is True
        await d.until(lambda: len(d.tasks("T-7")) == 2)
        await d.listen(0.1)
        assert [(t["id"], t["by"]) for t in d.tasks("T-7")] == [
            ("task:T-7:declined", "P-2"),
            ("task:T-7:declined:r2", "P-2"),
        ]
        assert all(t["note"] for t in d.tasks("T-7"))


@pytest.mark.asyncio
async def test_recall_cancels_what_the_field_has_still_to_do() -> None:
    async with simulator(field_delay_scale=0.02, decline_share=0.0) as server, desk(server) as d:
        await d.hello()
        body = {"task": "T-10", "incident": "I-10", "assignee": "S-001", "summary": "巡查"}
        assert (await d.command("d", "dispatch", body))["ok"] is True
        await d.until(lambda: len(d.tasks("T-10")) == 1)
        assert (await d.command("r", "recall", {"task": "T-10", "reason": "已由家属处理"}))["ok"] is True
        await d.listen(0.7)  # at this scale en route comes 0.1-0.6 s after accepted
        assert [t["status"] for t in d.tasks("T-10")] == ["accepted"]
        # a recalled task can be dispatched again, and plays under new ids
        assert (await d.command("d2", "dispatch", body))["ok"] is True
        await d.until(lambda: len(d.tasks("T-10")) == 2, timeout=2.0)
        assert d.tasks("T-10")[-1]["id"] == "task:T-10:accepted:r2"


@pytest.mark.asyncio
async def test_reply_to_a_grievance_and_to_something_else() -> None:
    async with simulator() as server, desk(server) as d:
        server.inject(grievance("wx:1"))
        server.inject(event(2))
        await d.hello()
        assert (await d.command("r1", "reply", {"event": "wx:1", "text": "已安排网格员上门"}))["ok"] is True
        for n, target in enumerate(("wx:nope", "t:2")):
            answer = await d.command(f"r-{n}", "reply", {"event": target, "text": "已处理"})
            assert (answer["ok"], answer["error"]) == (False, "unknown grievance")


@pytest.mark.asyncio
async def test_unsupported_and_malformed_commands() -> None:
    async with simulator() as server, desk(server) as d:
        await d.hello()
        answer = await d.command("u", "teleport", {"to": "moon"})
        assert (answer["ok"], answer["error"]) == (False, "unsupported")
        answer = await d.command("x", "dispatch", {"task": "T-1", "assignee": "S-999", "summary": "?"})
        assert answer["ok"] is False and "assignee" in answer["error"]


# -- generated life


@pytest.mark.asyncio
async def test_scenario_events_come_at_their_time_completed(tmp_path: Path) -> None:
    # the shipped night-fall scenario, its seconds turned into hundredths
    fast = tmp_path / "night-fall-fast.jsonl"
    lines = [
        json.dumps({"at": at / 100, "event": e}, ensure_ascii=False) for at, e in load_scenario(NIGHT_FALL)
    ]
    fast.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with simulator(scenario=fast) as server, desk(server) as d:
        await d.hello()
        await d.until(lambda: len(d.events) == 5)
    events = [f["event"] for f in d.events]
    assert [e["type"] for e in events] == ["fall", "sos", "alarm", "grievance", "alarm"]
    fall = events[0]
    assert fall["elder"] == "E-0042" and fall["device"] == server.community.elder_by_ref["E-0042"].device
    assert fall["location"]["lat"] and RFC3339_CST.match(fall["time"])
    assert [e["state"] for e in events if e["type"] == "alarm"] == ["raised", "cleared"]
    assert "<b>楼上</b>" in events[3]["text"]
    assert len({e["id"] for e in events}) == 5
    assert_valid(events)


@pytest.mark.asyncio
async def test_a_higher_rate_makes_more_events() -> None:
    counts = []
    for rate in (1.0, 60.0):
        async with simulator(live=True, rate=rate) as server:
            start = server.head
            await asyncio.sleep(0.5)
            counts.append(server.head - start)
    slow, fast = counts
    assert fast >= 50 and fast > 5 * max(slow, 1), counts


@pytest.mark.asyncio
async def test_two_thousand_events_at_a_high_rate_are_all_valid_ces1() -> None:
    async with simulator(live=True, rate=300.0) as server, desk(server) as d:
        await d.hello()
        await d.until(lambda: len(d.events) >= 2000 + PROFILES, timeout=2.5)
    events = [f["event"] for f in d.events]
    assert d.seqs() == list(range(1, len(events) + 1))
    assert len({e["id"] for e in events}) == len(events)
    assert_valid(events)
    assert {e["location"]["crs"] for e in events if e["type"] == "position"} == {"wgs84", "gcj02"}


def test_hours_of_simulated_life_have_every_kind_of_event_and_all_are_valid() -> None:
    sim = Simulation(build_community(), start=datetime(2026, 12, 4, 0, 0, tzinfo=CST), id_tag="test0001")
    sim.start_live()
    events = sim.advance(4 * 3600)
    kinds = Counter(e["type"] for e in events)
    assert set(kinds) == {"position", "device", "fall", "sos", "alarm", "grievance"}, kinds
    rare = [e for e in events if e["type"] != "position"]
    assert_valid(rare + [e for e in events if e["type"] == "position"][::50])
    alarms = [e for e in events if e["type"] == "alarm"]
    assert {e["state"] for e in alarms} == {"raised", "cleared"}
    assert len({e["kind"] for e in alarms}) >= 6
    channels = Counter(e["channel"] for e in events if e["type"] == "grievance")
    assert len(channels) >= 2
    assert 4 <= kinds["fall"] <= 20 and len(alarms) >= 8
    assert len({e["id"] for e in events}) == len(events)


def test_a_worker_with_two_tasks_finishes_one_before_starting_the_other() -> None:
    sim = Simulation(
        build_community(), start=datetime(2026, 12, 4, tzinfo=CST), id_tag="test0002", decline_share=0.0
    )
    assert sim.dispatch(0.0, "T-1", "S-005", (31.8600, 117.2580))
    assert sim.dispatch(1.0, "T-2", "S-005", (31.8630, 117.2620))
    assert not sim.dispatch(1.0, "T-3", "S-999", None)
    events = sim.advance(4 * 3600)
    statuses = [(e["task"], e["status"]) for e in events if e["type"] == "task"]
    assert sorted(statuses) == sorted(
        (task, status)
        for task in ("T-1", "T-2")
        for status in ("accepted", "en_route", "on_scene", "completed")
    )
    first = next(task for task, status in statuses if status == "on_scene")
    other = "T-2" if first == "T-1" else "T-1"
    assert statuses.index((first, "completed")) < statuses.index((other, "on_scene"))
    assert_valid(events)


def test_a_bad_scenario_line_is_named_and_nonsense_config_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"at": 1, "event": {"type": "sos"}}\n\n{"at": -1, "event": {}}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.jsonl:3: 'at'"):
        load_scenario(bad)
    with pytest.raises(ValueError):
        SimulatorConfig(rate=0.0)
    with pytest.raises(ValueError):
        SimulatorConfig(decline_share=1.5)
    with pytest.raises(ValueError):
        SimulatorConfig(max_events=0)
