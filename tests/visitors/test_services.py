"""The assignment services' rules: who, which elders, which dates (flush only, audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseman import clock
from caseman.elders.services import archive_elder
from caseman.errors import DomainError
from caseman.extensions import db
from caseman.rules.enums import ArchiveReason
from caseman.visitors.services import assign_visitor, end_assignment


def test_archived_elders_cannot_be_assigned(make_user, make_elder):
    today = clock.today()
    staff = make_user("village", "jingang")
    worker = make_user("worker", "jingang")
    elder = make_elder(area="jingang", name="已归档", filed_on=today - timedelta(days=30))
    archive_elder(staff, elder, ArchiveReason.MOVED_AWAY, today, "迁出", today, elder.version)
    db.session.commit()
    with pytest.raises(DomainError, match="archived"):
        assign_visitor(staff, [elder], worker, today, today)


def test_dates_and_roles(make_user, make_elder):
    today = clock.today()
    staff = make_user("town", "muer")
    worker = make_user("worker", "jingang")
    other_worker = make_user("worker", "jingang")
    elder = make_elder(area="jingang")
    with pytest.raises(DomainError, match="later than today"):
        assign_visitor(staff, [elder], worker, today + timedelta(days=1), today)
    with pytest.raises(DomainError, match="Only village, town and district staff"):
        assign_visitor(other_worker, [elder], worker, today, today)
    with pytest.raises(DomainError, match="active worker"):
        assign_visitor(staff, [elder], staff, today, today)  # not a worker
    (row,) = assign_visitor(staff, [elder], worker, today - timedelta(days=5), today)
    with pytest.raises(DomainError, match="before the start"):
        end_assignment(staff, row, today - timedelta(days=6), "调岗", today)
    with pytest.raises(DomainError, match="Say why"):
        end_assignment(staff, row, today, "  ", today)
    end_assignment(staff, row, today - timedelta(days=1), "调岗", today)
    assert row.ended_on == today - timedelta(days=1)
    assert row.ended_by_id == staff.id
    with pytest.raises(DomainError, match="already ended"):
        end_assignment(staff, row, today, "再次", today)


def test_the_elders_area_decides_who_may_end(make_user, make_elder):
    """An old assignment to another town's worker can be ended by the elder's town, not theirs."""
    from caseman.elders.models import ElderAssignment

    today = clock.today()
    muer_staff = make_user("town", "muer")
    gulu_staff = make_user("town", "gulu")
    gulu_worker = make_user("worker", "caoping")
    elder = make_elder(area="jingang")
    row = ElderAssignment(elder_id=elder.id, user_id=gulu_worker.id, started_on=today)
    db.session.add(row)
    db.session.flush()
    with pytest.raises(DomainError, match="outside your area"):
        end_assignment(gulu_staff, row, today, "不是本镇的", today)
    end_assignment(muer_staff, row, today, "跨镇指派有误", today)
    assert row.ended_by_id == muer_staff.id
