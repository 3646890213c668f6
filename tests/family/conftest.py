"""An elder with a family: a son working away who does not visit often (是否经常探访 = 否) and a
daughter in the same town who does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from caseman.elders.models import Elder
from tests.conftest import TODAY

SON_PHONE = "13900001111"


def family_members() -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "gender": "male", "id_number": "", "health": "健康", "is_dibao_or_poverty": False,
        "working_away_since": None, "is_deceased": False, "disability_grade": None,
        "is_only_child": False,
    }  # fmt: skip
    return [
        {**base, "name": "李强", "relation": "son", "phone": SON_PHONE, "residence": "elsewhere",
         "visits_often": False, "working_away_since": TODAY - timedelta(days=400)},
        {**base, "name": "李梅", "gender": "female", "relation": "daughter", "phone": "13900002222",
         "residence": "same_town", "visits_often": True},
    ]  # fmt: skip


@pytest.fixture
def family_elder(make_elder: Callable[..., Elder]) -> Callable[..., Elder]:
    def make(area: str = "jingang", **overrides: Any) -> Elder:
        overrides.setdefault("category_override_reason", "测试")
        overrides.setdefault("key_override_reason", "测试")
        overrides.setdefault("filed_on", TODAY - timedelta(days=200))
        return make_elder(area=area, members=family_members(), **overrides)

    return make
