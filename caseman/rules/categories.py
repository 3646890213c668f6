"""Suggesting the categories (对象类别) of an elder from recorded facts: 004 一(三)1–7.

The system suggests, staff confirm (DESIGN.md "The domain"): :func:`suggest_categories` gives
each category the facts support with the reasons why, :func:`validate_confirmed_categories`
rejects confirmed categories the recorded facts contradict, and :func:`needs_override_reason`
tells whether staff must explain a choice that differs from the suggestion.

Where a family member lives (``residence``) may be unknown (``None``). Only a recorded
``WITH_ELDER`` or ``SAME_TOWN`` counts as living nearby: unknown members are treated as not
nearby, so the elder is suggested for a visit rather than missed, and a reason says so.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from caseman.rules.enums import N_, AbilityLevel, Category, Relation, Residence

# 004 一(三)3: children away "长期（半年以上）".
LEFT_BEHIND_MONTHS = 6

# 004 一(三)5: 重残 is 残疾程度 一级、二级.
SEVERE_DISABILITY_GRADES = frozenset({1, 2})

# 004 一(三)6: the only child's "三级及以上伤残" (grade 3 or more severe).
FAMILY_PLANNING_CHILD_GRADES = frozenset({1, 2, 3})

# 004 一(三)3 "赡养人无赡养能力": a child with a grade 1 or 2 disability cannot support the elder.
UNABLE_SUPPORTER_GRADES = SEVERE_DISABILITY_GRADES

_NEARBY = frozenset({Residence.WITH_ELDER, Residence.SAME_TOWN})


@dataclass(frozen=True)
class MemberFacts:
    """A family member as far as the category rules need them."""

    relation: Relation
    is_deceased: bool = False
    residence: Residence | None = None  # None: not recorded
    working_away_since: date | None = None  # left to work elsewhere (外出务工) on this date
    disability_grade: int | None = None  # 残疾等级 1 (most severe) .. 4
    is_only_child: bool = False  # recorded as the elder's only child (独生子女)


@dataclass(frozen=True)
class ElderFacts:
    """The recorded facts about an elder that the category rules read."""

    birth_on: date
    ability_level: AbilityLevel
    is_rural_hukou: bool = False
    disability_certificate_no: str = ""
    disability_grade: int | None = None
    has_serious_illness: bool = False
    members: tuple[MemberFacts, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why a rule applies: an untranslated msgid and its ``%(name)s`` parameters."""

    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CategorySuggestion:
    """A category the recorded facts support, with the reasons."""

    category: Category
    reasons: tuple[Reason, ...]


_ABILITY_REASONS = {
    AbilityLevel.MILD: N_("The elder's ability is mildly impaired."),
    AbilityLevel.MODERATE: N_("The elder's ability is moderately impaired."),
    AbilityLevel.SEVERE: N_("The elder's ability is severely impaired."),
    AbilityLevel.TOTAL: N_("The elder's ability is completely lost."),
}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped to the end of a shorter month.

    31 August minus 6 months is 28 (or 29) February.
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def _living(facts: ElderFacts) -> list[MemberFacts]:
    return [m for m in facts.members if not m.is_deceased]


def _unknown_residence_reason(members: list[MemberFacts]) -> tuple[Reason, ...]:
    unknown = sum(1 for m in members if m.residence is None)
    if not unknown:
        return ()
    return (
        Reason(
            N_(
                "The residence of %(count)s family member(s) is not recorded; they were "
                "counted as not living with the elder or in the same town/street."
            ),
            {"count": unknown},
        ),
    )


def _living_alone_reasons(facts: ElderFacts) -> tuple[Reason, ...]:
    """004 一(三)1 独居: "无儿无女无老伴的孤寡老年人、不与子女或其他家属共同居住且子女或其他
    家属不在同一镇街居住的老年人"."""
    living = _living(facts)
    has_spouse = any(m.relation == Relation.SPOUSE for m in living)
    has_child = any(m.relation.is_child for m in living)
    if not has_spouse and not has_child:
        # 孤寡: no (living) son, daughter or spouse, whoever else is recorded or nearby.
        return (Reason(N_("The elder has no living spouse and no living child.")),)
    if not any(m.residence in _NEARBY for m in living):
        # Spouse, children and other relatives all live outside the town/street (or unknown).
        return (
            Reason(
                N_(
                    "No living family member is recorded as living with the elder or in the "
                    "same town/street."
                )
            ),
            *_unknown_residence_reason(living),
        )
    return ()


def _empty_nest_reasons(facts: ElderFacts) -> tuple[Reason, ...]:
    """004 一(三)2 空巢: "子女长大成人后从父母家庭中相继分离出去，且与子女不在同一镇街居住的老年人"
    (the caller drops it when 独居 also applies: "如同时满足独居的，算作独居")."""
    children = [m for m in _living(facts) if m.relation.is_child]
    if not children or any(m.residence in _NEARBY for m in children):
        return ()
    return (
        Reason(
            N_(
                "The elder has %(count)s living child(ren); none is recorded as living with "
                "the elder or in the same town/street."
            ),
            {"count": len(children)},
        ),
        *_unknown_residence_reason(children),
    )


def _left_behind_reasons(facts: ElderFacts, today: date) -> tuple[Reason, ...]:
    """004 一(三)3 农村留守: "子女长期（半年以上）离开农村户籍地务工，身边没有赡养人或赡养人无赡养
    能力的农村老年人"."""
    if not facts.is_rural_hukou:
        return ()
    children = [m for m in _living(facts) if m.relation.is_child]
    boundary = months_before(today, LEFT_BEHIND_MONTHS)
    away = [
        m for m in children if m.working_away_since is not None and m.working_away_since <= boundary
    ]
    if not away:
        return ()
    # A child beside the elder: recorded as living with them or in the same town/street and not
    # away for work (a child who has just left is not beside the elder either).
    beside = [m for m in children if m.residence in _NEARBY and m.working_away_since is None]
    able = [m for m in beside if m.disability_grade not in UNABLE_SUPPORTER_GRADES]
    if able:
        return ()
    earliest = min(m.working_away_since for m in away if m.working_away_since is not None)
    reasons = [
        Reason(
            N_(
                "Rural household registration; %(count)s child(ren) have worked away for six "
                "months or more (since %(since)s)."
            ),
            {"count": len(away), "since": earliest.isoformat()},
        )
    ]
    if beside:
        reasons.append(
            Reason(
                N_(
                    "The children living nearby have a grade 1 or 2 disability and cannot "
                    "support the elder."
                )
            )
        )
    else:
        reasons.append(
            Reason(
                N_("No child lives with the elder or in the same town/street without working away.")
            )
        )
    return tuple(reasons)


def _disabled_care_reasons(facts: ElderFacts) -> tuple[Reason, ...]:
    """004 一(三)4 失能: 轻度、中度、重度失能 and 能力完全丧失 (every level but 能力完好)."""
    message = _ABILITY_REASONS.get(facts.ability_level)
    return (Reason(message),) if message else ()


def _has_certificate(facts: ElderFacts) -> bool:
    return bool(facts.disability_certificate_no.strip())


def _severe_disability_reasons(facts: ElderFacts) -> tuple[Reason, ...]:
    """004 一(三)5 重残: "持有效《中华人民共和国残疾人证》，残疾程度为一级、二级"."""
    if facts.disability_grade in SEVERE_DISABILITY_GRADES and _has_certificate(facts):
        # The certificate number is not repeated: it embeds the ID number.
        return (
            Reason(
                N_("A disability certificate of grade %(grade)s is recorded."),
                {"grade": facts.disability_grade},
            ),
        )
    return ()


def _family_planning_reasons(facts: ElderFacts) -> tuple[Reason, ...]:
    """004 一(三)6 计划生育特殊家庭: "独生子女三级及以上伤残或死亡，未再生育或收养子女"."""
    children = [m for m in facts.members if m.relation.is_child]
    # Any other son or daughter, living or not, born or adopted, means it is not an only child.
    if len(children) != 1 or not children[0].is_only_child:
        return ()
    child = children[0]
    if child.is_deceased:
        return (Reason(N_("The only child has died and no other child is recorded.")),)
    if child.disability_grade in FAMILY_PLANNING_CHILD_GRADES:
        return (
            Reason(
                N_(
                    "The only child has a grade %(grade)s disability and no other child is "
                    "recorded."
                ),
                {"grade": child.disability_grade},
            ),
        )
    return ()


def suggest_categories(facts: ElderFacts, today: date) -> list[CategorySuggestion]:
    """The categories of 004 一(三) the facts support, in :class:`Category` order, with reasons.

    独居 replaces 空巢 when both apply (一(三)2). 其他 (一(三)7) is never suggested: staff add it
    with a reason. A grade 1–2 disability without a certificate number is not suggested as 重残;
    see :func:`incomplete_suggestions`.
    """
    found: dict[Category, tuple[Reason, ...]] = {
        Category.LIVING_ALONE: _living_alone_reasons(facts),
        Category.EMPTY_NEST: _empty_nest_reasons(facts),
        Category.LEFT_BEHIND: _left_behind_reasons(facts, today),
        Category.DISABLED_CARE: _disabled_care_reasons(facts),
        Category.SEVERE_DISABILITY: _severe_disability_reasons(facts),
        Category.FAMILY_PLANNING: _family_planning_reasons(facts),
    }
    if found[Category.LIVING_ALONE]:
        # 004 一(三)2: "如同时满足独居的，算作独居".
        found[Category.EMPTY_NEST] = ()
    return [
        CategorySuggestion(category, found[category])
        for category in Category
        if found.get(category)
    ]


def incomplete_suggestions(facts: ElderFacts) -> list[CategorySuggestion]:
    """Categories the facts nearly support, with what is missing (shown as a hint, not suggested).

    Today only 重残: a grade 1 or 2 disability is recorded but no certificate number, and 004
    一(三)5 requires a valid 残疾人证.
    """
    if facts.disability_grade in SEVERE_DISABILITY_GRADES and not _has_certificate(facts):
        return [
            CategorySuggestion(
                Category.SEVERE_DISABILITY,
                (
                    Reason(
                        N_(
                            "A grade %(grade)s disability is recorded without a disability "
                            "certificate number; record the certificate number to count the "
                            "elder as severely disabled."
                        ),
                        {"grade": facts.disability_grade},
                    ),
                ),
            )
        ]
    return []


def validate_confirmed_categories(
    confirmed: set[Category], facts: ElderFacts, other_reason: str
) -> dict[str, str]:
    """Problems with the categories staff confirmed: form field name → msgid (empty if none)."""
    errors: dict[str, str] = {}
    if Category.SEVERE_DISABILITY in confirmed:
        # 004 一(三)5: a valid certificate of grade 1 or 2; the certificate number goes on 附件2.
        if not _has_certificate(facts):
            errors["disability_certificate_no"] = N_(
                "A severely disabled elder (grade 1 or 2) needs the disability certificate number."
            )
        if facts.disability_grade not in SEVERE_DISABILITY_GRADES:
            errors["disability_grade"] = N_(
                "A severely disabled elder must have a disability of grade 1 or 2."
            )
    if Category.OTHER in confirmed and not other_reason.strip():
        # 004 一(三)7: staff must say what the special difficulty is.
        errors["other_reason"] = N_("Describe the special difficulty of an elder in 'other'.")
    if Category.DISABLED_CARE in confirmed and facts.ability_level == AbilityLevel.INTACT:
        # 004 一(三)4: 能力完好 is the one level that is not 失能.
        errors["ability_level"] = N_(
            "An elder whose ability is intact cannot be in the disabled category."
        )
    if Category.LIVING_ALONE in confirmed and Category.EMPTY_NEST in confirmed:
        # 004 一(三)2: "如同时满足独居的，算作独居".
        errors["categories"] = N_(
            "An elder who lives alone counts as living alone only, not also as empty-nest."
        )
    return errors


def needs_override_reason(suggested: set[Category], confirmed: set[Category]) -> bool:
    """True when staff confirmed other categories than suggested (they must give a reason).

    其他 is ignored: it is never suggested and always added by staff with its own reason.
    """
    return (set(suggested) - {Category.OTHER}) != (set(confirmed) - {Category.OTHER})
