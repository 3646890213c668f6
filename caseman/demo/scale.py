"""A city-scale synthetic district: ``flask --app app demo-data --elders N --months M``.

The shape is Yubei's (002: 11 towns and 2 streets, 172 villages); names, valid ID numbers
(GB 11643 check digit, caseman.rules.id_number), categories, key/general, and visits that follow
the schedule rules of 004 一(四) (key: a home visit every half month; others: every month) with a
diligence that varies by village, plus phone calls, some needs written down, referrals of some of
them, risks found on about 0.6 % of home visits (most closed), and a follow-up of each referral and
risk. The search index (``search_keys``, ``search_documents``) is written in the same batches, so
search works at once, with no ``flask search-reindex`` afterwards.

Rows go in with SQLAlchemy Core ``executemany`` in batches (COPY on PostgreSQL), not through the
ORM services: 100,000 elders and ~2.4 million visits must load in minutes. The values are the ones
the services would accept (enums by value, a "created" registration version with its snapshot,
visit numbers counting from 1 per elder, unique submission keys).
"""

from __future__ import annotations

# Row literals are kept one field group a line; random is for synthetic data, not secrets.
# ruff: noqa: E501, S311
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa

from caseman import clock
from caseman.area_figures import mark_stale
from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import create_area
from caseman.auth.models import Role, User
from caseman.auth.services import create_user
from caseman.auth.totp import new_secret
from caseman.demo.names import DISTRICT_CODE, SURNAMES, words
from caseman.demo.visits import NOTHING_NEW_STORED
from caseman.elders.models import Elder, ElderCategory, ElderVersion, FamilyMember
from caseman.elders.services import ELDER_FIELDS
from caseman.extensions import db
from caseman.referrals.models import FollowUp, Referral, Risk
from caseman.rules.elder_age import sixtieth_birthday
from caseman.rules.enums import (
    AbilityLevel,
    Category,
    Gender,
    NeedType,
    Relation,
    Residence,
    VisitMethod,
)
from caseman.rules.id_number import make_id_number
from caseman.rules.referrals import RiskStatus, RiskType, Severity
from caseman.rules.visit_periods import Period, next_period, period_containing
from caseman.search.indexing import SOURCES, ranked_keys
from caseman.search.models import SearchDocument, SearchKey
from caseman.visits.models import Visit

SCALE_PASSWORD = "scale-pass-2024"  # noqa: S105 - printed on purpose: benchmark logins only # nosec B105
SEED = 20240624
BATCH = 5000
# 渝北区: 11 towns and 2 streets (002), 172 villages and communities between them.
TOWNS = (
    "木耳镇", "古路镇", "兴隆镇", "茨竹镇", "大湾镇", "统景镇", "大盛镇", "洛碛镇", "石船镇",
    "玉峰山镇", "龙兴镇", "双凤桥街道", "回兴街道",
)  # fmt: skip
VILLAGE_COUNT = 172
VILLAGE_WORDS = words(
    "金刚 白岩 草坪 石坝 桂花 大石 青龙 白鹤 红岩 双河 太平 长岭 新华 高峰 柏林 黄桷 "
    "三合 清泉 五星 龙井 团结 明月 莲花 天堂 水口 松林 梨子 观音 白果 万寿 凉风 花园"
)
GIVEN = {  # given-name characters of elders (fewer than caseman.demo.names.ELDER_GIVEN)
    Gender.MALE: words(
        "国 建 明 德 文 志 华 光 福 贵 富 全 成 永 树 林 清 书 祥 汉 忠 仁 昌 海 发 洪"
    ),
    Gender.FEMALE: words(
        "秀 英 兰 芳 珍 玉 桂 华 淑 凤 琼 翠 素 群 梅 莲 琴 碧 蓉 惠 菊 香 春 贞 芝"
    ),
}
NEED_NOTES = (
    "老人反映腿脚不便，希望有人帮忙代购生活用品。", "卫生间地面湿滑，建议安装扶手和防滑垫。",
    "近期血压偏高，需要家庭医生上门随访。", "老伴去世后情绪低落，希望多来陪伴聊天。",
    "燃气软管老化，需要更换并安装报警器。", "想申请高龄津贴，不清楚办理流程。",
    "屋顶漏雨，雨季前需要维修。", "独自在家担心突发疾病，希望安装一键呼叫设备。",
)  # fmt: skip
SUGGESTIONS = (
    "联系村卫生室每月上门测量血压。", "协助申请居家适老化改造。", "由互助小组长每天敲门问候。",
    "转介镇社工站提供精神慰藉服务。", "联系燃气公司上门检查。", "协助准备材料申请低保。",
)  # fmt: skip
# 风险隐患 found on home visits: (type, severity, description, what was done at once, outcome).
RISKS = (
    (RiskType.HOME_HAZARD, Severity.LOW, "燃气灶旁堆放杂物，软管老化。", "当场清理杂物，联系燃气公司更换软管。", "已更换软管，隐患消除。"),
    (RiskType.HOME_HAZARD, Severity.HIGH, "房屋墙体开裂，雨季有垮塌危险。", "劝说老人暂住亲属家，报告村委会。", "已完成危房改造。"),
    (RiskType.FALL, Severity.HIGH, "老人在家中跌倒，左腿疼痛不能行走。", "拨打120送医，通知其子女。", "住院治疗后回家，已安装扶手。"),
    (RiskType.SUDDEN_ILLNESS, Severity.CRITICAL, "老人突发胸闷气短，意识模糊。", "拨打120，陪同送往区人民医院。", "病情稳定出院，家庭医生每周随访。"),
    (RiskType.HARDSHIP, Severity.LOW, "老伴去世后无人照料，生活困难。", "联系村委会和互助小组长上门照看。", "已纳入低保，安排邻居结对帮扶。"),
    (RiskType.MISSING, Severity.CRITICAL, "老人外出未归，家属联系不上。", "报警110，组织村民寻找。", "当晚在镇上找到老人，已送回家中。"),
)  # fmt: skip
RISK_RATE = 0.006  # of home visits: a risk found (about one elder in ten over two years)
FOLLOW_UP_FINDINGS = (
    "电话回访，老人表示问题已解决，生活正常。", "上门回访，措施已落实，老人情绪稳定。",
    "回访时家属在场，反映情况好转，继续关注。",
)  # fmt: skip
ILLNESSES = ("高血压", "糖尿病", "慢阻肺", "冠心病", "关节炎", "白内障", "慢性胃炎")
# The parts of a scale visit that never vary ("nothing changed since last time"), as stored.
VISIT_CONSTANTS: dict[str, Any] = {
    "method_other": "", **NOTHING_NEW_STORED,
    "visitor_name": "王芳", "recorder_name": "王芳", "note": "", "voided_at": None,
    "void_reason": "", "version": 1,
}  # fmt: skip
IMPAIRED = (AbilityLevel.MILD, AbilityLevel.MODERATE, AbilityLevel.SEVERE, AbilityLevel.TOTAL)


def _with_defaults(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill the columns a row leaves out with their Python-side defaults (raw inserts skip them)."""
    missing = {}
    for column in table.columns:
        if column.name in rows[0] or column.default is None:
            continue
        default = column.default
        if default.is_callable:
            missing[column.name] = default.arg(None)  # type: ignore[attr-defined]
        elif default.is_scalar:
            missing[column.name] = default.arg  # type: ignore[attr-defined]
    if missing:
        for row in rows:
            for name, value in missing.items():
                row.setdefault(name, value() if callable(value) else value)
    return rows


def _plain_enum(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy would store in SQLite: enums by value, dates as ISO text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class _Loader:
    """Batched inserts with explicit ids: executemany, or COPY on PostgreSQL."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.is_postgres = connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def next_id(self, table: sa.Table) -> int:
        return (self.connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1

    def insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        rows = _with_defaults(table, rows)
        columns = list(rows[0])
        json_columns = {c for c in columns if isinstance(table.c[c].type, sa.JSON)}
        raw = self.connection.connection.driver_connection
        assert raw is not None
        names = ", ".join(f'"{c}"' for c in columns)
        convert = _sqlite_value if not self.is_postgres else _plain_enum
        plain = (str, int, float, type(None))
        values = (
            [
                row[c]
                if type(row[c]) in plain
                else json.dumps(row[c], ensure_ascii=False)
                if c in json_columns
                else convert(row[c])
                for c in columns
            ]  # fmt: skip
            for row in rows
        )
        if not self.is_postgres:
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - ours # nosec B608
            raw.executemany(insert, values)
            return
        copy_sql = f"COPY {table.name} ({names}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in values:
                copy.write_row(row)

    def fix_sequences(self, tables: list[sa.Table]) -> None:
        if not self.is_postgres:
            return
        for table in tables:
            self.connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 # nosec B608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"  # our own table names
                )
            )


def _chunks(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _periods(first: date, today: date, is_key: bool) -> Iterator[Period]:
    """The visit periods (half months for key elders, else months) from the one holding
    ``first`` to the one holding ``today`` (004 一(四), caseman.rules.visit_periods)."""
    period = period_containing(first, is_key)
    while period.start <= today:
        yield period
        period = next_period(period)


def build_areas(rng: random.Random) -> tuple[Area, list[Area], list[Area]]:
    """渝北区 with its 13 towns and streets and 172 villages and communities between them."""
    district = create_area("渝北区", AreaLevel.DISTRICT, code=DISTRICT_CODE)
    towns, villages = build_block(district, 0)
    return district, towns, villages


def build_block(district: Area, block: int) -> tuple[list[Area], list[Area]]:
    """One Yubei-sized block of 13 towns and 172 villages under ``district``; the blocks after
    the first carry their number in their names (木耳镇2, 金刚村2)."""
    mark = "" if block == 0 else str(block + 1)
    towns = [create_area(f"{name}{mark}", AreaLevel.TOWN, district) for name in TOWNS]
    villages: list[Area] = []
    stems = list(VILLAGE_WORDS)
    for index in range(VILLAGE_COUNT):
        town = towns[index % len(towns)]
        suffix = "社区" if town.name.endswith("街道") else "村"
        word = stems[index % len(stems)] + (
            "" if index < len(stems) else stems[(index * 7) % len(stems)]
        )
        villages.append(create_area(f"{word}{suffix}{mark}", AreaLevel.VILLAGE, town))
    db.session.flush()
    return towns, villages


def load_scale(elders: int, months: int, today: date | None = None,
               echo: Callable[[str], None] = print) -> list[tuple[str, str, str, str]]:  # fmt: skip
    """Load the synthetic district into an empty database (commits as it goes).

    Returns the logins as (username, password, role, area).
    """
    today = today or clock.today()
    rng = random.Random(SEED)  # nosec B311 - reproducible demo data, not secrets
    district, towns, villages = build_areas(rng)
    users = _users(district, towns, villages)
    _load_elders(_Run(rng, today, months, users, towns, villages), elders, echo)
    return [(u.username, SCALE_PASSWORD, u.role.value, u.area.full_name) for u in users.values()]


def grow_scale(
    total: int,
    months: int,
    today: date | None = None,
    echo: Callable[[str], None] = print,
    *,
    block: int | None = None,
) -> int:
    """Add elders to a district loaded by :func:`load_scale` until it holds ``total``; returns
    how many were added (the same figures can then be measured at 100,000, 250,000 … elders
    without loading each size from nothing).

    Without ``block`` the grown elders live in the areas already there, so every town grows.
    With ``block`` (elders per block, e.g. 100,000) each further ``block`` elders get a new
    block of 13 towns and 172 villages with their logins: a city of Yubei-sized districts under
    one root, whose towns keep a real town's ~8,000 elders however large the whole grows (issue
    21: town pages measured on 81,000-elder towns said nothing about a real town).

    The random source is seeded with the count already loaded, so a grown district is as
    reproducible as a loaded one, and no ID number is drawn twice (those stored are read first).
    """
    today = today or clock.today()
    district = db.session.scalar(
        sa.select(Area).where(Area.code == DISTRICT_CODE, Area.level == AreaLevel.DISTRICT)
    )
    if district is None:
        raise ValueError("no scale district to grow: load one with load_scale first")
    held = db.session.scalar(sa.select(sa.func.count(Elder.id))) or 0
    if held >= total:
        return 0
    towns = list(db.session.scalars(
        sa.select(Area).where(Area.parent_id == district.id).order_by(Area.id)
    ))  # fmt: skip
    used_ids = set(db.session.scalars(sa.select(Elder.id_number)))
    if block is None:
        _grow_into(towns, towns, held, total - held, months, today, used_ids, echo)
        return total - held
    count = held
    while count < total:
        number = count // block  # the block the next elder belongs to
        block_towns = towns[number * len(TOWNS) : (number + 1) * len(TOWNS)]
        if not block_towns:
            block_towns, _villages = build_block(district, number)
            _town_users(block_towns, len(towns) + 1)
            towns += block_towns
        upto = min(total, (number + 1) * block)
        _grow_into(
            towns,
            block_towns,
            count,
            upto - count,
            months,
            today,
            used_ids,
            echo,
            vacuum=upto == total,
        )  # the tables vacuumed once, after the last block
        count = upto
    return total - held


def _grow_into(towns: list[Area], into: list[Area], held: int, elders: int, months: int,
               today: date, used_ids: set[str], echo: Callable[[str], None], *,
               vacuum: bool = True) -> None:  # fmt: skip
    """Draw ``elders`` more elders into the villages of the towns ``into``."""
    villages = list(db.session.scalars(
        sa.select(Area).where(Area.parent_id.in_([t.id for t in into])).order_by(Area.id)
    ))  # fmt: skip
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    rng = random.Random(SEED + held)  # nosec B311 - reproducible demo data, not secrets
    run = _Run(rng, today, months, users, towns, villages)
    run.used_ids = used_ids
    _load_elders(run, elders, echo, vacuum=vacuum)


def _load_elders(run: _Run, elders: int, echo: Callable[[str], None], *,
                 vacuum: bool = True) -> None:  # fmt: skip
    """Draw ``elders`` elders with everything that hangs on them, a batch at a time (then, on
    PostgreSQL, vacuum and analyse the tables unless ``vacuum`` is false)."""
    started = time.monotonic()
    loader = _Loader(db.session.connection())
    tables = {m.__table__.name: m.__table__ for m in (Elder, ElderCategory, ElderVersion,
                                                      FamilyMember, Visit, Referral, Risk,
                                                      FollowUp)}  # fmt: skip
    run.next_id = {name: loader.next_id(table) for name, table in tables.items()}
    for chunk_start in range(0, elders, BATCH):
        batch = _Batch()
        for _ in range(chunk_start, min(elders, chunk_start + BATCH)):
            run.elder(batch)
        _insert(loader, tables, batch)
        db.session.commit()
        loader.connection = db.session.connection()
        echo(f"{min(elders, chunk_start + BATCH)} elders, {loader.counts.get('visits', 0)} visits "
             f"({time.monotonic() - started:.0f} s)")  # fmt: skip
    loader.fix_sequences(list(tables.values()))
    # The rows went in past the ORM, so the home page's kept figures never heard of them.
    mark_stale(db.session.connection(), None)
    db.session.commit()
    if loader.is_postgres and vacuum:
        _vacuum_analyze([*tables, SearchKey.__tablename__, SearchDocument.__tablename__])


def _users(district: Area, towns: list[Area], villages: list[Area]) -> dict[str, User]:
    """The district login, one per town and one village login, all with the same password."""
    users = {"district": create_user("district", SCALE_PASSWORD, Role.DISTRICT, district,
                                     full_name="区民政局")}  # fmt: skip
    # One argon2 hash for every login (each takes about a second on this machine).
    password_hash = users["district"].password_hash
    # District and town logins need a second factor: each gets a confirmed secret (printed).
    users["district"].totp_secret = new_secret()
    users["district"].totp_confirmed_at = clock.utcnow()
    users.update(_town_users(towns, 1, password_hash))
    users["village1"] = User(username="village1", password_hash=password_hash,
                             role=Role.VILLAGE, area=villages[0], full_name="王芳")  # fmt: skip
    db.session.add_all(users.values())
    db.session.commit()
    return users


def _town_users(towns: list[Area], first: int, password_hash: str | None = None,
                ) -> dict[str, User]:  # fmt: skip
    """town<first>, town<first+1> … for ``towns``, with a confirmed second factor each (the
    district login's password hash when none is given)."""
    if password_hash is None:
        password_hash = db.session.scalar(
            sa.select(User.password_hash).where(User.username == "district")
        )
    users = {
        f"town{number}": User(username=f"town{number}", password_hash=password_hash,
                              role=Role.TOWN, area=town, full_name=f"{town.name}民政办",
                              totp_secret=new_secret(), totp_confirmed_at=clock.utcnow())
        for number, town in enumerate(towns, start=first)
    }  # fmt: skip
    db.session.add_all(users.values())
    db.session.flush()
    return users


@dataclass
class _Batch:
    """The rows of one batch of elders, inserted together."""

    elders: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)


def _insert(loader: _Loader, tables: dict[str, sa.Table], batch: _Batch) -> None:
    """One batch, and the search index in step with it (the ORM's flush hook never saw it)."""
    loader.insert(tables["elders"], batch.elders)
    loader.insert(tables["elder_versions"], batch.versions)
    loader.insert(tables["elder_categories"], batch.categories)
    loader.insert(tables["family_members"], batch.members)
    for rows in _chunks(iter(batch.visits), 20000):
        loader.insert(tables["visits"], rows)
    loader.insert(tables["referrals"], _referral_enums(batch.referrals))
    loader.insert(tables["risks"], batch.risks)
    loader.insert(tables["follow_ups"], batch.follow_ups)
    for rows in _chunks(iter(batch.keys), 20000):
        loader.insert(SearchKey.__table__, rows)
    documents = [
        *_documents("visit", batch.visits),
        *_documents("referral", batch.referrals),
        *_documents("risk", batch.risks),
        *_documents("follow_up", batch.follow_ups),
    ]
    for rows in _chunks(iter(documents), 20000):
        loader.insert(SearchDocument.__table__, rows)


def _vacuum_analyze(tables: list[str]) -> None:
    """Freshly copied tables have no statistics and no visibility map (every index-only scan
    would visit the heap) until autovacuum comes round: do it now (PostgreSQL)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        for table in tables:
            autocommit.exec_driver_sql(f"VACUUM ANALYZE {table}")


class _Run:
    """One load: the random source, the window of visits, and the next id of every table.

    Each elder is drawn in turn with everything that hangs on them; the order of the draws
    is the data (same seed, same district).
    """

    def __init__(self, rng: random.Random, today: date, months: int, users: dict[str, User],
                 towns: list[Area], villages: list[Area]) -> None:  # fmt: skip
        self.rng, self.today = rng, today
        self.actor_id = users["district"].id
        self.town_user = {town.id: users[f"town{n}"].id for n, town in enumerate(towns, start=1)}
        self.village_info = [
            (v.id, v.parent_id, v.name, f"{v.parent.name}{v.name}") for v in villages
        ]
        self.diligence = {v.id: rng.uniform(0.55, 1.0) for v in villages}
        self.window_start = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(
            day=1
        )
        self.now = clock.utcnow().replace(microsecond=0)  # created_at: a stored moment, UTC
        self.stamp = _sqlite_value(self.now)  # the same text PostgreSQL's COPY reads as a timestamp
        self.used_ids: set[str] = set()
        self.next_id: dict[str, int] = {}

    def take_id(self, table: str) -> int:
        number = self.next_id[table]
        self.next_id[table] = number + 1
        return number

    def elder(self, batch: _Batch) -> None:
        """One elder: the registration, its first version, categories, a child, the visits."""
        rng = self.rng
        elder_id = self.take_id("elders")
        gender = Gender.FEMALE if rng.random() < 0.56 else Gender.MALE
        age = min(100, int(rng.triangular(60, 98, 72)))
        birth_on, number = self.birth_and_id(age, gender)
        surname = rng.choice(SURNAMES)
        name = surname + "".join(rng.choice(GIVEN[gender]) for _ in range(rng.choice((1, 2, 2))))
        area_id, town_id, _village_name, place = rng.choice(self.village_info)
        ability = rng.choices(list(AbilityLevel), weights=(80, 9, 5, 4, 2))[0]
        certificate_grade = rng.choice((1, 2)) if rng.random() < 0.06 else None
        serious = rng.random() < 0.05
        categories = self.categories(ability, certificate_grade)
        is_key = (
            ability in IMPAIRED or serious or certificate_grade is not None
            or (age >= 80 and Category.LIVING_ALONE in categories)
        )  # fmt: skip
        filed_on = self.filed_on(birth_on)
        phone = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
        row: dict[str, Any] = {
            "id": elder_id, "name": name, "gender": gender, "id_number": number,
            "birth_on": birth_on, "phone": phone if rng.random() < 0.8 else "",
            "emergency_name": surname + rng.choice(GIVEN[Gender.MALE]),
            "emergency_gender": Gender.MALE,
            "emergency_phone": f"139{rng.randint(0, 99999999):08d}",
            "household_area_id": area_id, "household_address": f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号",
            "residence_area_id": area_id, "residence_address": f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号",
            "is_rural_hukou": not place.endswith("社区"), "ability_level": ability,
            "medical_history": rng.choice(ILLNESSES), "has_serious_illness": serious,
            "is_extreme_poverty": rng.random() < 0.05, "is_dibao": rng.random() < 0.15,
            "is_dibao_edge": False, "monthly_income": None, "income_sources": "养老金",
            "disability_certificate_no": f"50011219{rng.randint(0, 10**10):010d}" if certificate_grade else "",
            "disability_grade": certificate_grade,
            "other_reason": "住房条件差，子女照料不足。" if Category.OTHER in categories else "",
            "suggested_categories": [c.value for c in categories],
            "category_override_reason": "", "is_key": is_key, "suggested_key": is_key,
            "key_override_reason": "", "water_safe": True, "electricity_safe": True,
            "housing_safe": rng.random() < 0.9, "household_monthly_income": None,
            "has_pension": True, "pension_monthly": None, "subsidy_monthly": None,
            "subsidy_items": "", "support_units": ["town_village"],
            "support_person": "王芳", "support_measures": "定期上门探访",
            "filed_on": filed_on, "responsible_person": "王芳",
            "responsible_phone": "13500000000", "under_age_reason": "", "version": 1,
            "created_at": self.now, "updated_at": self.now, "created_by_id": self.actor_id,
        }  # fmt: skip
        batch.elders.append(row)
        batch.keys += [
            {"elder_id": elder_id, "key": key[:80], "rank": rank}
            for key, rank in ranked_keys(name, number, row["phone"], row["emergency_phone"]).items()
        ]
        batch.versions.append(self.first_version(row, categories, place))
        for category in categories:
            batch.categories.append(
                {"id": self.take_id("elder_categories"), "elder_id": elder_id, "category": category}
            )
        if Category.LIVING_ALONE not in categories:
            batch.members.append(self.child(elder_id, surname, categories))
        self.visits(batch, row, town_id)

    def birth_and_id(self, age: int, gender: Gender) -> tuple[date, str]:
        """A birth date ``age`` years ago and an ID number no other elder has."""
        rng = self.rng
        while True:
            birth_on = date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number(DISTRICT_CODE, birth_on, rng.randint(0, 499), gender)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return birth_on, number

    def categories(self, ability: AbilityLevel, certificate_grade: int | None) -> list[Category]:
        """独居, 空巢 or 留守 by a roll; 失能, 重残 and 计生 by the facts; else 其他."""
        categories: list[Category] = []
        roll = self.rng.random()
        if roll < 0.25:
            categories.append(Category.LIVING_ALONE)
        elif roll < 0.5:
            categories.append(Category.EMPTY_NEST)
        elif roll < 0.65:
            categories.append(Category.LEFT_BEHIND)
        if ability in IMPAIRED:
            categories.append(Category.DISABLED_CARE)
        if certificate_grade:
            categories.append(Category.SEVERE_DISABILITY)
        if self.rng.random() < 0.03:
            categories.append(Category.FAMILY_PLANNING)
        if not categories:
            categories.append(Category.OTHER)
        return categories

    def filed_on(self, birth_on: date) -> date:
        """Most files are older than the window of visits; some are filed within it."""
        rng, window_start = self.rng, self.window_start
        filed_on = (
            window_start - timedelta(days=rng.randint(1, 700)) if rng.random() < 0.9
            else window_start + timedelta(days=rng.randint(0, max(1, (self.today - window_start).days)))
        )  # fmt: skip
        return max(filed_on, sixtieth_birthday(birth_on))  # 60 when filed (004: 老年人)

    def first_version(
        self, row: dict[str, Any], categories: list[Category], place: str
    ) -> dict[str, Any]:
        """The "created" registration version, with the snapshot the service would store."""
        snapshot = {f: _plain(row[f]) for f in ELDER_FIELDS}
        snapshot.update(birth_on=row["birth_on"].isoformat(), categories=[c.value for c in categories],
                        suggested_categories=row["suggested_categories"],
                        residence_area=place, household_area=place, members=[])  # fmt: skip
        return {"id": self.take_id("elder_versions"), "elder_id": row["id"], "number": 1,
                "kind": "created", "snapshot": snapshot, "changed_fields": [],
                "note": "", "created_at": self.now, "created_by_id": self.actor_id}  # fmt: skip

    def child(self, elder_id: int, surname: str, categories: list[Category]) -> dict[str, Any]:
        """A son or daughter: away for 空巢 and 留守 elders, else living with them."""
        rng = self.rng
        child_gender = rng.choice(list(Gender))
        return {
            "id": self.take_id("family_members"), "elder_id": elder_id, "position": 0,
            "name": surname + rng.choice(GIVEN[child_gender]) + rng.choice(GIVEN[child_gender]),
            "gender": child_gender, "id_number": "",
            "relation": Relation.SON if child_gender == Gender.MALE else Relation.DAUGHTER,
            "health": "健康", "is_dibao_or_poverty": False, "visits_often": rng.random() < 0.5,
            "phone": f"138{rng.randint(0, 99999999):08d}",
            "residence": Residence.ELSEWHERE if Category.EMPTY_NEST in categories
            or Category.LEFT_BEHIND in categories else Residence.WITH_ELDER,
            "working_away_since": None, "is_deceased": False, "disability_grade": None,
        }  # fmt: skip

    def visits(self, batch: _Batch, elder: dict[str, Any], town_id: int) -> None:
        """Key elders every half month, others every month, as diligent as the village; now
        and then a phone call. Some home visits write a need down, some find a risk."""
        rng, today = self.rng, self.today
        care = self.diligence[elder["residence_area_id"]]
        visit_number = 0
        first = max(elder["filed_on"], self.window_start)
        for period in _periods(first, today, elder["is_key"]):
            period_start = max(period.start, first)
            period_end = min(period.end, today)
            if period_start > period_end:  # filed after today (a 60th birthday still to come)
                continue
            methods = []
            if rng.random() < care:
                methods.append(VisitMethod.HOME)
            if rng.random() < 0.05:
                methods.append(VisitMethod.PHONE)
            for method in methods:
                visit_number += 1
                span = (period_end - period_start).days
                visited_on = period_start + timedelta(days=rng.randint(0, span))
                has_need = method == VisitMethod.HOME and rng.random() < 0.08
                visit = self.visit(elder, visit_number, visited_on, method, has_need)
                batch.visits.append(visit)
                if has_need and rng.random() < 0.3:
                    self.referral(batch, visit, visited_on, town_id)
                if method == VisitMethod.HOME and rng.random() < RISK_RATE:
                    self.risk(batch, visit, visited_on, town_id)

    def visit(self, elder: dict[str, Any], number: int, visited_on: date, method: VisitMethod,
              has_need: bool) -> dict[str, Any]:  # fmt: skip
        """A visit that found nothing new, or (8 % of home visits) a need, written down."""
        rng = self.rng
        visit_id = self.take_id("visits")
        needs = [rng.choice([n.value for n in NeedType if n != NeedType.OTHER])] if has_need else []
        return {
            "id": visit_id, "elder_id": elder["id"], "number": number,
            "visited_on": visited_on.isoformat(), "method": method.value,
            **VISIT_CONSTANTS, "needs": json.dumps(needs),
            "needs_note": rng.choice(NEED_NOTES) if has_need else "",
            "suggested_care": rng.choice(SUGGESTIONS) if has_need else "",
            "visited_person_name": elder["name"],
            "submission_key": f"scale-v{visit_id}", "created_by_id": self.actor_id,
            "created_at": self.stamp, "updated_at": self.stamp,
        }  # fmt: skip

    def referral(
        self, batch: _Batch, visit: dict[str, Any], visited_on: date, town_id: int
    ) -> None:
        """A referral of the visit's need to the town's social work station, and its follow-up."""
        rng, now = self.rng, self.now
        referral_id = self.take_id("referrals")
        solved = rng.random() < 0.6
        batch.referrals.append({
            "id": referral_id, "elder_id": visit["elder_id"], "visit_id": visit["id"],
            "need": json.loads(visit["needs"])[0], "description": visit["needs_note"],
            "raised_on": visited_on, "referred_to": "镇社工站",
            "referred_contact": "", "referred_on": visited_on,
            "owner_id": self.town_user[town_id],
            "status": "solved" if solved else "in_progress",
            "follow_up_on": None if solved else visited_on + timedelta(days=14),
            "outcome": "已上门处理" if solved else "", "unsolvable_reason": "",
            "closed_on": visited_on + timedelta(days=7) if solved else None,
            "benefit": None, "benefit_applied_on": None, "benefit_outcome": None,
            "submission_key": f"scale-r{referral_id}", "created_by_id": self.actor_id,
            "version": 1, "created_at": now, "updated_at": now,
        })  # fmt: skip
        batch.follow_ups.append({
            "id": self.take_id("follow_ups"), "referral_id": referral_id, "risk_id": None,
            "elder_id": visit["elder_id"], "followed_on": visited_on + timedelta(days=7),
            "method": VisitMethod.PHONE, "findings": rng.choice(FOLLOW_UP_FINDINGS),
            "next_follow_up_on": None if solved else visited_on + timedelta(days=14),
            "created_at": now, "created_by_id": self.actor_id,
        })  # fmt: skip

    def risk(self, batch: _Batch, visit: dict[str, Any], visited_on: date, town_id: int) -> None:
        """A risk found on a home visit (most closed since), reported to the town when it must
        be, and its follow-up."""
        rng, now, today = self.rng, self.now, self.today
        risk_id = self.take_id("risks")
        kind, severity, description, actions, outcome = rng.choice(RISKS)
        closed = visited_on + timedelta(days=rng.randint(3, 20))
        is_closed = closed <= today and rng.random() < 0.8
        found_at = datetime.combine(visited_on, datetime.min.time()) + timedelta(hours=10)
        batch.risks.append({
            "id": risk_id, "elder_id": visit["elder_id"], "visit_id": visit["id"],
            "risk_type": kind, "severity": severity, "occurred_at": found_at,
            "description": description,
            "emergency_called": severity == Severity.CRITICAL,
            "emergency_number": "120" if severity == Severity.CRITICAL else "",
            "contact_reached": "子女", "contact_reached_at": found_at + timedelta(hours=1),
            "actions": actions, "owner_id": self.town_user[town_id],
            "status": RiskStatus.CLOSED if is_closed else RiskStatus.HANDLING,
            "follow_up_on": None if is_closed else visited_on + timedelta(days=7),
            "must_report": kind.must_report_to_town,
            "acknowledged_at": found_at + timedelta(hours=2) if kind.must_report_to_town else None,
            "acknowledged_by_id": self.town_user[town_id] if kind.must_report_to_town else None,
            "outcome": outcome if is_closed else "",
            "closed_on": closed if is_closed else None,
            "submission_key": f"scale-k{risk_id}", "created_by_id": self.actor_id,
            "version": 1, "created_at": now, "updated_at": now,
        })  # fmt: skip
        batch.follow_ups.append({
            "id": self.take_id("follow_ups"), "referral_id": None, "risk_id": risk_id,
            "elder_id": visit["elder_id"], "followed_on": min(today, visited_on + timedelta(days=3)),
            "method": VisitMethod.HOME, "findings": rng.choice(FOLLOW_UP_FINDINGS),
            "next_follow_up_on": None if is_closed else visited_on + timedelta(days=7),
            "created_at": now, "created_by_id": self.actor_id,
        })  # fmt: skip


def _documents(source: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``search_documents`` rows of freshly generated records (what ``index_records`` writes)."""
    _model, fields = SOURCES[source]
    return [
        {"elder_id": row["elder_id"], "source": source, "record_id": row["id"], "field": field,
         "body": value}
        for row in rows
        if row.get("voided_at") is None
        for field in fields
        if (value := (row.get(field) or "").strip())
    ]  # fmt: skip


def _referral_enums(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from caseman.rules.referrals import ReferralStatus

    for row in rows:
        row["status"] = ReferralStatus(row["status"])
        row["need"] = NeedType(row["need"])
    return rows
