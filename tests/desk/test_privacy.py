"""Masking of personal data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desk.privacy import (
    mask_address,
    mask_field,
    mask_id_number,
    mask_name,
    mask_phone,
    retention_cutoff,
    reveal_problem,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王桂英", "王*英"),
        ("李明", "李*"),
        ("欧阳小明", "欧**明"),
        ("张", "张"),
        ("", ""),
        (None, ""),
        ("Alice", "A***e"),
    ],
)
def test_names(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13855123456", "138****3456"),
        ("+86 138-5512-3456", "138****3456"),
        ("0551-1234", "******34"),
        ("12", "**"),
        (None, ""),
    ],
)
def test_phones(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_addresses_hide_the_room() -> None:
    assert mask_address("丁香家园二期 3栋 1单元 502") == "丁香家园二期 3栋 1单元 ***"
    assert mask_address("居南小区 7栋") == "居南小区 7栋"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110***********1234"),
        ("11010119900307123X", "110***********123X"),
        ("110101900307123", "110********7123"),
        ("A1234567", "******67"),
        ("", ""),
        (None, ""),
    ],
)
def test_id_numbers(value: str | None, masked: str) -> None:
    assert mask_id_number(value) == masked


def test_each_personal_field_has_its_mask() -> None:
    assert mask_field("name", "王桂英") == "王*英"
    assert mask_field("phone", "13812341234") == "138****1234"
    assert mask_field("id_number", "110101199003071234") == "110***********1234"
    assert mask_field("address", "丁香家园二期 3栋 1单元 502") == "丁香家园二期 3栋 1单元 ***"
    assert mask_field("grid", "G-03") == "G-03"


def test_a_reveal_needs_a_reason() -> None:
    assert reveal_problem("  ") == "a reveal needs a reason of at least 4 characters (what it is for)"
    assert reveal_problem("ok") is not None
    assert reveal_problem("联系家属核实") is None


def test_position_history_is_kept_the_configured_days() -> None:
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert retention_cutoff(now, 30) == datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="at least 1 day"):
        retention_cutoff(now, 0)
