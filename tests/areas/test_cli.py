"""``flask areas`` (the tree), ``areas add`` and ``areas import`` — Yubei's shape in one import."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from caseman.areas.models import Area, AreaKind, AreaLevel
from caseman.audit import AuditEvent
from caseman.extensions import db
from tests.areas.sheets import csv_bytes, xlsx_bytes, yubei_rows


def _levels() -> Counter:
    return Counter(area.level.value for area in db.session.scalars(select(Area)))


def test_areas_without_subcommand_prints_the_tree_as_before(app, areas):
    result = app.test_cli_runner().invoke(args=["areas"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "district\t渝北区\t", "town\t木耳镇\t渝北区", "village\t金刚村\t木耳镇",
        "group\t一组\t金刚村", "village\t白岩村\t木耳镇", "town\t古路镇\t渝北区",
        "village\t草坪村\t古路镇",
    ]  # fmt: skip


def test_add_builds_a_tree_from_an_empty_database(app):
    runner = app.test_cli_runner()
    steps = [
        ["areas", "add", "--level", "district", "--code", "500112", "渝北区"],
        ["areas", "add", "--parent", "渝北区", "--level", "town", "王家街道"],
        [
            "areas",
            "add",
            "--parent",
            "王家街道",
            "--level",
            "village",
            "--kind",
            "village",
            "大湾村",
        ],
        ["areas", "add", "--parent", "大湾村", "--level", "group", "一组"],
    ]
    for args in steps:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    street = db.session.scalar(select(Area).where(Area.name == "王家街道"))
    assert street.kind == AreaKind.STREET
    assert runner.invoke(args=["areas"]).output.splitlines()[-1] == "group\t一组\t大湾村"
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "create")) == 4


def test_add_refuses_what_does_not_fit(app, areas):
    runner = app.test_cli_runner()
    for args, message in (
        (["areas", "add", "--level", "town", "新镇"], "--parent is needed"),
        (["areas", "add", "--parent", "无此镇", "--level", "village", "新村"], "No area called"),
        (["areas", "add", "--parent", "木耳镇", "--level", "village", "金刚村"], "already an area"),
        (["areas", "add", "--parent", "渝北区", "--level", "village", "新村"], ""),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert message in result.output
    assert sum(_levels().values()) == 7


def test_import_loads_yubei_into_an_empty_database_in_one_go(app, tmp_path):
    sheet = tmp_path / "渝北区村社.xlsx"
    sheet.write_bytes(xlsx_bytes(yubei_rows()))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["areas", "import", str(sheet), "--district", "渝北区"])
    assert result.exit_code == 0, result.output
    assert "district 1, town 13, village 172, group 0" in result.output
    assert _levels() == {"district": 1, "town": 13, "village": 172}
    towns = db.session.scalars(select(Area).where(Area.level == AreaLevel.TOWN)).all()
    assert Counter(t.kind.value for t in towns) == {"town": 11, "street": 2}
    jingang = db.session.scalar(select(Area).where(Area.name == "金刚村"))
    assert jingang.full_name == "渝北区木耳镇金刚村"
    assert jingang.code == "500112100200"
    assert jingang.path == f"{jingang.parent.parent.path}{jingang.parent.id}/{jingang.id}/"
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "import")) == 1

    # Again, now with groups and without --district (the one district is used): groups added,
    # villages unchanged, nothing duplicated.
    sheet.write_bytes(xlsx_bytes(yubei_rows(groups_per_village=3)))
    result = runner.invoke(args=["areas", "import", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "district 0, town 0, village 0, group 516" in result.output
    result = runner.invoke(args=["areas", "import", str(sheet)])
    assert "district 0, town 0, village 0, group 0; unchanged 516" in result.output
    assert _levels() == {"district": 1, "town": 13, "village": 172, "group": 516}


def test_import_with_problems_writes_nothing_and_lists_them(app, areas, tmp_path):
    rows = [["木耳镇", "新风村", "", ""], ["古路镇", "草坪村", "", ""], ["古路镇", "", "", ""],
            ["古路镇", "金刚村", "", ""]]  # fmt: skip
    sheet = tmp_path / "tree.csv"
    sheet.write_bytes(csv_bytes(rows, encoding="gb18030"))
    before = _levels()
    result = app.test_cli_runner().invoke(args=["areas", "import", str(sheet)])
    assert result.exit_code != 0
    assert "row 4 [village]" in result.output  # blank
    assert "row 5 [village]" in result.output  # 金刚村 belongs to 木耳镇 in the database
    assert "nothing was written" in result.output
    assert _levels() == before


def test_import_needs_a_district_on_an_empty_database(app, tmp_path):
    sheet = tmp_path / "tree.csv"
    sheet.write_bytes(csv_bytes([["木耳镇", "金刚村", "", ""]]))
    result = app.test_cli_runner().invoke(args=["areas", "import", str(sheet)])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(Area.id))) == 0


def test_create_user_refuses_a_closed_area(app, areas):
    from datetime import date

    from caseman.areas.services import close_area

    close_area(None, areas["baiyan"], date(2026, 12, 1), "撤并")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["create-user", "--username", "wang", "--password", "long-enough-1",
              "--role", "village", "--area", "白岩村", "--full-name", "李明"]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "closed" in result.output
