"""The directory import's rules: a community's list of elders, staff or teams as rows → profiles.

Communities keep their lists in spreadsheets with Chinese headers (姓名, 电话, 住址, 身份证号, 网格, …);
`parse_rows` maps the headers, checks every row and names each bad row and its problems. Nothing is
imported unless every row is good (the store writes them in one transaction).

A problem is a `ProblemCode` with its values, not a sentence: the view words it in the operator's
language (views/directory_import.py); `str()` gives the English words, for logs and tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

#: header (as communities write it, or the desk's own name) → field
HEADERS: dict[str, str] = {
    "编号": "ref",
    "ref": "ref",
    "类型": "kind",
    "kind": "kind",
    "姓名": "name",
    "名称": "name",
    "name": "name",
    "电话": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "phone": "phone",
    "住址": "address",
    "地址": "address",
    "address": "address",
    "身份证号": "id_number",
    "身份证": "id_number",
    "id_number": "id_number",
    "网格": "grid",
    "grid": "grid",
    "出生年份": "birth_year",
    "birth_year": "birth_year",
    "健康状况": "conditions",
    "conditions": "conditions",
    "紧急联系人": "contact_name",
    "紧急联系人电话": "contact_phone",
    "关系": "contact_relation",
    "岗位": "role",
    "role": "role",
    "队伍": "team",
    "team": "team",
    "成员": "members",
    "members": "members",
}

KINDS = {
    "老人": "elder",
    "elder": "elder",
    "工作人员": "staff",
    "staff": "staff",
    "队伍": "team",
    "team": "team",
}
ROLES = {"网格员": "grid", "grid": "grid", "巡逻": "patrol", "巡逻队员": "patrol", "patrol": "patrol"}

_PHONE = re.compile(r"^(\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_ok(value: str) -> bool:
    """An 18-character resident ID with a correct check character (GB 11643)."""
    if not _ID.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


class ProblemCode(Enum):
    """What can be wrong with a directory file or one of its rows. The value is the English template
    (`str.format`: `{0}` the value as it is, `{0!r}` quoted); the view translates it by this value."""

    EMPTY_FILE = "the file is empty"
    UNREADABLE = "cannot read {0}: {1}"  # the file's name, the reader's own words (services.directory)
    NO_NAME_COLUMN = "no 姓名 (name) column"
    NO_REF_COLUMN = "no 编号 (ref) column"
    NO_ROWS = "no rows under the header"
    REF_EMPTY = "编号 (ref) is empty"
    REF_REPEATS = "编号 {0} repeats row {1}"  # the ref, the row that has it first
    NAME_EMPTY = "姓名 (name) is empty"
    BAD_KIND = "类型 (kind) {0!r} is not 老人, 工作人员 or 队伍"
    BAD_PHONE = "电话 {0!r} is not a phone number"
    BAD_ID_NUMBER = "身份证号 is not a valid ID number (length or check digit)"
    BAD_BIRTH_YEAR = "出生年份 {0!r} is not a year"
    BAD_ROLE = "岗位 {0!r} is not 网格员 or 巡逻"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: its code and the values its words need (as text)."""

    code: ProblemCode
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.code.value.format(*self.args)


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row (row 1: the file or its header) with its problems; `problem` is them in English.

    Build one with `RowError.of(row, *problems)`; equal when the row and the English words are."""

    row: int  # the spreadsheet's row number (the header is row 1)
    problem: str
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, row: int, *problems: Problem) -> RowError:
        return cls(row, "; ".join(str(p) for p in problems), problems)

    def __str__(self) -> str:
        return f"row {self.row}: {self.problem}"


@dataclass(slots=True)
class ImportPreview:
    """What an import would write: the profiles, and every bad row (then nothing is written)."""

    source: str
    columns: list[str]
    profiles: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.profiles)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.profiles:
            out[p["kind"]] = out.get(p["kind"], 0) + 1
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_rows(rows: Sequence[Sequence[Any]], source: str, default_kind: str | None = None) -> ImportPreview:
    """The first row is the header; every further non-empty row becomes a profile or a named error."""
    if not rows:
        return ImportPreview(source, [], errors=[RowError.of(1, Problem(ProblemCode.EMPTY_FILE))])
    header = [_text(h) for h in rows[0]]
    fields = [HEADERS.get(h, HEADERS.get(h.lower(), "")) for h in header]
    preview = ImportPreview(
        source, header, unknown_headers=[h for h, f in zip(header, fields, strict=True) if h and not f]
    )
    if "name" not in fields:
        preview.errors.append(RowError.of(1, Problem(ProblemCode.NO_NAME_COLUMN)))
        return preview
    if "ref" not in fields:
        preview.errors.append(RowError.of(1, Problem(ProblemCode.NO_REF_COLUMN)))
        return preview
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows[1:], start=2):
        values = {f: _text(v) for f, v in zip(fields, raw, strict=False) if f}
        if not any(values.values()):
            continue  # an empty line at the end of a sheet
        problems: list[Problem] = []
        ref, name = values.get("ref", ""), values.get("name", "")
        kind = KINDS.get(values.get("kind", "") or (default_kind or ""), "")
        if not ref:
            problems.append(Problem(ProblemCode.REF_EMPTY))
        elif ref in seen:
            problems.append(Problem(ProblemCode.REF_REPEATS, (ref, str(seen[ref]))))
        if not name:
            problems.append(Problem(ProblemCode.NAME_EMPTY))
        if not kind:
            problems.append(Problem(ProblemCode.BAD_KIND, (values.get("kind", ""),)))
        phone = values.get("phone", "").replace(" ", "").replace("-", "") if values.get("phone") else ""
        if (
            values.get("phone")
            and not _PHONE.match(values["phone"].replace(" ", ""))
            and not _PHONE.match(phone)
        ):
            problems.append(Problem(ProblemCode.BAD_PHONE, (values["phone"],)))
        idn = values.get("id_number", "").upper()
        if idn and not id_number_ok(idn):
            problems.append(Problem(ProblemCode.BAD_ID_NUMBER))
        year = values.get("birth_year", "")
        if year and not (year.isdigit() and 1900 <= int(year) <= 2030):
            problems.append(Problem(ProblemCode.BAD_BIRTH_YEAR, (year,)))
        role = ROLES.get(values.get("role", ""), "") if values.get("role") else ""
        if kind == "staff" and values.get("role") and not role:
            problems.append(Problem(ProblemCode.BAD_ROLE, (values["role"],)))
        if problems:
            preview.errors.append(RowError.of(n, *problems))
            continue
        seen[ref] = n
        data: dict[str, Any] = {"source": "import"}
        if phone:
            data["phone"] = values["phone"]
        for key in ("address", "grid", "team"):
            if values.get(key):
                data[key] = values[key]
        if idn:
            data["id_number"] = idn
        if year:
            data["birth_year"] = int(year)
        if values.get("conditions"):
            data["conditions"] = [c for c in re.split(r"[、,，;；]", values["conditions"]) if c.strip()]
        if values.get("contact_name") or values.get("contact_phone"):
            data["contacts"] = [
                {
                    "name": values.get("contact_name", ""),
                    "relation": values.get("contact_relation", ""),
                    "phone": values.get("contact_phone", ""),
                }
            ]
        if role:
            data["role"] = role
        if values.get("members"):
            data["members"] = [m for m in re.split(r"[、,，;；]", values["members"]) if m.strip()]
        preview.profiles.append({"ref": ref, "kind": kind, "name": name, "data": data})
    if not preview.profiles and not preview.errors:
        preview.errors.append(RowError.of(2, Problem(ProblemCode.NO_ROWS)))
    return preview
