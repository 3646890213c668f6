"""Merging two case files of one person (issue 20 item 4, requirements row 7).

Town or district staff keep one case file; the other is archived with the reason "merged into
N" (ArchiveReason.OTHER and a note; the archive reasons stay 附件's). Nothing is moved or
deleted: the merged case keeps its visits, care, referrals, risks and printed forms, and the
kept case file shows them beside its own (:func:`list_merged`), so both histories appear there.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from caseman import audit
from caseman.auth.models import Role, User
from caseman.elders.models import Elder, ElderMerge
from caseman.elders.services import _add_version, archive_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import N_, ArchiveReason
from caseman.scope import elder_filter

MERGING_ROLES = (Role.TOWN, Role.DISTRICT)
# Stored data, shown on the case files as written.
MERGED_NOTE = "已合并至档案{kept}（{name}）：{note}"
KEPT_NOTE = "合并档案{merged}：{note}"


def can_merge(actor: User) -> bool:
    return actor.role in MERGING_ROLES


def merge_elders(
    actor: User,
    merged: Elder,
    kept: Elder,
    note: str,
    today: date,
    expected_version: int | None,
) -> ElderMerge:
    """Archive ``merged`` as merged into ``kept`` and record the merge (flush only, audited).
    The caller loaded both cases within the actor's scope."""
    if not can_merge(actor):
        raise DomainError(None, N_("Only town or district staff can merge case files."))
    if kept.id == merged.id:
        raise DomainError("kept_id", N_("Choose another case file to keep."))
    if kept.is_archived:
        raise DomainError("kept_id", N_("The case file to keep is archived; restore it first."))
    if db.session.scalar(select(ElderMerge.id).where(ElderMerge.merged_id == merged.id)):
        raise DomainError(None, N_("This case file was merged into another one before."))
    note = note.strip()
    if not note:
        raise DomainError("note", N_("Please fill this in."))
    archive_elder(
        actor,
        merged,
        ArchiveReason.OTHER,
        today,
        MERGED_NOTE.format(kept=kept.id, name=kept.name, note=note)[:300],
        today,
        expected_version,
    )
    merge = ElderMerge(kept_id=kept.id, merged_id=merged.id, note=note, created_by_id=actor.id)
    db.session.add(merge)
    _add_version(kept, actor, "merged", KEPT_NOTE.format(merged=merged.id, note=note)[:300])
    audit.record("merge", object_type="elder", object_id=kept.id, elder_id=kept.id,
                 detail=f"merged case {merged.id} into {kept.id}", user=actor)  # fmt: skip
    db.session.flush()
    return merge


def list_merged(actor: User, kept: Elder) -> list[Elder]:
    """The (still archived) cases merged into ``kept`` that ``actor`` may see, oldest first."""
    return list(
        db.session.scalars(
            select(Elder)
            .join(ElderMerge, ElderMerge.merged_id == Elder.id)
            .where(ElderMerge.kept_id == kept.id, Elder.archived_on.is_not(None))
            .where(elder_filter(actor))
            .order_by(ElderMerge.id)
        )
    )


def get_kept(actor: User, merged: Elder) -> Elder | None:
    """The case ``merged`` was merged into, if the actor may see it."""
    return db.session.scalar(
        select(Elder)
        .join(ElderMerge, ElderMerge.kept_id == Elder.id)
        .where(ElderMerge.merged_id == merged.id, elder_filter(actor))
    )
