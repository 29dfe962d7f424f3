"""Configuration: a TOML file (`--config FILE`), the user's config file, or the demo default.

The demo default is a SQLite file in the user data directory and the built-in simulator on a
loopback port.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs

from desk.alarms import AlarmPolicy
from desk.auth import LockoutPolicy
from desk.sla import SlaPolicy

log = logging.getLogger("desk.config")

APP = "duty-desk"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_PORT = 8765


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the key."""


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    token: str | None = field(default=None, repr=False)  # never in a repr, so never in a log line
    #: this feed carries the field platform: dispatch, recall and reply go to it
    commands: bool = False
    ca_file: str | None = None
    silence_s: float = 45.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    auth_retry_s: float = 60.0


@dataclass(frozen=True, slots=True)
class SimulatorSettings:
    enabled: bool = False
    port: int = DEMO_PORT
    rate: float = 1.0
    token: str | None = None
    state_path: str | None = None
    #: a scenario played once, when the simulator's history is new (the demo's first night)
    first_run_scenario: str | None = None


@dataclass(frozen=True, slots=True)
class AlarmSettings:
    """The `[alarms]` table: the ladder and the check-in (desk.alarms.AlarmPolicy), the speaker's
    volume (0–100) and ALSA output device (`aplay -L` names; none: the system's default). The
    operator's choices in the window's Alarm settings take precedence over volume and device."""

    policy: AlarmPolicy = field(default_factory=AlarmPolicy)
    volume: int = 100
    device: str | None = None


#: the shortest idle time before the desk locks: a lock sooner would fight the operator at work
MIN_LOCK_AFTER_S = 30.0


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """The `[security]` table: the lockout after wrong passwords, position-history retention, the lock
    of an idle desk."""

    max_failures: int = 5  # wrong passwords in a row before an account locks …
    lockout_minutes: float = 15.0  # … for this long
    position_days: int = 30  # position history is kept this many days, then purged
    purge_every_s: float = 3600.0
    #: the demo's accounts must change their password at the first sign-in
    demo_force_password_change: bool = False
    #: a desk without a key or a click this long locks (views.lock); its operator unlocks with a password
    lock_after_s: float = 600.0

    @property
    def lockout(self) -> LockoutPolicy:
        return LockoutPolicy(self.max_failures, timedelta(minutes=self.lockout_minutes))


@dataclass(frozen=True, slots=True)
class Config:
    desk_id: str
    database_url: str
    feeds: tuple[FeedConfig, ...]
    simulator: SimulatorSettings = field(default_factory=SimulatorSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)
    sla: SlaPolicy = field(default_factory=SlaPolicy.default)
    #: a task not accepted this long after it was sent is flagged for re-dispatch (`[dispatch]`)
    accept_within: timedelta = timedelta(minutes=3)
    source: str = "demo default"
    security: SecuritySettings = field(default_factory=SecuritySettings)
    #: the demo community: its documented accounts are created at the first run (else one admin)
    demo: bool = False

    @property
    def command_feed(self) -> FeedConfig | None:
        """The feed that takes commands: the one marked, else the only one."""
        marked = [f for f in self.feeds if f.commands]
        if marked:
            return marked[0]
        return self.feeds[0] if len(self.feeds) == 1 else None


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "desk.toml"


def demo_config() -> Config:
    """The embedded default: a SQLite file and the built-in simulator of the demo community."""
    base = data_dir()
    return Config(
        desk_id="desk-01",
        database_url=f"sqlite:///{base / 'desk.db'}",
        feeds=(FeedConfig(name="demo", url=f"ws://127.0.0.1:{DEMO_PORT}/", commands=True),),
        simulator=SimulatorSettings(
            enabled=True,
            port=DEMO_PORT,
            state_path=str(base / "simulator.db"),
            first_run_scenario=str(RESOURCES / "scenarios" / "night-fall.jsonl"),
        ),
        source="demo default",
        demo=True,
    )


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{where}: missing key '{key}'")
    return table[key]


def parse(data: dict[str, Any], source: str) -> Config:
    desk = data.get("desk", {})
    db = data.get("database", {})
    if not isinstance(desk, dict) or not isinstance(db, dict):
        raise ConfigError(f"{source}: [desk] and [database] must be tables")
    url = db.get("url") or f"sqlite:///{data_dir() / 'desk.db'}"
    feeds: list[FeedConfig] = []
    names: set[str] = set()
    for i, raw in enumerate(data.get("feeds", [])):
        where = f"{source}: [[feeds]] #{i + 1}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} must be a table")
        name, furl = str(_req(raw, "name", where)), str(_req(raw, "url", where))
        if name in names:
            raise ConfigError(f"{where}: feed name '{name}' used twice")
        if not furl.startswith(("ws://", "wss://")):
            raise ConfigError(f"{where}: url must start with ws:// or wss://, not {furl!r}")
        names.add(name)
        known = {
            k: raw[k] for k in ("silence_s", "backoff_base_s", "backoff_max_s", "auth_retry_s") if k in raw
        }
        feeds.append(
            FeedConfig(
                name=name,
                url=furl,
                token=raw.get("token"),
                commands=bool(raw.get("commands", False)),
                ca_file=raw.get("ca_file"),
                **{k: float(v) for k, v in known.items()},
            )
        )
    sim_raw = data.get("simulator", {})
    sim = SimulatorSettings(
        enabled=bool(sim_raw.get("enabled", False)),
        port=int(sim_raw.get("port", DEMO_PORT)),
        rate=float(sim_raw.get("rate", 1.0)),
        token=sim_raw.get("token"),
        state_path=sim_raw.get("state_path"),
        first_run_scenario=sim_raw.get("first_run_scenario"),
    )
    return Config(
        desk_id=str(desk.get("id", "desk-01")),
        database_url=str(url),
        feeds=tuple(feeds),
        simulator=sim,
        alarms=_alarms(data.get("alarms", {}), source),
        sla=_sla(data.get("sla", {}), source),
        accept_within=_accept_within(data.get("dispatch", {}), source),
        source=source,
        security=_security(data.get("security", {}), source),
    )


def _security(raw: Any, source: str) -> SecuritySettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [security] must be a table")
    known = {f for f in SecuritySettings.__dataclass_fields__}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{source}: [security] unknown keys: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = getattr(SecuritySettings(), key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: [security] {key} must be true or false")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{source}: [security] {key} must be a number ≥ 0")
        elif isinstance(default, int) and (not isinstance(value, int) or value < 1):
            raise ConfigError(f"{source}: [security] {key} must be a whole number ≥ 1")
        elif key == "lock_after_s" and value < MIN_LOCK_AFTER_S:
            raise ConfigError(f"{source}: [security] lock_after_s must be at least {MIN_LOCK_AFTER_S:g} s")
        values[key] = value
    return SecuritySettings(**values)


def _sla(raw: Any, source: str) -> SlaPolicy:
    """`[sla]`: targets per kind (`[sla.fall]`) or class (`[sla."class.welfare"]`), working hours."""
    try:
        return SlaPolicy.from_mapping(raw)
    except ValueError as exc:
        raise ConfigError(f"{source}: [sla] {exc}") from None


def _accept_within(raw: Any, source: str) -> timedelta:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [dispatch] must be a table")
    unknown = sorted(set(raw) - {"accept_within_s"})
    if unknown:
        raise ConfigError(f"{source}: [dispatch] unknown keys: {', '.join(unknown)}")
    value = raw.get("accept_within_s", 180)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{source}: [dispatch] accept_within_s must be a positive number of seconds")
    return timedelta(seconds=float(value))


def _alarms(raw: Any, source: str) -> AlarmSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: [alarms] must be a table")
    try:
        policy = AlarmPolicy.from_mapping(raw)
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    volume = raw.get("volume", 100)
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 <= volume <= 100:
        raise ConfigError(f"{source}: [alarms] volume must be a whole number from 0 to 100, not {volume!r}")
    device = raw.get("device")
    if device is not None and not isinstance(device, str):
        raise ConfigError(f"{source}: [alarms] device must be a string (an `aplay -L` name)")
    return AlarmSettings(policy, volume, device or None)


def load(path: Path | None) -> Config:
    """`--config FILE`, else the user's config file, else the demo default."""
    if path is None:
        user = user_config_path()
        if not user.exists():
            return demo_config()
        path = user
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    config = parse(data, str(path))
    if any(f.token for f in config.feeds) and os.name == "posix":
        mode = path.stat().st_mode
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            log.warning("%s holds feed tokens and is readable by other users: chmod 600 it", path)
    return config
