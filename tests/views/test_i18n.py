"""The window's languages: every code has its Chinese word, the .ts covers every string in the code,
the translation loads without a prior `make`, and without it the desk runs in English and says so."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

import main
from desk.events import Invalid, validate
from desk.feeds import FeedState, ProblemKind
from desk.incidents import ALARM_TITLES, DEVICE_TITLES, Status
from services.writer import StorageUnavailable
from tests.support.events import DATA
from views import i18n
from views.i18n import install_translator, normalise_lang
from views.labels import (
    INCIDENT_KINDS,
    feed_state_text,
    incident_kind,
    problem_kind_text,
    readable_reason,
    status_text,
)

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
#: every kind the rules in desk/incidents.py give an incident
KINDS = [*ALARM_TITLES, "fall", "sos", *(f"device_{s}" for s in DEVICE_TITLES), "grievance", "wandering"]


def test_every_incident_kind_status_and_feed_state_has_its_chinese_word(zh: None) -> None:
    assert set(KINDS) <= set(INCIDENT_KINDS), set(KINDS) - set(INCIDENT_KINDS)
    words = {kind: incident_kind(kind) for kind in KINDS}
    assert {k: w for k, w in words.items() if not CJK.search(w)} == {}
    assert len(set(words.values())) == len(words), "two kinds read the same"
    expected = {
        "fall": "跌倒",
        "sos": "SOS 呼救",
        "smoke": "烟感",
        "door_forced": "强行开门",
        "camera_offline": "摄像头离线",
        "device_low_battery": "手环电量低",
        "grievance": "居民诉求",
    }
    assert {k: words[k] for k in expected} == expected
    assert {s.value: status_text(s) for s in Status} == {
        "new": "待确认",
        "acknowledged": "已确认",
        "dispatched": "已派单",
        "on_scene": "已到场",
        "escalated": "已升级",
        "resolved": "已处置",
        "false_alarm": "误报",
        "closed": "已关闭",
    }
    assert {s.value: feed_state_text(s) for s in FeedState} == {
        "live": "在线",
        "connecting": "连接中",
        "reconnecting": "中断·重连中",
        "auth_failed": "认证失败",
        "stalled": "无数据·已断开",
        "stopped": "已停止",
    }
    assert all(CJK.search(problem_kind_text(k)) for k in ProblemKind)


def test_in_english_the_codes_read_as_english_words(en: None) -> None:
    assert [incident_kind(k) for k in ("fall", "device_low_battery", "grievance")] == [
        "Fall",
        "Wristband battery low",
        "Resident request",
    ]
    assert status_text(Status.NEW) == "New" and feed_state_text(FeedState.STALLED) == "DOWN — stalled"


def test_the_ts_file_translates_every_string_the_code_shows(tmp_path: Path) -> None:
    """lupdate over views/ and widgets/ finds nothing new, and nothing is left unfinished."""
    ts = tmp_path / "desk_zh_CN.ts"
    shutil.copyfile(i18n.ts_path("zh_CN"), ts)
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = sorted(str(p) for folder in ("views", "widgets") for p in (ROOT / folder).glob("*.py"))
    proc = subprocess.run(
        [str(lupdate), "-locations", "none", *sources, "-ts", str(ts)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "(0 new and" in proc.stdout, proc.stdout
    messages = list(ET.parse(ts).getroot().iter("message"))
    assert len(messages) > 90
    untranslated = [
        m.findtext("source")
        for m in messages
        if (t := m.find("translation")) is not None
        and (t.get("type") in ("unfinished", "vanished", "obsolete") or not "".join(t.itertext()).strip())
    ]
    assert untranslated == []


def test_a_missing_translation_is_compiled_on_the_fly(qapp: QApplication, tmp_path: Path) -> None:
    try:
        assert install_translator(qapp, "zh_CN", qm_dir=tmp_path)
        assert (tmp_path / "desk_zh_CN.qm").stat().st_size > 1000
        assert status_text(Status.NEW) == "待确认"
        assert install_translator(qapp, "en")  # switching back removes the translator
        assert status_text(Status.NEW) == "New"
    finally:
        install_translator(qapp, "en")


def test_a_translation_older_than_its_source_is_compiled_again(qapp: QApplication, tmp_path: Path) -> None:
    stale = tmp_path / "desk_zh_CN.qm"
    stale.write_bytes(b"not a translation")
    os.utime(stale, (0, 0))
    try:
        assert install_translator(qapp, "zh_CN", qm_dir=tmp_path)
        assert feed_state_text(FeedState.LIVE) == "在线"
    finally:
        install_translator(qapp, "en")


def test_without_a_translation_or_lrelease_the_desk_runs_in_english_and_says_so(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(i18n, "find_lrelease", lambda: None)
    with caplog.at_level(logging.WARNING, logger="desk.ui"):
        assert install_translator(qapp, "zh_CN", qm_dir=tmp_path) is False
    assert "lrelease is not installed" in caplog.text and "runs in English" in caplog.text
    assert status_text(Status.NEW) == "New"


def test_the_language_comes_from_the_command_line_then_desk_lang_then_chinese(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [normalise_lang(v) for v in ("zh", "zh-CN", "zh_CN.UTF-8", "en", "en_US")] == [
        "zh_CN",
        "zh_CN",
        "zh_CN",
        "en",
        "en",
    ]
    monkeypatch.delenv("DESK_LANG", raising=False)
    assert main._parser().parse_args([]).lang == "zh_CN"
    assert main._parser().parse_args(["--lang", "en"]).lang == "en"
    monkeypatch.setenv("DESK_LANG", "en")
    assert main._parser().parse_args([]).lang == "en"
    assert main._parser().parse_args(["--lang", "zh_CN"]).lang == "zh_CN"
    monkeypatch.setenv("DESK_LANG", "klingon")
    assert main._parser().parse_args([]).lang == "zh_CN"
    assert "DESK_LANG" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main._parser().parse_args(["--lang", "fr"])


# the reasons a feed or the frame reader gives, as services/feeds.py and desk/protocol.py word them
FEED_REASONS = [
    "cannot connect: ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 9)",
    "the server closed the stream",
    "silent for 30 s; reconnecting",
    "HTTP 401: token refused; next try in 60 s",
    "HTTP 401: the server refused the token",
    "no frame for 30 s; reconnecting",
    "events 5–9 never arrived",
    "the server no longer holds events 1–40",
    "server stream changed from s-1 to s-2: reading it again from the start",
    "not JSON: Expecting value: line 1 column 1 (char 0)",
    "binary frame (CES/1 frames are text)",
    "not a JSON object but list",
    "unknown op 'teleport'",
    "frame of 307231 bytes is over the 256 KiB limit",
]


def _validator_reasons() -> list[str]:
    lines = (DATA / "ces-invalid.jsonl").read_text(encoding="utf-8").splitlines()
    results = [validate(json.loads(line)) for line in lines if line.strip()]
    return [r.reason for r in results if isinstance(r, Invalid)]


def test_reasons_are_unchanged_in_english(en: None) -> None:
    reasons = _validator_reasons() + FEED_REASONS
    assert len(reasons) > 20
    assert [readable_reason(r) for r in reasons] == reasons


def test_the_reasons_an_operator_meets_read_in_chinese(zh: None) -> None:
    reasons = _validator_reasons() + FEED_REASONS
    assert {r: readable_reason(r) for r in reasons if not CJK.search(readable_reason(r))} == {}
    assert readable_reason("missing field 'time'") == "缺少字段 'time'"
    assert readable_reason("something nobody foresaw") == "something nobody foresaw"
    # an action refused while the database refuses to write, worded as the writer words it
    refused = str(StorageUnavailable("database is locked"))
    assert readable_reason(refused) == "数据库暂时拒绝写入（database is locked），请稍后再试"
