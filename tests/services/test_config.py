"""Configuration: the demo default, the user's file, --config, clear errors, token file permissions."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from services import config


def test_no_file_means_the_demo_default(tmp_path: Path) -> None:
    cfg = config.load(None)
    assert cfg.source == "demo default"
    assert cfg.database_url.startswith("sqlite:///") and cfg.database_url.endswith("duty-desk/desk.db")
    assert str(tmp_path / "data") in cfg.database_url  # the user data directory (XDG_DATA_HOME here)
    assert cfg.simulator.enabled and cfg.simulator.port == 8765
    assert cfg.feeds[0].url == "ws://127.0.0.1:8765/" and cfg.command_feed is cfg.feeds[0]
    assert cfg.simulator.first_run_scenario and Path(cfg.simulator.first_run_scenario).exists()


def test_the_user_config_file_is_read_when_present(tmp_path: Path) -> None:
    path = config.user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text('[desk]\nid = "desk-07"\n[database]\nurl = "sqlite:////x/y.db"\n', encoding="utf-8")
    cfg = config.load(None)
    assert cfg.desk_id == "desk-07" and cfg.database_url == "sqlite:////x/y.db" and cfg.feeds == ()
    assert not cfg.simulator.enabled


def test_feeds_from_an_explicit_file(tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(
        '[desk]\nid = "desk-01"\n[database]\nurl = "postgresql+psycopg://desk@localhost/desk"\n'
        '[[feeds]]\nname = "wearables"\nurl = "wss://platform.example/ces"\ntoken = "t0k"\n'
        'ca_file = "/etc/ca.pem"\n'
        '[[feeds]]\nname = "field"\nurl = "ws://10.0.0.5:9000/"\ncommands = true\nsilence_s = 20\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    cfg = config.load(path)
    assert [f.name for f in cfg.feeds] == ["wearables", "field"]
    assert cfg.feeds[0].token == "t0k" and cfg.feeds[0].ca_file == "/etc/ca.pem"
    assert cfg.command_feed is not None and cfg.command_feed.name == "field"
    assert cfg.feeds[1].silence_s == 20.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feeds]]\nurl = "ws://a/"\n', "missing key 'name'"),
        ('[[feeds]]\nname = "a"\nurl = "http://a/"\n', "url must start with ws:// or wss://"),
        ('[[feeds]]\nname = "a"\nurl = "ws://a/"\n[[feeds]]\nname = "a"\nurl = "ws://b/"\n', "used twice"),
        ("[desk\n", "not valid TOML"),
    ],
)
def test_bad_files_are_named_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)


def test_a_token_in_a_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "desk.toml"
    path.write_text('[[feeds]]\nname = "a"\nurl = "ws://a/"\ntoken = "secret-token"\n', encoding="utf-8")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="desk.config"):
        config.load(path)
    assert "readable by other users" in caplog.text
    assert "secret-token" not in caplog.text
    caplog.clear()
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="desk.config"):
        config.load(path)
    assert caplog.text == ""


def test_the_alarms_table_sets_the_ladder_the_check_in_and_the_speaker(tmp_path: Path) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(
        "[alarms]\nescalate_after_s = 20\nsecond_after_s = 40\ncheckin_idle_s = 900\n"
        'night_from = "23:00"\nvolume = 70\ndevice = "plughw:1,0"\n',
        encoding="utf-8",
    )
    alarms = config.load(path).alarms
    assert alarms.policy.escalate_after.total_seconds() == 20
    assert alarms.policy.second_after.total_seconds() == 40
    assert alarms.policy.checkin_idle.total_seconds() == 900
    assert alarms.policy.night_from.hour == 23
    assert (alarms.volume, alarms.device) == (70, "plughw:1,0")
    # without the table: 30 s and 60 s, full volume, the system's default output
    assert config.demo_config().alarms.policy.escalate_after.total_seconds() == 30
    assert (config.demo_config().alarms.volume, config.demo_config().alarms.device) == (100, None)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("volume = 140", "volume must be a whole number from 0 to 100"),
        ("escalate_after_s = 0", "escalate_after_s must be a positive number"),
        ("escalate_after_s = 60\nsecond_after_s = 30", "second_after_s must be later"),
        ("snooze = 5", "unknown keys: snooze"),
    ],
)
def test_a_bad_alarms_table_is_a_named_error(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(f"[alarms]\n{table}\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)


def test_the_sla_table_sets_the_clocks_of_the_queue_and_the_panel(tmp_path: Path) -> None:
    from desk.incidents import IncidentClass

    path = tmp_path / "desk.toml"
    path.write_text("[sla.fall]\nacknowledge_s = 20\ndispatch_s = 45\n[dispatch]\naccept_within_s = 120\n")
    cfg = config.load(path)
    target = cfg.sla.target("fall", IncidentClass.EMERGENCY)
    assert (target.acknowledge.total_seconds(), target.dispatch.total_seconds()) == (20, 45)  # type: ignore[union-attr]
    assert cfg.accept_within.total_seconds() == 120
    default = config.demo_config().sla.target("fall", IncidentClass.EMERGENCY)
    assert (default.acknowledge.total_seconds(), default.dispatch.total_seconds()) == (30, 60)  # type: ignore[union-attr]
    path.write_text("[sla.fall]\nacknowledge_fortnights = 1\n")
    with pytest.raises(config.ConfigError, match=r"\[sla\]"):
        config.load(path)


def test_the_desk_locks_after_ten_idle_minutes_unless_the_security_table_says(tmp_path: Path) -> None:
    assert config.SecuritySettings().lock_after_s == 600.0
    path = tmp_path / "desk.toml"
    path.write_text(
        '[[feeds]]\nname = "a"\nurl = "ws://a/"\n[security]\nlock_after_s = 120\n', encoding="utf-8"
    )
    path.chmod(0o600)
    assert config.load(path).security.lock_after_s == 120


@pytest.mark.parametrize(
    ("value", "message"),
    [("5", "lock_after_s must be at least 30 s"), ('"soon"', "lock_after_s must be a number")],
)
def test_a_bad_lock_time_is_a_named_error(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "desk.toml"
    path.write_text(
        f'[[feeds]]\nname = "a"\nurl = "ws://a/"\n[security]\nlock_after_s = {value}\n', encoding="utf-8"
    )
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)
