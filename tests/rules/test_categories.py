"""Category suggestion and confirmation: 004 一(三)1–7."""

from datetime import date

import pytest

from caseman.rules.categories import (
    CategorySuggestion,
    ElderFacts,
    MemberFacts,
    Reason,
    incomplete_suggestions,
    months_before,
    needs_override_reason,
    suggest_categories,
    validate_confirmed_categories,
)
from caseman.rules.enums import AbilityLevel, Category, Relation, Residence

TODAY = date(2024, 6, 15)
SIX_MONTHS_AGO = date(2023, 12, 15)

L = Category.LIVING_ALONE
E = Category.EMPTY_NEST
B = Category.LEFT_BEHIND
D = Category.DISABLED_CARE
S = Category.SEVERE_DISABILITY
F = Category.FAMILY_PLANNING
O = Category.OTHER  # noqa: E741

WITH = Residence.WITH_ELDER
TOWN = Residence.SAME_TOWN
AWAY = Residence.ELSEWHERE


def facts(*members: MemberFacts, **kw) -> ElderFacts:
    kw.setdefault("birth_on", date(1944, 1, 1))
    kw.setdefault("ability_level", AbilityLevel.INTACT)
    return ElderFacts(members=members, **kw)


def spouse(residence=WITH, **kw) -> MemberFacts:
    return MemberFacts(Relation.SPOUSE, residence=residence, **kw)


def son(residence=AWAY, **kw) -> MemberFacts:
    return MemberFacts(Relation.SON, residence=residence, **kw)


def daughter(residence=AWAY, **kw) -> MemberFacts:
    return MemberFacts(Relation.DAUGHTER, residence=residence, **kw)


def suggested(elder: ElderFacts, today: date = TODAY) -> set[Category]:
    return {s.category for s in suggest_categories(elder, today)}


def reasons_of(elder: ElderFacts, category: Category) -> tuple[Reason, ...]:
    by_category = {s.category: s.reasons for s in suggest_categories(elder, TODAY)}
    return by_category[category]


# --- 独居 and 空巢: 004 一(三)1 and 一(三)2 ---------------------------------------------------


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        # 一(三)1 孤寡: "无儿无女无老伴" — nobody recorded at all.
        ((), {L}),
        # 孤寡 even with a sibling at home: the first half of 一(三)1 names only 儿、女、老伴.
        ((MemberFacts(Relation.SIBLING, residence=WITH),), {L}),
        # Spouse and only child both deceased: 孤寡.
        ((spouse(is_deceased=True), son(is_deceased=True)), {L}),
        # 一(三)1 second half: has a spouse and children, but all live outside the town/street.
        # 一(三)2 "如同时满足独居的，算作独居": 空巢 also holds and is dropped.
        ((spouse(AWAY), son(AWAY), daughter(AWAY)), {L}),
        # Only children, all elsewhere: 独居 wins over 空巢.
        ((son(AWAY),), {L}),
        # 一(三)2: spouse at home, children elsewhere → 空巢 only.
        ((spouse(WITH), son(AWAY), daughter(AWAY)), {E}),
        # A deceased child does not stop 空巢.
        ((spouse(WITH), son(AWAY), daughter(WITH, is_deceased=True)), {E}),
        # A child in the same town/street: neither 独居 nor 空巢.
        ((son(TOWN),), set()),
        ((spouse(WITH), son(AWAY), daughter(TOWN)), set()),
        # A child living with the elder: neither.
        ((son(WITH),), set()),
        # 一(三)1 "或其他家属": a grandchild in the same town stops 独居; the child is away → 空巢.
        ((son(AWAY), MemberFacts(Relation.GRANDCHILD, residence=TOWN)), {E}),
        # Spouse at home, no children: neither (not 孤寡, not alone, no children to leave).
        ((spouse(WITH),), set()),
    ],
)
def test_living_alone_and_empty_nest(members, expected):
    assert suggested(facts(*members)) & {L, E} == expected


def test_unknown_residence_counts_as_not_nearby_and_says_so():
    # A residence that is not recorded is not evidence of living together: suggest, and explain.
    elder = facts(spouse(residence=None), son(residence=None))
    assert suggested(elder) & {L, E} == {L}
    messages = [r.message for r in reasons_of(elder, L)]
    assert any("not recorded" in m for m in messages)
    unknown = next(r for r in reasons_of(elder, L) if "not recorded" in r.message)
    assert unknown.params == {"count": 2}


def test_guagua_reason_differs_from_living_apart_reason():
    guagua = reasons_of(facts(), L)
    apart = reasons_of(facts(spouse(AWAY)), L)
    assert guagua == (Reason("The elder has no living spouse and no living child."),)
    assert apart[0].message != guagua[0].message


def test_empty_nest_reason_counts_living_children():
    elder = facts(spouse(WITH), son(AWAY), daughter(AWAY), son(TOWN, is_deceased=True))
    (reason,) = reasons_of(elder, E)
    assert reason.params == {"count": 2}


# --- 留守: 004 一(三)3 ------------------------------------------------------------------
# "子女长期（半年以上）离开农村户籍地务工，身边没有赡养人或赡养人无赡养能力"


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (SIX_MONTHS_AGO, True),  # exactly six calendar months: counts
        (date(2023, 12, 16), False),  # one day short
        (date(2020, 1, 1), True),
        (None, False),  # not working away
    ],
)
def test_left_behind_six_month_boundary(since, expected):
    elder = facts(spouse(WITH), son(AWAY, working_away_since=since), is_rural_hukou=True)
    assert (B in suggested(elder)) is expected


def test_left_behind_reason_gives_earliest_departure():
    elder = facts(
        son(AWAY, working_away_since=date(2022, 3, 1)),
        daughter(AWAY, working_away_since=date(2021, 5, 4)),
        is_rural_hukou=True,
    )
    reason = reasons_of(elder, B)[0]
    assert reason.params == {"count": 2, "since": "2021-05-04"}


def test_urban_hukou_is_never_left_behind():
    # 一(三)3 is about 农村老年人 leaving 农村户籍地.
    elder = facts(son(AWAY, working_away_since=date(2020, 1, 1)), is_rural_hukou=False)
    assert B not in suggested(elder)


@pytest.mark.parametrize(
    ("other_child", "expected"),
    [
        (None, True),
        # An able child living with the elder or in the same town is a 赡养人 beside the elder.
        (daughter(WITH), False),
        (daughter(TOWN), False),
        # 赡养人无赡养能力: the child nearby has a grade 1 or 2 disability.
        (daughter(WITH, disability_grade=1), True),
        (daughter(TOWN, disability_grade=2), True),
        (daughter(WITH, disability_grade=3), False),
        # A deceased child nearby supports no one.
        (daughter(WITH, is_deceased=True), True),
        # A child elsewhere (not working away long) is not beside the elder either.
        (daughter(AWAY), True),
        # A child registered at home but who just left to work is not beside the elder.
        (daughter(WITH, working_away_since=date(2024, 5, 1)), True),
    ],
)
def test_left_behind_needs_no_able_supporter_nearby(other_child, expected):
    members = [son(AWAY, working_away_since=date(2023, 1, 1))]
    if other_child is not None:
        members.append(other_child)
    elder = facts(*members, is_rural_hukou=True)
    assert (B in suggested(elder)) is expected


def test_left_behind_with_unable_supporter_explains_it():
    elder = facts(
        son(AWAY, working_away_since=date(2023, 1, 1)),
        daughter(WITH, disability_grade=1),
        is_rural_hukou=True,
    )
    messages = [r.message for r in reasons_of(elder, B)]
    assert any("cannot support" in m for m in messages)


def test_left_behind_combines_with_other_categories():
    # An elder may have several categories: alone (child away) and left behind at once.
    elder = facts(son(AWAY, working_away_since=date(2023, 1, 1)), is_rural_hukou=True)
    assert suggested(elder) == {L, B}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 6, 15), date(2023, 12, 15)),
        (date(2024, 8, 31), date(2024, 2, 29)),  # clamped to the end of a leap February
        (date(2023, 8, 31), date(2023, 2, 28)),
        (date(2024, 3, 31), date(2023, 9, 30)),
    ],
)
def test_months_before(today, expected):
    assert months_before(today, 6) == expected


# --- 失能: 004 一(三)4 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (AbilityLevel.INTACT, False),  # 能力完好
        (AbilityLevel.MILD, True),  # 轻度失能
        (AbilityLevel.MODERATE, True),  # 中度失能
        (AbilityLevel.SEVERE, True),  # 重度失能
        (AbilityLevel.TOTAL, True),  # 能力完全丧失
    ],
)
def test_disabled_care_by_ability_level(level, expected):
    elder = facts(spouse(WITH), ability_level=level)
    assert (D in suggested(elder)) is expected


def test_each_impaired_level_has_its_own_reason():
    levels = [AbilityLevel.MILD, AbilityLevel.MODERATE, AbilityLevel.SEVERE, AbilityLevel.TOTAL]
    messages = {reasons_of(facts(ability_level=level), D)[0].message for level in levels}
    assert len(messages) == 4


# --- 重残: 004 一(三)5 "持有效《中华人民共和国残疾人证》，残疾程度为一级、二级" ---


@pytest.mark.parametrize(
    ("grade", "certificate", "expected"),
    [
        (1, "50011219450101123411", True),
        (2, "50011219450101123412", True),
        (3, "50011219450101123413", False),
        (4, "50011219450101123414", False),
        (None, "50011219450101123411", False),
        (1, "", False),  # no certificate number: not suggested (see incomplete_suggestions)
        (2, "   ", False),
    ],
)
def test_severe_disability(grade, certificate, expected):
    elder = facts(spouse(WITH), disability_grade=grade, disability_certificate_no=certificate)
    assert (S in suggested(elder)) is expected


def test_severe_disability_reason_does_not_repeat_certificate_number():
    # The certificate number embeds the ID number: the reason gives only the grade.
    elder = facts(disability_grade=1, disability_certificate_no="50011219450101123411")
    assert reasons_of(elder, S)[0].params == {"grade": 1}


@pytest.mark.parametrize(
    ("grade", "certificate", "hint"),
    [(1, "", True), (2, " ", True), (3, "", False), (1, "50011219450101123411", False)],
)
def test_incomplete_severe_disability_hint(grade, certificate, hint):
    elder = facts(disability_grade=grade, disability_certificate_no=certificate)
    hints = incomplete_suggestions(elder)
    assert [h.category for h in hints] == ([S] if hint else [])
    if hint:
        assert hints[0].reasons[0].params == {"grade": grade}


# --- 计生: 004 一(三)6 "独生子女三级及以上伤残或死亡，未再生育或收养子女" ------------


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ((son(is_only_child=True, is_deceased=True),), True),
        ((daughter(WITH, is_only_child=True, disability_grade=1),), True),
        ((daughter(WITH, is_only_child=True, disability_grade=3),), True),  # 三级及以上
        ((daughter(WITH, is_only_child=True, disability_grade=4),), False),
        ((daughter(WITH, is_only_child=True),), False),  # living and not disabled
        # Another child (born or adopted later) exists: 未再生育或收养子女 fails.
        ((son(is_only_child=True, is_deceased=True), daughter(WITH)), False),
        ((son(is_only_child=True, is_deceased=True), daughter(is_deceased=True)), False),
        # Not recorded as an only child.
        ((son(is_deceased=True),), False),
        # Other relatives do not count as further children.
        ((son(is_only_child=True, is_deceased=True), spouse(WITH)), True),
    ],
)
def test_family_planning(members, expected):
    assert (F in suggested(facts(*members))) is expected


def test_family_planning_reasons():
    died = facts(spouse(WITH), son(is_only_child=True, is_deceased=True))
    disabled = facts(spouse(WITH), son(WITH, is_only_child=True, disability_grade=3))
    assert reasons_of(died, F)[0].message == (
        "The only child has died and no other child is recorded."
    )
    assert reasons_of(disabled, F)[0].params == {"grade": 3}


# --- 其他 and ordering: 004 一(三)7 -----------------------------------------------------------


def test_other_is_never_suggested_and_order_follows_category():
    # Everything at once: alone, left behind, disabled, severely disabled, family planning.
    elder = facts(
        son(AWAY, is_only_child=True, is_deceased=True),
        is_rural_hukou=True,
        ability_level=AbilityLevel.TOTAL,
        disability_grade=1,
        disability_certificate_no="50011219450101123411",
        has_serious_illness=True,
    )
    result = suggest_categories(elder, TODAY)
    assert [s.category for s in result] == [L, D, S, F]
    assert all(isinstance(s, CategorySuggestion) and s.reasons for s in result)


def test_nothing_suggested_for_elder_with_family_nearby():
    assert suggest_categories(facts(spouse(WITH), son(TOWN)), TODAY) == []


# --- Confirmation ------------------------------------------------------------------------


CERT = "50011219450101123411"


@pytest.mark.parametrize(
    ("confirmed", "elder", "other_reason", "fields"),
    [
        # 一(三)5: 重残 needs the certificate number and grade 1 or 2.
        ({S}, facts(disability_grade=1, disability_certificate_no=CERT), "", set()),
        ({S}, facts(disability_grade=1), "", {"disability_certificate_no"}),
        ({S}, facts(disability_grade=3, disability_certificate_no=CERT), "", {"disability_grade"}),
        ({S}, facts(), "", {"disability_certificate_no", "disability_grade"}),
        # 一(三)7: 其他 needs a reason.
        ({O}, facts(), "", {"other_reason"}),
        ({O}, facts(), "   ", {"other_reason"}),
        ({O}, facts(), "子女长期不探望", set()),
        # 一(三)4: 失能 cannot be confirmed for an intact elder.
        ({D}, facts(ability_level=AbilityLevel.INTACT), "", {"ability_level"}),
        ({D}, facts(ability_level=AbilityLevel.MILD), "", set()),
        # 一(三)2: 独居 and 空巢 together is counted as 独居 only.
        ({L, E}, facts(), "", {"categories"}),
        ({L, B}, facts(), "", set()),
        (set(), facts(), "", set()),
    ],
)
def test_validate_confirmed_categories(confirmed, elder, other_reason, fields):
    errors = validate_confirmed_categories(confirmed, elder, other_reason)
    assert set(errors) == fields
    assert all(isinstance(message, str) and message for message in errors.values())


def test_validate_message_for_missing_certificate():
    errors = validate_confirmed_categories({S}, facts(disability_grade=2), "")
    assert errors["disability_certificate_no"] == (
        "A severely disabled elder (grade 1 or 2) needs the disability certificate number."
    )


@pytest.mark.parametrize(
    ("suggested_set", "confirmed", "needed"),
    [
        ({L, D}, {L, D}, False),
        ({L, D}, {D, L}, False),
        ({L, D}, {L, D, O}, False),  # 其他 is always staff-added with its own reason
        ({L}, {E}, True),
        ({L, D}, {L}, True),  # dropping a suggestion
        ({D}, {D, S}, True),  # adding one
        (set(), set(), False),
        (set(), {O}, False),
    ],
)
def test_needs_override_reason(suggested_set, confirmed, needed):
    assert needs_override_reason(suggested_set, confirmed) is needed
