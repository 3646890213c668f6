"""Mutual-aid services: change state and flush, never commit. Rules broken raise DomainError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseman import audit
from caseman.areas.models import Area, AreaLevel
from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.mutual_aid.models import (
    Activity,
    AidPoint,
    Fund,
    HelpRecord,
    PairedElder,
    Pairing,
    PairingHelper,
    PointEntry,
    PointRate,
    TeamMember,
)
from caseman.rules.enums import N_
from caseman.rules.mutual_aid import EntryKind, PairingKind, TeamRole, next_balance


def _in_village(village: Area, area: Area | None) -> bool:
    return area is not None and area.path.startswith(village.path)


def add_team_member(actor: User, village: Area, values: dict[str, Any]) -> TeamMember:
    """Add a member to the village's 互助养老服务队伍."""
    role = TeamRole(values["role"])
    group = db.session.get(Area, values["group_id"]) if values.get("group_id") else None
    if group is not None and (group.level != AreaLevel.GROUP or group.parent_id != village.id):
        raise DomainError("group_id", N_("Choose a villager group of this village."))
    if role is TeamRole.GROUP_LEADER and group is None:
        raise DomainError("group_id", N_("A group leader leads one villager group: choose it."))
    if role is TeamRole.SOCIAL_WORKER and not values.get("organisation"):
        raise DomainError("organisation", N_("Give the social worker's organisation."))
    if values.get("ended_on") and values["ended_on"] < values["started_on"]:
        raise DomainError("ended_on", N_("The end date is before the start date."))
    elder_id = values.get("elder_id")
    if elder_id:
        elder = db.session.get(Elder, elder_id)
        if elder is None or not _in_village(village, elder.residence_area):
            raise DomainError("elder_id", N_("Choose an elder of this village."))
    if role is TeamRole.GROUP_LEADER:
        clash = db.session.scalar(
            select(TeamMember.id).where(
                TeamMember.group_id == group.id,  # type: ignore[union-attr]
                TeamMember.role == TeamRole.GROUP_LEADER,
                TeamMember.ended_on.is_(None),
            )
        )
        if clash is not None:
            raise DomainError(
                "group_id", N_("This villager group already has a group leader: end theirs first.")
            )
    member = TeamMember(village_id=village.id, **values)
    db.session.add(member)
    db.session.flush()
    audit.record("create", object_type="aid_member", object_id=member.id, user=actor)
    return member


def end_team_member(actor: User, member: TeamMember, ended_on: date) -> None:
    _end(actor, member, ended_on, "aid_member")


def _end(actor: User, record: TeamMember | Pairing, ended_on: date, object_type: str) -> None:
    """End a team membership or a pairing on ``ended_on`` (not before it started), audited."""
    if ended_on < record.started_on:
        raise DomainError("ended_on", N_("The end date is before the start date."))
    record.ended_on = ended_on
    db.session.flush()
    audit.record("update", object_type=object_type, object_id=record.id, detail="ended_on",
                 user=actor)  # fmt: skip


def add_aid_point(actor: User, village: Area, values: dict[str, Any]) -> AidPoint:
    """Add the centre point (中心点) or a sub-point (分点)."""
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        raise DomainError("longitude", N_("Give both latitude and longitude, or neither."))
    point = AidPoint(village_id=village.id, **values)
    db.session.add(point)
    db.session.flush()
    audit.record("create", object_type="aid_point", object_id=point.id, user=actor)
    return point


def _active_pairing_of(elder_id: int) -> int | None:
    return db.session.scalar(
        select(Pairing.id)
        .join(PairedElder, PairedElder.pairing_id == Pairing.id)
        .where(PairedElder.elder_id == elder_id, Pairing.ended_on.is_(None))
    )


def create_pairing(
    actor: User,
    village: Area,
    kind: PairingKind,
    started_on: date,
    helper_ids: list[int],
    elders: list[dict[str, Any]],
    name: str = "",
) -> Pairing:
    """A pairing: 一对一 is one helper and one elder; 划片式 a named group of both."""
    if not helper_ids:
        raise DomainError("helper_ids", N_("Choose at least one helper."))
    if not elders:
        raise DomainError(None, N_("Add at least one elder."))
    if kind is PairingKind.ONE_TO_ONE and len(helper_ids) != 1:
        raise DomainError("helper_ids", N_("A one-to-one pair has exactly one helper."))
    if kind is PairingKind.ONE_TO_ONE and len(elders) != 1:
        raise DomainError(None, N_("A one-to-one pair has exactly one elder."))
    if kind is PairingKind.AREA_GROUP and not name:
        raise DomainError("name", N_("Name the group (for example the villager group it covers)."))
    members = db.session.scalars(select(TeamMember).where(TeamMember.id.in_(helper_ids))).all()
    if len(members) != len(set(helper_ids)) or any(
        m.village_id != village.id or not m.is_active_on(started_on) for m in members
    ):
        raise DomainError(
            "helper_ids", N_("Helpers must be active members of this village's team.")
        )
    pairing = Pairing(village_id=village.id, kind=kind, name=name, started_on=started_on)
    db.session.add(pairing)
    db.session.flush()
    by_id = {m.id: m for m in members}
    for member_id in dict.fromkeys(helper_ids):  # in the order chosen
        db.session.add(PairingHelper(pairing=pairing, member=by_id[member_id]))
    for values in elders:
        add_paired_elder(actor, pairing, values, audited=False)
    db.session.flush()
    audit.record("create", object_type="aid_pairing", object_id=pairing.id, user=actor)
    return pairing


def add_paired_elder(
    actor: User, pairing: Pairing, values: dict[str, Any], *, audited: bool = True
) -> PairedElder:
    """Add an elder to a pairing: a caseload elder of the village (not already paired), or
    another village elder (社会老人) with a name."""
    if pairing.ended_on is not None:
        raise DomainError(None, N_("This pairing has ended."))
    if pairing.kind is PairingKind.ONE_TO_ONE and pairing.elders:
        raise DomainError(None, N_("A one-to-one pair has exactly one elder."))
    village = pairing.village
    elder_id = values.get("elder_id")
    if elder_id:
        elder = db.session.get(Elder, elder_id)
        if elder is None or not _in_village(village, elder.residence_area):
            raise DomainError("elder_id", N_("Choose an elder of this village."))
        if elder.is_archived:
            raise DomainError("elder_id", N_("This elder's case is archived."))
        if _active_pairing_of(elder.id) is not None:
            raise DomainError("elder_id", N_("This elder is already paired."))
    elif not values.get("name"):
        raise DomainError(
            "elder_name", N_("Give the elder's name or choose one from the caseload.")
        )
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        raise DomainError("longitude", N_("Give both latitude and longitude, or neither."))
    paired = PairedElder(pairing=pairing, **values)  # back-populates ``pairing.elders``
    db.session.add(paired)
    db.session.flush()
    if audited:
        audit.record("create", object_type="aid_paired_elder", object_id=paired.id,
                     elder_id=elder_id, user=actor)  # fmt: skip
    return paired


def end_pairing(actor: User, pairing: Pairing, ended_on: date) -> None:
    _end(actor, pairing, ended_on, "aid_pairing")


def record_help(
    actor: User,
    paired_elder: PairedElder,
    values: dict[str, Any],
    rate: PointRate | None = None,
) -> HelpRecord:
    """A help record (帮扶次数); with a rate, the helper earns its points in the same step."""
    pairing = paired_elder.pairing
    helper = db.session.get(TeamMember, values["helper_id"])
    if helper is None or helper.id not in {h.member_id for h in pairing.helpers}:
        raise DomainError("helper_id", N_("Choose one of this pairing's helpers."))
    if values["helped_on"] < pairing.started_on or (
        pairing.ended_on is not None and values["helped_on"] > pairing.ended_on
    ):
        raise DomainError("helped_on", N_("The date is outside the pairing's time."))
    record = HelpRecord(paired_elder_id=paired_elder.id, created_by_id=actor.id, **values)
    db.session.add(record)
    db.session.flush()
    if rate is not None:
        if rate.village_id != pairing.village_id or not rate.is_active:
            raise DomainError("rate_id", N_("Choose one of this village's rates."))
        _append_entry(
            actor, helper, EntryKind.EARN, rate.points, values["helped_on"],
            f"{rate.service}：{paired_elder.display_name}", rate_id=rate.id,
            help_record_id=record.id,
        )  # fmt: skip
    return record


def set_rate(actor: User, village: Area, service: str, points: int) -> PointRate:
    """The points a service earns in this village (a new rate, or a changed one)."""
    if points <= 0:
        raise DomainError("points", N_("Points must be a whole number above zero."))
    rate = db.session.scalar(
        select(PointRate).where(PointRate.village_id == village.id, PointRate.service == service)
    )
    if rate is None:
        rate = PointRate(village_id=village.id, service=service, points=points)
        db.session.add(rate)
    else:
        rate.points = points
        rate.is_active = True
    db.session.flush()
    audit.record("update", object_type="aid_rate", object_id=rate.id, user=actor)
    return rate


def balance_of(member_id: int) -> int:
    """The member's balance: the sum of their entries."""
    return int(
        db.session.scalar(
            select(sa.func.coalesce(sa.func.sum(PointEntry.points), 0)).where(
                PointEntry.member_id == member_id
            )
        )
        or 0
    )


def _append_entry(
    actor: User,
    member: TeamMember,
    kind: EntryKind,
    points: int,
    entry_on: date,
    source: str,
    **links: int | None,
) -> PointEntry:
    """Append one entry. The member row is locked (PostgreSQL) and the next ``sequence`` is
    unique per member, so concurrent entries serialise or fail; never a negative balance."""
    if points == 0:
        raise DomainError("points", N_("Points must be a whole number above zero."))
    db.session.execute(select(TeamMember.id).where(TeamMember.id == member.id).with_for_update())
    last = db.session.execute(
        select(PointEntry.sequence, PointEntry.balance_after)
        .where(PointEntry.member_id == member.id)
        .order_by(PointEntry.sequence.desc())
        .limit(1)
    ).first()
    sequence, balance = (last[0], last[1]) if last else (0, 0)
    try:
        after = next_balance(balance, points)
    except ValueError:
        raise DomainError(
            "points", N_("Only %(balance)s points are left: the balance cannot go below zero."),
            balance=balance,
        ) from None  # fmt: skip
    entry = PointEntry(
        member_id=member.id, village_id=member.village_id, sequence=sequence + 1, kind=kind,
        points=points, balance_after=after, entry_on=entry_on, source=source[:200],
        created_by_id=actor.id, **links,
    )  # fmt: skip
    try:
        with db.session.begin_nested():  # a savepoint: a lost race leaves the request usable
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        # Another entry for this member took the same sequence number first (two people
        # recording at once): nothing of this entry is kept, and the balance stays right.
        raise DomainError(
            "points",
            N_("Someone recorded points for this member at the same moment: nothing was saved, "
               "please try again."),
        ) from None  # fmt: skip
    audit.record("create", object_type="aid_points", object_id=entry.id,
                 detail=f"kind={kind.value}", user=actor)  # fmt: skip
    return entry


def award_points(
    actor: User, member: TeamMember, rate: PointRate, entry_on: date, note: str = ""
) -> PointEntry:
    """Points for a service at the village's rate."""
    if rate.village_id != member.village_id or not rate.is_active:
        raise DomainError("rate_id", N_("Choose one of this village's rates."))
    source = f"{rate.service}：{note}" if note else rate.service
    return _append_entry(actor, member, EntryKind.EARN, rate.points, entry_on, source,
                         rate_id=rate.id)  # fmt: skip


def redeem_points(
    actor: User, member: TeamMember, points: int, goods: str, entry_on: date
) -> PointEntry:
    """Points exchanged for goods (积分兑换)."""
    if points <= 0:
        raise DomainError("points", N_("Points must be a whole number above zero."))
    if not goods.strip():
        raise DomainError("goods", N_("Say what the points were exchanged for."))
    return _append_entry(actor, member, EntryKind.REDEEM, -points, entry_on, f"兑换：{goods}")


def correct_entry(actor: User, entry: PointEntry, reason: str, entry_on: date) -> PointEntry:
    """Cancel an entry by a new, opposite one (the original stays)."""
    if not reason.strip():
        raise DomainError("reason", N_("Give the reason for the correction."))
    already = db.session.scalar(select(PointEntry.id).where(PointEntry.corrects_id == entry.id))
    if already is not None or entry.kind is EntryKind.CORRECTION:
        raise DomainError("reason", N_("This entry has already been corrected."))
    return _append_entry(
        actor, entry.member, EntryKind.CORRECTION, -entry.points, entry_on,
        f"更正第{entry.sequence}条：{reason}", corrects_id=entry.id,
    )  # fmt: skip


def log_activity(actor: User, village: Area, values: dict[str, Any]) -> Activity:
    activity = Activity(village_id=village.id, **values)
    db.session.add(activity)
    db.session.flush()
    audit.record("create", object_type="aid_activity", object_id=activity.id, user=actor)
    return activity


def record_fund(actor: User, village: Area, values: dict[str, Any]) -> Fund:
    if values["amount"] <= Decimal(0):
        raise DomainError("amount", N_("The amount must be above zero."))
    fund = Fund(village_id=village.id, **values)
    db.session.add(fund)
    db.session.flush()
    audit.record("create", object_type="aid_fund", object_id=fund.id, user=actor)
    return fund


def void_record(actor: User, record: Activity | Fund, reason: str, voided_on: date) -> None:
    """Void an activity or a fund with a reason (it stays, and stops counting)."""
    if not reason.strip():
        raise DomainError("reason", N_("Give the reason."))
    if record.voided_on is not None:
        raise DomainError("reason", N_("This record is already void."))
    record.voided_on = voided_on
    record.void_reason = reason[:200]
    db.session.flush()
    audit.record("void", object_type=type(record).__tablename__, object_id=record.id, user=actor)
