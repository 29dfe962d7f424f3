"""Masking of personal data."""

from __future__ import annotations

import pytest

from desk.privacy import mask_address, mask_name, mask_phone


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
