"""Importing the whole area tree from a spreadsheet (.xlsx or .csv): check, preview, write.

One row per village (or per villager group): 镇（街道）, 村（社区）, 村民小组 (optional),
区划代码 (optional), 区 (optional). The sheet's own checks are pure (``caseman.rules.area_tree``);
this module compares the rows with the tree in the database. :func:`plan_import` with
``write=False`` changes nothing (the preview); with ``write=True`` it adds what is missing, in the
caller's transaction, audited. Importing the same sheet again adds nothing: every area found
under its parent by name counts as unchanged.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area, AreaLevel
from caseman.areas.services import create_area
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.imports.reading import file_kind, iter_rows
from caseman.rules.area_tree import (
    HEADER_SEARCH_ROWS,
    Problem,
    SheetCheck,
    TreeRow,
    check_sheet,
    find_header,
)
from caseman.rules.enums import N_

if TYPE_CHECKING:
    from caseman.auth.models import User

MAX_ROWS = 20_000
LEVELS = (AreaLevel.DISTRICT, AreaLevel.TOWN, AreaLevel.VILLAGE, AreaLevel.GROUP)


@dataclass
class TreeImport:
    """What an import adds (per level), finds unchanged, and what stops it."""

    added: dict[str, int] = field(default_factory=lambda: {level.value: 0 for level in LEVELS})
    unchanged: int = 0
    codes_added: int = 0
    problems: list[Problem] = field(default_factory=list)
    new_areas: list[tuple[int, str, str]] = field(default_factory=list)  # (row, level, full name)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())


def read_sheet(content: bytes, district: str = "") -> SheetCheck:
    """Read an uploaded .xlsx/.csv and check its rows (no database)."""
    numbered = enumerate(iter_rows(content, file_kind(content)), start=1)
    head = list(islice(numbered, HEADER_SEARCH_ROWS))
    header = find_header([cells for _number, cells in head])
    if header is None:
        raise DomainError(
            "sheet",
            N_(
                "No header found: the sheet needs columns titled 镇（街道） and 村（社区） "
                "near the top."
            ),
        )
    rows = list(islice(chain(head, numbered), MAX_ROWS + HEADER_SEARCH_ROWS))
    return check_sheet(rows, header, district)


def plan_import(
    actor: User | None, rows: list[TreeRow], *, write: bool, districts: list[str] | None = None
) -> TreeImport:
    """Compare ``rows`` with the tree; with ``write`` add what is missing (flush only).

    ``districts``: the district names the rows may name (a district user's own); None lets a
    district be created when the database has none yet (the CLI on a fresh database).
    """
    result = TreeImport()
    existing = list(db.session.scalars(select(Area)))
    by_parent: dict[tuple[int | None, str], Area | str] = {
        (area.parent_id, area.name): area for area in existing
    }
    has_district = any(area.level == AreaLevel.DISTRICT for area in existing)
    # village name → towns it already sits under (open villages), per district
    villages: dict[tuple[int | None, str], list[Area]] = {}
    for area in existing:
        if area.level == AreaLevel.VILLAGE and area.parent is not None:
            villages.setdefault((area.parent.parent_id, area.name), []).append(area)
    planned: dict[str, str] = {}  # key of an area to be added → its full name

    def problem(row: TreeRow, column: str, message: str, **params: Any) -> None:
        result.problems.append(Problem(row.number, column, message, tuple(params.items())))

    for row in rows:
        if districts is not None and row.district not in districts:
            problem(row, "district", N_("%(name)s is not your district."), name=row.district)
            continue
        names = [
            (AreaLevel.DISTRICT, row.district),
            (AreaLevel.TOWN, row.town),
            (AreaLevel.VILLAGE, row.village),
        ]
        if row.group:
            names.append((AreaLevel.GROUP, row.group))
        parent: Area | str | None = None
        district_id: int | None = None
        ok = True
        for depth, (level, name) in enumerate(names):
            last = depth == len(names) - 1
            code = row.code if last else ""
            parent_key = parent.id if isinstance(parent, Area) else parent
            key = (parent_key, name)
            found = by_parent.get(key)  # type: ignore[arg-type]
            if isinstance(found, Area):
                if found.level != level:
                    problem(row, level.value, N_("%(name)s exists at another level."), name=name)
                    ok = False
                    break
                if found.is_closed:
                    problem(
                        row,
                        level.value,
                        N_("%(name)s is closed: reopen it on the area page first."),
                        name=found.full_name,
                    )
                    ok = False
                    break
                if code and found.code and found.code != code:
                    problem(
                        row,
                        "code",
                        N_("%(name)s has the division code %(code)s, not this one."),
                        name=found.full_name,
                        code=found.code,
                    )
                    ok = False
                    break
                if code and not found.code:
                    if write:
                        found.code = code
                        audit.record(
                            "update",
                            object_type="area",
                            object_id=found.id,
                            detail="fields=code import",
                            user=actor,
                        )
                    result.codes_added += 1
                elif last:
                    result.unchanged += 1
                if level == AreaLevel.DISTRICT:
                    district_id = found.id
                parent = found
                continue
            if isinstance(found, str):  # added by an earlier row of this sheet
                parent = found
                if last:
                    result.unchanged += 1
                continue
            # Not there yet.
            if level == AreaLevel.DISTRICT and (has_district or districts is not None):
                problem(row, "district", N_("There is no district called %(name)s."), name=name)
                ok = False
                break
            if level == AreaLevel.VILLAGE and district_id is not None:
                elsewhere = [
                    village
                    for village in villages.get((district_id, name), [])
                    if not village.is_closed
                    and not (code and village.code and village.code != code)
                ]
                if elsewhere:
                    problem(
                        row,
                        "village",
                        N_(
                            "%(name)s already belongs to %(town)s: move it on the area page, "
                            "or give the division code if they are two villages."
                        ),
                        name=name,
                        town=elsewhere[0].parent.name,
                    )  # type: ignore[union-attr]
                    ok = False
                    break
            if isinstance(parent, str):
                full_name = planned.get(parent, "") + name
            else:
                full_name = (parent.full_name if parent is not None else "") + name
            if write:
                try:
                    area = create_area(
                        name, level, parent if isinstance(parent, Area) else None, code=code
                    )
                except DomainError as exc:
                    problem(row, level.value, exc.message, **exc.params)
                    ok = False
                    break
                by_parent[key] = area  # type: ignore[index]
                parent = area
            else:
                token = f"new:{len(planned)}"
                planned[token] = full_name
                by_parent[key] = token  # type: ignore[index]
                parent = token
            result.added[level.value] += 1
            result.new_areas.append((row.number, level.value, full_name))
        if not ok:
            continue
    if write:
        audit.record(
            "import",
            object_type="areas",
            detail=" ".join(f"{level}={count}" for level, count in result.added.items())
            + f" unchanged={result.unchanged} codes={result.codes_added}",
            user=actor,
        )
    return result


# --- the stored upload (between the preview and the import) -----------------------------------


def _directory() -> Any:
    from caseman.imports.services import imports_directory

    return imports_directory()


def save_checked(actor: User, filename: str, check: SheetCheck) -> str:
    """Keep the checked rows under a random token for the import button (no database change)."""
    token = secrets.token_hex(16)
    data = {
        "kind": "areas",
        "user_id": actor.id,
        "filename": filename[:200],
        "rows": [asdict(row) for row in check.rows],
        "problems": [[p.row, p.column, p.message, list(p.params)] for p in check.problems],
    }
    (_directory() / f"{token}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return token


def load_checked(actor: User, token: str) -> tuple[str, SheetCheck] | None:
    """(file name, checked rows) of the actor's stored upload, or None."""
    from caseman.imports.services import TOKEN

    if not TOKEN.fullmatch(token or ""):
        return None
    path = _directory() / f"{token}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if data.get("kind") != "areas" or data.get("user_id") != actor.id:
        return None
    check = SheetCheck(
        rows=[TreeRow(**row) for row in data["rows"]],
        problems=[
            Problem(r, c, m, tuple(tuple(p) for p in params))
            for r, c, m, params in data["problems"]
        ],
    )
    return data["filename"], check


def discard_checked(token: str) -> None:
    (_directory() / f"{token}.json").unlink(missing_ok=True)


def import_tree(
    actor: User | None, check: SheetCheck, districts: list[str] | None = None
) -> TreeImport:
    """Check ``check``'s rows against the tree and, only when nothing stops them, add them.

    Nothing is written while the sheet or the comparison has a problem: the returned report
    then lists the problems (and what would have been added).
    """
    preview = plan_import(actor, check.rows, write=False, districts=districts)
    preview.problems = [*check.problems, *preview.problems]
    if preview.problems:
        return preview
    return plan_import(actor, check.rows, write=True, districts=districts)
