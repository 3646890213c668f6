"""Service forces (探访关爱服务力量) and the named visit contact (探访联系人).

004 一(五) (充实探访关爱服务力量): "创新'五社联动'机制，形成群众性自治组织、基层老年协会、
业主委员会、网格员、家庭医生、养老服务人员、社会工作者、志愿者、老党员、低龄健康老年人、亲属邻里等
共同参与的探访关爱合力" — with 村（居）助老公益性岗位 (一), 党员干部 and units paired with
elders (三), and 物流快递送餐 staff (四). :class:`ForceKind` lists them.

004 一(二)10: "对无子女的特殊困难老年人，由属地镇街会同村（居）'两委'明确探访联系人。" Every
childless elder needs a named visit contact (:func:`needs_visit_contact`); for an elder who also
lives alone (独居) it is required (:func:`contact_required`): the contact cannot be left empty.

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from enum import StrEnum

from caseman.rules.categories import MemberFacts
from caseman.rules.enums import Category


class ForceKind(StrEnum):
    """The kinds of 004 一(五), in the notice's order."""

    SELF_GOVERNANCE = "self_governance"  # 群众性自治组织 (村（居）委会)
    ELDERLY_ASSOCIATION = "elderly_association"  # 基层老年协会
    OWNERS_COMMITTEE = "owners_committee"  # 业主委员会
    GRID_WORKER = "grid_worker"  # 网格员
    FAMILY_DOCTOR = "family_doctor"  # 家庭医生
    CARE_WORKER = "care_worker"  # 养老服务人员
    SOCIAL_WORKER = "social_worker"  # 社会工作者 (社工)
    VOLUNTEER = "volunteer"  # 志愿者
    VETERAN_PARTY_MEMBER = "veteran_party_member"  # 老党员
    YOUNG_OLD = "young_old"  # 低龄健康老年人
    RELATIVE_NEIGHBOUR = "relative_neighbour"  # 亲属邻里
    PUBLIC_WELFARE_POST = "public_welfare_post"  # 助老公益性岗位 (一(五) 一)
    PAIRED_CADRE = "paired_cadre"  # 党员干部、挂钩单位 (一(五) 三)
    DELIVERY = "delivery"  # 物流快递送餐人员 (一(五) 四)
    OTHER = "other"  # 其他


def is_childless(members: Iterable[MemberFacts]) -> bool:
    """No living son or daughter is recorded (无子女, 004 一(二)10)."""
    return not any(m.relation.is_child and not m.is_deceased for m in members)


def needs_visit_contact(members: Iterable[MemberFacts]) -> bool:
    """004 一(二)10: a childless elder needs a named 探访联系人."""
    return is_childless(members)


def contact_required(categories: Set[Category], members: Iterable[MemberFacts]) -> bool:
    """The contact must be named and cannot be cleared: a childless elder living alone (独居 无子女,
    004 一(二)10 with 一(三)1)."""
    return Category.LIVING_ALONE in categories and is_childless(members)
