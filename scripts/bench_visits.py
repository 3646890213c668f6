"""Benchmark the visit schedule at district scale: the due list, the dashboard, the case file.

Builds a synthetic 渝北区 (13 towns/streets of ``caseman.demo.district.TOWNS`` with 172 villages,
two villager groups each), 20,000 elders and 24 months of visits (about 520k rows) with bulk inserts
(executemany on SQLite, COPY on PostgreSQL), then times each page or call ``--repeat`` times
after one warm-up call (reported as "first"):

1. ``list_due(town_user, today)`` for one town (木耳镇), a fresh session per call;
2. GET /visits/due as that town user through Flask's test client (the acceptance figure:
   the median must stay under 300 ms, else the script exits with status 1);
3. ``dashboard(district_user, today)``, GET / as the district user and GET / as the town user;
4. GET /visits/due as the district user (the whole district), for information;
5. GET /elders/<id>: the case file (timeline) of the town's elder with the most visits.

SQLite (the default: a fresh file in a temporary directory)::

    make bench
    PYTHONPATH=. .venv/bin/python scripts/bench_visits.py --elders 20000 --months 24 --repeat 5

PostgreSQL 15 (a throwaway database from scripts/pg-test-db.sh; drop it afterwards)::

    url=$(scripts/pg-test-db.sh)
    make bench BENCH_ARGS="--database-url $url"
    scripts/pg-drop-db.sh "$url"

``--keep`` keeps the SQLite file; ``--reuse --database-url URL`` times an earlier build again
without rebuilding (the history then ends on the day of the build). ``--profile NAME`` runs one
measurement under cProfile and prints the top functions (NAME: list_due, due_town, dashboard,
home_district, home_town, due_district, elder). The database must be empty: the script refuses
to build into one that already holds tables. Record versions (``record_versions``) are not
generated: none of the measured pages reads them.

The machine is shared: the load average printed with the figures says whether other work ran.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from caseman import clock, create_app
from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import create_area
from caseman.auth import totp
from caseman.auth.models import TOTP_REQUIRED_ROLES, Role, User
from caseman.auth.services import create_user
from caseman.db import utcnow
from caseman.demo.district import TOWNS
from caseman.demo.names import DISTRICT_CODE, ELDER_GIVEN, SURNAMES
from caseman.demo.visits import NOTHING_NEW_STORED, load_campaigns
from caseman.elders.models import Elder, ElderAssignment, ElderCategory, ElderVersion
from caseman.extensions import db
from caseman.rules.enums import (
    AbilityLevel,
    ArchiveReason,
    Category,
    Gender,
    NeedType,
    Safety,
    Satisfaction,
    Trend,
    VisitMethod,
)
from caseman.rules.id_number import make_id_number
from caseman.rules.visit_periods import KeyHistory, Period, required_periods
from caseman.scope import acting_as, system_access
from caseman.visits.models import CareRecord, Visit
from caseman.visits.queries import dashboard, list_due

PASSWORD = "bench-pass-2024"  # noqa: S105 - synthetic benchmark logins in a throwaway database # nosec B105
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH22"  # noqa: S105 - the same, for the second factor # nosec B105
SEED = 20240305
LIMIT_MS = 300.0  # the acceptance limit for the town's due list (median of the HTTP render)
BATCH = 10_000
BENCH_TOWN = "木耳镇"
BENCH_VILLAGE = "金刚村"
STREETS = ("王家街道", "石坪街道")
VILLAGES_PER_TOWN = 14  # 11 towns × 14 + 2 streets × 9 = 172 villages (seeds/002)
VILLAGES_PER_STREET = 9
GROUPS = ("一组", "二组")
NAME_HEADS = "新石龙凤高桥河林黄青白马金银双大长平安和兴回玉鹿桂花松柏茶柳"
NAME_TAILS = "坪湾坝山沟岩桥塘林口垭溪田庙湖"
# 无变化 / 安全: what most visits find (enums are stored by value).
MEASUREMENTS = (
    "list_due",
    "due_town",
    "dashboard",
    "home_district",
    "home_town",
    "due_district",
    "elder",
)
SHOWN_TABLES = (
    "areas",
    "users",
    "elders",
    "elder_categories",
    "elder_versions",
    "visits",
    "care_records",
    "campaigns",
)
LABELS = {
    "list_due": "list_due(town user)",
    "due_town": "GET /visits/due (town)",
    "dashboard": "dashboard(district user)",
    "home_district": "GET / (district)",
    "home_town": "GET / (town)",
    "due_district": "GET /visits/due (district)",
    "elder": "GET /elders/<id>",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elders", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24, help="months of visit history")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database (default: a fresh SQLite file in a temporary directory)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", choices=MEASUREMENTS, help="cProfile one measurement")
    parser.add_argument("--profile-lines", type=int, default=30)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite file and print its path"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the data already in --database-url (built by an earlier run) without building",
    )
    return parser.parse_args(argv)


# --- building the data ----------------------------------------------------------------------


def column_defaults(table: sa.Table, now: datetime) -> dict[str, Any]:
    """Every non-key column with its default (or None when nullable); required ones are absent."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        default = column.default
        if column.name in ("created_at", "updated_at"):
            values[column.name] = now
        elif default is not None and default.is_scalar:
            values[column.name] = default.arg
        elif default is not None and default.is_callable:
            values[column.name] = default.arg(None)
        elif column.nullable:
            values[column.name] = None
    return values


def _converter(column: sa.Column[Any], dialect: str) -> Callable[[Any], Any] | None:
    """How a value of ``column`` goes to the driver (what SQLAlchemy's bind processors do)."""
    if isinstance(column.type, sa.JSON):
        if dialect == "postgresql":
            from psycopg.types.json import Json

            return Json
        return json.dumps
    if dialect == "sqlite" and isinstance(column.type, sa.DateTime):
        return lambda v: v.isoformat(" ", "microseconds")
    if dialect == "sqlite" and isinstance(column.type, sa.Date):
        return date.isoformat
    return None  # str (enums are given by value), int, bool, date on PostgreSQL


class Rows:
    """Rows of one table, inserted in batches at the driver level.

    SQLAlchemy's per-row bind processing would double the build time, so values are converted
    here (JSON, and dates on SQLite) and sent with executemany (SQLite) or COPY (PostgreSQL).
    Every row must have the same keys. The caller flushes parents before children (elders
    before their visits).
    """

    def __init__(self, table: sa.Table, now: datetime, dialect: str) -> None:
        self.table = table
        self.defaults = column_defaults(table, now)
        self.keys: set[str] | None = None
        self.columns: list[tuple[str, Callable[[Any], Any] | None]] = []
        self.sql = ""
        self.dialect = dialect
        self.pending: list[tuple[Any, ...]] = []
        self.count = 0

    def _prepare(self, row: dict[str, Any]) -> None:
        required = {c.name for c in self.table.columns if not c.nullable and not c.primary_key}
        missing = required - row.keys()
        if missing:
            raise SystemExit(f"{self.table.name}: no value for NOT NULL {sorted(missing)}")
        self.keys = set(row)
        self.columns = [
            (c.name, _converter(c, self.dialect)) for c in self.table.columns if c.name in row
        ]
        mark = "?" if self.dialect == "sqlite" else "%s"
        names = ", ".join(name for name, _conv in self.columns)
        marks = ", ".join(mark for _ in self.columns)
        self.sql = f"INSERT INTO {self.table.name} ({names}) VALUES ({marks})"  # noqa: S608 - names from the schema # nosec B608

    def add(self, **values: Any) -> None:
        row = {**self.defaults, **values}
        if self.keys is None:
            self._prepare(row)
        elif row.keys() != self.keys:
            raise SystemExit(f"{self.table.name}: keys differ: {row.keys() ^ self.keys}")
        self.pending.append(
            tuple(
                row[name] if conv is None or row[name] is None else conv(row[name])
                for name, conv in self.columns
            )
        )

    @property
    def full(self) -> bool:
        return len(self.pending) >= BATCH

    def flush(self) -> None:
        if not self.pending:
            return
        connection = db.session.connection()
        if self.dialect == "postgresql":  # COPY: several times faster than executemany
            names = ", ".join(name for name, _conv in self.columns)
            raw = connection.connection.dbapi_connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {self.table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in self.pending:
                    copy.write_row(row)
        else:
            connection.exec_driver_sql(self.sql, self.pending)
        self.count += len(self.pending)
        self.pending = []


def month_start(day: date, months_back: int) -> date:
    year, month = day.year, day.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def random_day(rng: random.Random, start: date, end: date) -> date | None:
    if end < start:
        return None
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def village_names(rng: random.Random, count: int, suffix: str) -> list[str]:
    pool = [h + t for h in NAME_HEADS for t in NAME_TAILS]
    rng.shuffle(pool)
    return [name + suffix for name in pool[:count]]


def build_areas(rng: random.Random) -> tuple[Area, dict[str, Area], list[tuple[Area, list[Area]]]]:
    """The district, its 13 towns/streets and 172 villages with two groups each."""
    district = create_area("渝北区", AreaLevel.DISTRICT, code=DISTRICT_CODE)
    towns: dict[str, Area] = {}
    villages: list[tuple[Area, list[Area]]] = []
    for town_name, demo_villages in TOWNS.items():
        town = create_area(town_name, AreaLevel.TOWN, district)
        towns[town_name] = town
        is_street = town_name in STREETS
        wanted = VILLAGES_PER_STREET if is_street else VILLAGES_PER_TOWN
        names = list(demo_villages)
        extra = village_names(rng, wanted + len(names), "社区" if is_street else "村")
        names += [n for n in extra if n not in names][: wanted - len(names)]
        for name in names:
            village = create_area(name, AreaLevel.VILLAGE, town)
            groups = [create_area(g, AreaLevel.GROUP, village) for g in GROUPS]
            villages.append((village, groups))
    return district, towns, villages


def build_users(district: Area, town: Area, village: Area) -> dict[str, User]:
    specs = (
        ("bench_district", Role.DISTRICT, district),
        ("bench_town", Role.TOWN, town),
        ("bench_village", Role.VILLAGE, village),
        ("bench_worker", Role.WORKER, village),
    )
    # District and town users must log in with a TOTP code: give them a known secret.
    return {
        role.value: create_user(
            username,
            PASSWORD,
            role,
            area,
            full_name=username,
            totp_secret=TOTP_SECRET if role in TOTP_REQUIRED_ROLES else None,
        )
        for username, role, area in specs
    }


def visit_days(
    rng: random.Random,
    periods: list[Period],
    diligence: float,
    earliest: date,
    latest: date,
    today: date,
) -> list[tuple[date, VisitMethod]]:
    """Home visits (about ``diligence`` of the periods, half of the running one) and calls."""
    days: list[tuple[date, VisitMethod]] = []
    for period in periods:
        start, end = max(period.start, earliest), min(period.end, latest)
        chance = diligence * (0.55 if period.contains(today) else 1.0)
        if rng.random() < chance:
            day = random_day(rng, start, end)
            if day:
                days.append((day, VisitMethod.HOME))
                if rng.random() < 0.08:  # a second home visit in the same period
                    again = random_day(rng, start, end)
                    if again:
                        days.append((again, VisitMethod.HOME))
        if rng.random() < 0.15:
            day = random_day(rng, start, end)
            if day:
                days.append((day, rng.choice((VisitMethod.PHONE, VisitMethod.VIDEO))))
    days.sort()
    return days


def build(app: Flask, n_elders: int, months: int, seed: int, today: date) -> None:
    """Create the schema and the synthetic district."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets # nosec B311
    now = utcnow()
    with app.app_context(), system_access("benchmark build", record=False):
        if sa.inspect(db.engine).get_table_names():
            raise SystemExit("the database is not empty: give an empty (throwaway) database")
        db.create_all()
        dialect = db.engine.dialect.name
        if dialect == "sqlite":  # this connection only: the engine is disposed after the build
            db.session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        # Bulk-load practice: build the visits' secondary indexes after the rows are in.
        visit_indexes = list(Visit.__table__.indexes)
        for index in visit_indexes:
            index.drop(db.session.connection())
        district, towns, villages = build_areas(rng)
        town = towns[BENCH_TOWN]
        jingang = next(v for v, _g in villages if v.name == BENCH_VILLAGE)
        users = build_users(district, town, jingang)
        load_campaigns(district, town, users["town"], today)
        db.session.commit()
        weights = [rng.uniform(0.6, 1.4) for _ in villages]
        diligence = {v.id: rng.uniform(0.75, 0.95) for v, _g in villages}
        visitor_ids = [users["village"].id, users["worker"].id, users["town"].id]

        elders = Rows(Elder.__table__, now, dialect)
        categories = Rows(ElderCategory.__table__, now, dialect)
        versions = Rows(ElderVersion.__table__, now, dialect)
        assignments = Rows(ElderAssignment.__table__, now, dialect)
        visits = Rows(Visit.__table__, now, dialect)
        care = Rows(CareRecord.__table__, now, dialect)
        tables = (elders, categories, versions, assignments, visits, care)  # parents first
        first_filed = month_start(today, months - 1)
        suggestible = [c for c in Category if c != Category.OTHER]
        used_ids: set[str] = set()
        visit_id = care_id = 0
        for elder_id in range(1, n_elders + 1):
            village, groups = rng.choices(villages, weights)[0]
            residence = rng.choice(groups) if rng.random() < 0.85 else village
            gender = rng.choice((Gender.FEMALE, Gender.MALE))
            surname = rng.choice(SURNAMES)
            name = surname + "".join(rng.choices(ELDER_GIVEN[gender], k=rng.choice((1, 2, 2))))
            birth_on = today - timedelta(days=rng.randint(60 * 365, 100 * 365))
            while True:
                id_number = make_id_number(DISTRICT_CODE, birth_on, rng.randrange(500), gender)
                if id_number not in used_ids:
                    used_ids.add(id_number)
                    break
            # Most cases were filed in the first registration drive, the rest since.
            if rng.random() < 0.65:
                filed_on = random_day(rng, first_filed, first_filed + timedelta(days=89))
            else:
                filed_on = random_day(rng, first_filed, today - timedelta(days=3))
            assert filed_on is not None
            is_key = rng.random() < 0.3
            key_changed_on = was_key = None
            if rng.random() < 0.03 and (today - filed_on).days > 120:
                was_key = not is_key
                key_changed_on = random_day(rng, filed_on + timedelta(days=60), today)
            archived_on = archive_reason = None
            if rng.random() < 0.04 and (today - filed_on).days > 60:
                archived_on = random_day(rng, filed_on + timedelta(days=30), today)
                archive_reason = rng.choice(list(ArchiveReason)).value
            phone = f"13{rng.randrange(10**9):09d}"
            elders.add(
                id=elder_id,
                name=name,
                gender=gender.value,
                id_number=id_number,
                birth_on=birth_on,
                phone=phone,
                emergency_name=surname + rng.choice("伟强军丽敏静"),
                emergency_phone=f"15{rng.randrange(10**9):09d}",
                household_area_id=village.id,
                household_address=f"{rng.randint(1, 80)}号",
                residence_area_id=residence.id,
                residence_address=f"{rng.randint(1, 80)}号",
                ability_level=rng.choice(list(AbilityLevel)).value,
                is_key=is_key,
                suggested_key=is_key,
                key_changed_on=key_changed_on,
                was_key=was_key,
                support_units=["town_village"],
                support_person="村养老专干",
                support_measures="定期上门探访",
                filed_on=filed_on,
                responsible_person="村养老专干",
                responsible_phone="13500000000",
                archived_on=archived_on,
                archive_reason=archive_reason,
                created_by_id=users["village"].id,
                created_at=datetime.combine(filed_on, datetime.min.time()),
            )
            cats = rng.sample(suggestible, rng.choice((1, 1, 2)))
            for category in cats:
                categories.add(elder_id=elder_id, category=category.value)
            versions.add(
                elder_id=elder_id,
                number=1,
                kind="created",
                snapshot={"name": name, "id_number": id_number, "filed_on": filed_on.isoformat()},
                created_by_id=users["village"].id,
                created_at=datetime.combine(filed_on, datetime.min.time()),
            )
            if village.id == jingang.id and rng.random() < 0.3:
                assignments.add(elder_id=elder_id, user_id=users["worker"].id, started_on=filed_on)

            history = KeyHistory(is_key, key_changed_on, was_key)
            latest = archived_on - timedelta(days=1) if archived_on else today
            periods = required_periods(filed_on, archived_on, history, today)
            days = visit_days(rng, periods, diligence[village.id], filed_on, latest, today)
            care_number = 0
            for number, (day, method) in enumerate(days, start=1):
                visit_id += 1
                need = None
                roll = rng.random()
                findings = dict(NOTHING_NEW_STORED)
                if roll < 0.03:
                    findings["gas_safety"] = Safety.UNSAFE.value
                    need = NeedType.SAFETY_HAZARD
                elif roll < 0.06:
                    findings["mood"] = Trend.WORSE.value
                    need = NeedType.EMOTIONAL
                elif roll < 0.08:
                    need = rng.choice((NeedType.LIFE_CARE, NeedType.MEDICAL, NeedType.BENEFITS))
                stamp = datetime.combine(day, datetime.min.time()) + timedelta(hours=15)
                visits.add(
                    id=visit_id,
                    elder_id=elder_id,
                    number=number,
                    visited_on=day,
                    method=method.value,
                    **findings,
                    needs=[need.value] if need else [],
                    visitor_name="村养老专干",
                    visited_person_name=name,
                    recorder_name="村养老专干",
                    submission_key=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    created_by_id=rng.choice(visitor_ids),
                    version=1,
                    created_at=stamp,
                    updated_at=stamp,
                )
                if need and day + timedelta(days=7) <= latest and rng.random() < 0.7:
                    care_id += 1
                    care_number += 1
                    care.add(
                        id=care_id,
                        elder_id=elder_id,
                        number=care_number,
                        visit_id=visit_id,
                        need=need.value,
                        cared_on=day + timedelta(days=rng.randint(1, 7)),
                        what_was_done="上门处理并回访。",
                        provider="村委会",
                        satisfaction=rng.choice(list(Satisfaction)[:3]).value,
                        submission_key=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        created_by_id=users["village"].id,
                        version=1,
                    )
            if any(rows.full for rows in tables):
                for rows in tables:
                    rows.flush()
        for rows in tables:
            rows.flush()
        for index in visit_indexes:
            index.create(db.session.connection())
        db.session.commit()
        reset_sequences()
    with app.app_context():
        db.engine.dispose()  # measurements start on fresh connections (default cache size)


def load_info(app: Flask) -> dict[str, Any]:
    """The benchmark users, the town, the case file to open and the row counts."""
    with app.app_context(), system_access("benchmark", record=False):
        users = {
            user.role.value: user
            for user in db.session.scalars(sa.select(User).where(User.username.like("bench_%")))
        }
        if "town" not in users:
            raise SystemExit("no benchmark data in this database (run without --reuse)")
        town = users["town"].area
        in_town = sa.select(Area.id).where(Area.path.startswith(town.path))
        case_elder_id, case_visits = db.session.execute(
            sa.select(Visit.elder_id, sa.func.count())
            .join(Elder, Elder.id == Visit.elder_id)
            .where(Elder.residence_area_id.in_(in_town), Elder.archived_on.is_(None))
            .group_by(Visit.elder_id)
            .order_by(sa.func.count().desc(), Visit.elder_id)
            .limit(1)
        ).one()
        info = {
            "users": {role: user.id for role, user in users.items()},
            "usernames": {role: user.username for role, user in users.items()},
            "town_id": town.id,
            "case_elder_id": case_elder_id,
            "case_visits": case_visits,
            "counts": {
                t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                for t in db.metadata.sorted_tables
            },
        }
        db.session.remove()
        db.engine.dispose()
    return info


def reset_sequences() -> None:
    """PostgreSQL: explicit ids leave the id sequences behind; move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("elders", "visits", "care_records"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names # nosec B608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )
    db.session.commit()


# --- measuring ------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    """(first call in ms, then ``repeat`` timed calls in ms)."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return first, runs


def call_in_context(app: Flask, user_id: int, fn: Callable[[User], Any]) -> Callable[[], Any]:
    """Run ``fn(user)`` in a fresh app context and session; only ``fn`` is timed by the caller."""

    def run() -> Any:
        with app.app_context():
            user = db.session.get(User, user_id)
            assert user is not None
            user.area  # noqa: B018 - load the area before the timed part, as a request does
            try:
                with acting_as(user):  # the user's scope, as in their requests
                    return fn(user)
            finally:
                db.session.remove()

    return run


class Timer:
    """The figures of each measurement, and what its last call returned."""

    def __init__(self, repeat: int) -> None:
        self.repeat = repeat
        self.results: dict[str, tuple[float, list[float]]] = {}
        self.last: dict[str, Any] = {}

    def add(self, name: str, fn: Callable[[], Any]) -> None:
        box: list[Any] = []
        first, runs = timed(lambda: box.append(fn()), self.repeat)
        self.results[name] = (first, runs)
        self.last[name] = box[-1]
        med = statistics.median(runs)
        print(f"  {LABELS[name]:<28} median {med:8.1f} ms", flush=True)


def get_ok(client: Any, path: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
        return response

    return run


def login(app: Flask, username: str) -> Any:
    """A test client logged in as ``username``: the password, then the TOTP code if asked
    (a database built before the second factor existed enrols the user on the way)."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    step = response.headers.get("Location", "") if response.status_code == 302 else ""
    if step.endswith(("/login/code", "/login/enrol")):
        if step.endswith("/login/enrol"):
            client.get("/login/enrol")  # creates the secret to confirm
        with app.app_context():
            secret = db.session.scalar(sa.select(User.totp_secret).where(User.username == username))
        code = totp.code_at(secret or "", totp.current_step())
        response = client.post(step, data={"code": code})
    if response.status_code != 302 or response.headers["Location"].startswith("/login"):
        raise SystemExit(f"login as {username} failed: {response.status_code}")
    return client


def measurements(app: Flask, info: dict[str, Any], today: date) -> dict[str, Callable[[], Any]]:
    users = info["users"]
    town_client = login(app, info["usernames"]["town"])
    district_client = login(app, info["usernames"]["district"])
    return {
        "list_due": call_in_context(app, users["town"], lambda u: list_due(u, today)),
        "due_town": get_ok(town_client, "/visits/due"),
        "dashboard": call_in_context(app, users["district"], lambda u: dashboard(u, today)),
        "home_district": get_ok(district_client, "/"),
        "home_town": get_ok(town_client, "/"),
        "due_district": get_ok(district_client, "/visits/due"),
        "elder": get_ok(town_client, f"/elders/{info['case_elder_id']}"),
    }


def notes(timer: Timer, info: dict[str, Any]) -> dict[str, str]:
    """What each measurement handled (rows listed, page size), to read the figures against."""
    result: dict[str, str] = {}
    for name, value in timer.last.items():
        if hasattr(value, "get_data"):
            result[name] = f"{len(value.get_data()) / 1024:.0f} KiB page"
    due = timer.last.get("list_due")
    if due is not None:
        result["list_due"] = f"{due.total} listed of {sum(due.counts.values())} elders"
        result["due_town"] = f"{result['list_due']}, {result.get('due_town', '')}"
    board = timer.last.get("dashboard")
    if board is not None:
        result["dashboard"] = f"{len(board.towns)} towns, {len(board.villages)} villages"
        listed = board.overdue + board.due
        result["due_district"] = (
            f"{listed} listed of {listed + board.done} elders, {result.get('due_district', '')}"
        )
    if "elder" in result:
        result["elder"] = f"{info['case_visits']} visits, {result['elder']}"
    return result


# --- reporting ------------------------------------------------------------------------------


def machine_info(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            server = db.session.scalar(sa.text("SHOW server_version")) or ""
            size = db.session.scalar(sa.text("SELECT pg_database_size(current_database())")) or 0
            kind = f"PostgreSQL {server}"
        else:
            kind = f"SQLite {sqlite3.sqlite_version}"
            database = engine.url.database or ""
            size = Path(database).stat().st_size if database else 0
        db.session.remove()
    return [
        ("database", f"{kind}, {size / 2**20:.0f} MiB"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("sqlalchemy", sa.__version__),
        (
            "machine",
            f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform(terse=True)}",
        ),
        ("load avg", " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"),
    ]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def print_table(timer: Timer, notes_by_name: dict[str, str]) -> None:
    print()
    header = f"{'measurement':<28} {'first':>8} {'min':>8} {'median':>8} {'max':>8}  (ms)"
    print(header)
    print("-" * len(header))
    for name, (first, runs) in timer.results.items():
        print(
            f"{LABELS[name]:<28} {first:8.1f} {min(runs):8.1f} {statistics.median(runs):8.1f} "
            f"{max(runs):8.1f}  {notes_by_name.get(name, '')}"
        )


def profile(fn: Callable[[], Any], lines: int) -> None:
    fn()  # warm up (templates, caches)
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    today = clock.today()  # the views use clock.today(): the history ends today
    with tempfile.TemporaryDirectory(prefix="caseman-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        if args.keep and not args.database_url:
            kept = Path(tempfile.mkdtemp(prefix="caseman-bench-")) / "bench.sqlite3"
            url = f"sqlite:///{kept}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "SECRET_KEY": "bench",  # a throwaway benchmark app # nosec B105
                "CASEMAN_QUEUE_URL": f"sqlite:///{Path(tmp) / 'queue.sqlite3'}",
                "CASEMAN_UPLOADS": str(Path(tmp) / "uploads"),
            }
        )
        shown = sa.engine.make_url(url).render_as_string(hide_password=True)
        if args.reuse:
            print(f"reusing the data in {shown}")
            with app.app_context():
                db.create_all()  # tables of models added to the app since the build (empty)
                db.engine.dispose()
        else:
            print(f"building {args.elders} elders, {args.months} months of visits on {shown}")
            start = time.perf_counter()
            build(app, args.elders, args.months, args.seed, today)
            built = time.perf_counter() - start
            if sa.engine.make_url(url).get_backend_name() == "postgresql":
                with app.app_context(), db.engine.connect() as connection:
                    # What autovacuum does shortly after a bulk load: planner statistics.
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        sa.text("VACUUM ANALYZE")
                    )
                    db.engine.dispose()
            print(f"built in {built:.1f} s (today {today})")
        info = load_info(app)
        counts = info["counts"]
        print(
            "rows: "
            + ", ".join(f"{name} {counts[name]:,}" for name in SHOWN_TABLES if name in counts),
            flush=True,
        )

        runs = measurements(app, info, today)
        if args.profile:
            profile(runs[args.profile], args.profile_lines)
            return 0
        print(f"timing, {args.repeat} runs each after one warm-up call:", flush=True)
        timer = Timer(args.repeat)
        for name in MEASUREMENTS:
            timer.add(name, runs[name])
        print_table(timer, notes(timer, info))
        print()
        for label, value in machine_info(app):
            print(f"{label:<11} {value}")
        print(f"{'peak RSS':<11} {peak_rss_mib():.0f} MiB")
        if args.keep and not args.database_url:
            print(f"{'kept':<11} {url}")
        with app.app_context():
            db.engine.dispose()

        median = statistics.median(timer.results["due_town"][1])
        verdict = "over" if median > LIMIT_MS else "under"
        print(
            f"\n{'FAIL' if median > LIMIT_MS else 'OK'}: the town's due list (GET /visits/due) "
            f"renders in {median:.0f} ms (median), {verdict} the {LIMIT_MS:.0f} ms limit"
        )
        return 1 if median > LIMIT_MS else 0


if __name__ == "__main__":
    sys.exit(main())
