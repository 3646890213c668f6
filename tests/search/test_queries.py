"""Search through the index (the same tests run on SQLite and PostgreSQL): each query kind finds
the right elders, never one out of scope, sorted by relevance then name; the index follows edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseman.elders.services import Registration, update_elder
from caseman.extensions import db
from caseman.referrals.services import move_referral
from caseman.rules.enums import Category
from caseman.rules.referrals import ReferralStatus
from caseman.search.elder_list import ElderFilters, list_elders
from caseman.search.indexing import rebuild_index
from caseman.search.models import SearchDocument, SearchKey
from caseman.search.queries import highlight, list_matches, snippet
from caseman.visits.services import void_record
from tests.conftest import TODAY, registration_values
from tests.search.conftest import id_number


def names(user, q, **filters):
    page = list_elders(user, ElderFilters(q=q, **filters), 1, 50)
    return [e.name for e in page.items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张", ["张三丰"]),  # one character
        ("三丰", ["张三丰"]),  # two characters, not at the start
        ("张三丰", ["张三丰"]),  # three characters
        ("田", ["单田芳"]),
        ("zhangsanfeng", ["张三丰"]),  # full pinyin
        ("zsf", ["张三丰"]),  # initials
        ("zhangsf", ["张三丰"]),  # mixed
        ("ZhangSanFeng", ["张三丰"]),
        ("shantianfang", ["单田芳"]),  # 单 as a surname reads shan
        ("stf", ["单田芳"]),
        ("zengguofan", ["曾国藩"]),  # 曾 as a surname reads zeng
        ("wangwu", ["王五"]),
        ("13800003333", ["曾国藩"]),  # full phone
        ("3333", ["曾国藩"]),  # phone digits
        ("00004444", ["王五"]),
        ("nobody", []),
        ("丰三", []),
    ],
)
def test_each_query_kind_finds_the_right_elders_in_scope(cast, town_user, other_town_user, q,
                                                         expected):  # fmt: skip
    assert names(town_user, q) == expected
    # 古路镇 staff never see 木耳镇's elders, whatever they type.
    assert not set(names(other_town_user, q)) & {"张三丰", "单田芳", "曾国藩", "王五"}


def test_out_of_scope_namesakes_are_found_only_by_their_own_town(cast, town_user, other_town_user):
    assert names(other_town_user, "张") == ["张三"]
    assert names(other_town_user, "zs") == ["张三"]
    assert names(other_town_user, "shantian") == ["单田"]
    assert names(town_user, "张三") == ["张三丰"]


def test_id_number_tail_and_full(cast, town_user, other_town_user):
    zeng = cast["zeng"]
    assert names(town_user, zeng.id_number[-4:]) == ["曾国藩"]
    assert names(town_user, zeng.id_number[-8:]) == ["曾国藩"]
    assert names(town_user, zeng.id_number) == ["曾国藩"]
    assert names(town_user, zeng.id_number.lower()) == ["曾国藩"]
    assert names(other_town_user, zeng.id_number) == []
    assert names(town_user, zeng.id_number[-3:]) == []  # fewer than 4 digits finds nobody


def test_relevance_then_name(cast, town_user, make_elder):
    make_elder(
        name="李张",
        id_number=id_number(120),
        phone="13700000001",
        emergency_phone="",
        gender="male",
    )
    make_elder(
        name="张", id_number=id_number(121), phone="13700000002", emergency_phone="", gender="male"
    )
    make_elder(
        name="张一",
        id_number=id_number(122),
        phone="13700000003",
        emergency_phone="",
        gender="male",
    )
    # The exact name first, then names starting with it (by name), then names containing it.
    assert names(town_user, "张") == ["张", "张一", "张三丰", "李张"]
    assert names(town_user, "zhang")[:1] == ["张"]


def test_words_in_visits_referrals_and_care(cast, town_user, other_town_user, add_visit,
                                            add_referral):  # fmt: skip
    add_visit(cast["wang"], needs_note="需要助浴服务，洗澡困难", suggested_care="联系助浴车")
    add_visit(cast["far_zhang"], needs_note="需要助浴服务")
    add_referral(cast["shan"], description="申请轮椅，行动不便")
    assert names(town_user, "助浴服务") == ["王五"]
    assert names(town_user, "助浴") == ["王五"]
    assert names(town_user, "申请轮椅") == ["单田芳"]
    assert names(town_user, "行动不便") == ["单田芳"]
    assert names(other_town_user, "助浴服务") == ["张三"]
    matches = list_matches([cast["wang"].id, cast["shan"].id], "助浴")
    assert [(m.source, m.field) for m in matches[cast["wang"].id]] == [
        ("visit", "suggested_care"),
        ("visit", "needs_note"),
    ]
    assert "<mark>助浴</mark>" in str(matches[cast["wang"].id][1].text)
    assert cast["shan"].id not in matches
    assert [m.source for m in list_matches([cast["shan"].id], "轮椅")[cast["shan"].id]] == [
        "referral"
    ]


def test_name_match_ranks_before_text_match(cast, town_user, add_visit):
    add_visit(cast["wang"], needs_note="想念张三丰的儿子")
    assert names(town_user, "张三丰") == ["张三丰", "王五"]


def test_rename_follows_the_index(cast, town_user, make_user):
    zhang = cast["zhang"]
    registrar = make_user("district", "district", username="renamer")
    values = registration_values(zhang.residence_area, name="李四海", gender="male",
                                 id_number=zhang.id_number, phone="13600009999",
                                 emergency_phone="")  # fmt: skip
    update_elder(registrar, zhang, Registration(values, [], {Category.LIVING_ALONE}), TODAY,
                 zhang.version)  # fmt: skip
    db.session.commit()
    assert names(town_user, "李四海") == ["李四海"]
    assert names(town_user, "lsh") == ["李四海"]
    assert names(town_user, "9999") == ["李四海"]
    assert names(town_user, "三丰") == []
    assert names(town_user, "zsf") == []
    assert names(town_user, "1111") == []


def test_text_follows_edits_and_voids(cast, town_user, add_visit, cadre):
    visit = add_visit(cast["wang"], needs_note="屋顶漏雨需要维修")
    assert names(town_user, "屋顶漏雨") == ["王五"]
    void_record(cadre, visit, "录错了对象", visit.version)
    db.session.commit()
    assert names(town_user, "屋顶漏雨") == []


def test_referral_status_note_is_searchable(cast, town_user, add_referral, cadre):
    referral = add_referral(cast["shan"], description="康复训练")
    move_referral(cadre, referral, ReferralStatus.REFERRED,
                           {"note": "已联系区康复中心", "referred_to": "区康复中心",
                            "referred_contact": "", "follow_up_on": TODAY + timedelta(days=7),
                            "consent_answer": "agreed", "consent_by": "本人",
                            "consent_way": "in_person", "consent_on": TODAY},
                           TODAY, referral.version)  # fmt: skip
    db.session.commit()
    assert names(town_user, "康复中心") == ["单田芳"]


def test_filters_combine_with_search(cast, town_user, areas, add_risk):
    assert names(town_user, "zs", village=areas["jingang"].id) == ["张三丰"]
    assert names(town_user, "zs", village=areas["baiyan"].id) == []
    assert sorted(names(town_user, "", ability="intact")) == sorted(
        ["单田芳", "张三丰", "曾国藩", "王五"]
    )
    assert names(town_user, "", ability="severe") == []
    add_risk(cast["wang"])
    assert names(town_user, "", open="risk") == ["王五"]
    assert names(town_user, "", open="any") == ["王五"]
    assert names(town_user, "", open="referral") == []


def test_rebuild_gives_the_same_index(cast, add_visit, add_referral):
    add_visit(cast["wang"], needs_note="需要助浴服务")
    add_referral(cast["shan"], description="申请轮椅")

    def snapshot():
        keys = db.session.execute(sa.select(SearchKey.elder_id, SearchKey.key, SearchKey.rank))
        docs = db.session.execute(
            sa.select(
                SearchDocument.source,
                SearchDocument.record_id,
                SearchDocument.field,
                SearchDocument.body,
            )  # fmt: skip
        )
        return sorted(keys.all()), sorted(docs.all())

    before = snapshot()
    rebuild_index(db.session.connection())
    db.session.commit()
    assert snapshot() == before
    assert len(before[0]) > 50
    assert len(before[1]) == 2


def test_highlight_escapes_first():
    marked = str(highlight("<script>alert(1)</script>助浴", "助浴"))
    assert marked == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>助浴</mark>"
    assert str(highlight("a<b>c", "<b>")) == "a<mark>&lt;b&gt;</mark>c"
    assert "<script>" not in str(snippet("x" * 40 + "<script>" + "y" * 40, "script"))


def test_two_characters_at_the_end_or_the_whole_of_a_text(cast, town_user, add_visit):
    # SQLite: the trigram index needs a third character; the indexed sentinel gives it one.
    add_visit(cast["wang"], needs_note="需要送餐")
    add_visit(cast["zeng"], needs_note="陪诊", suggested_care="Walker 助行器")
    assert names(town_user, "送餐") == ["王五"]
    assert names(town_user, "陪诊") == ["曾国藩"]
    assert names(town_user, "助行") == ["曾国藩"]
    assert names(town_user, "要送餐") == ["王五"]
    assert names(town_user, "walker") == ["曾国藩"]  # Latin words, any case
    assert names(town_user, "餐陪") == []
    assert names(town_user, "要") == []  # one character searches names only


def test_postgresql_two_character_query_uses_the_bigram_index(cast, town_user, add_visit):
    """PostgreSQL: two characters are looked up in the GIN index of character pairs, not a scan."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the bigram index is PostgreSQL's")
    add_visit(cast["wang"], needs_note="卫生间地面湿滑，建议安装扶手。")
    pairs = db.session.scalar(sa.text("SELECT caseman_bigrams('地面湿滑 AB')"))
    assert set(pairs) == {"地面", "面湿", "湿滑", "滑 ", " a", "ab"}
    assert names(town_user, "湿滑") == ["王五"]
    assert names(town_user, "扶手") == ["王五"]
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table: force the choice
    plan = db.session.scalars(
        sa.text(
            "EXPLAIN SELECT elder_id FROM search_documents "
            "WHERE caseman_bigrams(body) @> ARRAY['湿滑']"
        )
    ).all()
    assert any("ix_search_documents_body_bigrams" in line for line in plan)


@pytest.mark.parametrize("typed", ["助浴服务", "助浴"])  # three characters and more; two
def test_a_common_word_finds_the_users_own_elders_beyond_the_limit(
    cast, town_user, other_town_user, add_visit, monkeypatch, typed
):
    """Issue 23 item 4: the limit on matching records is taken after the scope, not before (a
    village's own elders were missed when other towns' records held the word more recently)."""
    import caseman.search.queries as search_queries

    monkeypatch.setattr(search_queries, "TEXT_LIMIT", 2)
    add_visit(cast["wang"], needs_note="需要助浴服务")  # the oldest record holding the word
    for _ in range(2):
        for far in ("far_zhang", "far_shan"):
            add_visit(cast[far], needs_note="需要助浴服务")
    assert names(town_user, typed) == ["王五"]
    assert set(names(other_town_user, typed)) <= {"张三", "单田"}
