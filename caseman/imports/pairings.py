"""Importing a pairing ledger (000 附件2, 结对帮扶信息台账) the way the 附件1 ledger is imported.

The upload is stored like a 附件1 upload (caseman.imports.services, kind "pairings"). Every row
is run through the mutual-aid services (caseman.mutual_aid.services: add_team_member,
create_pairing, add_paired_elder), each row in a savepoint so that a refused row leaves nothing
behind: the check runs them all and rolls everything back (the preview), the import runs them
again and keeps the accepted rows in the request's one transaction. A pairing ledger has
hundreds of rows, not tens of thousands, so both run in the request.

A row's elder is the case file with the row's 身份证号码, or without one the only active case of
that name in the village; otherwise the elder is a 社会老人 entry of the pairing (PairedElder
with a name). The helper is the active team member of that name in the village (the phone tells
two of the same name apart), or a new 志愿者 of the team. An elder is in at most one active
pairing: the same pairing again is unchanged (re-import is a no-op), another one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from caseman import audit
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.imports.services import (
    CheckedRows,
    Problem,
    RowRejected,
    Upload,
    _village,
    _Villages,
    store_preview,
)
from caseman.mutual_aid import services as aid
from caseman.mutual_aid.models import PairedElder, Pairing, TeamMember
from caseman.rules.enums import N_
from caseman.rules.id_number import InvalidIdNumber, parse_id_number
from caseman.rules.ledger_import import (
    ROUNDED_MESSAGE,
    compact,
    id_number_text,
    parse_gender,
    parse_phone,
    phone_is_valid,
    plain,
)
from caseman.rules.mutual_aid import PairingKind, TeamRole
from caseman.rules.pairing_import import (
    AGE_MESSAGE,
    COLUMN_LABELS,
    birth_year,
    parse_children,
    parse_elder_type,
    parse_health,
    parse_kind,
    parse_living,
)

FORMULA = N_("This cell holds a formula, which is never evaluated: type the value itself.")
Issues = list[tuple[str, str, dict[str, Any]]]  # (field, msgid, params)


@dataclass
class PairingOutcome(CheckedRows):
    new: int = 0  # rows that pair an elder
    unchanged: int = 0  # rows whose elder is already in that very pairing
    cases: int = 0  # new rows whose elder is a case file
    social: int = 0  # new rows whose elder is a 社会老人 entry
    helpers: int = 0  # helpers added to the team

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "unchanged": self.unchanged, "cases": self.cases,
                "social": self.social, "helpers": self.helpers}  # fmt: skip


@dataclass
class _Helper:
    name: str
    cells: list[Any]  # the row the helper is on (its own columns)


def _cell(upload: Upload, cells: list[Any], name: str) -> Any:
    return upload.cell(cells, name)


def _entries(upload: Upload) -> list[tuple[int, list[Any], list[_Helper]]]:
    """The rows, each with its helpers: a row with a helper but no elder (the elder's cells
    merged over several rows, as the site's own 附件2 export writes a 划片式 group) adds a helper
    to the elder above."""
    entries: list[tuple[int, list[Any], list[_Helper]]] = []
    for number, cells in upload.rows:
        elder = compact(_cell(upload, cells, "elder_name"))
        helper = compact(_cell(upload, cells, "helper_name"))
        if not elder and helper and entries:
            entries[-1][2].append(_Helper(helper, cells))
            continue
        entries.append((number, cells, [_Helper(helper, cells)] if helper else []))
    return entries


def _formulas(upload: Upload, cells: list[Any]) -> Issues:
    return [
        (
            name,
            N_("This cell holds a formula, which is never evaluated: type the value itself."),
            {},
        )
        for name, column in upload.header.columns.items()
        if column < len(cells)
        and isinstance(cells[column], str)
        and cells[column].lstrip().startswith("=")
    ]


def _elder_values(upload: Upload, cells: list[Any], today: date) -> tuple[dict[str, Any], Issues]:
    """The facts of 附件2 about the elder, parsed (PairedElder's fields)."""
    problems: Issues = []
    values: dict[str, Any] = {"name": compact(_cell(upload, cells, "elder_name"))[:32]}
    try:
        values["gender"] = parse_gender(_cell(upload, cells, "elder_gender"))
    except ValueError:
        problems.append(("elder_gender", N_("Write 男 or 女."), {}))
    try:
        values["birth_year"] = birth_year(_cell(upload, cells, "elder_age"), today.year)
    except ValueError:
        problems.append(("elder_age", AGE_MESSAGE, {}))
    values["phone"] = parse_phone(_cell(upload, cells, "elder_phone"))[:20]
    if not phone_is_valid(values["phone"]):
        problems.append(("elder_phone", N_("Enter a phone number of 7 to 20 digits."), {}))
    values["address"] = plain(_cell(upload, cells, "elder_address"))[:200]
    parsers = (
        ("children", "has_children", parse_children, N_("Write 有 or 无.")),
        ("living", "living", parse_living, N_("Write 独居 or 双居.")),
        ("health", "is_disabled", parse_health, N_("Write 自理 or 失能.")),
        (
            "elder_type",
            "elder_type",
            parse_elder_type,
            N_("Write one of 低保, 分散特困, 失独, 残疾, 优抚, 其他."),
        ),
    )
    for column, name, parse, message in parsers:
        try:
            values[name] = parse(_cell(upload, cells, column))
        except ValueError:
            problems.append((column, message, {}))
    values["note"] = plain(_cell(upload, cells, "note"))[:200]
    return values, problems


def _case_of(
    actor: User, upload: Upload, cells: list[Any], village: Area, name: str, today: date
) -> tuple[Elder | None, Issues]:
    """The case file the row names (by ID number, else by a unique name in the village)."""
    text, rounded = id_number_text(_cell(upload, cells, "elder_id_number"))
    if rounded:
        return None, [("elder_id_number", ROUNDED_MESSAGE, {})]
    if text:
        try:
            number = parse_id_number(text, today).number
        except InvalidIdNumber as exc:
            return None, [("elder_id_number", exc.message, exc.params)]
        elder = db.session.scalar(select(Elder).where(Elder.id_number == number))  # scoped
        if elder is None:
            return None, []  # not in the caseload: a 社会老人
    else:
        found = db.session.scalars(
            select(Elder).where(Elder.name == name, Elder.archived_on.is_(None))
        ).all()
        found = [e for e in found if village.contains(e.residence_area)]
        if len(found) > 1:
            return None, [
                (
                    "elder_id_number",
                    N_("Several cases of this village are named %(name)s: add the ID number."),
                    {"name": name},
                )
            ]
        if not found:
            return None, []
        elder = found[0]
    if not village.contains(elder.residence_area):
        return None, [
            (
                "village",
                N_("This elder's case belongs to %(village)s."),
                {"village": elder.residence_area.full_name},
            )
        ]
    if elder.is_archived:
        return None, [("elder_id_number", N_("This elder's case is archived."), {})]
    return elder, []


def _helper(
    actor: User,
    upload: Upload,
    helper: _Helper,
    village: Area,
    today: date,
    outcome: PairingOutcome,
) -> TeamMember:
    """The active team member of that name in the village, or a new 志愿者 (RowRejected)."""
    phone = parse_phone(_cell(upload, helper.cells, "helper_phone"))[:20]
    members = db.session.scalars(
        select(TeamMember).where(
            TeamMember.village_id == village.id,
            TeamMember.name == helper.name,
            TeamMember.ended_on.is_(None),
        )
    ).all()
    if len(members) > 1 and phone:
        members = [m for m in members if m.phone == phone]
    if len(members) == 1:
        return members[0]
    if members:
        raise RowRejected(
            [
                (
                    "helper_name",
                    N_("The team has several members named %(name)s: add the helper's phone."),
                    {"name": helper.name},
                )
            ]
        )
    problems: Issues = []
    try:
        gender = parse_gender(_cell(upload, helper.cells, "helper_gender"))
    except ValueError:
        gender = None
    if gender is None:
        problems.append(
            (
                "helper_gender",
                N_("%(name)s is not in the team yet: write 男 or 女 to add them."),
                {"name": helper.name},
            )
        )
    try:
        born = birth_year(_cell(upload, helper.cells, "helper_age"), today.year)
    except ValueError:
        problems.append(("helper_age", AGE_MESSAGE, {}))
        born = None
    if not phone_is_valid(phone):
        problems.append(("helper_phone", N_("Enter a phone number of 7 to 20 digits."), {}))
    if problems:
        raise RowRejected(problems)
    values = {
        "role": TeamRole.VOLUNTEER,
        "name": helper.name[:32],
        "gender": gender,
        "birth_year": born,
        "phone": phone,
        "address": plain(_cell(upload, helper.cells, "helper_address"))[:200],
        "started_on": today,
    }
    member = aid.add_team_member(actor, village, values)
    outcome.helpers += 1
    return member


def _active_pairing(elder: Elder | None, name: str, village: Area) -> Pairing | None:
    query = select(Pairing).join(PairedElder).where(Pairing.ended_on.is_(None))
    if elder is not None:
        query = query.where(PairedElder.elder_id == elder.id)
    else:
        query = query.where(
            PairedElder.elder_id.is_(None),
            PairedElder.name == name,
            Pairing.village_id == village.id,
        )
    return db.session.scalars(query).first()


def _run_entry(
    actor: User,
    upload: Upload,
    number: int,
    cells: list[Any],
    helpers: list[_Helper],
    villages: _Villages,
    matches: dict[str, int],
    today: date,
    seen: dict[tuple[Any, ...], int],
    outcome: PairingOutcome,
) -> Issues:
    """One elder's row (with its helpers): [] when accepted, else its problems."""
    problems = _formulas(upload, cells)
    if problems:
        return problems
    name = compact(_cell(upload, cells, "elder_name"))
    if not name:
        return [("elder_name", N_("Fill in the name."), {})]
    if not helpers:
        return [("helper_name", N_("Fill in the helper's name."), {})]
    if not compact(_cell(upload, cells, "village")) and actor.area.level == AreaLevel.VILLAGE:
        village = actor.area  # a village clerk's own ledger
    else:
        village = _village(upload, cells, villages, matches, outcome)  # type: ignore[arg-type]
    try:
        kind = parse_kind(_cell(upload, cells, "kind"))
    except ValueError:
        return [("kind", N_("Write 一对一 or 划片式."), {})]
    group = plain(_cell(upload, cells, "group"))[:64]
    if kind is PairingKind.AREA_GROUP and not group:
        return [("group", N_("Name the group (for example the villager group it covers)."), {})]
    if kind is PairingKind.ONE_TO_ONE and len(helpers) > 1:
        return [("helper_name", N_("A one-to-one pair has exactly one helper."), {})]
    values, problems = _elder_values(upload, cells, today)
    elder, case_problems = _case_of(actor, upload, cells, village, name, today)
    problems += case_problems
    if problems:
        return problems
    key: tuple[Any, ...] = ("case", elder.id) if elder is not None else ("social", village.id, name)
    if key in seen:
        return [
            ("elder_name", N_("The same elder is on row %(row)d of this file."), {"row": seen[key]})
        ]
    seen[key] = number
    members = [_helper(actor, upload, h, village, today, outcome) for h in helpers]
    wanted = {m.id for m in members}
    current = _active_pairing(elder, name, village)
    if current is not None:
        same = (
            current.kind is kind
            and current.village_id == village.id
            and (kind is PairingKind.ONE_TO_ONE or current.name == group)
            and wanted <= {h.member_id for h in current.helpers}
        )
        if same:
            outcome.unchanged += 1
            return []
        names = "、".join(h.member.name for h in current.helpers)
        return [
            (
                "elder_name",
                N_("This elder is already paired (with %(helpers)s): end that pairing first."),
                {"helpers": names},
            )
        ]
    values["elder_id"] = elder.id if elder is not None else None
    if kind is PairingKind.AREA_GROUP:
        existing = db.session.scalars(
            select(Pairing).where(
                Pairing.village_id == village.id,
                Pairing.kind == PairingKind.AREA_GROUP,
                Pairing.name == group,
                Pairing.ended_on.is_(None),
            )
        ).first()
        if existing is not None:
            missing = wanted - {h.member_id for h in existing.helpers}
            if missing:
                names = "、".join(m.name for m in members if m.id in missing)
                return [
                    (
                        "helper_name",
                        N_(
                            "%(names)s is not a helper of the group %(group)s: "
                            "add them to it on its page first."
                        ),
                        {"names": names, "group": group},
                    )
                ]
            aid.add_paired_elder(actor, existing, values)
        else:
            aid.create_pairing(actor, village, kind, today, sorted(wanted), [values], name=group)
    else:
        aid.create_pairing(actor, village, kind, today, [members[0].id], [values])
    outcome.new += 1
    if elder is not None:
        outcome.cases += 1
    else:
        outcome.social += 1
    return []


def run_pairing_rows(
    actor: User, upload: Upload, matches: dict[str, int], today: date
) -> PairingOutcome:
    """Run every row through the services (flush only), each row in a savepoint."""
    outcome = PairingOutcome()
    villages = _Villages(actor)
    seen: dict[tuple[Any, ...], int] = {}
    for number, cells, helpers in _entries(upload):
        savepoint = db.session.begin_nested()
        before = (outcome.helpers, len(outcome.proposals))
        try:
            problems = _run_entry(
                actor, upload, number, cells, helpers, villages, matches, today, seen, outcome
            )
        except RowRejected as rejected:
            problems = rejected.problems
        except DomainError as exc:
            problems = [(exc.field or "", exc.message, dict(exc.params))]
        if problems:
            savepoint.rollback()
            outcome.helpers = before[0]
            outcome.rejected_rows.append(number)
            outcome.problems.extend(
                Problem(number, _column(upload, name), message, params)
                for name, message, params in problems
            )
        else:
            savepoint.commit()
    return outcome


def _column(upload: Upload, name: str) -> str:
    if name in ("helper_ids", "elder_id"):
        name = "helper_name" if name == "helper_ids" else "elder_name"
    return COLUMN_LABELS.get(name) or upload.header.titles.get(name, "")


def check_pairings(
    actor: User, upload: Upload, matches: dict[str, int], today: date
) -> dict[str, Any]:
    """Preview: run every row, roll everything back, keep the outcome beside the upload."""
    checking = db.session.begin_nested()
    try:
        outcome = run_pairing_rows(actor, upload, matches, today)
    finally:
        checking.rollback()
    return store_preview(upload, outcome, matches)


def import_pairings(actor: User, upload: Upload, today: date) -> PairingOutcome:
    """Import the accepted rows with the matches confirmed at the last check (flush only)."""
    from caseman.imports.services import load_preview

    preview = load_preview(upload)
    if preview is None:
        raise DomainError(None, N_("Check the file before importing it."))
    outcome = run_pairing_rows(actor, upload, dict(preview.get("matches") or {}), today)
    audit.record(
        "import",
        object_type="aid_pairing_ledger",
        detail=f"new={outcome.new},unchanged={outcome.unchanged},helpers={outcome.helpers},"
        f"rejected={outcome.rejected}",
        user=actor,
    )
    return outcome
