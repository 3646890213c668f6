"""Reading the photos and place of a visit, always through the acting user's scope."""

from __future__ import annotations

from sqlalchemy import select

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.photos.models import VisitPhoto, VisitPlace
from caseman.scope import elder_filter
from caseman.visits.models import Visit


def get_photo_or_none(user: User, photo_id: int) -> VisitPhoto | None:
    """A photo of a visit the user may see (their scope, not withdrawn), or None."""
    return db.session.scalar(
        select(VisitPhoto)
        .join(Elder, Elder.id == VisitPhoto.elder_id)
        .where(VisitPhoto.id == photo_id, VisitPhoto.withdrawn_at.is_(None), elder_filter(user))
    )


def list_photos(visit: Visit) -> list[VisitPhoto]:
    """The photos of a visit already loaded through the scope, in the order they were taken
    (withdrawn ones left out)."""
    return list(
        db.session.scalars(
            select(VisitPhoto)
            .where(VisitPhoto.visit_id == visit.id, VisitPhoto.withdrawn_at.is_(None))
            .order_by(VisitPhoto.id)
        )
    )


def list_withdrawn(visit: Visit) -> list[VisitPhoto]:
    """The withdrawn photos of a visit: the page says when, by whom and why (never the photo)."""
    return list(
        db.session.scalars(
            select(VisitPhoto)
            .where(VisitPhoto.visit_id == visit.id, VisitPhoto.withdrawn_at.is_not(None))
            .order_by(VisitPhoto.id)
        )
    )


def get_place(visit: Visit) -> VisitPlace | None:
    return db.session.get(VisitPlace, visit.id)


def photos_by_visit(elder_id: int) -> dict[int, list[VisitPhoto]]:
    """An elder's photos grouped by visit (the case history shows them with their visit)."""
    found: dict[int, list[VisitPhoto]] = {}
    rows = db.session.scalars(
        select(VisitPhoto)
        .where(VisitPhoto.elder_id == elder_id, VisitPhoto.withdrawn_at.is_(None))
        .order_by(VisitPhoto.id)
    )
    for photo in rows:
        found.setdefault(photo.visit_id, []).append(photo)
    return found
