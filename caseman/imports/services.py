"""Importing a 附件1 ledger: store the parsed upload, check every row, preview, then import.

Every row goes through the registration service (caseman.elders.services.register_elder /
update_elder), so an imported case is as valid as a typed one and lands in the case's history
and the audit log. The check (preview) runs the same code in savepoints and rolls them back;
the import runs it once more and keeps the accepted rows, all in one transaction.

The parsed upload lives under CASEMAN_UPLOADS/imports/<token>.json (random token, owner
recorded in the file); the form carries only the token.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseman import audit, clock
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import User
from caseman.elders.duplicates import LikelyDuplicate, find_batch
from caseman.elders.models import Elder
from caseman.elders.services import (
    ELDER_FIELDS,
    MEMBER_FIELDS,
    Checked,
    FormErrors,
    KnownNumbers,
    ProbeBudget,
    Registration,
    check_registration,
    facts_of,
    known_numbers,
    probe_budget,
    save_checked,
)
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.imports.reading import file_kind, iter_rows
from caseman.rules import pairing_import
from caseman.rules.categories import needs_override_reason, suggest_categories
from caseman.rules.duplicates import Person
from caseman.rules.elder_age import is_under_age
from caseman.rules.enums import N_, AbilityLevel, Category, Gender
from caseman.rules.id_number import (
    InvalidIdNumber,
    age_on,
    normalize_id_number,
    parse_id_number,
)
from caseman.rules.key_target import suggest_key
from caseman.rules.ledger_import import (
    ABILITY_WORDS,
    COLUMN_LABELS,
    HEADER_SEARCH_ROWS,
    Header,
    area_stem,
    close_matches,
    compact,
    default_ability,
    find_header,
    id_number_text,
    parse_categories,
    parse_date,
    parse_gender,
    parse_phone,
    parse_relative_columns,
    parse_relative_text,
    phone_is_valid,
    plain,
    strip_area_path,
)
from caseman.scope import system_access

TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHUNK = 200  # rows checked between progress reports
IMPORT_REASON = "按导入的台账（附件1）对象类型"  # stored data, shown on the case as written

# Service field → ledger column it came from (for the error's column).
FIELD_COLUMNS = {
    "id_number": "id_number", "gender": "gender", "residence_area_id": "village",
    "household_area_id": "village", "categories": "category", "other_reason": "category",
    "category_override_reason": "category", "key_override_reason": "category",
    "ability_level": "category", "disability_certificate_no": "category",
    "disability_grade": "category", "filed_on": "filed_on", "phone": "phone",
    "under_age_reason": "id_number",
}  # fmt: skip
# In a ledger the reason for filing a person under 60 is written in the 备注 column.
UNDER_AGE_IN_LEDGER = N_(
    "Aged %(age)s on the filing date: notice 004 concerns elders of 60 and over. Write the "
    "reason for filing a younger person in the 备注 column."
)


def imports_directory() -> Path:
    path = Path(current_app.config["CASEMAN_UPLOADS"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- The stored upload --------------------------------------------------------------------------


@dataclass
class Upload:
    token: str
    user_id: int
    filename: str
    header: Header
    rows: list[tuple[int, list[Any]]]  # (row number in the sheet, 1-based; cells)
    raw_header: list[str]
    kind: str = "annex1"  # "annex1" (004 附件1 ledger) or "pairings" (000 附件2)

    def cell(self, cells: list[Any], name: str) -> Any:
        column = self.header.columns.get(name)
        if column is None or column >= len(cells):
            return None
        return cells[column]


# What each kind of ledger is read with: its header finder and the message when none is found.
HEADERS: dict[str, tuple[Callable[[list[list[Any]]], Header | None], str]] = {
    "annex1": (
        find_header,
        N_("No header found: the sheet needs columns titled 姓名 and 身份证号码 near the top."),
    ),
    "pairings": (
        pairing_import.find_header,
        N_("No header found: the sheet needs the columns 被帮扶老人姓名 and 帮扶人姓名."),
    ),
}


def save_upload(actor: User, filename: str, content: bytes, kind: str = "annex1") -> Upload:
    """Check the file, find its header, keep its rows under a random token (no DB change)."""
    finder, no_header = HEADERS[kind]
    numbered = enumerate(iter_rows(content, file_kind(content)), start=1)
    head = list(islice(numbered, HEADER_SEARCH_ROWS + 1))
    if not any(any(plain(cell) for cell in cells) for _number, cells in head):
        raise DomainError("sheet", N_("The sheet is empty."))
    header = finder([cells for _number, cells in head])
    if header is None:
        raise DomainError("sheet", no_header)
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in chain(head, numbered):
        if number - 1 < header.data_row or not any(plain(cell) for cell in cells):
            continue  # the header and blank rows
        first = compact(cells[0]) if cells else ""
        if first.startswith(("说明", "备注")) and sum(1 for c in cells if plain(c)) == 1:
            continue  # the 说明 line under the table
        rows.append((number, cells))
    if not rows:
        raise DomainError("sheet", N_("The sheet has a header but no rows of elders."))
    raw_header = [""] * (max(header.columns.values()) + 1)
    for name, column in header.columns.items():
        raw_header[column] = header.titles[name]
    upload = Upload(secrets.token_hex(16), actor.id, filename[:200], header, rows, raw_header, kind)
    data = {
        "kind": kind,
        "user_id": upload.user_id,
        "filename": upload.filename,
        "header": {
            "first_row": header.first_row,
            "data_row": header.data_row,
            "columns": header.columns,
            "titles": header.titles,
        },  # fmt: skip
        "raw_header": raw_header,
        "rows": rows,
    }
    (imports_directory() / f"{upload.token}.json").write_text(
        json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    return upload


def load_upload(actor: User, token: str, kind: str = "annex1") -> Upload | None:
    """The stored upload of this kind if it exists and belongs to ``actor`` (else None: 404)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    path = imports_directory() / f"{token}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["user_id"] != actor.id or data.get("kind", "annex1") != kind:
        return None
    h = data["header"]
    header = Header(h["first_row"], h["data_row"], h["columns"], h["titles"])
    rows = [(number, cells) for number, cells in data["rows"]]
    return Upload(token, data["user_id"], data["filename"], header, rows, data["raw_header"], kind)


def discard_upload(upload: Upload) -> None:
    """Delete the stored rows and preview of an upload (once imported: they hold personal data)."""
    for suffix in (".json", ".preview.json"):
        (imports_directory() / f"{upload.token}{suffix}").unlink(missing_ok=True)


RETENTION_DAYS = 7  # an upload checked but never imported is deleted after this many days


def prune_uploads(older_than_days: int = RETENTION_DAYS, now: float | None = None) -> int:
    """Delete stored uploads and previews older than ``older_than_days``; return how many files."""
    limit = (time.time() if now is None else now) - older_than_days * 86400
    removed = 0
    for path in imports_directory().glob("*.json"):
        if TOKEN.fullmatch(path.name.split(".", 1)[0]) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@click.command("imports-prune")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    default=RETENTION_DAYS,
    show_default=True,
    help="Delete checked uploads not imported within this time.",
)
@with_appcontext
def imports_prune_command(older_than_days: int) -> None:
    """Delete stored ledger uploads (and their previews) older than N days.

    An imported upload is deleted at once; this removes those checked but never imported.
    """
    click.echo(f"removed {prune_uploads(older_than_days)} files")


# --- Checking and importing ---------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # the column title (Chinese, as in the sheet) or ""
    message: str  # msgid
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Proposal:
    """A village name not in the area tree, with the one close match to confirm."""

    name: str
    area_id: int
    area_name: str
    rows: int = 0


@dataclass
class CheckedRows:
    """What checking a sheet found, common to both ledgers: problems, rejected rows, proposals."""

    problems: list[Problem] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    proposals: dict[str, Proposal] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def counts(self) -> dict[str, int]:
        raise NotImplementedError

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": {**self.counts(), "rejected": self.rejected},
            "problems": [[p.row, p.column, p.message, p.params] for p in self.problems],
            "rejected_rows": self.rejected_rows,
            "proposals": [
                {"name": p.name, "area_id": p.area_id, "area_name": p.area_name, "rows": p.rows}
                for p in self.proposals.values()
            ],
        }


@dataclass
class Outcome(CheckedRows):
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # ID numbers the user was told are filed outside their scope (kept with the preview, so that
    # checking the same upload again or importing it does not count them again).
    told: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged}


class RowRejected(Exception):
    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__(problems)
        self.problems = problems  # (field, msgid, params)


class _Villages:
    """The villages the actor may register in, by name and by town.

    The towns are those inside the actor's area plus the actor's own town: a village clerk's
    ledger names its town in 责任镇街.
    """

    def __init__(self, actor: User) -> None:
        areas = db.session.scalars(
            select(Area).where(
                Area.path.startswith(actor.area.path, autoescape=True),
                Area.level.in_([AreaLevel.VILLAGE, AreaLevel.TOWN]),
            )
        ).all()
        self.towns = {a.name: a for a in areas if a.level == AreaLevel.TOWN}
        own_town = actor.area.town
        if own_town is not None:
            self.towns[own_town.name] = own_town
        self.villages = [a for a in areas if a.level == AreaLevel.VILLAGE]

    def in_town(self, town: str) -> list[Area]:
        if not town:
            return self.villages
        found = self.towns.get(town) or next(
            (a for name, a in self.towns.items() if area_stem(name) == area_stem(town)), None
        )
        if found is None:
            return []
        return [a for a in self.villages if found.contains(a)]


def _village(upload: Upload, cells: list[Any], villages: _Villages, matches: dict[str, int],
             outcome: Outcome) -> Area:  # fmt: skip
    name = compact(upload.cell(cells, "village"))
    town = compact(upload.cell(cells, "town"))
    if not name:
        raise RowRejected([("village", N_("Fill in the village or community."), {})])
    candidates = villages.in_town(town)
    if town and not candidates:
        raise RowRejected([("town", N_("%(name)s is not a town of your area."), {"name": town})])
    exact = [a for a in candidates if a.name == name]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise RowRejected(
            [
                (
                    "town",
                    N_("Several towns have a village named %(name)s: fill in the town."),
                    {"name": name},
                )
            ]  # fmt: skip
        )
    key = f"{town}/{name}"
    if key in matches:
        confirmed = next((a for a in candidates if a.id == matches[key]), None)
        if confirmed is not None:
            return confirmed
    close = close_matches(name, [a.name for a in candidates])
    close_areas = [a for a in candidates if a.name in close[:1]]
    if (
        len(close) >= 1
        and len({a.name for a in candidates if a.name in close}) == 1
        and (len(close_areas) == 1)
    ):
        area = close_areas[0]
        proposal = outcome.proposals.setdefault(key, Proposal(key, area.id, area.full_name))
        proposal.rows += 1
        raise RowRejected(
            [
                (
                    "village",
                    N_(
                        "%(name)s is not in the area list; is it %(match)s? Confirm the match "
                        "above."
                    ),
                    {"name": name, "match": area.name},
                )
            ]  # fmt: skip
        )
    raise RowRejected(
        [("village", N_("%(name)s is not a village or community of your area."), {"name": name})]
    )


def _ledger_values(upload: Upload, cells: list[Any], today: date) -> dict[str, Any]:
    """What the ledger row says, parsed; RowRejected with every problem of the row."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for name, column in upload.header.columns.items():
        value = cells[column] if column < len(cells) else None
        if isinstance(value, str) and value.lstrip().startswith("="):
            problems.append(
                (
                    name,
                    N_(
                        "This cell holds a formula, which is never evaluated: type the value "
                        "itself."
                    ),
                    {},
                )  # fmt: skip
            )
    if problems:
        raise RowRejected(problems)
    values: dict[str, Any] = {}
    values["name"] = compact(upload.cell(cells, "name"))
    if not values["name"]:
        problems.append(("name", N_("Fill in the name."), {}))
    id_text, id_problem = id_number_text(upload.cell(cells, "id_number"))
    if id_problem:
        problems.append(("id_number", id_problem, {}))
    elif not id_text:
        problems.append(("id_number", N_("Fill in the ID number."), {}))
    values["id_number"] = id_text
    try:
        values["gender"] = parse_gender(upload.cell(cells, "gender"))
    except ValueError:
        problems.append(("gender", N_("Write 男 or 女."), {}))
    for name in ("phone", "responsible_phone"):
        values[name] = parse_phone(upload.cell(cells, name))
        if not phone_is_valid(values[name]):
            problems.append((name, N_("Enter a phone number of 7 to 20 digits."), {}))
    values["address"] = plain(upload.cell(cells, "address"))[:200]
    values["responsible_person"] = compact(upload.cell(cells, "responsible_person"))[:64]
    categories, unknown = parse_categories(upload.cell(cells, "category"))
    if unknown:
        problems.append(
            ("category", N_("Unknown object type: %(words)s."), {"words": "、".join(unknown)})
        )
    values["categories"] = categories
    level_text = compact(upload.cell(cells, "ability_level"))
    if level_text and level_text not in ABILITY_WORDS:
        problems.append(("ability_level", N_("Unknown ability level."), {}))
    values["ability_level"] = ABILITY_WORDS.get(level_text) or default_ability(categories)
    try:
        values["filed_on"] = parse_date(upload.cell(cells, "filed_on")) or today
    except ValueError:
        problems.append(("filed_on", N_("This is not a date."), {}))
    values["disability_certificate_no"] = compact(upload.cell(cells, "disability_certificate_no"))[
        :32
    ]
    grade = compact(upload.cell(cells, "disability_grade")).rstrip("级")
    grade = {"一": "1", "二": "2", "三": "3", "四": "4"}.get(grade, grade)
    values["disability_grade"] = int(grade) if grade.isdigit() else None
    values["note"] = plain(upload.cell(cells, "note"))[:200]
    if "relatives" in upload.header.columns:
        relatives = parse_relative_text(upload.cell(cells, "relatives"))
    else:
        relatives = parse_relative_columns(
            upload.cell(cells, "relative_name"),
            upload.cell(cells, "relative_relation"),
            upload.cell(cells, "relative_phone"),
        )
    values["relatives"] = relatives
    if problems:
        raise RowRejected(problems)
    return values


EMPTY_VALUES: dict[str, Any] = {
    "phone": "", "emergency_name": "", "emergency_gender": None, "emergency_phone": "",
    "household_area_id": None, "household_address": "", "residence_address": "",
    "is_rural_hukou": True, "medical_history": "", "has_serious_illness": False,
    "is_extreme_poverty": False, "is_dibao": False, "is_dibao_edge": False,
    "monthly_income": None, "income_sources": "", "disability_certificate_no": "",
    "disability_grade": None, "other_reason": "", "category_override_reason": "",
    "is_key": False, "key_override_reason": "", "water_safe": None, "electricity_safe": None,
    "housing_safe": None, "household_monthly_income": None, "has_pension": False,
    "pension_monthly": None, "subsidy_monthly": None, "subsidy_items": "", "support_units": [],
    "support_person": "", "support_measures": "", "responsible_person": "",
    "responsible_phone": "", "under_age_reason": "",
}  # fmt: skip
EMPTY_MEMBER: dict[str, Any] = {
    "gender": None, "id_number": "", "health": "", "is_dibao_or_poverty": False,
    "visits_often": False, "residence": None, "working_away_since": None,
    "is_deceased": False, "disability_grade": None, "is_only_child": False,
}  # fmt: skip


def _area_path(area: Area) -> list[str]:
    """The names from the district down to ``area``."""
    names: list[str] = []
    node: Area | None = area
    while node is not None:
        names.append(node.name)
        node = node.parent
    return names[::-1]


def _registration(ledger: dict[str, Any], area: Area, elder: Elder | None,
                  today: date) -> Registration:  # fmt: skip
    """The registration the ledger row asks for: an existing case with the ledger's fields
    changed, or a new case with what the ledger says and empty values elsewhere."""
    if elder is None:
        values = dict(EMPTY_VALUES)
        members: list[dict[str, Any]] = []
        categories: set[Category] = set()
        values["ability_level"] = ledger["ability_level"]
        values["filed_on"] = ledger["filed_on"]
    else:
        values = {name: getattr(elder, name) for name in ELDER_FIELDS}
        members = [{k: getattr(m, k) for k in MEMBER_FIELDS} for m in elder.members]
        categories = set(elder.categories)
    values["name"] = ledger["name"]
    values["id_number"] = ledger["id_number"]
    if (
        elder is not None
        and elder.residence_area is not None
        and area.contains(elder.residence_area)
    ):
        area = elder.residence_area  # the ledger names the village; the case knows the group
    values["residence_area_id"] = area.id
    if elder is None:
        values["household_area_id"] = area.id
    path = _area_path(area)
    address = strip_area_path(ledger["address"], path)
    if elder is not None and strip_area_path(elder.residence_address or "", path) == address:
        address = elder.residence_address  # the same place, written as the case has it
    ledger = {**ledger, "address": address}
    for source, target in (("address", "residence_address"), ("phone", "phone"),
                           ("responsible_person", "responsible_person"),
                           ("responsible_phone", "responsible_phone"),
                           ("disability_certificate_no", "disability_certificate_no")):  # fmt: skip
        if ledger[source] or elder is None:
            values[target] = ledger[source]
    if elder is None and not values["household_address"]:
        values["household_address"] = ledger["address"]
    if ledger["disability_grade"] is not None:
        values["disability_grade"] = ledger["disability_grade"]
    if ledger["categories"]:
        categories = set(ledger["categories"])
        if (
            Category.DISABLED_CARE in categories
            and elder is not None
            and values["ability_level"] == AbilityLevel.INTACT
        ):
            values["ability_level"] = ledger["ability_level"]
    if Category.OTHER in categories and not values.get("other_reason"):
        values["other_reason"] = ledger["note"]
    known = {m["name"]: m for m in members}
    for relative in ledger["relatives"]:
        member = known.get(relative.name)
        if member is None:
            member = {**EMPTY_MEMBER, "name": relative.name, "relation": relative.relation,
                      "phone": relative.phone}  # fmt: skip
            members.append(member)
            known[relative.name] = member
        elif relative.phone:
            member["phone"] = relative.phone
    try:
        info = parse_id_number(values["id_number"], today)
    except InvalidIdNumber:
        info = None  # the service reports it
    if (
        info is not None
        and ledger["note"]
        and not values.get("under_age_reason")
        and values.get("filed_on")
        and is_under_age(info.birth_on, values["filed_on"])
    ):
        values["under_age_reason"] = ledger["note"]  # 备注: why a person under 60 is filed
    if info is not None:
        if ledger["gender"] is None:
            values["gender"] = info.gender
        facts = facts_of(values, members, info.birth_on)
        suggested = {s.category for s in suggest_categories(facts, today)}
        if needs_override_reason(suggested, categories):
            if not values.get("category_override_reason"):
                values["category_override_reason"] = IMPORT_REASON
        else:
            values["category_override_reason"] = values.get("category_override_reason") or ""
        key = suggest_key(
            categories,
            bool(values.get("has_serious_illness")),
            age_on(info.birth_on, today),
            current_app.config["CASEMAN_KEY_TARGET_AGE"],
        )
        if not values.get("key_override_reason"):
            values["is_key"] = key.is_key
    if ledger["gender"] is not None:
        values["gender"] = ledger["gender"]
    elif values.get("gender") is None:
        values["gender"] = Gender.MALE  # the ID number is invalid: the service says so
    return Registration(values=values, members=members, categories=categories)


def _same(elder: Elder, reg: Registration) -> bool:
    """True when saving ``reg`` would change nothing on the case (re-import is a no-op)."""
    for name in ELDER_FIELDS:
        if (getattr(elder, name) or None) != (reg.values.get(name) or None):
            return False
    current = [{k: getattr(m, k) for k in MEMBER_FIELDS} for m in elder.members]
    wanted = [{k: m.get(k) for k in MEMBER_FIELDS} for m in reg.members]
    return current == wanted and set(elder.categories) == set(reg.categories)


def _column(upload: Upload, name: str) -> str:
    """The column's official 附件1 title (the sheet's own words may vary)."""
    return COLUMN_LABELS.get(name) or upload.header.titles.get(name, "")


def run_rows(
    actor: User,
    upload: Upload,
    matches: dict[str, int],
    today: date,
    *,
    write: bool,
    progress: Callable[[int], None] | None = None,
    budget: ProbeBudget | None = None,
) -> Outcome:
    """Check (``write=False``: nothing is written) or import (``write=True``: accepted rows
    saved, flush only; the caller commits once) every row of ``upload``.

    A chunk of rows costs a few queries: the cases of its ID numbers are looked up at once, each
    row is checked with the registration service's checks (which write nothing), and the
    accepted rows of the chunk are saved together (caseman.elders.services.save_checked). A row
    is written only after it passed every check, so no savepoint is needed to drop a rejected
    row, and an import that fails half-way rolls back as a whole.

    A row whose ID number is filed outside the actor's scope spends one answer of their hourly
    budget (:class:`~caseman.elders.services.ProbeBudget`; once it is spent, such rows are refused
    without naming the town). The answers are audited at the end, unless ``budget`` is the
    caller's, who records it after its own rollback.
    """
    own_budget = budget is None
    budget = probe_budget(actor) if budget is None else budget
    earlier = load_preview(upload)
    budget.told |= set((earlier or {}).get("told") or [])
    outcome = Outcome()
    villages = _Villages(actor)
    seen: dict[str, int] = {}
    done = 0
    for start in range(0, len(upload.rows), CHUNK):
        rows = upload.rows[start : start + CHUNK]
        known, cases = _existing(actor, upload, rows, budget)
        likely = _likely_duplicates(actor, upload, rows, known, today)
        accepted: list[Checked] = []
        for number, cells in rows:
            problems = _run_row(actor, upload, number, cells, matches, today, villages, seen,
                                outcome, known, cases, accepted, likely)  # fmt: skip
            if problems:
                outcome.rejected_rows.append(number)
                outcome.problems.extend(
                    Problem(number, _column(upload, name), message, params)
                    for name, message, params in problems
                )
        if write and accepted:
            save_checked(actor, accepted, today)
        done += len(rows)
        if progress is not None:
            progress(done)
    if own_budget:
        budget.record(actor)
    outcome.told = sorted(budget.told)
    return outcome


def _existing(
    actor: User, upload: Upload, rows: list[tuple[int, list[Any]]], budget: ProbeBudget
) -> tuple[KnownNumbers, dict[str, Elder]]:
    """The cases of a chunk's ID numbers in the district (for the duplicate check) and those the
    actor may change, with family and categories loaded: three queries a chunk."""
    numbers: set[str] = set()
    for _number, cells in rows:
        text = str(id_number_text(upload.cell(cells, "id_number"))[0])
        try:
            numbers.add(parse_id_number(text, clock.today()).number)
        except InvalidIdNumber:
            numbers.add(normalize_id_number(text))
    known = known_numbers(actor, numbers, budget)
    ids = [elder_id for elder_id, _town, visible in known.cases.values() if visible]
    if not ids:
        return known, {}
    # These ids passed elder_filter(actor) in known_numbers: loading them (and their family and
    # categories) needs no scope criteria again, whose subqueries over the whole caseload made
    # each chunk cost seconds on PostgreSQL with 20,000 cases.
    with system_access("import: cases already filtered by the user's scope", record=False):
        elders = db.session.scalars(
            select(Elder)
            .where(Elder.id.in_(ids))
            .options(selectinload(Elder.members), selectinload(Elder.category_rows))
        ).all()
    return known, {e.id_number: e for e in elders}


def _likely_duplicates(
    actor: User,
    upload: Upload,
    rows: list[tuple[int, list[Any]]],
    known: KnownNumbers,
    today: date,
) -> dict[str, list[LikelyDuplicate]]:
    """The likely duplicates (issue 20 item 4) of a chunk's new cases, by ID number: one query
    by birth date for the chunk (caseman.elders.duplicates). Rows naming an existing case's
    very ID number update that case and are not checked."""
    people: list[Person] = []
    for _number, cells in rows:
        try:
            info = parse_id_number(str(id_number_text(upload.cell(cells, "id_number"))[0]), today)
        except InvalidIdNumber:
            continue  # rejected for its ID number anyway
        if info.number not in known.cases:
            people.append(Person(compact(upload.cell(cells, "name")), info.birth_on, info.number))
    found = find_batch(actor, people)
    return {person.id_number: dups for person, dups in zip(people, found, strict=True) if dups}


def _duplicate_problems(dups: list[LikelyDuplicate]) -> list[tuple[str, str, dict[str, Any]]]:
    """A row with likely duplicates is left out with this reason (issue 20 item 4): the user
    checks, and registers the person on the registration page (which asks to confirm)."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for dup in dups:
        if dup.visible:
            problems.append((
                "id_number",
                N_(
                    "Possibly the same person as %(name)s (%(id)s, %(town)s): check, and "
                    "register a different person on the registration page."
                ),
                {"name": dup.name, "id": dup.masked_id, "town": dup.town},
            ))  # fmt: skip
        else:
            problems.append((
                "id_number",
                N_(
                    "%(town)s already has an elder who may be the same person: check with its "
                    "staff, and register a different person on the registration page."
                ),
                {"town": dup.town},
            ))  # fmt: skip
    return problems


def _run_row(
    actor: User,
    upload: Upload,
    number: int,
    cells: list[Any],
    matches: dict[str, int],
    today: date,
    villages: _Villages,
    seen: dict[str, int],
    outcome: Outcome,
    known: KnownNumbers,
    cases: dict[str, Elder],
    accepted: list[Checked],
    likely: dict[str, list[LikelyDuplicate]],
) -> list[tuple[str, str, dict[str, Any]]]:
    """One row: [] when accepted (counted in ``outcome``, added to ``accepted`` unless it
    changes nothing), else its problems."""
    try:
        ledger = _ledger_values(upload, cells, today)
        area = _village(upload, cells, villages, matches, outcome)
    except RowRejected as rejected:
        return rejected.problems
    try:
        id_number = parse_id_number(ledger["id_number"], today).number
    except InvalidIdNumber as exc:
        return [("id_number", exc.message, exc.params)]
    if id_number in seen:
        return [("id_number", N_("The same ID number is on row %(row)d of this file."),
                 {"row": seen[id_number]})]  # fmt: skip
    seen[id_number] = number
    ledger["id_number"] = id_number
    elder = cases.get(id_number)
    reg = _registration(ledger, area, elder, today)
    if elder is not None and _same(elder, reg):
        outcome.unchanged += 1
        return []
    reg.values["note"] = f"导入台账 {upload.filename} 第{number}行"[:300]
    try:
        derived = check_registration(actor, reg, today, elder, known)
    except FormErrors as exc:
        return [
            (
                _field_column(name),
                UNDER_AGE_IN_LEDGER if name == "under_age_reason" else message,
                params,
            )
            for name, (message, params) in exc.errors.items()
        ]
    except DomainError as exc:
        return [(_field_column(exc.field or ""), exc.message, dict(exc.params))]
    if elder is None and id_number in likely:
        return _duplicate_problems(likely[id_number])
    accepted.append(Checked(elder, reg, derived))
    if elder is None:
        outcome.new += 1
    else:
        outcome.updated += 1
    return []


def _field_column(name: str) -> str:
    if name.startswith("members-"):
        return "relatives"
    return FIELD_COLUMNS.get(name, name)


def check_upload(
    actor: User,
    upload: Upload,
    matches: dict[str, int],
    today: date,
    progress: Callable[[int], None] | None = None,
    budget: ProbeBudget | None = None,
) -> dict[str, Any]:
    """Preview: run every row, roll everything back, keep the outcome beside the upload.

    ``budget``: see :func:`run_rows`."""
    outcome = run_rows(actor, upload, matches, today, write=False, progress=progress,
                       budget=budget)  # fmt: skip
    return store_preview(upload, outcome, matches)


def store_preview(upload: Upload, outcome: CheckedRows, matches: dict[str, int]) -> dict[str, Any]:
    """Keep a check's outcome beside its upload (what the preview page and the import read)."""
    data = outcome.as_json()
    data["matches"] = matches
    if told := getattr(outcome, "told", None):
        data["told"] = told
    data["total"] = len(upload.rows)
    (imports_directory() / f"{upload.token}.preview.json").write_text(
        json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    return data


def load_preview(upload: Upload) -> dict[str, Any] | None:
    path = imports_directory() / f"{upload.token}.preview.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def import_upload(
    actor: User, upload: Upload, today: date, progress: Callable[[int], None] | None = None
) -> Outcome:
    """Import the accepted rows with the matches confirmed at the last check (flush only)."""
    preview = load_preview(upload)
    if preview is None:
        raise DomainError(None, N_("Check the file before importing it."))
    matches = dict(preview.get("matches") or {})
    outcome = run_rows(actor, upload, matches, today, write=True, progress=progress)
    audit.record(
        "import",
        object_type="ledger",
        detail=f"new={outcome.new},updated={outcome.updated},unchanged={outcome.unchanged},"
        f"rejected={outcome.rejected}",
        user=actor,
    )
    return outcome
