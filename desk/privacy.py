"""Masking of residents' personal data where a user does not need it (王*英, 138****1234)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta


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


_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def mask_id_number(value: str | None) -> str:
    """Resident ID numbers keep the first three and last four: 110101199003071234 → 110***********1234.

    Anything that is not a 15- or 18-character ID keeps only its last two characters.
    """
    if not value:
        return ""
    value = value.strip().replace(" ", "")
    if _ID_NUMBER.match(value):
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


#: the personal fields the desk masks by default, and how
PERSONAL_FIELDS = ("name", "phone", "address", "id_number")
MASKS = {"name": mask_name, "phone": mask_phone, "address": mask_address, "id_number": mask_id_number}

#: a reveal's reason must say something: at least this many characters
MIN_REASON = 4


def mask_field(field: str, value: str | None) -> str:
    """A personal field as lists, cards and exports show it by default."""
    return MASKS[field](value) if field in MASKS else (value or "")


def reveal_problem(reason: str) -> str | None:
    """Why a reason for revealing personal data is not enough (None: it is)."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        return f"a reveal needs a reason of at least {MIN_REASON} characters (what it is for)"
    return None


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Position history older than this is purged (kept `days` days; at least one)."""
    if days < 1:
        raise ValueError("position history must be kept at least 1 day")
    return now - timedelta(days=days)
