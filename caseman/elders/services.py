"""Registering, correcting, reviewing and archiving an elder's case file.

Services validate with the pure rules, change state and flush; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func as sa_func
from sqlalchemy import select

from caseman import audit, clock
from caseman.areas.models import Area, AreaLevel
from caseman.audit import AuditEvent
from caseman.auth.models import Role, User
from caseman.elders import hooks
from caseman.elders.duplicates import (
    LikelyDuplicate,
    confirmation_token,
    find_likely_duplicates,
)
from caseman.elders.models import (
    Elder,
    ElderAssignment,
    ElderCategory,
    ElderVersion,
    FamilyMember,
)
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.rules.categories import (
    ElderFacts,
    MemberFacts,
    needs_override_reason,
    suggest_categories,
    validate_confirmed_categories,
)
from caseman.rules.elder_age import under_age_problem
from caseman.rules.enums import (
    N_,
    AbilityLevel,
    ArchiveReason,
    Category,
    Gender,
    Relation,
    Residence,
)
from caseman.rules.id_number import InvalidIdNumber, age_on, check_gender, parse_id_number
from caseman.rules.key_target import suggest_key
from caseman.rules.masking import mask_id_number
from caseman.scope import elder_filter, system_access

# The registration fields of 附件2 kept on the Elder row (family members are kept apart).
ELDER_FIELDS = (
    "name", "gender", "id_number", "phone", "emergency_name", "emergency_gender",
    "emergency_phone", "household_area_id", "household_address", "residence_area_id",
    "residence_address", "is_rural_hukou", "ability_level", "medical_history",
    "has_serious_illness", "is_extreme_poverty", "is_dibao", "is_dibao_edge", "monthly_income",
    "income_sources", "disability_certificate_no", "disability_grade", "other_reason",
    "category_override_reason", "is_key", "key_override_reason", "water_safe",
    "electricity_safe", "housing_safe", "household_monthly_income", "has_pension",
    "pension_monthly", "subsidy_monthly", "subsidy_items", "support_units", "support_person",
    "support_measures", "filed_on", "responsible_person", "responsible_phone", "under_age_reason",
)  # fmt: skip
MEMBER_FIELDS = (
    "name", "gender", "id_number", "relation", "health", "is_dibao_or_poverty", "visits_often",
    "phone", "residence", "working_away_since", "is_deceased", "disability_grade",
    "is_only_child",
)  # fmt: skip
MONEY_FIELDS = (
    "monthly_income", "household_monthly_income", "pension_monthly", "subsidy_monthly",
)  # fmt: skip


class FormErrors(DomainError):
    """Several field errors at once: ``errors`` maps a field to (msgid, params)."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__(None, N_("Please correct the marked fields."))
        self.errors = errors


class DuplicateElder(DomainError):
    """A case for this ID number exists; ``elder_id`` is set only when the actor may see it."""

    def __init__(self, elder_id: int | None, town: str) -> None:
        if elder_id is None:
            super().__init__(
                "id_number",
                N_("A case for this ID number already exists in %(town)s. Ask its staff."),
                town=town,
            )
        else:
            super().__init__("id_number", N_("A case for this ID number already exists."))
        self.elder_id = elder_id
        # (masked ID number, town) when the answer named a case outside the actor's scope: the
        # caller records it (record_duplicate_probe) after rolling the refused change back.
        self.probe: tuple[str, str] | None = None


class TooManyProbes(DomainError):
    """The actor had the duplicate check name another area's case too often this hour."""

    def __init__(self) -> None:
        super().__init__(
            "id_number",
            N_(
                "Too many checks of ID numbers filed in other areas within an hour. Try again "
                "later, or ask the town or district staff to look the number up."
            ),
        )


# An answer "this ID number is filed in 古路镇" to someone outside that case's scope tells them
# that the person is on the register: audited, and limited per user and hour.
PROBE_ACTION = "duplicate_probe"
PROBES_PER_HOUR = 20  # CASEMAN_DUPLICATE_PROBES_PER_HOUR
PROBE_WINDOW = timedelta(hours=1)


@dataclass
class ProbeBudget:
    """How many more such answers the actor may get this hour, and those given so far.

    Counted from the audit log (the ``duplicate_probe`` rows of the last hour), so the limit holds
    across processes and workers; :meth:`record` writes the rows of the answers given. Numbers in
    ``told`` were answered before (an earlier check of the same ledger upload): telling them
    again discloses nothing new, so it is neither counted nor recorded again."""

    actor_id: int
    left: int | None = None  # counted at the first answer: most checks find nothing to answer
    answered: list[tuple[str, str]] = field(default_factory=list)  # (masked ID number, town)
    told: set[str] = field(default_factory=set)  # full ID numbers answered so far

    def spend(self, id_number: str, town: str) -> tuple[str, str] | None:
        """Count one answer (its audit detail; None if it was given before), or raise
        :class:`TooManyProbes` when none is left."""
        if id_number in self.told:
            return None
        if self.left is None:
            self.left = _probes_left(self.actor_id)
        if self.left <= 0:
            raise TooManyProbes()
        self.left -= 1
        self.told.add(id_number)
        self.answered.append((mask_id_number(id_number), town))
        return self.answered[-1]

    def record(self, actor: User) -> None:
        """Add an audit row for every answer given (flush-free; the caller commits)."""
        for masked, town in self.answered:
            audit.record(PROBE_ACTION, object_type="elder", detail=f"{masked} town={town}",
                         user=actor)  # fmt: skip
        self.answered.clear()


def record_duplicate_probe(actor: User, error: DuplicateElder) -> None:
    """The audit row of a refused registration's answer about another area's case (if it gave
    one); for the view, after its rollback (flush-free; the caller commits)."""
    if error.probe is not None:
        ProbeBudget(actor.id, 0, [error.probe]).record(actor)


def probe_budget(actor: User) -> ProbeBudget:
    """The actor's :class:`ProbeBudget` (counted in the audit log when first needed)."""
    return ProbeBudget(actor.id)


def _probes_left(actor_id: int) -> int:
    limit = int(current_app.config.get("CASEMAN_DUPLICATE_PROBES_PER_HOUR", PROBES_PER_HOUR))
    used = db.session.scalar(
        select(sa_func.count()).where(
            AuditEvent.action == PROBE_ACTION,
            AuditEvent.user_id == actor_id,
            AuditEvent.at > clock.utcnow() - PROBE_WINDOW,
        )
    )
    return max(0, limit - (used or 0))


class LikelyDuplicates(DomainError):
    """Cases that may be the same person (issue 20 item 4): the user confirms or merges."""

    def __init__(self, duplicates: list[LikelyDuplicate]) -> None:
        super().__init__(None, N_("This person may already have a case file: see below."))
        self.duplicates = duplicates


# The version note of a registration saved despite a likely-duplicate warning (stored data,
# shown on the case file as written).
NOT_DUPLICATE_NOTE = "经核实不是同一人（疑似重复已确认）：{reason}"


@dataclass
class Registration:
    """What the registration form says: field values of the elder, members and categories.

    ``warn_duplicates``: look for likely duplicates (issue 20 item 4) and raise LikelyDuplicates
    unless confirmed — the registration pages ask for it; batch callers (imports, demo data)
    check with caseman.elders.duplicates.find_batch themselves. ``not_duplicate_token`` /
    ``not_duplicate_reason``: the user saw the likely duplicates named by the token
    (caseman.elders.duplicates.confirmation_token) and says why this is another person."""

    values: dict[str, Any]
    members: list[dict[str, Any]] = field(default_factory=list)
    categories: set[Category] = field(default_factory=set)
    warn_duplicates: bool = False
    not_duplicate_token: str = ""
    not_duplicate_reason: str = ""


def facts_of(values: dict[str, Any], members: list[dict[str, Any]], birth_on: date) -> ElderFacts:
    """The facts the category rules read, from a registration."""
    return ElderFacts(
        birth_on=birth_on,
        ability_level=AbilityLevel(values["ability_level"]),
        is_rural_hukou=bool(values.get("is_rural_hukou")),
        disability_certificate_no=values.get("disability_certificate_no") or "",
        disability_grade=values.get("disability_grade"),
        has_serious_illness=bool(values.get("has_serious_illness")),
        members=tuple(
            MemberFacts(
                relation=Relation(m["relation"]),
                is_deceased=bool(m.get("is_deceased")),
                residence=Residence(m["residence"]) if m.get("residence") else None,
                working_away_since=m.get("working_away_since"),
                disability_grade=m.get("disability_grade"),
                is_only_child=bool(m.get("is_only_child")),
            )
            for m in members
        ),
    )


def _check(
    reg: Registration,
    actor: User,
    today: date,
    elder: Elder | None,
    known: KnownNumbers | None = None,
) -> dict[str, Any]:
    """Validate a registration against the rules; return derived values or raise FormErrors.

    ``known`` (see :func:`known_numbers`) answers the duplicate check of a batch without a query
    per registration."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    values = reg.values
    derived: dict[str, Any] = {}
    try:
        info = parse_id_number(values["id_number"], today)
        values["id_number"] = info.number
        derived["birth_on"] = info.birth_on
        try:
            check_gender(info, Gender(values["gender"]))
        except InvalidIdNumber as exc:
            errors["gender"] = (exc.message, exc.params)
    except InvalidIdNumber as exc:
        errors["id_number"] = (exc.message, exc.params)
    birth_on = derived.get("birth_on")
    filed_on: date | None = values.get("filed_on")
    if filed_on is None:
        errors["filed_on"] = (N_("Please fill this in."), {})
    elif filed_on > today:
        errors["filed_on"] = (N_("The filing date cannot be in the future."), {})
    elif filed_on and birth_on and filed_on < birth_on:
        errors["filed_on"] = (N_("The filing date cannot be before the birth date."), {})
    if birth_on and filed_on and "filed_on" not in errors:
        problem = under_age_problem(birth_on, filed_on, values.get("under_age_reason") or "")
        if problem is not None:
            errors["under_age_reason"] = problem
    for name in MONEY_FIELDS:
        amount = values.get(name)
        if amount is not None and Decimal(amount) < 0:
            errors[name] = (N_("The amount cannot be negative."), {})
    area = db.session.get(Area, values.get("residence_area_id") or 0)
    if area is None or area.level not in (AreaLevel.VILLAGE, AreaLevel.GROUP):
        errors["residence_area_id"] = (
            N_("Choose the village or community where the elder lives."),
            {},
        )
    elif not actor.area.contains(area):
        errors["residence_area_id"] = (N_("You can only register elders in your own area."), {})
    household = values.get("household_area_id")
    if household is not None:
        household_area = db.session.get(Area, household)
        if household_area is None or not actor.area.contains(household_area):
            errors["household_area_id"] = (
                N_("You can only choose areas inside your own area."),
                {},
            )
    for index, member in enumerate(reg.members):
        if member.get("id_number"):
            try:
                member["id_number"] = parse_id_number(member["id_number"], today).number
            except InvalidIdNumber as exc:
                errors[f"members-{index}-id_number"] = (exc.message, exc.params)
        since = member.get("working_away_since")
        if since and since > today:
            errors[f"members-{index}-working_away_since"] = (
                N_("This date cannot be in the future."),
                {},
            )
    if birth_on is not None:
        facts = facts_of(values, reg.members, birth_on)
        suggested = suggest_categories(facts, today)
        derived["suggested"] = suggested
        suggested_set = {s.category for s in suggested}
        for name, message in validate_confirmed_categories(
            reg.categories, facts, values.get("other_reason") or ""
        ).items():
            errors.setdefault(name, (message, {}))
        if (
            needs_override_reason(suggested_set, reg.categories)
            and not (values.get("category_override_reason") or "").strip()
        ):
            errors["category_override_reason"] = (
                N_("The categories differ from the suggestion: give the reason."),
                {},
            )
        key = suggest_key(
            reg.categories,
            bool(values.get("has_serious_illness")),
            age_on(birth_on, today),
            current_app.config["CASEMAN_KEY_TARGET_AGE"],
        )
        derived["key"] = key
        if (
            bool(values.get("is_key")) != key.is_key
            and not (values.get("key_override_reason") or "").strip()
        ):
            errors["key_override_reason"] = (
                N_("Key or general differs from the suggestion: give the reason."),
                {},
            )
    if "id_number" not in errors:
        if known is None:
            _check_duplicate(values["id_number"], actor, elder)
        else:
            known.check(values["id_number"], elder)
    if errors:
        raise FormErrors(errors)
    if reg.warn_duplicates:
        _check_likely_duplicates(reg, actor, elder, derived)
    return derived


def _check_likely_duplicates(
    reg: Registration, actor: User, elder: Elder | None, derived: dict[str, Any]
) -> None:
    """Raise LikelyDuplicates unless the user confirmed exactly the cases found (issue 20 item
    4). A correction is checked only when it changes the name or the ID number."""
    values = reg.values
    if elder is not None and (elder.name, elder.id_number) == (values["name"], values["id_number"]):
        return
    found = find_likely_duplicates(
        actor,
        values["name"],
        derived["birth_on"],
        values["id_number"],
        elder.id if elder is not None else None,
    )
    if not found:
        return
    reason = reg.not_duplicate_reason.strip()
    if not reason or reg.not_duplicate_token != confirmation_token(found):
        raise LikelyDuplicates(found)
    derived["not_duplicate_of"] = [d.elder_id for d in found]
    note = NOT_DUPLICATE_NOTE.format(reason=reason)
    values["note"] = f"{values.get('note') or ''}；{note}".lstrip("；")[:300]


def _record_not_duplicate(actor: User, elder: Elder, derived: dict[str, Any], reason: str) -> None:
    ids = derived.get("not_duplicate_of")
    if ids:
        audit.record(
            "confirm_not_duplicate",
            object_type="elder",
            object_id=elder.id,
            elder_id=elder.id,
            detail=f"cases {','.join(map(str, ids))}: {reason.strip()}",
            user=actor,
        )


def _check_duplicate(id_number: str, actor: User, elder: Elder | None) -> None:
    # An ID number is unique in the whole district, so the check looks beyond the actor's scope;
    # all that leaves it is the town's name, which still says that the person is registered:
    # that answer is limited and audited (ProbeBudget; the view records it after its rollback).
    known_numbers(actor, {id_number}, probe_budget(actor)).check(id_number, elder)


@dataclass
class KnownNumbers:
    """The cases holding a batch's ID numbers, looked up at once (see :func:`known_numbers`)."""

    cases: dict[str, tuple[int, str, bool]]  # id_number -> (elder id, town name, visible)
    budget: ProbeBudget | None = None  # None: the actor sees every case (nothing to limit)

    def check(self, id_number: str, elder: Elder | None) -> None:
        """:func:`_check_duplicate` without a query: raise DuplicateElder if another case has it
        (TooManyProbes if it is outside the actor's scope and their budget is spent)."""
        found = self.cases.get(id_number)
        if found is None or (elder is not None and found[0] == elder.id):
            return
        elder_id, town, visible = found
        if not visible:
            if self.budget is None:  # a caller without a budget gets no answer at all
                raise TooManyProbes()
            probe = self.budget.spend(id_number, town)
            error = DuplicateElder(None, town)
            error.probe = probe
            raise error
        raise DuplicateElder(elder_id, town)


def known_numbers(
    actor: User, numbers: set[str], budget: ProbeBudget | None = None
) -> KnownNumbers:
    """The cases of these ID numbers in the whole district (numbers are unique there), with their
    town and whether ``actor`` may see them: two queries for a batch of registrations.

    ``budget`` (:func:`probe_budget`) limits how often the check may name another area's case;
    without one, such a case is reported as :class:`TooManyProbes`."""
    numbers = {n for n in numbers if n}
    if not numbers:
        return KnownNumbers({}, budget)
    with system_access("duplicate ID number check", record=False):
        rows = db.session.execute(
            select(Elder.id, Elder.id_number, Elder.residence_area_id).where(
                Elder.id_number.in_(numbers)
            )
        ).all()
        towns: dict[int, str] = {}
        for row in rows:
            if row.residence_area_id not in towns:
                area = db.session.get(Area, row.residence_area_id)
                town = area.town if area is not None else None
                towns[row.residence_area_id] = town.name if town else ""
    if not rows:
        return KnownNumbers({}, budget)
    visible = set(
        db.session.scalars(
            select(Elder.id).where(Elder.id.in_([r.id for r in rows]), elder_filter(actor))
        )
    )
    return KnownNumbers(
        {r.id_number: (r.id, towns[r.residence_area_id], r.id in visible) for r in rows}, budget
    )


def check_registration(
    actor: User, reg: Registration, today: date, elder: Elder | None, known: KnownNumbers
) -> dict[str, Any]:
    """The checks of :func:`register_elder` / :func:`update_elder`, writing nothing: the derived
    values to pass to :func:`save_checked`, or FormErrors / DuplicateElder / DomainError."""
    if elder is not None and elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be changed; restore it first."))
    return _check(reg, actor, today, elder, known)


@dataclass
class Checked:
    """A registration that passed :func:`check_registration`: ``elder`` None for a new case."""

    elder: Elder | None
    reg: Registration
    derived: dict[str, Any]


def save_checked(actor: User, items: list[Checked], today: date) -> list[Elder]:
    """Register or update many checked registrations at once (flush only): the same changes,
    versions and audit rows as :func:`register_elder` / :func:`update_elder`, in a few batched
    statements instead of several per case. The caller checked each item in this transaction.
    """
    created: list[Elder] = []
    for item in items:
        if item.elder is None:
            elder = Elder(created_by_id=actor.id)
            _apply(elder, item.reg, item.derived)
            if actor.role == Role.WORKER:
                elder.assignments.append(
                    ElderAssignment(user_id=actor.id, started_on=today, started_by_id=actor.id)
                )
            db.session.add(elder)
            created.append(elder)
    updated = [item for item in items if item.elder is not None]
    previous: dict[int, ElderVersion] = {}
    if updated:
        ids = [item.elder.id for item in updated if item.elder is not None]
        latest = (
            select(ElderVersion.elder_id, sa_func.max(ElderVersion.number).label("number"))
            .where(ElderVersion.elder_id.in_(ids))
            .group_by(ElderVersion.elder_id)
            .subquery()
        )
        previous = {
            v.elder_id: v
            for v in db.session.scalars(
                select(ElderVersion).join(
                    latest,
                    (ElderVersion.elder_id == latest.c.elder_id)
                    & (ElderVersion.number == latest.c.number),
                )
            )
        }
        for item in updated:
            elder = item.elder
            assert elder is not None
            was_key = elder.is_key
            _apply(elder, item.reg, item.derived)
            _track_key_change(elder, was_key, today)
    db.session.flush()  # ids of the new cases; the version column of the updated ones
    for item in updated:  # their areas may have changed: load them again (from the session)
        db.session.expire(item.elder, ["residence_area", "household_area"])
    elders: list[Elder] = []
    registered: list[tuple[Elder, int]] = []
    for item in items:
        elder = item.elder if item.elder is not None else created.pop(0)
        kind = "edited" if item.elder is not None else "created"
        note = item.reg.values.get("note") or ""
        version = _next_version(elder, previous.get(elder.id), actor, kind, note)
        if item.elder is None:
            registered.append((elder, version.number))
            audit.record(
                "create", object_type="elder", object_id=elder.id, elder_id=elder.id, user=actor
            )
        else:
            audit.record(
                "update",
                object_type="elder",
                object_id=elder.id,
                elder_id=elder.id,
                detail=",".join(version.changed_fields),
                user=actor,
            )
        elders.append(elder)
    db.session.flush()
    hooks.approvals.imported(actor, registered)  # 待审核 if a village user imported them
    return elders


def _apply(elder: Elder, reg: Registration, derived: dict[str, Any]) -> None:
    for name in ELDER_FIELDS:
        setattr(elder, name, reg.values.get(name))
    elder.under_age_reason = (elder.under_age_reason or "").strip()  # optional in callers' values
    elder.birth_on = derived["birth_on"]
    elder.suggested_categories = [s.category.value for s in derived["suggested"]]
    elder.suggested_key = derived["key"].is_key
    wanted = set(reg.categories)
    elder.category_rows = [row for row in elder.category_rows if row.category in wanted]
    kept = {row.category for row in elder.category_rows}
    for category in sorted(wanted - kept, key=list(Category).index):
        elder.category_rows.append(ElderCategory(category=category))
    elder.members = [
        FamilyMember(position=index, **{k: m.get(k) for k in MEMBER_FIELDS})
        for index, m in enumerate(reg.members)
    ]


def snapshot(elder: Elder) -> dict[str, Any]:
    """A JSON-ready copy of the registration as it stands (for versions and printing)."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if hasattr(value, "value"):
            return value.value
        return value

    data = {name: plain(getattr(elder, name)) for name in ELDER_FIELDS}
    data["birth_on"] = elder.birth_on.isoformat()
    data["categories"] = [c.value for c in elder.categories]
    data["suggested_categories"] = list(elder.suggested_categories or [])
    data["residence_area"] = elder.residence_area.full_name if elder.residence_area else ""
    data["household_area"] = elder.household_area.full_name if elder.household_area else ""
    data["members"] = [
        {name: plain(getattr(m, name)) for name in MEMBER_FIELDS} for m in elder.members
    ]
    return data


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    if before is None:
        return []
    return sorted(k for k in after if before.get(k) != after.get(k))


def _add_version(elder: Elder, actor: User, kind: str, note: str) -> ElderVersion:
    db.session.flush()
    db.session.refresh(elder)
    previous = db.session.scalar(
        select(ElderVersion)
        .where(ElderVersion.elder_id == elder.id)
        .order_by(ElderVersion.number.desc())
        .limit(1)
    )
    version = _next_version(elder, previous, actor, kind, note)
    db.session.flush()
    return version


def _next_version(
    elder: Elder, previous: ElderVersion | None, actor: User, kind: str, note: str
) -> ElderVersion:
    """The version after ``previous`` (None: the first): a snapshot and what changed (added)."""
    data = snapshot(elder)
    version = ElderVersion(
        elder_id=elder.id,
        number=(previous.number + 1) if previous else 1,
        kind=kind,
        snapshot=data,
        changed_fields=_changed(previous.snapshot if previous else None, data),
        note=note,
        created_by_id=actor.id,
    )
    db.session.add(version)
    return version


def register_elder(actor: User, reg: Registration, today: date) -> Elder:
    """建档: create a case file from a complete registration."""
    derived = _check(reg, actor, today, None)
    elder = Elder(created_by_id=actor.id)
    _apply(elder, reg, derived)
    db.session.add(elder)
    db.session.flush()
    if actor.role == Role.WORKER:
        # A worker keeps seeing the elders they registered.
        elder.assignments.append(
            ElderAssignment(user_id=actor.id, started_on=today, started_by_id=actor.id)
        )
    version = _add_version(elder, actor, "created", reg.values.get("note") or "")
    audit.record("create", object_type="elder", object_id=elder.id, elder_id=elder.id, user=actor)
    _record_not_duplicate(actor, elder, derived, reg.not_duplicate_reason)
    hooks.approvals.registered(actor, elder, version.number)  # 待审核 if the village registered it
    return elder


def _ensure_current(elder: Elder, expected_version: int | None) -> None:
    if expected_version is None or expected_version != elder.version:
        raise StaleEdit(elder.version)


def update_elder(
    actor: User,
    elder: Elder,
    reg: Registration,
    today: date,
    expected_version: int | None,
    *,
    review: bool = False,
) -> ElderVersion:
    """Correct the registration, or (``review``) record the half-year review (每半年动态更新)."""
    _ensure_current(elder, expected_version)
    if elder.is_archived:
        raise DomainError(None, N_("An archived case cannot be changed; restore it first."))
    derived = _check(reg, actor, today, elder)
    was_key = elder.is_key
    categories_before = [c.value for c in elder.categories]
    elder.moving_on = today  # the date of an ElderMove if the residence area changes
    _apply(elder, reg, derived)
    _track_key_change(elder, was_key, today)
    if review:
        elder.last_reviewed_on = today
    kind = "reviewed" if review else "edited"
    version = _add_version(elder, actor, kind, reg.values.get("note") or "")
    audit.record(
        "review" if review else "update",
        object_type="elder",
        object_id=elder.id,
        elder_id=elder.id,
        detail=",".join(version.changed_fields),
        user=actor,
    )
    _record_not_duplicate(actor, elder, derived, reg.not_duplicate_reason)
    # 待审核 if the village changed the categories or key status.
    hooks.approvals.reviewed(actor, elder, categories_before, was_key, version.number,
                             version.changed_fields)  # fmt: skip
    return version


def _track_key_change(elder: Elder, was_key: bool, today: date) -> None:
    """Remember a key/general change: the visit schedule switches from the next period."""
    if elder.is_key == was_key:
        return
    if elder.key_changed_on == today and elder.was_key == elder.is_key:
        # Changed and changed back the same day: as if nothing happened.
        elder.key_changed_on = None
        elder.was_key = None
        return
    elder.key_changed_on = today
    elder.was_key = was_key


def archive_elder(
    actor: User,
    elder: Elder,
    reason: ArchiveReason,
    on: date,
    note: str,
    today: date,
    expected_version: int | None,
) -> None:
    """Leave the active caseload (deceased, moved away, …): nothing is deleted."""
    _ensure_current(elder, expected_version)
    check_archive(elder, on, note, today)
    elder.archived_on = on
    elder.archive_reason = reason
    elder.archive_note = note.strip()
    elder.archived_by_id = actor.id
    _add_version(elder, actor, "archived", note.strip())
    audit.record("archive", object_type="elder", object_id=elder.id, elder_id=elder.id,
                 detail=reason.value, user=actor)  # fmt: skip


def request_archive(actor: User, elder: Elder, *details: Any) -> Any:
    """Archive the case (``details`` as for :func:`archive_elder`: reason, archived on, note,
    today, expected version), or (village side, approvals on) ask the town to: returns the
    waiting request, or None when the case was archived at once (see caseman.elders.hooks)."""
    if hooks.approvals.archive is None:
        archive_elder(actor, elder, *details)
        return None
    return hooks.approvals.archive(actor, elder, *details)


def check_archive(elder: Elder, on: date, note: str, today: date) -> None:
    """The checks of :func:`archive_elder` (also run when the village asks the town to archive)."""
    if elder.is_archived:
        raise DomainError(None, N_("This case is already archived."))
    if on > today:
        raise DomainError("archived_on", N_("The date cannot be in the future."))
    if on < elder.filed_on:
        raise DomainError("archived_on", N_("The date cannot be before the filing date."))
    if not note.strip():
        raise DomainError("note", N_("Please fill this in."))


def restore_elder(actor: User, elder: Elder, note: str, expected_version: int | None) -> None:
    """Bring an archived case back (archived by mistake, moved back …), keeping the history."""
    _ensure_current(elder, expected_version)
    if not elder.is_archived:
        raise DomainError(None, N_("This case is not archived."))
    if not note.strip():
        raise DomainError("note", N_("Please fill this in."))
    elder.archived_on = None
    elder.archive_reason = None
    elder.archive_note = ""
    elder.archived_by_id = None
    _add_version(elder, actor, "restored", note.strip())
    audit.record("restore", object_type="elder", object_id=elder.id, elder_id=elder.id, user=actor)


def add_version(actor: User, elder: Elder, kind: str, note: str) -> ElderVersion:
    """A new version of the case file after a change made by another feature (a benefit granted,
    issue 20 item 5): the snapshot and the fields changed since the previous version (flush)."""
    return _add_version(elder, actor, kind, note)
