"""Only active assignments widen a worker's scope (issue 16, item 5): an ended one is history and
gives nothing, in pages, in ``elder_filter`` and at the data layer (child rows too); assigning the
same worker again gives the elder back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseman import clock
from caseman.elders.models import Elder, ElderAssignment
from caseman.extensions import db
from caseman.scope import acting_as, elder_filter
from caseman.visits.models import Visit
from caseman.visits.services import new_submission_key, record_visit
from tests.visits.conftest import visit_values


def _names(worker):
    with acting_as(worker):
        return sorted(db.session.scalars(sa.select(Elder.name).where(elder_filter(worker))))


def _visits(worker):
    with acting_as(worker):  # no elder_filter: the data layer alone
        return db.session.scalar(sa.select(sa.func.count(Visit.id)))


def test_ended_assignment_no_longer_widens_scope(client, make_user, make_elder, login_as):
    worker = make_user("worker", "muer")  # a town worker: only assigned elders
    village = make_user("village", "caoping")
    elder = make_elder(area="caoping", name="外村人", filed_on=clock.today() - timedelta(days=20))
    record_visit(village, elder, visit_values(visited_on=clock.today() - timedelta(days=2)),
                 new_submission_key(), clock.today())  # fmt: skip
    start = clock.today() - timedelta(days=10)
    row = ElderAssignment(elder_id=elder.id, user_id=worker.id, started_on=start)
    db.session.add(row)
    db.session.commit()
    assert _names(worker) == ["外村人"]
    assert _visits(worker) == 1

    row.ended_on, row.end_reason = clock.today(), "调岗"
    db.session.commit()
    assert _names(worker) == []
    assert _visits(worker) == 0
    login_as(worker)
    assert client.get(f"/elders/{elder.id}").status_code == 404
    assert "外村人" not in client.get("/elders/").get_data(as_text=True)

    # Assigned again: a new row, and the elder is back.
    db.session.add(ElderAssignment(elder_id=elder.id, user_id=worker.id))
    db.session.commit()
    assert _names(worker) == ["外村人"]
    assert client.get(f"/elders/{elder.id}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(ElderAssignment.id))) == 2


def test_only_one_active_assignment_per_worker_and_elder(make_user, make_elder):
    """The partial unique index: history may repeat, the active row may not."""
    worker = make_user("worker", "jingang")
    elder = make_elder(area="jingang")
    db.session.add(ElderAssignment(elder_id=elder.id, user_id=worker.id,
                                   ended_on=clock.today(), end_reason="结束"))  # fmt: skip
    db.session.add(ElderAssignment(elder_id=elder.id, user_id=worker.id))
    db.session.commit()
    db.session.add(ElderAssignment(elder_id=elder.id, user_id=worker.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
