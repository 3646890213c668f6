"""A town's due list runs to thousands of rows (1.4 MB of page at 8,000 elders, issue 21): above
DUE_ROWS_AT_ONCE rows the town first sees each village's counts, then picks a village."""

from __future__ import annotations

from datetime import timedelta

from caseman.visits import views
from tests.conftest import TODAY

LONG_AGO = TODAY - timedelta(days=75)


def test_a_long_town_list_shows_each_villages_counts_first(
    make_elder, make_user, login_as, client, areas, monkeypatch
):
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 2)
    for name in ("张秀英", "李桂兰"):
        make_elder(name=name, filed_on=LONG_AGO)  # 金刚村
    make_elder(area="baiyan", name="赵德明", filed_on=LONG_AGO)
    login_as(make_user("town", "muer"))

    html = client.get("/visits/due").get_data(as_text=True)
    assert "请选择村（社区）" in html
    assert "共3位老人：请选择村（社区）查看名单。" in html
    assert "张秀英" not in html  # no rows until a village is chosen
    jingang = html[html.index(f"village={areas['jingang'].id}") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in jingang.split("</td>")[1:3]] == ["2", "2"]

    chosen = client.get(f"/visits/due?village={areas['jingang'].id}").get_data(as_text=True)
    assert "张秀英" in chosen
    assert "李桂兰" in chosen
    assert "赵德明" not in chosen
    assert "请选择村（社区）" not in chosen

    # A short list is shown whole, as before.
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 300)
    whole = client.get("/visits/due").get_data(as_text=True)
    assert "请选择村（社区）" not in whole
    assert all(name in whole for name in ("张秀英", "李桂兰", "赵德明"))


def test_a_village_user_always_sees_the_rows(make_elder, make_user, login_as, client,
                                             monkeypatch):  # fmt: skip
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 1)
    for name in ("张秀英", "李桂兰"):
        make_elder(name=name, filed_on=LONG_AGO)
    login_as(make_user("village", "jingang"))
    html = client.get("/visits/due").get_data(as_text=True)
    assert "请选择村（社区）" not in html
    assert "张秀英" in html
    assert "李桂兰" in html


def test_the_district_picks_a_town_then_a_village(make_elder, make_user, login_as, client, areas,
                                                  monkeypatch):  # fmt: skip
    monkeypatch.setattr(views, "DUE_ROWS_AT_ONCE", 2)
    for name in ("张秀英", "李桂兰"):
        make_elder(name=name, filed_on=LONG_AGO)  # 木耳镇 金刚村
    make_elder(area="baiyan", name="赵德明", filed_on=LONG_AGO)  # 木耳镇 白岩村
    make_elder(area="caoping", name="钱古路", filed_on=LONG_AGO)  # 古路镇
    login_as(make_user("district", "district"))

    html = client.get("/visits/due").get_data(as_text=True)
    assert "请选择镇街" in html
    muer = html[html.index(f"town={areas['muer'].id}") :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in muer.split("</td>")[1:3]] == ["3", "3"]
    assert "张秀英" not in html

    town = client.get(f"/visits/due?town={areas['muer'].id}").get_data(as_text=True)
    assert "请选择村（社区）" in town  # 3 rows, above the (lowered) limit of 2
    assert f"village={areas['baiyan'].id}" in town
    assert "钱古路" not in town
