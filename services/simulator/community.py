"""The demo community: three Hefei estates, their buildings, devices, grids, elders and staff.

A pure, deterministic model: ``build_community(seed)`` always returns the same community for the
same seed. Coordinates are WGS-84; rings are ``(lat, lon)`` tuples as in :mod:`desk.geo`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property

from desk.geo import offset_m

#: the middle of the demo area (Yaohai district, Hefei)
ORIGIN = (31.861, 117.260)
#: the area is cut into 4 columns x 3 rows of grid cells, numbered G-01.. from the north-west
GRID_COLUMNS = 4
GRID_ROWS = 3
CELL_EAST_M = 240.0
CELL_NORTH_M = 220.0
ELDER_COUNT = 180

Point = tuple[float, float]
Ring = tuple[Point, ...]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤祖"
)
ELDER_GIVEN_F = _words(
    "桂英 秀英 玉兰 桂兰 凤英 秀兰 玉珍 淑珍 翠兰 兰英 素珍 春花 秀珍 玉梅 桂芳 凤兰 美华 淑英 月娥 金凤"
)
ELDER_GIVEN_M = _words(
    "德明 建国 国华 志刚 长林 永福 福生 保国 金山 有才 正义 德胜 家和 树林 文华 国强 振华 学文 庆余 永康"
)
GIVEN_M = _words("军 伟 磊 强 勇 杰 涛 明 超 刚 浩 宇 文杰 晓东 志强 建华 俊 鹏 宏伟 立新")
GIVEN_F = _words("敏 静 丽 洋 艳 娟 霞 平 婷 雪 海燕 丽娟 晨 慧 琳 晓燕 子涵 春燕 红梅 玉婷")
PHONE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 177 180 181 186 187 188 189 199"
)
#: (relation, is male) of an elder's contacts; children share the elder's surname
RELATIONS = (
    ("儿子", True),
    ("女儿", False),
    ("儿媳", False),
    ("女婿", True),
    ("孙子", True),
    ("孙女", False),
    ("侄子", True),
)
#: condition and the share of elders who have it
CONDITIONS = (
    ("高血压", 0.45),
    ("糖尿病", 0.22),
    ("冠心病", 0.15),
    ("独居", 0.28),
    ("认知障碍", 0.12),
    ("行动不便", 0.14),
    ("听力障碍", 0.10),
    ("骨质疏松", 0.12),
)
DEMENTIA = "认知障碍"


@dataclass(frozen=True, slots=True)
class Estate:
    """A residential estate (小区) and the grid columns it covers."""

    code: str
    name: str
    columns: tuple[int, ...]
    floors: tuple[int, ...]
    tilt_deg: float
    security_source: str


ESTATES = (
    Estate("DX", "丁香家园二期", (0, 1), (11, 18), 0.0, "dingxiang-security"),
    Estate("JN", "居南小区", (2,), (6,), 6.0, "junan-security"),
    Estate("MG", "明光新村", (3,), (6, 7), -4.0, "mingguang-security"),
)


def spot(ring: Ring, along: float, across: float) -> Point:
    """A point of a four-cornered ring (SW, SE, NE, NW): fractions along its first and its last side."""
    (a_lat, a_lon), (b_lat, b_lon), _, (d_lat, d_lon) = ring[:4]
    return (
        a_lat + along * (b_lat - a_lat) + across * (d_lat - a_lat),
        a_lon + along * (b_lon - a_lon) + across * (d_lon - a_lon),
    )


@dataclass(frozen=True, slots=True)
class Grid:
    """One of the 12 grid cells, each owned by one grid worker."""

    ref: str
    number: int
    name: str
    estate: str
    ring: Ring
    worker: str

    @property
    def center(self) -> Point:
        return _centroid(self.ring)


@dataclass(frozen=True, slots=True)
class Building:
    """A residential block: ring corners run SW, SE, NE, NW before the estate's tilt."""

    ref: str
    estate: str
    number: int
    name: str
    grid: str
    ring: Ring
    floors: int
    units: int

    @property
    def center(self) -> Point:
        return _centroid(self.ring)

    def spot(self, along: float, across: float) -> Point:
        """The point at fractions ``along`` the length (west to east) and ``across`` (south to north)."""
        return spot(self.ring, along, across)


@dataclass(frozen=True, slots=True)
class Road:
    """A street or an estate lane, as a polyline."""

    ref: str
    name: str
    line: tuple[Point, ...]
    width_m: float


@dataclass(frozen=True, slots=True)
class Gate:
    """An estate gate, guarded by a camera and a door-access controller."""

    ref: str
    estate: str
    name: str
    grid: str
    point: Point
    devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Green:
    """A garden or square."""

    ref: str
    estate: str
    name: str
    grid: str
    ring: Ring


@dataclass(frozen=True, slots=True)
class Device:
    """A fixed device: kind is camera, door, smoke, gas, water or elevator."""

    id: str
    kind: str
    site: str
    estate: str
    grid: str
    point: Point
    building: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True, slots=True)
class Elder:
    """An elder under care, with the wearable (fall detector and locator) they wear."""

    ref: str
    name: str
    sex: str
    birth_year: int
    building: str
    address: str
    conditions: tuple[str, ...]
    contacts: tuple[Contact, ...]
    device: str
    home: Point
    safe_radius_m: int

    @property
    def dementia(self) -> bool:
        return DEMENTIA in self.conditions


@dataclass(frozen=True, slots=True)
class Staff:
    """A grid worker (role grid, one grid) or a patrol officer (role patrol, one team)."""

    ref: str
    name: str
    role: str
    phone: str
    grid: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Team:
    """A street patrol team."""

    ref: str
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Community:
    """Everything in the demo area, with look-ups by ref."""

    seed: int
    estates: tuple[Estate, ...]
    grids: tuple[Grid, ...]
    buildings: tuple[Building, ...]
    roads: tuple[Road, ...]
    gates: tuple[Gate, ...]
    greens: tuple[Green, ...]
    devices: tuple[Device, ...]
    elders: tuple[Elder, ...]
    staff: tuple[Staff, ...]
    teams: tuple[Team, ...]

    @cached_property
    def elder_by_ref(self) -> dict[str, Elder]:
        return {e.ref: e for e in self.elders}

    @cached_property
    def staff_by_ref(self) -> dict[str, Staff]:
        return {s.ref: s for s in self.staff}

    @cached_property
    def team_by_ref(self) -> dict[str, Team]:
        return {t.ref: t for t in self.teams}

    @cached_property
    def device_by_id(self) -> dict[str, Device]:
        return {d.id: d for d in self.devices}

    @cached_property
    def building_by_ref(self) -> dict[str, Building]:
        return {b.ref: b for b in self.buildings}

    @cached_property
    def estate_by_code(self) -> dict[str, Estate]:
        return {e.code: e for e in self.estates}

    @property
    def grid_workers(self) -> tuple[Staff, ...]:
        return tuple(s for s in self.staff if s.role == "grid")

    def is_assignee(self, ref: str) -> bool:
        """Whether a task can go to ``ref``: a staff member or a team."""
        return ref in self.staff_by_ref or ref in self.team_by_ref


def _centroid(ring: Ring) -> Point:
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def _at(east_m: float, north_m: float) -> Point:
    """A point in the area frame: metres east and north of its south-west corner."""
    west_m = -GRID_COLUMNS * CELL_EAST_M / 2.0
    south_m = -GRID_ROWS * CELL_NORTH_M / 2.0
    return offset_m(ORIGIN[0], ORIGIN[1], south_m + north_m, west_m + east_m)


def _rect(cx: float, cy: float, length: float, width: float, tilt_deg: float) -> Ring:
    """A rectangle centred at (cx east, cy north) metres, long side west-east, turned by ``tilt_deg``."""
    a = math.radians(tilt_deg)
    corners = (
        (-length / 2, -width / 2),
        (length / 2, -width / 2),
        (length / 2, width / 2),
        (-length / 2, width / 2),
    )
    return tuple(
        _at(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
        for x, y in corners
    )


def _cell_origin(col: int, row: int) -> tuple[float, float]:
    """South-west corner (east, north metres) of the cell in column ``col`` and row ``row`` (0 = north)."""
    return col * CELL_EAST_M, (GRID_ROWS - 1 - row) * CELL_NORTH_M


class Names:
    """Draws Chinese names and phone numbers without repeating a phone number."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()
        self._weights = [1.0 / (i + 8) for i in range(len(SURNAMES))]

    def surname(self) -> str:
        return self._rng.choices(SURNAMES, self._weights)[0]

    def given(self, male: bool, elder: bool = False) -> str:
        pool = (ELDER_GIVEN_M if male else ELDER_GIVEN_F) if elder else (GIVEN_M if male else GIVEN_F)
        return self._rng.choice(pool)

    def full(self, male: bool, elder: bool = False) -> str:
        return self.surname() + self.given(male, elder)

    def phone(self) -> str:
        while True:
            number = self._rng.choice(PHONE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number


def _layout(rng: random.Random) -> tuple[list[Grid], list[Building], list[Green], list[Gate], list[Device]]:
    """Grid cells, and in each cell two columns by three rows of blocks (one slot per estate is a garden)."""
    grids: list[Grid] = []
    buildings: list[Building] = []
    greens: list[Green] = []
    gates: list[Gate] = []
    devices: list[Device] = []
    numbers = dict.fromkeys((e.code for e in ESTATES), 0)
    # block centres (east, north metres from the cell centre): 35 m clear of the cell edges for the roads
    slots = ((-50.0, -64.0), (50.0, -64.0), (-50.0, 0.0), (50.0, 0.0), (-50.0, 64.0), (50.0, 64.0))
    for row in range(GRID_ROWS):
        for col in range(GRID_COLUMNS):
            number = row * GRID_COLUMNS + col + 1
            ref = f"G-{number:02d}"
            estate = next(e for e in ESTATES if col in e.columns)
            x0, y0 = _cell_origin(col, row)
            ring = (
                _at(x0, y0),
                _at(x0 + CELL_EAST_M, y0),
                _at(x0 + CELL_EAST_M, y0 + CELL_NORTH_M),
                _at(x0, y0 + CELL_NORTH_M),
            )
            grids.append(
                Grid(ref, number, f"第{number}网格（{estate.name}）", estate.code, ring, f"S-{number:03d}")
            )
            cx, cy = x0 + CELL_EAST_M / 2, y0 + CELL_NORTH_M / 2
            garden_slot = 3 if (row == 1 and col == estate.columns[0]) else -1
            for i, (dx, dy) in enumerate(slots):
                if i == garden_slot:
                    gref = f"{estate.code}-GREEN"
                    greens.append(
                        Green(
                            gref,
                            estate.code,
                            f"{estate.name} 中心花园",
                            ref,
                            _rect(cx + dx, cy + dy, 80, 40, 0),
                        )
                    )
                    devices.append(
                        Device(
                            f"CAM-{estate.code}-GRN",
                            "camera",
                            f"{estate.name} 中心花园",
                            estate.code,
                            ref,
                            _at(cx + dx, cy + dy),
                        )
                    )
                    continue
                numbers[estate.code] += 1
                n = numbers[estate.code]
                b_ref = f"{estate.code}-B{n:02d}"
                floors = rng.choice(estate.floors)
                building = Building(
                    b_ref,
                    estate.code,
                    n,
                    f"{estate.name} {n}栋",
                    ref,
                    _rect(cx + dx, cy + dy, 70, 14, estate.tilt_deg),
                    floors,
                    rng.choice((2, 3)),
                )
                buildings.append(building)
                devices.extend(_building_devices(rng, estate, building))
    gates.extend(_gates(devices))
    return grids, buildings, greens, gates, devices


def _building_devices(rng: random.Random, estate: Estate, b: Building) -> list[Device]:
    """Door access per block, two smoke detectors, a lift sensor in tall blocks, sometimes gas or water."""
    code = f"{estate.code}-B{b.number:02d}"

    def device(device_id: str, kind: str, site: str, along: float, across: float) -> Device:
        return Device(device_id, kind, f"{b.name} {site}", estate.code, b.grid, b.spot(along, across), b.ref)

    out = [device(f"ACS-{code}", "door", "1单元 门禁", 0.15, 0.0)]
    for k, floor in enumerate(sorted(rng.sample(range(1, b.floors + 1), 2)), start=1):
        unit = rng.randint(1, b.units)
        out.append(
            device(
                f"SMK-{code}-{floor:02d}{k:02d}",
                "smoke",
                f"{unit}单元 {floor}楼 楼道",
                (unit - 0.5) / b.units,
                0.5,
            )
        )
    if b.floors > 7:
        out.append(device(f"ELV-{code}", "elevator", "1单元 电梯", 0.2, 0.6))
    if rng.random() < 0.3:
        out.append(device(f"GAS-{code}", "gas", "底商 燃气表间", 0.9, 0.2))
    if rng.random() < 0.2:
        out.append(device(f"WLK-{code}", "water", "地下泵房", 0.5, 0.3))
    if rng.random() < 0.35:
        out.append(device(f"CAM-{code}", "camera", "单元门口", 0.5, -0.6))
    return out


def _gates(devices: list[Device]) -> list[Gate]:
    """Gates on the edges of each estate, each with a camera and a door-access controller."""
    # (estate, gate code, name, grid, east m, north m)
    spec = (
        ("DX", "N", "北门", "G-01", 240.0, 660.0),
        ("DX", "S", "南门", "G-09", 240.0, 0.0),
        ("DX", "W", "西门", "G-05", 0.0, 330.0),
        ("DX", "E", "东门", "G-06", 480.0, 300.0),
        ("JN", "N", "北门", "G-03", 600.0, 660.0),
        ("JN", "S", "南门", "G-11", 600.0, 0.0),
        ("MG", "E", "东门", "G-08", 960.0, 330.0),
        ("MG", "S", "南门", "G-12", 840.0, 0.0),
    )
    names = {e.code: e.name for e in ESTATES}
    out = []
    for estate, code, name, grid, x, y in spec:
        point = _at(x, y)
        site = f"{names[estate]} {name}"
        cam = Device(f"CAM-{estate}-{code}G", "camera", site, estate, grid, point)
        acs = Device(f"ACS-{estate}-{code}G", "door", site, estate, grid, point)
        devices.extend((cam, acs))
        out.append(Gate(f"{estate}-{code}G", estate, site, grid, point, (cam.id, acs.id)))
    return out


def _roads() -> list[Road]:
    """City streets around and between the estates, and one lane along each row inside the estates."""
    w, h = GRID_COLUMNS * CELL_EAST_M, GRID_ROWS * CELL_NORTH_M
    streets = [
        ("R-LQ", "临泉路", ((0.0, h), (w, h)), 24.0),
        ("R-HP", "和平路", ((0.0, 0.0), (w, 0.0)), 24.0),
        ("R-TL", "铜陵北路", ((0.0, 0.0), (0.0, h)), 30.0),
        ("R-DT", "大通路", ((w, 0.0), (w, h)), 20.0),
        ("R-JN", "居南路", ((2 * CELL_EAST_M, 0.0), (2 * CELL_EAST_M, h)), 12.0),
        ("R-MG", "明光路", ((3 * CELL_EAST_M, 0.0), (3 * CELL_EAST_M, h)), 12.0),
    ]
    for row in range(1, GRID_ROWS):
        y = row * CELL_NORTH_M
        streets.append((f"R-L{row}", f"小区内部道路{row}号", ((0.0, y), (w, y)), 6.0))
    streets.append(("R-DXC", "丁香家园二期 中央通道", ((CELL_EAST_M, 0.0), (CELL_EAST_M, h)), 8.0))
    return [Road(ref, name, tuple(_at(x, y) for x, y in line), width) for ref, name, line, width in streets]


def _elders(rng: random.Random, names: Names, buildings: list[Building]) -> list[Elder]:
    """Elders spread over the blocks, older estates holding more of them."""
    weights = [3.0 if b.estate != "DX" else 1.5 for b in buildings]
    devices = rng.sample(range(1000, 10000), ELDER_COUNT)
    taken: set[str] = set()
    out = []
    for i in range(ELDER_COUNT):
        b = rng.choices(buildings, weights)[0]
        while True:
            unit = rng.randint(1, b.units)
            floor = rng.randint(1, b.floors)
            room = rng.randint(1, 2)
            address = f"{b.name} {unit}单元 {floor}{room:02d}"
            if address not in taken:
                taken.add(address)
                break
        male = rng.random() < 0.42
        surname = names.surname()
        conditions = tuple(c for c, share in CONDITIONS if rng.random() < share)
        contacts = []
        for relation, rel_male in rng.sample(RELATIONS, rng.randint(1, 2)):
            shares_name = relation in ("儿子", "女儿", "孙子", "孙女", "侄子")
            contact_name = (surname if shares_name else names.surname()) + names.given(rel_male)
            contacts.append(Contact(contact_name, relation, names.phone()))
        along = (unit - 1 + (0.25 if room == 1 else 0.75)) / b.units
        home = b.spot(along + rng.uniform(-0.05, 0.05) / b.units, rng.uniform(0.35, 0.65))
        radius = rng.choice((200, 250, 300)) if DEMENTIA in conditions else rng.choice((400, 500, 600, 800))
        out.append(
            Elder(
                ref=f"E-{i + 1:04d}",
                name=surname + names.given(male, elder=True),
                sex="男" if male else "女",
                birth_year=rng.randint(1930, 1956),
                building=b.ref,
                address=address,
                conditions=conditions,
                contacts=tuple(contacts),
                device=f"FD-{devices[i]}",
                home=(round(home[0], 6), round(home[1], 6)),
                safe_radius_m=radius,
            )
        )
    return out


def _staff(names: Names) -> tuple[list[Staff], list[Team]]:
    """Twelve grid workers (S-001.., one per grid) and three patrol teams (P-1..P-3) of S-101.."""
    staff = [
        Staff(f"S-{n:03d}", names.full(n % 3 != 0), "grid", names.phone(), grid=f"G-{n:02d}")
        for n in range(1, 13)
    ]
    teams = []
    sizes = (3, 3, 2)
    first = 101
    for t, size in enumerate(sizes, start=1):
        members = []
        for k in range(size):
            ref = f"S-{first + k}"
            staff.append(Staff(ref, names.full(True), "patrol", names.phone(), team=f"P-{t}"))
            members.append(ref)
        first += size
        teams.append(Team(f"P-{t}", f"街面巡逻{'一二三'[t - 1]}队", tuple(members)))
    return staff, teams


def build_community(seed: int = 7) -> Community:
    """The whole demo community; the same seed gives the same community."""
    rng = random.Random(seed)
    names = Names(rng)
    grids, buildings, greens, gates, devices = _layout(rng)
    elders = _elders(rng, names, buildings)
    staff, teams = _staff(names)
    return Community(
        seed=seed,
        estates=ESTATES,
        grids=tuple(grids),
        buildings=tuple(buildings),
        roads=tuple(_roads()),
        gates=tuple(gates),
        greens=tuple(greens),
        devices=tuple(devices),
        elders=tuple(elders),
        staff=tuple(staff),
        teams=tuple(teams),
    )
