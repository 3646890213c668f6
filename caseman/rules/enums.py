"""Domain vocabularies shared by rules, models and forms (stored by value)."""

from enum import StrEnum


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it (rules are Flask-free)."""
    return message


class Gender(StrEnum):
    MALE = "male"  # 男
    FEMALE = "female"  # 女


class AbilityLevel(StrEnum):
    """能力程度: the five levels of 004 一(三)4 (《老年人能力评估规范》)."""

    INTACT = "intact"  # 能力完好
    MILD = "mild"  # 轻度失能
    MODERATE = "moderate"  # 中度失能
    SEVERE = "severe"  # 重度失能
    TOTAL = "total"  # 完全失能 (能力完全丧失)


class Category(StrEnum):
    """对象类别: the seven categories of 004 一(三)."""

    LIVING_ALONE = "living_alone"  # 独居
    EMPTY_NEST = "empty_nest"  # 空巢
    LEFT_BEHIND = "left_behind"  # 留守 (rural)
    DISABLED_CARE = "disabled_care"  # 失能
    SEVERE_DISABILITY = "severe_disability"  # 重残
    FAMILY_PLANNING = "family_planning"  # 计划生育特殊家庭
    OTHER = "other"  # 其他关爱对象


class Relation(StrEnum):
    """A family member's relation to the elder (printed as 与户主关系 on 附件2)."""

    SPOUSE = "spouse"  # 配偶
    SON = "son"  # 儿子
    DAUGHTER = "daughter"  # 女儿
    SON_IN_LAW = "son_in_law"  # 女婿
    DAUGHTER_IN_LAW = "daughter_in_law"  # 儿媳
    GRANDCHILD = "grandchild"  # 孙子女/外孙子女
    SIBLING = "sibling"  # 兄弟姐妹
    PARENT = "parent"  # 父母
    OTHER = "other"  # 其他亲属

    @property
    def is_child(self) -> bool:
        return self in (Relation.SON, Relation.DAUGHTER)


class Residence(StrEnum):
    """Where a family member lives, relative to the elder (the test of 独居/空巢)."""

    WITH_ELDER = "with_elder"  # 与老人同住
    SAME_TOWN = "same_town"  # 同一镇街
    ELSEWHERE = "elsewhere"  # 外地 (not the same town/street)


class ArchiveReason(StrEnum):
    DECEASED = "deceased"  # 死亡
    MOVED_AWAY = "moved_away"  # 迁出
    INELIGIBLE = "ineligible"  # 不再符合条件
    OTHER = "other"  # 其他


class SupportUnit(StrEnum):
    """帮扶单位（组织） boxes of 附件2 part 四."""

    PARTY_GOVERNMENT = "party_government"  # 党政机关、群团组织
    TOWN_VILLAGE = "town_village"  # 乡镇（街道）、村（居）民委员会
    ENTERPRISE = "enterprise"  # 企业
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织
    SOCIAL_WORK = "social_work"  # 专业社会工作
    VOLUNTEER = "volunteer"  # 志愿者
    OTHER = "other"  # 其他
