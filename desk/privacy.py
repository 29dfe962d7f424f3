"""Masking of residents' personal data where a user does not need it (王*英, 138****1234)."""

from __future__ import annotations

import re


def mask_name(name: str | None) -> str:
    """Keep the first and last character of a name: 王桂英 → 王*英, 李明 → 李*, Alice → A***e."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


_DIGITS = re.compile(r"\d")


def mask_phone(phone: str | None) -> str:
    """First three and last four digits: 13855123456 → 138****3456; short numbers keep the last two."""
    if not phone:
        return ""
    digits = _DIGITS.findall(phone)
    if len(digits) == 13 and digits[:2] == ["8", "6"]:  # +86, China's country code
        digits = digits[2:]
    if len(digits) >= 11:
        return "".join(digits[:3]) + "****" + "".join(digits[-4:])
    if len(digits) >= 4:
        return "*" * (len(digits) - 2) + "".join(digits[-2:])
    return "*" * len(digits)


def mask_address(address: str | None) -> str:
    """Keep estate and building, hide the room: 丁香家园二期 3栋 1单元 502 → 丁香家园二期 3栋 1单元 ***."""
    if not address:
        return ""
    return re.sub(r"\d{2,}(?=\D*$)", lambda m: "*" * len(m.group(0)), address.strip())
