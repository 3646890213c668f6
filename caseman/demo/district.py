"""The deterministic demo district (渝北区): areas, one user per role and ~320 elders.

``flask --app app demo-data`` calls :func:`load_demo` and commits. Everything is synthetic: the
names are drawn from common surnames and given-name characters, the ID numbers (身份证号码) are
built with a valid check digit but belong to nobody, and the phone numbers are random.

The areas follow the shape of rural 渝北 (seeds/002: 11 镇 and 2 街道 with villages). The family
patterns are chosen so that the category rules of 004 一(三) suggest each of the six suggestible
categories (对象类别; 其他 is added by staff with a reason), and every ability level (能力程度) and
both key and general targets (重点/一般对象) occur. Elders go through :func:`register_elder` like a
registration typed into the form, so the demo obeys the same validation as real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app

from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import create_area
from caseman.auth.models import TOTP_REQUIRED_ROLES, Role, User
from caseman.auth.services import create_user
from caseman.auth.totp import new_secret
from caseman.demo.family import load_family
from caseman.demo.mutual_aid import load_mutual_aid
from caseman.demo.names import (
    DISTRICT_CODE,
    ELDER_GIVEN,
    PHONE_PREFIXES,
    SURNAMES,
    YOUNG_GIVEN,
)
from caseman.demo.referrals import load_referrals, load_risks
from caseman.demo.visits import load_campaigns, load_visit_history
from caseman.elders.models import Elder, ElderAssignment
from caseman.elders.services import (
    Registration,
    archive_elder,
    facts_of,
    register_elder,
    update_elder,
)
from caseman.extensions import db
from caseman.rules.categories import suggest_categories
from caseman.rules.elder_age import sixtieth_birthday
from caseman.rules.enums import (
    AbilityLevel,
    ArchiveReason,
    Category,
    Gender,
    Relation,
    Residence,
    SupportUnit,
)
from caseman.rules.id_number import age_on, make_id_number
from caseman.rules.key_target import suggest_key

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - printed on purpose: demo logins only # nosec B105
DEMO_SEED = 20240305  # 渝北民〔2024〕24号 was issued on 5 March 2024
DEFAULT_TODAY = date(2026, 11, 1)
FIRST_FILED_ON = date(2024, 3, 5)

# 11 镇 and 2 街道 with rural villages (seeds/002). Villages are given to the first towns only;
# the others exist so the area tree looks like the district.
TOWNS: dict[str, tuple[str, ...]] = {
    "木耳镇": ("金刚村", "白岩村", "石坝村"),
    "古路镇": ("草坪村", "乌牛村"),
    "兴隆镇": ("牛皮村", "杉树村"),
    "茨竹镇": ("放牛坪村", "新泉村"),
    "大湾镇": ("大湾村",),
    "统景镇": ("印盒村",),
    "洛碛镇": ("沙溪村",),
    "石船镇": ("石船村",),
    "大盛镇": ("青龙村",),
    "龙兴镇": (),
    "玉峰山镇": (),
    "王家街道": (),
    "石坪街道": (),
}
GROUPS = ("一组", "二组")  # 村民小组 of every village
JINGANG = ("木耳镇", "金刚村")  # the model village of seeds/002 (互助养老点)


ILLNESSES = (
    "高血压", "糖尿病", "慢阻肺", "冠心病", "类风湿关节炎", "腰椎间盘突出", "白内障", "慢性胃炎",
    "骨质疏松", "高脂血症", "慢性支气管炎", "痛风", "听力下降",
)  # fmt: skip
SERIOUS_ILLNESSES = (
    "脑梗死后遗症", "肺癌（化疗中）", "尿毒症（规律透析）", "慢性心力衰竭", "帕金森病",
    "阿尔茨海默病",
)  # fmt: skip
OTHER_REASONS = (
    "与患精神障碍的儿子共同生活，照护负担重。",
    "住房为C级危房，正在申请农村危房改造。",
    "配偶长期住院，老人独自在家，生活无人照应。",
    "因病致贫，每月医疗支出超过收入。",
    "认知能力下降，曾走失一次，需重点关注。",
    "独自抚养两名未成年孙辈，经济困难。",
)
SUPPORT_MEASURES = (
    "定期上门探访，了解健康和生活情况",
    "代购生活用品、代缴水电费",
    "协助申请高龄津贴和医疗救助",
    "家庭医生签约，每季度上门随访",
    "互助养老小组长每天敲门问候",
    "安装燃气报警器和防滑扶手",
    "重阳节、春节上门慰问",
    "协助办理慢病门诊",
)
MEMBER_HEALTH = ("健康", "健康", "良好", "一般", "高血压", "慢性病")

# The family patterns and how often each occurs (per 100 elders); see _Demo.members.
PATTERN_WEIGHTS: dict[str, int] = {
    "widowed_childless": 8,  # 孤寡 → 独居
    "alone": 12,  # widowed, children in other towns → 独居 (+ 留守 when they work away)
    "empty_nest": 18,  # couple, children in other towns → 空巢
    "left_behind": 16,  # couple, children working away ≥ 6 months → 留守 + 空巢
    "left_behind_grandchild": 4,  # widowed with a grandchild, children away → 留守 + 空巢
    "left_behind_unable": 3,  # a child nearby cannot support (grade 1–2) → 留守 only
    "disabled": 16,  # a child at home, ability impaired → 失能
    "severe_disability": 7,  # certificate grade 1–2, a child nearby → 重残
    "family_planning_deceased": 4,  # couple, only child died → 计生
    "family_planning_disabled": 2,  # couple, only child disabled grade 1–3 → 计生
    "family_planning_alone": 2,  # widowed, only child died → 独居 + 计生
    "nearby_other": 8,  # a child in the same town, ability intact → 其他 with a reason
}
_NEARBY = (Residence.WITH_ELDER, Residence.SAME_TOWN)
IMPAIRED = (AbilityLevel.MILD, AbilityLevel.MODERATE, AbilityLevel.SEVERE, AbilityLevel.TOTAL)


@dataclass(frozen=True)
class Village:
    town: Area
    village: Area
    groups: tuple[Area, ...]
    cadre: str  # 村养老专干: 帮扶责任人 and 责任人 of 附件1
    cadre_phone: str


class _Demo:
    """One run of the generator: a seeded random source and the ID numbers already used."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets # nosec B311
        self.used_ids: set[str] = set()
        self.target_age = int(current_app.config["CASEMAN_KEY_TARGET_AGE"])

    # --- small random helpers -------------------------------------------------------------

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def phone(self) -> str:
        return f"1{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def money(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randint(low, high)).quantize(Decimal("0.01"))

    def birth_on(self, age: int) -> date:
        """A birth date giving exactly ``age`` full years on ``today``."""
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth_on: date, gender: Gender) -> str:
        while True:
            number = make_id_number(DISTRICT_CODE, birth_on, self.rng.randrange(500), gender)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def elder_name(self, surname: str, gender: Gender) -> str:
        chars = ELDER_GIVEN[gender]
        given = self.rng.choice(chars)
        if self.chance(0.85):
            given += self.rng.choice(chars)
        return surname + given

    def young_name(self, surname: str, gender: Gender) -> str:
        given = self.rng.choice(YOUNG_GIVEN[gender])
        if self.chance(0.6):
            given = self.rng.choice(YOUNG_GIVEN[gender]) + given
        return surname + given

    # --- areas and users ------------------------------------------------------------------

    def areas(self) -> tuple[Area, dict[str, Area], list[Village]]:
        district = create_area("渝北区", AreaLevel.DISTRICT, code=DISTRICT_CODE)
        towns: dict[str, Area] = {}
        villages: list[Village] = []
        for town_name, village_names in TOWNS.items():
            town = create_area(town_name, AreaLevel.TOWN, district)
            towns[town_name] = town
            for village_name in village_names:
                village = create_area(village_name, AreaLevel.VILLAGE, town)
                groups = tuple(create_area(g, AreaLevel.GROUP, village) for g in GROUPS)
                gender = self.rng.choice(list(Gender))
                cadre = self.young_name(self.rng.choice(SURNAMES), gender)
                villages.append(Village(town, village, groups, cadre, self.phone()))
        return district, towns, villages

    def users(
        self, district: Area, towns: dict[str, Area], villages: list[Village]
    ) -> dict[str, User]:
        by_name = {(v.town.name, v.village.name): v.village for v in villages}
        specs = (
            ("district", Role.DISTRICT, district, "区民政局管理员"),
            ("town", Role.TOWN, towns["木耳镇"], "木耳镇民政干事"),
            ("village", Role.VILLAGE, by_name[JINGANG], "金刚村养老专干"),
            ("worker", Role.WORKER, by_name[JINGANG], "金刚村养老助理"),
            ("town2", Role.TOWN, towns["古路镇"], "古路镇民政干事"),
            ("village2", Role.VILLAGE, by_name[("古路镇", "草坪村")], "草坪村养老专干"),
        )
        # District and town users must log in with a second factor: each gets a fresh random
        # secret (printed by `flask demo-data`), so that a demo reachable from outside is not
        # open to anyone who has read this file.
        return {
            username: create_user(
                username,
                DEMO_PASSWORD,
                role,
                area,
                full_name=full_name,
                phone=self.phone(),
                totp_secret=new_secret() if role in TOTP_REQUIRED_ROLES else None,
            )
            for username, role, area, full_name in specs
        }

    # --- elders ---------------------------------------------------------------------------

    def plan(self, elders: int) -> list[tuple[str, AbilityLevel | None]]:
        """(pattern, forced ability level) per elder: every pattern and level, then by weight."""
        required: list[tuple[str, AbilityLevel | None]] = [(p, None) for p in PATTERN_WEIGHTS]
        required += [("disabled", level) for level in IMPAIRED]
        names = list(PATTERN_WEIGHTS)
        weights = list(PATTERN_WEIGHTS.values())
        rest = self.rng.choices(names, weights=weights, k=max(0, elders - len(required)))
        plan = (required + [(p, None) for p in rest])[:elders]
        self.rng.shuffle(plan)
        return plan

    def place(self, elders: int, villages: list[Village]) -> list[Village]:
        """The village of each elder: 金刚村 gets at least 30, the rest at random."""
        jingang = next(v for v in villages if (v.town.name, v.village.name) == JINGANG)
        others = [v for v in villages if v is not jingang]
        count = min(elders, max(30, elders // 8))
        placed = [jingang] * count + [others[i % len(others)] for i in range(elders - count)]
        self.rng.shuffle(placed)
        return placed

    def member(
        self,
        relation: Relation,
        surname: str,
        gender: Gender,
        birth_on: date,
        residence: Residence | None,
        **extra: Any,
    ) -> dict[str, Any]:
        deceased = bool(extra.get("is_deceased"))
        elderly = relation in (Relation.SPOUSE, Relation.SIBLING)
        name = (self.elder_name if elderly else self.young_name)(surname, gender)
        row: dict[str, Any] = {
            "name": name,
            "gender": gender.value,
            "id_number": self.id_number(birth_on, gender) if self.chance(0.8) else "",
            "relation": relation.value,
            "health": "已故" if deceased else self.rng.choice(MEMBER_HEALTH),
            "is_dibao_or_poverty": False,
            "visits_often": not deceased and residence in _NEARBY,
            "phone": "" if deceased else self.phone(),
            "residence": None if deceased else residence.value if residence else None,
            "working_away_since": None,
            "is_deceased": deceased,
            "disability_grade": None,
            "is_only_child": False,
        }
        row.update(extra)
        if row["working_away_since"] is not None:
            row["health"] = "健康"
        return row

    def child_birth(self, elder_birth: date) -> date:
        year = min(elder_birth.year + self.rng.randint(21, 36), self.today.year - 20)
        return date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def away_since(self) -> date:
        """A start of work away well over six months ago (004 一(三)3: 半年以上)."""
        return self.today - timedelta(days=self.rng.randint(200, 365 * 12))

    def children(
        self,
        count: int,
        surname: str,
        elder_birth: date,
        residence: Residence,
        *,
        away: bool = False,
    ) -> list[dict[str, Any]]:
        rows = []
        for _ in range(count):
            gender = self.rng.choice(list(Gender))
            relation = Relation.SON if gender == Gender.MALE else Relation.DAUGHTER
            extra: dict[str, Any] = {"working_away_since": self.away_since()} if away else {}
            rows.append(
                self.member(
                    relation, surname, gender, self.child_birth(elder_birth), residence, **extra
                )
            )
        return rows

    def members(
        self, pattern: str, surname: str, gender: Gender, birth_on: date
    ) -> list[dict[str, Any]]:
        """The family table for ``pattern``."""
        far = Residence.ELSEWHERE
        spouse_gender = Gender.FEMALE if gender == Gender.MALE else Gender.MALE
        spouse_surname = self.rng.choice(SURNAMES)
        child_surname = surname if gender == Gender.MALE else spouse_surname
        spouse_birth = self.birth_on(
            max(55, min(99, age_on(birth_on, self.today) + self.rng.randint(-5, 5)))
        )

        def spouse(*, deceased: bool = False) -> dict[str, Any]:
            return self.member(
                Relation.SPOUSE, spouse_surname, spouse_gender, spouse_birth,
                Residence.WITH_ELDER, is_deceased=deceased,
            )  # fmt: skip

        def how_many() -> int:
            return self.rng.choice((1, 2, 2, 3, 3, 4))

        rows: list[dict[str, Any]] = []
        if pattern == "widowed_childless":
            if self.chance(0.5):
                rows.append(spouse(deceased=True))
            if self.chance(0.6):
                rows.append(self.sibling(surname, birth_on))
        elif pattern == "alone":
            rows.append(spouse(deceased=True))
            rows += self.children(
                how_many(), child_surname, birth_on, Residence.ELSEWHERE, away=self.chance(0.4)
            )
        elif pattern == "empty_nest":
            rows.append(spouse())
            rows += self.children(how_many(), child_surname, birth_on, Residence.ELSEWHERE)
        elif pattern == "left_behind":
            rows.append(spouse())
            rows += self.children(how_many(), child_surname, birth_on, far, away=True)
            if self.chance(0.4):
                rows.append(self.grandchild(child_surname, birth_on))
        elif pattern == "left_behind_grandchild":
            rows.append(spouse(deceased=True))
            rows += self.children(how_many(), child_surname, birth_on, far, away=True)
            rows.append(self.grandchild(child_surname, birth_on))
        elif pattern == "left_behind_unable":
            rows.append(spouse())
            rows += self.children(1, child_surname, birth_on, far, away=True)
            rows.append(self.unable_child(child_surname, birth_on))
        elif pattern in ("disabled", "severe_disability", "nearby_other"):
            if self.chance(0.6):
                rows.append(spouse())
            nearby = Residence.WITH_ELDER if pattern == "disabled" else Residence.SAME_TOWN
            rows += self.children(1, child_surname, birth_on, nearby)
            rows += self.children(how_many() - 1, child_surname, birth_on, Residence.ELSEWHERE)
        elif pattern.startswith("family_planning"):
            rows.append(spouse(deceased=pattern == "family_planning_alone"))
            rows.append(self.only_child(child_surname, birth_on, pattern))
        return rows

    def sibling(self, surname: str, elder_birth: date) -> dict[str, Any]:
        """A brother or sister of about the elder's age, in the town or further away."""
        sibling_age = max(60, age_on(elder_birth, self.today) + self.rng.randint(-6, 6))
        residence = self.rng.choice((Residence.SAME_TOWN, Residence.ELSEWHERE))
        return self.member(
            Relation.SIBLING,
            surname,
            self.rng.choice(list(Gender)),
            self.birth_on(sibling_age),
            residence,
        )

    def unable_child(self, surname: str, elder_birth: date) -> dict[str, Any]:
        """A child nearby who cannot support the elder: disability grade 1–2 (→ 留守 only)."""
        unable = self.children(1, surname, elder_birth, Residence.SAME_TOWN)[0]
        unable.update(disability_grade=self.rng.choice((1, 2)), health="残疾")
        return unable

    def only_child(self, surname: str, elder_birth: date, pattern: str) -> dict[str, Any]:
        """The only child of a 计生 family: disabled, or deceased."""
        child = self.children(1, surname, elder_birth, Residence.WITH_ELDER)[0]
        child["is_only_child"] = True
        if pattern == "family_planning_disabled":
            child.update(disability_grade=self.rng.choice((1, 2, 3)), health="残疾")
        else:
            child.update(is_deceased=True, residence=None, phone="", health="已故")
            child["visits_often"] = False
        return child

    def grandchild(self, surname: str, elder_birth: date) -> dict[str, Any]:
        gender = self.rng.choice(list(Gender))
        year = max(elder_birth.year + 50, self.today.year - 15)
        birth = date(
            min(year, self.today.year - 6), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )
        row = self.member(Relation.GRANDCHILD, surname, gender, birth, Residence.WITH_ELDER)
        row.update(phone="", health="健康", visits_often=False)
        return row

    # --- one registration, step by step (the order of the random draws is the data) -------

    def registration(
        self, pattern: str, ability: AbilityLevel | None, home: Village
    ) -> Registration:
        """The registration form of one elder of ``pattern`` living in ``home``."""
        gender = self.rng.choice(list(Gender))
        age = self.age(pattern)
        birth_on = self.birth_on(age)
        surname = self.rng.choice(SURNAMES)
        name = self.elder_name(surname, gender)
        members = self.members(pattern, surname, gender, birth_on)
        if ability is None:
            ability = self.ability(pattern)
        is_rural = pattern.startswith("left_behind") or self.chance(0.9)
        serious, illnesses = self.illnesses()
        id_number = self.id_number(birth_on, gender)
        grade, certificate = self.disability(pattern, id_number)
        money = self.money_of(pattern, age, ability, grade, is_rural, members)
        contact = self.emergency_contact(members)
        address = self.address(home)
        units = self.support_units()
        filed_on = self.filed_on(birth_on)
        values: dict[str, Any] = {
            "name": name,
            "gender": gender.value,
            "id_number": id_number,
            "phone": self.phone(),
            **contact,
            **address,
            "is_rural_hukou": is_rural,
            "ability_level": ability.value,
            "medical_history": "、".join(illnesses) or "无",
            "has_serious_illness": serious,
            **money,
            "disability_certificate_no": certificate,
            "disability_grade": grade,
            "other_reason": "",
            "category_override_reason": "",
            "is_key": False,
            "key_override_reason": "",
            "water_safe": self.chance(0.93),
            "electricity_safe": self.chance(0.95),
            "housing_safe": self.chance(0.9),
            "support_units": [unit.value for unit in units],
            "support_person": home.cadre,
            "support_measures": "；".join(
                self.rng.sample(SUPPORT_MEASURES, self.rng.randint(1, 3))
            ),
            "filed_on": filed_on,
            "responsible_person": home.cadre,
            "responsible_phone": home.cadre_phone,
        }
        categories = self.confirm(values, members, birth_on, pattern)
        self.decide_key(values, categories, ability, serious, age)
        return Registration(values=values, members=members, categories=categories)

    def age(self, pattern: str) -> int:
        if pattern.startswith("family_planning"):
            return self.rng.randint(60, 72)  # only children were born under the 1980s policy
        return min(98, 60 + int(self.rng.triangular(0, 39, 12)))

    def ability(self, pattern: str) -> AbilityLevel:
        """能力程度 when the plan leaves it open: impaired for 失能, mostly intact otherwise."""
        if pattern == "disabled":
            return self.rng.choice(IMPAIRED)
        if pattern == "severe_disability":
            return self.rng.choice((AbilityLevel.INTACT, *IMPAIRED))
        return AbilityLevel.INTACT if self.chance(0.82) else self.rng.choice(IMPAIRED)

    def illnesses(self) -> tuple[bool, list[str]]:
        """(serious illness?, the illnesses of 既往病史, the serious one first)."""
        serious = self.chance(0.08)
        illnesses = self.rng.sample(ILLNESSES, self.rng.randint(0, 3))
        if serious:
            illnesses.insert(0, self.rng.choice(SERIOUS_ILLNESSES))
        return serious, illnesses

    def disability(self, pattern: str, id_number: str) -> tuple[int | None, str]:
        """(disability grade, 残疾人证号): grade 1–2 for 重残, now and then 3–4 for others."""
        grade: int | None = None
        if pattern == "severe_disability":
            grade = self.rng.choice((1, 2))
        elif self.chance(0.05):
            grade = self.rng.choice((3, 4))
        if grade is None:
            return None, ""
        # 残疾人证号: the ID number, then the kind of disability (1–7) and the grade.
        return grade, f"{id_number}{self.rng.randint(1, 7)}{grade}"

    def money_of(
        self,
        pattern: str,
        age: int,
        ability: AbilityLevel,
        grade: int | None,
        is_rural: bool,
        members: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """经济情况 (money per month, yuan): assistance, pension, income, subsidies, household."""
        extreme_poverty = pattern == "widowed_childless" and self.chance(0.5)
        dibao = not extreme_poverty and self.chance(0.16)
        dibao_edge = not extreme_poverty and not dibao and self.chance(0.1)
        has_pension = self.chance(0.95)
        if not has_pension:
            pension = None
        elif is_rural:
            pension = self.money(180, 420)  # 城乡居民基本养老保险
        else:
            pension = self.money(2100, 3900)  # 城镇职工退休金
        sources = ["养老金"] if has_pension else []
        income = pension or Decimal("0.00")
        living_children = [
            m for m in members
            if Relation(m["relation"]).is_child and not m["is_deceased"]
        ]  # fmt: skip
        if living_children and self.chance(0.8):
            income += self.money(200, 1200)
            sources.append("子女赡养")
        if extreme_poverty:
            income += self.money(880, 1000)
            sources.append("特困供养金")
        if dibao:
            income += self.money(480, 660)
            sources.append("低保金")
        if is_rural and self.chance(0.3) and ability == AbilityLevel.INTACT and age < 80:
            income += self.money(100, 600)
            sources.append("务农收入")
        subsidies, subsidy = _subsidies(age, grade, ability, dibao or extreme_poverty)
        income += subsidy
        if subsidies:
            sources.append("政府补贴")
        return {
            "is_extreme_poverty": extreme_poverty,
            "is_dibao": dibao,
            "is_dibao_edge": dibao_edge,
            "monthly_income": income,
            "income_sources": "、".join(sources),
            "household_monthly_income": self.household_income(income, members),
            "has_pension": has_pension,
            "pension_monthly": pension,
            "subsidy_monthly": subsidy,
            "subsidy_items": "、".join(subsidies) or "无",
        }

    def household_income(self, income: Decimal, members: list[dict[str, Any]]) -> Decimal:
        """The elder's income plus what the spouse and children living with them earn."""
        household = income
        for member in members:
            if member["is_deceased"] or member["residence"] != Residence.WITH_ELDER.value:
                continue
            if member["relation"] == Relation.SPOUSE.value:
                household += self.money(180, 400)
            elif Relation(member["relation"]).is_child:
                household += self.money(1500, 4000)
        return household

    def emergency_contact(self, members: list[dict[str, Any]]) -> dict[str, Any]:
        """A living child or sibling with a phone; else a relative or neighbour in the village."""
        emergency = next(
            (m for m in members if not m["is_deceased"] and m["phone"] and m["relation"]
             in (Relation.SON.value, Relation.DAUGHTER.value, Relation.SIBLING.value)),
            None,
        )  # fmt: skip
        if emergency is not None:
            name, gender, phone = emergency["name"], emergency["gender"], emergency["phone"]
        else:
            gender = self.rng.choice(list(Gender)).value
            name = self.young_name(self.rng.choice(SURNAMES), Gender(gender))
            phone = self.phone()
        return {"emergency_name": name, "emergency_gender": gender, "emergency_phone": phone}

    def address(self, home: Village) -> dict[str, Any]:
        """户籍 and 居住 addresses: a group and house number; most live in their group."""
        group_index = self.rng.randrange(len(home.groups))
        group_label = f"{group_index + 1}组"
        house = f"{self.rng.randint(1, 120)}号"
        lives_in_group = self.chance(0.7)
        return {
            "household_area_id": home.village.id,
            "household_address": group_label + house,
            "residence_area_id": home.groups[group_index].id if lives_in_group else home.village.id,
            "residence_address": house if lives_in_group else group_label + house,
        }

    def support_units(self) -> list[SupportUnit]:
        """帮扶单位: always the town and village, sometimes others."""
        units = [SupportUnit.TOWN_VILLAGE]
        for unit, probability in (
            (SupportUnit.VOLUNTEER, 0.4), (SupportUnit.SOCIAL_WORK, 0.25),
            (SupportUnit.SOCIAL_ORGANISATION, 0.1), (SupportUnit.PARTY_GOVERNMENT, 0.1),
            (SupportUnit.ENTERPRISE, 0.05), (SupportUnit.OTHER, 0.03),
        ):  # fmt: skip
            if self.chance(probability):
                units.append(unit)
        return units

    def support_measures(self) -> str:
        """帮扶措施: one to three of the usual measures."""
        return "；".join(self.rng.sample(SUPPORT_MEASURES, self.rng.randint(1, 3)))

    def filed_on(self, birth_on: date) -> date:
        """Most files date from the 2024 survey; the rest were added since (60 when filed)."""
        days = max(0, (self.today - FIRST_FILED_ON).days)
        offset = (
            self.rng.randint(0, min(days, 120)) if self.chance(0.7) else self.rng.randint(0, days)
        )
        filed_on = min(self.today, FIRST_FILED_ON + timedelta(days=offset))
        return max(filed_on, sixtieth_birthday(birth_on))  # 60 when filed (004: 老年人)

    def decide_key(
        self,
        values: dict[str, Any],
        categories: set[Category],
        ability: AbilityLevel,
        serious: bool,
        age: int,
    ) -> None:
        """重点/一般对象 as the rule suggests; now and then staff decide otherwise, with the reason
        (004 一(四))."""
        key = suggest_key(categories, serious, age, self.target_age).is_key
        values["is_key"] = key
        override = self.rng.random()
        mild_only = categories == {Category.DISABLED_CARE} and ability == AbilityLevel.MILD
        if key and mild_only and not serious and override < 0.3:
            values["is_key"] = False
            values["key_override_reason"] = "轻度失能，子女同住照料到位，经镇街审核按一般对象管理。"
        elif not key and age >= 75 and override < 0.03:
            values["is_key"] = True
            values["key_override_reason"] = "近半年在家中跌倒两次，村委会研究按重点对象每半月探访。"

    def confirm(
        self, values: dict[str, Any], members: list[dict[str, Any]], birth_on: date, pattern: str
    ) -> set[Category]:
        """The categories staff confirm: the suggestion, sometimes with 其他 or an override."""
        # Draw every random number first, so the rest of the demo (ID numbers included) does not
        # shift when a rule changes what it suggests.
        add_other, override, reason = (
            self.chance(0.03),
            self.rng.random(),
            self.rng.choice(OTHER_REASONS),
        )
        facts = facts_of(values, members, birth_on)
        suggested = {s.category for s in suggest_categories(facts, self.today)}
        confirmed = set(suggested)
        if pattern == "nearby_other" or not confirmed or add_other:
            # 其他 (004 一(三)7) is never suggested; it needs no override reason, only its own.
            confirmed.add(Category.OTHER)
            values["other_reason"] = reason
        if Category.EMPTY_NEST in confirmed and override < 0.03:
            confirmed = (confirmed - {Category.EMPTY_NEST}) | {Category.LIVING_ALONE}
            values["category_override_reason"] = (
                "配偶长期在外地住院治疗，老人实际独自居住，按独居管理。"
            )
        elif confirmed == {Category.DISABLED_CARE, Category.OTHER} and override < 0.3:
            confirmed = {Category.OTHER}
            values["category_override_reason"] = "失能系骨折术后暂时状态，已预约复评，暂不计失能。"
        return confirmed


def _subsidies(
    age: int, grade: int | None, ability: AbilityLevel, assisted: bool
) -> tuple[list[str], Decimal]:
    """The subsidies an elder draws and their monthly sum: 高龄津贴 from 80 (more from 90),
    the two disability subsidies for grade 1–2, care for the severely impaired on assistance."""
    subsidies: list[str] = []
    subsidy = Decimal("0.00")
    if age >= 80:
        subsidies.append("高龄津贴")
        subsidy += Decimal("100.00") if age >= 90 else Decimal("50.00")
    if grade in (1, 2):
        subsidies += ["困难残疾人生活补贴", "重度残疾人护理补贴"]
        subsidy += Decimal("190.00")
    if ability in (AbilityLevel.SEVERE, AbilityLevel.TOTAL) and assisted:
        subsidies.append("失能老人护理补贴")
        subsidy += Decimal("200.00")
    return subsidies, subsidy


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _copy(reg: Registration) -> Registration:
    return Registration(
        values=dict(reg.values),
        members=[dict(m) for m in reg.members],
        categories=set(reg.categories),
    )


Registered = tuple[Elder, Registration, Village]


def load_demo(today: date | None = None, elders: int = 320) -> list[tuple[str, str, str, str]]:
    """Build the demo district in the current session (flush only; the caller commits).

    Returns the demo logins as (username, password, role, area full name).
    """
    today = today or DEFAULT_TODAY
    demo = _Demo(today)
    district, towns, villages = demo.areas()
    users = demo.users(district, towns, villages)
    actor = users["district"]
    registered = _register_elders(demo, actor, villages, elders)
    jingang = [e for e, _r, v in registered if (v.town.name, v.village.name) == JINGANG]
    _assign_to_worker(jingang[:10], users["worker"])
    half_year_ago = today - timedelta(days=183)
    old = [item for item in registered if item[0].filed_on <= half_year_ago]
    _review_half_year(demo, actor, old[5:13])
    _archive_three(demo, actor, [e for e, _r, _v in old[13:]])
    elders_only = [e for e, _r, _v in registered]

    # 14 months of visits and care (附件3), and two visit campaigns.
    visitors = _visitors(villages, users)
    visits, _cares = load_visit_history(elders_only, visitors, actor, today, DEMO_SEED)
    load_campaigns(district, towns["木耳镇"], users["town"], today)
    # Referrals from visits that found a need, at every stage; a few risks (one abuse report
    # in 金刚村 still waiting for the town's acknowledgement).
    with_needs = [v for v in visits if v.needs and v.method.value == "home"]
    load_referrals(with_needs, _owners(elders_only, users), users["district"], today, DEMO_SEED)
    active_jingang = [e for e in jingang if not e.is_archived]
    load_risks(active_jingang, users["worker"], users["town"], today)
    # Rural mutual aid (000) in three villages: team, points, pairs, help, points, activities.
    load_mutual_aid([(v.village, v.cadre, v.cadre_phone) for v in villages], elders_only, actor,
                    today, DEMO_SEED)  # fmt: skip
    # Family duty in 金刚村 and benefit applications (issue 20 items 2 and 5).
    load_family(active_jingang, elders_only, users["village"], actor, today, DEMO_SEED)

    return [
        (user.username, DEMO_PASSWORD, user.role.value, user.area.full_name)
        for user in users.values()
    ]


def _register_elders(
    demo: _Demo, actor: User, villages: list[Village], elders: int
) -> list[Registered]:
    """Register ``elders`` elders through the service, as if typed into the form."""
    registered: list[Registered] = []
    plan = demo.plan(elders)
    for (pattern, ability), home in zip(plan, demo.place(elders, villages), strict=True):
        reg = demo.registration(pattern, ability, home)
        elder = register_elder(actor, _copy(reg), demo.today)
        registered.append((elder, reg, home))
    return registered


def _assign_to_worker(elders: list[Elder], worker: User) -> None:
    """The worker visits these elders (of 金刚村) from the day each was filed."""
    for elder in elders:
        db.session.add(
            ElderAssignment(elder_id=elder.id, user_id=worker.id, started_on=elder.filed_on)
        )
    db.session.flush()


def _review_half_year(demo: _Demo, actor: User, reviewed: list[Registered]) -> None:
    """Half-year reviews (每半年动态更新) of files older than six months: a second version."""
    for index, (elder, reg, _home) in enumerate(reviewed):
        changed = _copy(reg)
        if index % 2 == 0:
            changed.values["phone"] = demo.phone()
            changed.values["note"] = "半年动态更新：老人更换了手机号码。"
        else:
            raise_by = demo.money(20, 60)
            changed.values["monthly_income"] = reg.values["monthly_income"] + raise_by
            changed.values["household_monthly_income"] = (
                reg.values["household_monthly_income"] + raise_by
            )
            changed.values["note"] = "半年动态更新：城乡居民基础养老金上调。"
        update_elder(actor, elder, changed, demo.today, elder.version, review=True)


def _archive_three(demo: _Demo, actor: User, old: list[Elder]) -> None:
    """Three cases leave the caseload by archiving (nothing is deleted): one died, one moved
    away, one is no longer eligible (a 留守 elder whose child came home, when there is one)."""
    today = demo.today
    candidates = [e for e in old if e.filed_on <= today - timedelta(days=60)]
    ineligible = next((e for e in candidates if Category.LEFT_BEHIND in e.categories), None)
    others = [e for e in candidates if e is not ineligible]
    archives = [
        (others[0:1], ArchiveReason.DECEASED, "因病去世，家属已告知村委会。"),
        (others[1:2], ArchiveReason.MOVED_AWAY, "随子女迁居重庆市江北区，户籍已迁出。"),
        (
            [ineligible] if ineligible else others[2:3],
            ArchiveReason.INELIGIBLE,
            "外出务工的子女已返乡，在本村与老人同住，不再符合留守条件。"
            if ineligible
            else "经复核，不再符合特殊困难老年人条件。",
        ),
    ]
    for chosen, reason, note in archives:
        for elder in chosen:  # none when there are too few elders (tiny demo)
            days = demo.rng.randint(30, (today - elder.filed_on).days)
            on = elder.filed_on + timedelta(days=days)
            note_on = f"{on.year}年{on.month}月{on.day}日{note}"
            archive_elder(actor, elder, reason, on, note_on, today, elder.version)


def _visitors(villages: list[Village], users: dict[str, User]) -> dict[int, tuple[str, User]]:
    """Who visits in each village (name, user entering the records): the village cadre, entered
    by the district user, except where the worker and village2 have logins of their own."""
    visitors: dict[int, tuple[str, User]] = {}
    for village in villages:
        visitors[village.village.id] = (village.cadre, users["district"])
    for name in ("worker", "village2"):
        visitors[users[name].area_id] = (users[name].display_name, users[name])
    return visitors


def _owners(elders: list[Elder], users: dict[str, User]) -> dict[int, User]:
    """The owner of each elder's referrals: the nearest demo user whose scope holds them."""
    owners: dict[int, User] = {}
    for elder in elders:
        for name in ("worker", "village2", "town", "town2"):
            if users[name].area.contains(elder.residence_area):
                owners[elder.id] = users[name]
                break
    return owners
