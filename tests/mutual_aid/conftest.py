"""A small programme in 金刚村 (木耳镇) for 2025, built through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from caseman.extensions import db
from caseman.mutual_aid import services
from caseman.mutual_aid.models import PairedElder, Pairing, PointRate, TeamMember
from caseman.rules.mutual_aid import PairingKind

YEAR = 2025


def member_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "role": "volunteer", "name": "刘志愿", "gender": "female", "birth_year": 1962,
        "phone": "13600001111", "address": "金刚村2组8号", "organisation": "",
        "group_id": None, "elder_id": None, "started_on": date(YEAR, 1, 5),
    }  # fmt: skip
    values.update(overrides)
    return values


def social_elder(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "elder_id": None, "name": "陈老汉", "gender": "male", "birth_year": 1941,
        "phone": "13711112222", "address": "金刚村3组12号", "has_children": True,
        "living": "couple", "is_disabled": False, "elder_type": "other",
        "latitude": None, "longitude": None, "note": "",
    }  # fmt: skip
    values.update(overrides)
    return values


@dataclass
class Programme:
    actor: Any
    village: Any
    coordinator: TeamMember
    social_worker: TeamMember
    volunteer: TeamMember
    neighbour: TeamMember
    elder: Any  # caseload elder, paired one-to-one
    unpaired: Any  # caseload elder of the village, not paired
    one_to_one: Pairing
    group: Pairing
    rate: PointRate
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def paired(self) -> PairedElder:
        return self.one_to_one.elders[0]


@pytest.fixture
def programme(areas, make_user, make_elder) -> Programme:
    village = areas["jingang"]
    actor = make_user("village", "jingang", full_name="王专干")
    elder = make_elder(name="张秀英", filed_on=date(YEAR, 1, 10))
    unpaired = make_elder(name="李桂芳", filed_on=date(YEAR, 1, 10))
    add = services.add_team_member
    coordinator = add(actor, village, member_values(role="coordinator", name="王专干",
                                                    birth_year=1978))  # fmt: skip
    social = add(actor, village, member_values(role="social_worker", name="周社工",
                                               organisation="渝北区仁爱社工服务中心"))  # fmt: skip
    volunteer = add(actor, village, member_values(name="刘志愿"))
    neighbour = add(actor, village, member_values(name="赵邻居", gender="male", birth_year=1958))
    services.add_aid_point(actor, village, {
        "kind": "centre", "name": "金刚村互助养老中心点", "address": "金刚村村委会",
        "latitude": Decimal("29.800000"), "longitude": Decimal("106.700000"),
        "functions": "休闲娱乐、精神慰藉", "opened_on": date(YEAR, 1, 5), "closed_on": None,
    })  # fmt: skip
    services.add_aid_point(actor, village, {
        "kind": "sub", "name": "金刚村2组分点", "address": "2组院坝",
        "latitude": Decimal("29.805000"), "longitude": Decimal("106.705000"),
        "functions": "志愿服务", "opened_on": date(YEAR, 2, 1), "closed_on": None,
    })  # fmt: skip
    one = services.create_pairing(
        actor, village, PairingKind.ONE_TO_ONE, date(YEAR, 2, 1), [volunteer.id],
        [social_elder(elder_id=elder.id, name="", gender=None, birth_year=None, phone="",
                      address="", has_children=False, living="alone", elder_type="dibao",
                      latitude=Decimal("29.801000"), longitude=Decimal("106.701000"))],
    )  # fmt: skip
    group = services.create_pairing(
        actor, village, PairingKind.AREA_GROUP, date(YEAR, 3, 1), [neighbour.id, volunteer.id],
        [social_elder(), social_elder(name="孙婆婆", gender="female", birth_year=1938,
                                      living="alone", latitude=Decimal("29.830000"),
                                      longitude=Decimal("106.700000"))],
        name="3组片区",
    )  # fmt: skip
    rate = services.set_rate(actor, village, "送餐入户", 5)
    db.session.commit()
    return Programme(actor, village, coordinator, social, volunteer, neighbour, elder, unpaired,
                     one, group, rate)  # fmt: skip
