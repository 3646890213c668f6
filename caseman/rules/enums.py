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


class VisitMethod(StrEnum):
    """探访方式 of 附件3. Only a home visit satisfies the visit schedule (004 二(四)2)."""

    PHONE = "phone"  # 电话问候
    HOME = "home"  # 上门探访
    VIDEO = "video"  # 互联网音（视）频探访
    OTHER = "other"  # 其他

    @property
    def satisfies_schedule(self) -> bool:
        return self is VisitMethod.HOME


class FamilyChange(StrEnum):
    """家庭人口 of 附件3."""

    UNCHANGED = "unchanged"  # 无变化
    INCREASED = "increased"  # 增加 n 人
    DECREASED = "decreased"  # 减少 n 人


class Trend(StrEnum):
    """表达能力, 行动能力, 情绪状态, 卫生, 室内环境 of 附件3: 无变化 / 较好 / 较差."""

    UNCHANGED = "unchanged"  # 无变化
    BETTER = "better"  # 较好
    WORSE = "worse"  # 较差


class IllnessChange(StrEnum):
    """疾病状况 of 附件3."""

    UNCHANGED = "unchanged"  # 无变化
    SERIOUS = "serious"  # 严重 (with the disease name)
    IMPROVED = "improved"  # 转好


class Safety(StrEnum):
    """燃气 / 水暖 / 用电安全 of 附件3."""

    SAFE = "safe"  # 安全
    FAIRLY_SAFE = "fairly_safe"  # 较安全
    UNSAFE = "unsafe"  # 不安全


class NeedType(StrEnum):
    """The elder's service needs, from 004 二(四): "五了解" item 4 and "三协助"."""

    LIFE_CARE = "life_care"  # 生活照料
    REHABILITATION = "rehabilitation"  # 康复护理
    EMOTIONAL = "emotional"  # 精神慰藉
    EMERGENCY = "emergency"  # 紧急救援
    ADAPTATION = "adaptation"  # 居家适老化改造
    MEDICAL = "medical"  # 医疗健康服务
    SAFETY_HAZARD = "safety_hazard"  # 消除安全隐患 (三协助 一)
    BENEFITS = "benefits"  # 申请社会保障待遇 (三协助 三)
    OTHER = "other"  # 其他


class Satisfaction(StrEnum):
    """老年人服务满意度评价 of 附件3 part 二."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    FAIR = "fair"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意
