"""Likely duplicates at registration (issue 20 item 4, requirements row 7).

Before, only the very same ID number was refused: a one-digit typo of the same person's number
was saved as a new case. Now the registration page warns of likely duplicates in the whole
district (near ID number; same name or same pinyin with the same birth date), naming only the
town for a case out of the user's scope; the user confirms with a reason (audited) or stops.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from stdnum.cn import ric

from caseman.audit import AuditEvent
from caseman.elders.duplicates import find_likely_duplicates
from caseman.elders.models import Elder, ElderVersion
from caseman.extensions import db
from caseman.rules.duplicates import DuplicateReason
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.conftest import TODAY
from tests.elders.test_views import form_data

BORN = date(TODAY.year - 85, 6, 1)
EXISTING = make_id_number("500112", BORN, 20, Gender.MALE)


def typo_of(number: str, position: int = 15) -> str:
    """The same number with one digit changed and a fresh (valid) check character."""
    digit = "9" if number[position] != "9" else "8"
    body = number[:position] + digit + number[position + 1 : 17]
    return body + ric.calc_check_digit(body + "0")


def count_elders() -> int:
    return db.session.scalar(select(func.count()).select_from(Elder))


def post_new(client, areas, **overrides):
    return client.post("/elders/new", data=form_data(areas, **overrides))


def test_one_digit_typo_of_an_existing_id_warns(client, areas, make_user, make_elder, login_as):
    existing = make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    typed = typo_of(EXISTING)
    response = post_new(client, areas, name="王达山", id_number=typed)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "可能是同一人" in text
    assert f"/elders/{existing.id}" in text  # in scope: a link to the case file …
    assert EXISTING not in text  # … with the ID number masked
    assert EXISTING[:4] + "**********" + EXISTING[-4:] in text
    assert "王达山" in text  # the typed input is kept
    assert typed in text
    assert count_elders() == 1


def test_same_name_and_birth_date_warns(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    other = make_id_number("500113", BORN, 3, Gender.MALE)  # far from EXISTING
    response = post_new(client, areas, name="王大山", id_number=other)
    assert response.status_code == 200
    assert count_elders() == 1
    found = find_likely_duplicates(make_user("district", "district"), "王大山", BORN, other)
    assert [d.reasons for d in found] == [(DuplicateReason.SAME_NAME_BIRTH,)]


def test_same_pinyin_other_characters_and_birth_date_warns(
    client, areas, make_user, make_elder, login_as
):
    existing = make_elder(name="张三丰", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    other = make_id_number("500113", BORN, 3, Gender.MALE)
    response = post_new(client, areas, name="章三峰", id_number=other)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/elders/{existing.id}" in text
    assert count_elders() == 1


def test_no_warning_for_another_person(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    other = make_id_number("500113", date(TODAY.year - 85, 1, 2), 3, Gender.MALE)
    response = post_new(client, areas, name="王大山", id_number=other)
    assert response.status_code == 302
    assert count_elders() == 2


def test_out_of_scope_candidate_names_only_the_town(client, areas, make_user, make_elder, login_as):
    existing = make_elder(area="caoping", name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    response = post_new(client, areas, name="王大山", id_number=typo_of(EXISTING))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "古路镇已有一位可能相同的老人" in text
    assert f"/elders/{existing.id}" not in text
    assert EXISTING[-4:] not in text
    assert "草坪村" not in text
    assert count_elders() == 1


def test_confirmation_saves_and_is_audited(client, areas, make_user, make_elder, login_as):
    existing = make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    typed = typo_of(EXISTING)
    page = post_new(client, areas, id_number=typed).get_data(as_text=True)
    token = re.search(r'name="not_duplicate_token" type="hidden" value="([0-9a-f]+)"', page)
    assert token, page
    data = form_data(areas, id_number=typed, not_duplicate_token=token.group(1))
    del data["save"]
    data["confirm_not_duplicate"] = "1"
    # Without a reason: still refused, the reason asked for beside its field.
    response = client.post("/elders/new", data=data)
    assert response.status_code == 200
    assert count_elders() == 1
    data["not_duplicate_reason"] = "核对身份证原件，是两个人"
    response = client.post("/elders/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    new = db.session.scalar(select(Elder).where(Elder.id_number == typed))
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "confirm_not_duplicate", AuditEvent.elder_id == new.id
        )
    )
    assert event is not None
    assert str(existing.id) in event.detail
    assert "核对身份证原件" in event.detail
    version = db.session.scalar(select(ElderVersion).where(ElderVersion.elder_id == new.id))
    assert "核对身份证原件" in version.note


def test_a_confirmation_covers_only_the_cases_shown(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    data = form_data(
        areas,
        id_number=typo_of(EXISTING),
        not_duplicate_token="0" * 32,
        not_duplicate_reason="不是同一人",
        confirm_not_duplicate="1",
    )
    del data["save"]
    assert client.post("/elders/new", data=data).status_code == 200
    assert count_elders() == 1


def test_exact_id_stays_a_hard_refusal(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    login_as(make_user("village", "jingang"))
    data = form_data(
        areas, id_number=EXISTING, not_duplicate_reason="不是同一人", confirm_not_duplicate="1"
    )
    text = client.post("/elders/new", data=data).get_data(as_text=True)
    assert "已有" in text
    assert count_elders() == 1


def test_edit_warns_only_when_name_or_id_changes(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    other = make_elder(
        name="李四", gender="male", id_number=make_id_number("500113", BORN, 3, Gender.MALE)
    )
    login_as(make_user("town", "muer"))
    page = client.get(f"/elders/{other.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = form_data(areas, name="李四", id_number=other.id_number, version=version)
    assert client.post(f"/elders/{other.id}/edit", data=data).status_code == 302
    data = form_data(areas, name="王大山", id_number=other.id_number, version=str(other.version))
    db.session.refresh(other)
    data["version"] = str(other.version)
    response = client.post(f"/elders/{other.id}/edit", data=data)
    assert response.status_code == 400
    assert "王大山" in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.name == "李四"


def test_town_staff_merge_two_case_files_keeping_both_histories(
    client, areas, make_user, make_elder, login_as
):
    from caseman.elders.models import ElderMerge
    from caseman.visits.models import Visit

    kept = make_elder(name="王大山", gender="male", id_number=EXISTING)
    typed = typo_of(EXISTING)
    duplicate = make_elder(name="王大山", gender="male", id_number=typed)
    login_as(make_user("town", "muer"))
    page = client.get(f"/elders/{duplicate.id}/merge").get_data(as_text=True)
    assert f'value="{kept.id}"' in page
    # The note is required; nothing changes without it.
    data = {"kept_id": str(kept.id), "version": str(duplicate.version), "note": ""}
    assert client.post(f"/elders/{duplicate.id}/merge", data=data).status_code == 200
    data["note"] = "同一人，身份证号码录错一位"
    response = client.post(f"/elders/{duplicate.id}/merge", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/elders/{kept.id}")
    db.session.expire_all()
    assert duplicate.is_archived
    assert f"已合并至档案{kept.id}" in duplicate.archive_note
    assert db.session.scalar(select(ElderMerge)).kept_id == kept.id
    assert count_elders() == 2  # nothing deleted
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "merge", AuditEvent.elder_id == kept.id)
    )
    assert db.session.scalar(
        select(ElderVersion).where(ElderVersion.elder_id == kept.id, ElderVersion.kind == "merged")
    )
    text = client.get(f"/elders/{kept.id}").get_data(as_text=True)
    assert f"/elders/{duplicate.id}" in text  # the merged case file, linked …
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    text = client.get(f"/elders/{duplicate.id}").get_data(as_text=True)
    assert f"/elders/{kept.id}" in text  # … and the way back


def test_merged_visits_show_on_the_kept_case_file(client, areas, make_user, make_elder, login_as):
    from caseman.elders.merging import merge_elders
    from caseman.visits.services import new_submission_key, record_visit
    from tests.visits.conftest import visit_values

    kept = make_elder(name="王大山", gender="male", id_number=EXISTING)
    duplicate = make_elder(name="王大山", gender="male", id_number=typo_of(EXISTING))
    cadre = make_user("village", "jingang", full_name="王芳")
    visit = record_visit(
        cadre, duplicate, visit_values(visited_on=TODAY), new_submission_key(), TODAY
    )
    db.session.commit()
    town = make_user("town", "muer")
    merge_elders(town, duplicate, kept, "同一人", TODAY, duplicate.version)
    db.session.commit()
    login_as(town)
    text = client.get(f"/elders/{kept.id}").get_data(as_text=True)
    assert f"/visits/{visit.id}" in text
    assert visit.elder_id == duplicate.id  # linked, not moved: nothing rewritten


def test_village_staff_cannot_merge(client, areas, make_user, make_elder, login_as):
    make_elder(name="王大山", gender="male", id_number=EXISTING)
    duplicate = make_elder(name="王大山", gender="male", id_number=typo_of(EXISTING))
    login_as(make_user("village", "jingang"))
    assert client.get(f"/elders/{duplicate.id}/merge").status_code == 404  # as out of scope


def test_another_towns_staff_get_404_on_merge(client, areas, make_user, make_elder, login_as):
    duplicate = make_elder(name="王大山", gender="male", id_number=typo_of(EXISTING))
    login_as(make_user("town", "gulu"))
    assert client.get(f"/elders/{duplicate.id}/merge").status_code == 404
    data = {"kept_id": "1", "version": "1", "note": "同一人"}
    assert client.post(f"/elders/{duplicate.id}/merge", data=data).status_code == 404
