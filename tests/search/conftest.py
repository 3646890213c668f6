"""Search fixtures: the referral tests' people (木耳镇 staff, 古路镇 staff, a 金刚村 cadre) and
services, and a small cast of elders in and out of 木耳镇."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from caseman.elders.models import Elder
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number
from tests.conftest import TODAY
from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    add_referral,
    add_risk,
    add_visit,
    cadre,
    other_town_user,
    town_user,
)


def id_number(serial: int) -> str:
    return make_id_number("500112", date(TODAY.year - 80, 6, 1), serial, Gender.MALE)


@pytest.fixture
def cast(make_elder: Callable[..., Elder]) -> dict[str, Elder]:
    """木耳镇: 张三丰, 单田芳, 曾国藩, 王五; 古路镇 (out of 木耳镇's scope): 张三, 单田."""
    people = {}
    for key, name, area, serial, phone in [
        ("zhang", "张三丰", "jingang", 101, "13800001111"),
        ("shan", "单田芳", "jingang", 102, "13800002222"),
        ("zeng", "曾国藩", "baiyan", 103, "13800003333"),
        ("wang", "王五", "baiyan", 104, "13800004444"),
        ("far_zhang", "张三", "caoping", 105, "13900001111"),
        ("far_shan", "单田", "caoping", 106, "13900002222"),
    ]:
        people[key] = make_elder(area=area, name=name, gender="male", id_number=id_number(serial),
                                 phone=phone, emergency_phone="",
                                 filed_on=TODAY - timedelta(days=120))  # fmt: skip
    return people
