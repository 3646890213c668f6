"""Service forces of 004 一(五) (五社联动) and the 探访联系人 of 004 一(二)10."""

from __future__ import annotations

from caseman.rules.categories import MemberFacts
from caseman.rules.enums import Category, Relation
from caseman.rules.service_forces import (
    ForceKind,
    contact_required,
    is_childless,
    needs_visit_contact,
)


def test_the_kinds_named_by_004_1_5():
    """一(五): 网格员, 家庭医生, 老年协会, 老党员, 社工, 志愿者, 公益性岗位 … are all there."""
    named = ("grid_worker", "family_doctor", "elderly_association", "veteran_party_member",
             "social_worker", "volunteer", "public_welfare_post", "care_worker", "young_old",
             "relative_neighbour", "owners_committee", "self_governance")  # fmt: skip
    for kind in named:
        assert ForceKind(kind)


def test_childless_counts_living_sons_and_daughters_only_004_1_2_10():
    assert is_childless([])
    assert is_childless([MemberFacts(Relation.SPOUSE), MemberFacts(Relation.GRANDCHILD)])
    assert is_childless([MemberFacts(Relation.SON, is_deceased=True)])
    assert not is_childless([MemberFacts(Relation.DAUGHTER)])


def test_every_childless_elder_needs_a_contact_004_1_2_10():
    """ "对无子女的特殊困难老年人，由属地镇街会同村（居）'两委'明确探访联系人"."""
    assert needs_visit_contact([MemberFacts(Relation.SPOUSE)])
    assert not needs_visit_contact([MemberFacts(Relation.SON)])


def test_the_contact_is_required_for_childless_elders_living_alone():
    assert contact_required({Category.LIVING_ALONE}, [])
    assert not contact_required({Category.LIVING_ALONE}, [MemberFacts(Relation.SON)])
    assert not contact_required({Category.DISABLED_CARE}, [])
