"""Visit, care and campaign services: numbering, validation, double taps, versions, locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseman.elders.models import Elder
from caseman.elders.services import FormErrors, Registration, archive_elder, update_elder
from caseman.errors import DomainError, StaleEdit
from caseman.extensions import db
from caseman.rules.enums import (
    ArchiveReason,
    Category,
    FamilyChange,
    IllnessChange,
    NeedType,
    Safety,
    VisitMethod,
)
from caseman.visits.models import Campaign, CareRecord, RecordVersion, Visit
from caseman.visits.services import (
    DuplicateSubmission,
    create_campaign,
    new_submission_key,
    record_care,
    record_visit,
    update_visit,
    void_record,
)
from tests.conftest import TODAY, registration_values, row_counts
from tests.visits.conftest import care_values, visit_values

FILED = TODAY - timedelta(days=120)


def numbers(elder: Elder) -> list[int]:
    return list(
        db.session.scalars(
            select(Visit.number).where(Visit.elder_id == elder.id).order_by(Visit.number)
        )
    )


# --- numbering -------------------------------------------------------------------------------


def test_numbers_run_per_elder_and_do_not_depend_on_other_elders(make_elder, add_visit):
    first = make_elder(filed_on=FILED)
    second = make_elder(filed_on=FILED)
    add_visit(first, TODAY - timedelta(days=30))
    add_visit(second, TODAY - timedelta(days=29))
    add_visit(first, TODAY - timedelta(days=20), method=VisitMethod.PHONE)
    add_visit(first, TODAY - timedelta(days=40))  # typed late: still the next number
    add_visit(second, TODAY - timedelta(days=10))
    assert numbers(first) == [1, 2, 3]
    assert numbers(second) == [1, 2]
    late = db.session.scalar(select(Visit).where(Visit.elder_id == first.id, Visit.number == 3))
    assert late.visited_on == TODAY - timedelta(days=40)


def test_number_is_stable_after_edit_and_void_and_never_reused(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    one = add_visit(elder, TODAY - timedelta(days=30))
    two = add_visit(elder, TODAY - timedelta(days=20))
    update_visit(
        recorder,
        one,
        visit_values(visited_on=TODAY - timedelta(days=31), note="日期更正"),
        TODAY,
        one.version,
    )
    db.session.commit()
    void_record(recorder, two, "录错了老人", two.version)
    db.session.commit()
    three = add_visit(elder, TODAY - timedelta(days=5))
    db.session.expire_all()
    assert (one.number, two.number, three.number) == (1, 2, 3)
    assert db.session.get(Visit, two.id).is_void
    assert numbers(elder) == [1, 2, 3]


# --- validation: nothing is written ------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visited_on": TODAY + timedelta(days=1)}, "visited_on"),
        ({"visited_on": FILED - timedelta(days=1)}, "visited_on"),
        ({"method": VisitMethod.OTHER, "method_other": ""}, "method_other"),
        (
            {"family_change": FamilyChange.INCREASED, "family_change_count": None},
            "family_change_count",
        ),
        (
            {"family_change": FamilyChange.DECREASED, "family_change_count": 0},
            "family_change_count",
        ),
        ({"illness": IllnessChange.SERIOUS, "illness_name": ""}, "illness_name"),
        ({"needs": [NeedType.OTHER.value], "needs_note": ""}, "needs_note"),
        ({"visitor_name": ""}, "visitor_name"),
    ],
)
def test_invalid_visit_names_the_field_and_writes_nothing(make_elder, recorder, overrides, field):
    elder = make_elder(filed_on=FILED)
    before = row_counts()
    with pytest.raises(FormErrors) as exc:
        record_visit(recorder, elder, visit_values(**overrides), new_submission_key(), TODAY)
    assert set(exc.value.errors) == {field}
    db.session.flush()
    assert row_counts() == before


def test_the_same_values_pass_once_completed(make_elder, recorder):
    """The rules above refuse only the missing detail: with it, the visit is saved."""
    elder = make_elder(filed_on=FILED)
    values = visit_values(
        visited_on=FILED,  # the filing day itself is allowed
        method=VisitMethod.OTHER,
        method_other="村口偶遇",
        family_change=FamilyChange.INCREASED,
        family_change_count=2,
        illness=IllnessChange.SERIOUS,
        illness_name="脑梗死",
        needs=[NeedType.OTHER.value, NeedType.MEDICAL.value, NeedType.OTHER.value],
        needs_note="想要一台助听器",
    )
    visit = record_visit(recorder, elder, values, new_submission_key(), TODAY)
    db.session.commit()
    assert visit.number == 1
    assert visit.method_other == "村口偶遇"
    assert visit.family_change_count == 2
    assert visit.illness_name == "脑梗死"
    assert visit.needs == [NeedType.MEDICAL.value, NeedType.OTHER.value]  # sheet order, once


def test_details_of_unticked_choices_are_dropped(make_elder, recorder):
    elder = make_elder(filed_on=FILED)
    values = visit_values(
        method=VisitMethod.HOME,
        method_other="残留",
        family_change=FamilyChange.UNCHANGED,
        family_change_count=3,
        illness=IllnessChange.IMPROVED,
        illness_name="残留",
    )
    visit = record_visit(recorder, elder, values, new_submission_key(), TODAY)
    assert (visit.method_other, visit.family_change_count, visit.illness_name) == ("", None, "")


def test_archived_elder_cannot_be_visited(make_elder, recorder):
    elder = make_elder(filed_on=FILED)
    archive_elder(
        recorder,
        elder,
        ArchiveReason.DECEASED,
        TODAY - timedelta(days=3),
        "病故",
        TODAY,
        elder.version,
    )
    db.session.commit()
    before = row_counts()
    with pytest.raises(DomainError, match="archived"):
        record_visit(
            recorder,
            elder,
            visit_values(visited_on=TODAY - timedelta(days=10)),
            new_submission_key(),
            TODAY,
        )
    db.session.flush()
    assert row_counts() == before


# --- double submission ---------------------------------------------------------------------


def test_same_submission_key_twice_keeps_only_the_first(make_elder, recorder):
    elder = make_elder(filed_on=FILED)
    key = new_submission_key()
    first = record_visit(recorder, elder, visit_values(), key, TODAY)
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as exc:
        record_visit(recorder, elder, visit_values(note="第二次点击"), key, TODAY)
    assert exc.value.record_id == first.id
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Visit.id))) == 1
    assert db.session.scalar(select(Visit.note)) == ""


def test_same_submission_key_for_care_is_refused_too(make_elder, recorder):
    elder = make_elder(filed_on=FILED)
    key = new_submission_key()
    first = record_care(recorder, elder, care_values(), key, TODAY)
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as exc:
        record_care(recorder, elder, care_values(), key, TODAY)
    assert exc.value.record_id == first.id
    assert db.session.scalar(select(db.func.count(CareRecord.id))) == 1


# --- versions and optimistic locking -----------------------------------------------------


def test_update_keeps_version_one_and_adds_version_two(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=3))
    changed = visit_values(
        visited_on=TODAY - timedelta(days=3),
        gas_safety=Safety.UNSAFE,
        needs=[NeedType.SAFETY_HAZARD.value],
    )
    saved = update_visit(recorder, visit, changed, TODAY, expected_version=1)
    db.session.commit()
    versions = db.session.scalars(
        select(RecordVersion)
        .where(RecordVersion.record_type == "visit", RecordVersion.record_id == visit.id)
        .order_by(RecordVersion.number)
    ).all()
    assert [(v.number, v.kind) for v in versions] == [(1, "created"), (2, "edited")]
    assert saved is versions[1]
    assert versions[0].snapshot["gas_safety"] == "safe"
    assert versions[0].snapshot["needs"] == []
    assert versions[1].snapshot["gas_safety"] == "unsafe"
    assert versions[1].changed_fields == ["gas_safety", "needs"]
    assert visit.version == 2
    assert visit.number == 1


def test_stale_version_is_refused_and_changes_nothing(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=3))
    update_visit(
        recorder,
        visit,
        visit_values(visited_on=TODAY - timedelta(days=3), note="甲"),
        TODAY,
        expected_version=1,
    )
    db.session.commit()
    with pytest.raises(StaleEdit) as exc:
        update_visit(
            recorder,
            visit,
            visit_values(visited_on=TODAY - timedelta(days=3), note="乙"),
            TODAY,
            expected_version=1,
        )
    assert exc.value.current_version == 2
    db.session.rollback()
    assert db.session.get(Visit, visit.id).note == "甲"
    with pytest.raises(StaleEdit):
        void_record(recorder, visit, "录错", expected_version=None)


def test_void_needs_a_reason_and_is_final(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=3))
    with pytest.raises(DomainError) as exc:
        void_record(recorder, visit, "  ", visit.version)
    assert exc.value.field == "reason"
    void_record(recorder, visit, "录错了老人", visit.version)
    db.session.commit()
    assert visit.void_reason == "录错了老人"
    with pytest.raises(DomainError):
        update_visit(
            recorder,
            visit,
            visit_values(visited_on=TODAY - timedelta(days=3)),
            TODAY,
            visit.version,
        )
    kinds = db.session.scalars(
        select(RecordVersion.kind)
        .where(RecordVersion.record_type == "visit", RecordVersion.record_id == visit.id)
        .order_by(RecordVersion.number)
    ).all()
    assert kinds == ["created", "voided"]


# --- care ------------------------------------------------------------------------------------


def test_care_answers_a_visit_and_is_numbered(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=6), needs=[NeedType.MEDICAL.value])
    care = record_care(
        recorder,
        elder,
        care_values(visit_id=visit.id, need=NeedType.MEDICAL, cared_on=TODAY - timedelta(days=2)),
        new_submission_key(),
        TODAY,
    )
    db.session.commit()
    assert care.number == 1
    assert [c.id for c in visit.care_records] == [care.id]


def test_care_without_what_was_done_is_refused(make_elder, recorder):
    elder = make_elder(filed_on=FILED)
    before = row_counts()
    with pytest.raises(FormErrors) as exc:
        record_care(recorder, elder, care_values(what_was_done=""), new_submission_key(), TODAY)
    assert set(exc.value.errors) == {"what_was_done"}
    assert row_counts() == before


def test_care_linked_to_another_elders_visit_is_refused(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    other = make_elder(filed_on=FILED)
    theirs = add_visit(other, TODAY - timedelta(days=5))
    before = row_counts()
    with pytest.raises(FormErrors) as exc:
        record_care(recorder, elder, care_values(visit_id=theirs.id), new_submission_key(), TODAY)
    assert set(exc.value.errors) == {"visit_id"}
    assert row_counts() == before


def test_care_linked_to_a_voided_visit_is_refused(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=5))
    void_record(recorder, visit, "录错", visit.version)
    db.session.commit()
    with pytest.raises(FormErrors) as exc:
        record_care(recorder, elder, care_values(visit_id=visit.id), new_submission_key(), TODAY)
    assert set(exc.value.errors) == {"visit_id"}


def test_care_before_its_visit_is_refused(make_elder, add_visit, recorder):
    elder = make_elder(filed_on=FILED)
    visit = add_visit(elder, TODAY - timedelta(days=5))
    before = row_counts()
    with pytest.raises(FormErrors) as exc:
        record_care(
            recorder,
            elder,
            care_values(visit_id=visit.id, cared_on=TODAY - timedelta(days=6)),
            new_submission_key(),
            TODAY,
        )
    assert set(exc.value.errors) == {"cared_on"}
    assert row_counts() == before


# --- campaigns -------------------------------------------------------------------------------


def campaign_values(areas, **overrides):
    values = {
        "name": "寒潮天气探访",
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=7),
        "area_id": areas["muer"].id,
        "categories": [],
        "key_only": False,
        "home_visit_only": True,
        "note": "",
    }
    values.update(overrides)
    return values


def test_campaign_end_before_start_is_refused(areas, make_user):
    town = make_user("town", "muer")
    with pytest.raises(FormErrors) as exc:
        create_campaign(town, campaign_values(areas, ends_on=TODAY - timedelta(days=1)), TODAY)
    assert set(exc.value.errors) == {"ends_on"}
    assert db.session.scalar(select(db.func.count(Campaign.id))) == 0


def test_campaign_is_created(areas, make_user):
    town = make_user("town", "muer")
    campaign = create_campaign(town, campaign_values(areas, categories=["living_alone"]), TODAY)
    db.session.commit()
    assert campaign.id is not None
    assert campaign.created_by_id == town.id
    assert campaign.categories == ["living_alone"]


# --- key/general changes feed the visit schedule ---------------------------------------------


def test_key_to_general_change_is_remembered(areas, make_elder, make_user):
    elder = make_elder(filed_on=FILED)
    assert elder.is_key
    assert elder.key_changed_on is None
    actor = make_user("village", "jingang")
    values = registration_values(
        areas["jingang"],
        id_number=elder.id_number,
        filed_on=FILED,
        is_key=False,
        key_override_reason="子女已回村照料",
    )
    update_elder(
        actor, elder, Registration(values, [], {Category.LIVING_ALONE}), TODAY, elder.version
    )
    db.session.commit()
    assert elder.is_key is False
    assert elder.key_changed_on == TODAY
    assert elder.was_key is True


# --- two requests at once ----------------------------------------------------------------------


def test_number_taken_meanwhile_is_retried_with_the_next_one(
    make_elder, add_visit, recorder, monkeypatch
):
    """Another request saved visit no. 1 between reading the highest number and inserting."""
    from caseman.visits import services

    elder = make_elder(filed_on=FILED)
    add_visit(elder, TODAY - timedelta(days=9))
    real = services._next_number
    calls = []

    def stale_first(model, elder_id):
        calls.append(model)
        return 1 if len(calls) == 1 else real(model, elder_id)

    monkeypatch.setattr(services, "_next_number", stale_first)
    visit = record_visit(recorder, elder, visit_values(), new_submission_key(), TODAY)
    db.session.commit()
    assert len(calls) == 2
    assert visit.number == 2
    assert numbers(elder) == [1, 2]
    versions = db.session.scalars(
        select(RecordVersion.record_id).where(RecordVersion.record_type == "visit")
    ).all()
    assert sorted(versions) == sorted(db.session.scalars(select(Visit.id)).all())


def test_same_key_saved_meanwhile_is_a_duplicate_not_an_error(make_elder, recorder, monkeypatch):
    """The double tap's two requests both passed the first check: the insert finds the first."""
    from caseman.visits import services

    elder = make_elder(filed_on=FILED)
    key = new_submission_key()
    first = record_visit(recorder, elder, visit_values(), key, TODAY)
    db.session.commit()
    real = services._existing
    calls = []

    def missed_first(model, submission_key):
        calls.append(submission_key)
        return None if len(calls) == 1 else real(model, submission_key)

    monkeypatch.setattr(services, "_existing", missed_first)
    with pytest.raises(DuplicateSubmission) as exc:
        record_visit(recorder, elder, visit_values(note="第二次"), key, TODAY)
    assert exc.value.record_id == first.id
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Visit.id))) == 1
