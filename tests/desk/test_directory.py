"""The directory import's rules: Chinese headers, each bad row named with its problem."""

from __future__ import annotations

from desk.directory import RowError, id_number_ok, parse_rows

ADDRESS = "丁香家园二期 3栋 1单元 502"
HEADER = ["编号", "类型", "姓名", "电话", "住址", "身份证号", "网格", "出生年份"]


def test_rows_as_communities_keep_them_become_profiles() -> None:
    preview = parse_rows(
        [
            HEADER,
            [
                "E-0101",
                "老人",
                "王桂英",
                "138 1234 1234",
                "丁香家园二期 3栋 1单元 502",
                "11010519491231002X",
                "G-03",
                1949,
            ],
            ["S-0101", "工作人员", "李网格", "13900001111", "", "", "G-03", ""],
            [None, None, None, None, None, None, None, None],
        ],
        "elders.xlsx",
    )
    assert preview.ok and preview.errors == [] and preview.counts() == {"elder": 1, "staff": 1}
    elder = preview.profiles[0]
    assert (elder["ref"], elder["kind"], elder["name"]) == ("E-0101", "elder", "王桂英")
    assert elder["data"] == {
        "source": "import",
        "phone": "138 1234 1234",
        "address": ADDRESS,
        "grid": "G-03",
        "id_number": "11010519491231002X",
        "birth_year": 1949,
    }


def test_every_bad_row_is_named_with_its_problems() -> None:
    preview = parse_rows(
        [
            HEADER,
            ["E-1", "老人", "王桂英", "13812341234", "", "", "", ""],
            ["E-2", "老人", "", "12345", "", "110105194912310021", "", "19x9"],
            ["E-1", "居民", "张三", "", "", "", "", ""],
        ],
        "elders.csv",
    )
    assert not preview.ok
    assert [str(e) for e in preview.errors] == [
        "row 3: 姓名 (name) is empty; 电话 '12345' is not a phone number; "
        "身份证号 is not a valid ID number (length or check digit); 出生年份 '19x9' is not a year",
        "row 4: 编号 E-1 repeats row 2; 类型 (kind) '居民' is not 老人, 工作人员 or 队伍",
    ]


def test_a_file_without_the_needed_columns_is_refused_on_its_header() -> None:
    assert parse_rows([["电话", "住址"], ["13812341234", "x"]], "x.csv").errors == [
        RowError(1, "no 姓名 (name) column")
    ]
    assert parse_rows([], "x.csv").errors == [RowError(1, "the file is empty")]


def test_the_id_check_digit() -> None:
    assert id_number_ok("11010519491231002X")
    assert not id_number_ok("110105194912310021")
    assert not id_number_ok("1101051949123100")
