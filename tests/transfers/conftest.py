"""People and a case for the transfer tests: 金刚村 (木耳镇) hands an elder to 草坪村 (古路镇)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest

from caseman.auth.models import User
from caseman.elders.models import Elder
from caseman.extensions import db
from caseman.transfers.models import Transfer
from caseman.transfers.services import start_transfer
from tests.conftest import TODAY

FILED = TODAY - timedelta(days=200)


@pytest.fixture
def people(make_user: Callable[..., User]) -> SimpleNamespace:
    return SimpleNamespace(
        jingang=make_user("village", "jingang", username="jingang_staff", full_name="王芳"),
        baiyan=make_user("village", "baiyan", username="baiyan_staff", full_name="白岩"),
        caoping=make_user("village", "caoping", username="caoping_staff", full_name="草坪"),
        muer=make_user("town", "muer", username="muer_staff", full_name="刘镇"),
        gulu=make_user("town", "gulu", username="gulu_staff", full_name="陈古"),
        district=make_user("district", "district", username="district_staff", full_name="区局"),
        old_worker=make_user("worker", "jingang", username="old_worker", full_name="老探访员"),
        new_worker=make_user("worker", "caoping", username="new_worker", full_name="新探访员"),
    )


@pytest.fixture
def case(make_elder: Callable[..., Elder]) -> Elder:
    return make_elder(name="张秀英", filed_on=FILED)


@pytest.fixture
def ask(areas, people) -> Callable[..., Transfer]:
    """金刚村's staff ask ``to`` (草坪村) to take ``elder`` on; committed."""

    def ask(elder: Elder, to: str = "caoping", actor: User | None = None) -> Transfer:
        transfer = start_transfer(actor or people.jingang, elder, areas[to], "草坪村5组8号",
                                  "随女儿迁居")  # fmt: skip
        db.session.commit()
        return transfer

    return ask
