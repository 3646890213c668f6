"""visits_by_force counts the visits in the user's scope, whichever way the query runs: the
month's visits first for the whole district, the area's elders first for a town or village."""

from __future__ import annotations

from caseman import clock
from caseman.extensions import db
from caseman.forces.queries import visits_by_force
from caseman.rules.service_forces import ForceKind
from caseman.scope import acting_as
from caseman.visits.services import new_submission_key, record_visit
from tests.visits.conftest import visit_values


def test_each_level_counts_the_visits_in_its_own_scope(make_user, make_elder):
    today = clock.today()
    cadre = make_user("district", "district", username="district_recorder")
    here = make_elder(name="张秀英")  # 木耳镇 金刚村
    there = make_elder(area="caoping", name="钱古路")  # 古路镇
    for elder, kind in ((here, "family_doctor"), (here, None), (there, "volunteer")):
        values = visit_values(visited_on=today, visited_person_name=elder.name, force_kind=kind)
        record_visit(cadre, elder, values, new_submission_key(), today)
    db.session.commit()
    start = today.replace(day=1)
    expected = {
        ("district", "district"): {ForceKind.FAMILY_DOCTOR.value: 1, "": 1,
                                   ForceKind.VOLUNTEER.value: 1},
        ("town", "muer"): {ForceKind.FAMILY_DOCTOR.value: 1, "": 1},
        ("village", "jingang"): {ForceKind.FAMILY_DOCTOR.value: 1, "": 1},
        ("village", "caoping"): {ForceKind.VOLUNTEER.value: 1},
    }  # fmt: skip
    for (role, area), counts in expected.items():
        user = make_user(role, area)
        with acting_as(user):
            assert visits_by_force(user, start, today) == counts, (role, area)
