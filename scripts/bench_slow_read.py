"""What a slow request costs other users on SQLite (issue 23 item 1).

A fresh SQLite file gets a village of ``--elders`` elders (all due for a visit) and, in another
town, a second user with one elder. A separate process (as a second gunicorn worker would be)
then prints the village's field sheets (附件3 现场记录) in the way chosen by ``--mode``:

- ``request``: one synchronous GET of /visits/field-sheets.pdf (the limit raised so that it is
  not sent to the background): what freezed the site before, when a request held the write lock
  from its first statement to its end;
- ``job``: the background job the page now starts above CASEMAN_PRINT_NOW_LIMIT.

Meanwhile this process, as the other town's user, opens the case file (GET) and posts a follow-up
(POST) every half second for ``--seconds``; it prints their times (median, 95th percentile, max)
beside the same figures measured with nothing else running, and how far the printing got.

    PYTHONPATH=. .venv/bin/python scripts/bench_slow_read.py [--elders 2000] [--seconds 30]

The machine is shared: the load average printed with the figures says whether other work ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess  # nosec B404 - runs this script again as a second worker
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from caseman import clock, create_app
from caseman.areas.models import AreaLevel
from caseman.areas.services import create_area
from caseman.auth.models import Role
from caseman.auth.services import create_user
from caseman.elders.services import Registration, register_elder
from caseman.extensions import db
from caseman.referrals.services import raise_referral
from caseman.rules.enums import Category, Gender
from caseman.rules.id_number import make_id_number
from caseman.scope import system_access

PASSWORD = "bench-pass-2024"  # noqa: S105  # nosec B105 (the bench's own throwaway users)
SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = ["秀英", "桂兰", "德明", "建国", "玉珍", "淑芬", "志强", "文华"]


def _app(path: Path, **config: Any) -> Any:
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",  # nosec B105
                       "CASEMAN_UPLOADS": str(path.parent / "uploads"), **config})  # fmt: skip


def _values(area_id: int, k: int, filed: Any) -> dict[str, Any]:
    birth = filed.replace(year=filed.year - 85, month=1, day=1) + timedelta(days=k % 1500)
    gender = Gender.FEMALE if k % 2 else Gender.MALE
    return {
        "name": SURNAMES[k % 10] + GIVEN[k // 10 % 8], "gender": gender.value,
        "id_number": make_id_number("500112", birth, 10 + 2 * (k // 1500), gender),
        "phone": "13812345678", "emergency_name": "李强", "emergency_gender": "male",
        "emergency_phone": "13987654321", "household_area_id": area_id,
        "household_address": f"{1 + k % 9}组{k}号", "residence_area_id": area_id,
        "residence_address": f"{1 + k % 9}组{k}号", "is_rural_hukou": True,
        "ability_level": "intact", "medical_history": "", "has_serious_illness": False,
        "is_extreme_poverty": False, "is_dibao": False, "is_dibao_edge": False,
        "monthly_income": None, "income_sources": "养老金", "disability_certificate_no": "",
        "disability_grade": None, "other_reason": "", "category_override_reason": "基准测试",
        "is_key": True, "key_override_reason": "基准测试", "water_safe": True,
        "electricity_safe": True, "housing_safe": True, "household_monthly_income": None,
        "has_pension": True, "pension_monthly": None, "subsidy_monthly": None,
        "subsidy_items": "", "support_units": ["town_village"], "support_person": "王芳",
        "support_measures": "每月上门", "filed_on": filed, "responsible_person": "王芳",
        "responsible_phone": "13500000000",
    }  # fmt: skip


def build(path: Path, elders: int) -> dict[str, int]:
    app = _app(path)
    today = clock.today()
    filed = today - timedelta(days=100)
    with app.app_context(), system_access("bench", record=False):
        db.create_all()
        district = create_area("渝北区", AreaLevel.DISTRICT, code="500112")
        town = create_area("木耳镇", AreaLevel.TOWN, district)
        village = create_area("金刚村", AreaLevel.VILLAGE, town)
        other_town = create_area("古路镇", AreaLevel.TOWN, district)
        other_village = create_area("古路村", AreaLevel.VILLAGE, other_town)
        registrar = create_user("registrar", PASSWORD, Role.DISTRICT, district, full_name="区")
        create_user("printer", PASSWORD, Role.VILLAGE, village, full_name="王芳")
        other = create_user("other", PASSWORD, Role.VILLAGE, other_village, full_name="李强")
        for k in range(elders):
            reg = Registration(_values(village.id, k, filed), [], {Category.LIVING_ALONE})
            register_elder(registrar, reg, today)
            if k % 500 == 499:
                db.session.commit()
        mine = register_elder(
            registrar,
            Registration(_values(other_village.id, elders, filed), [], {Category.LIVING_ALONE}),
            today,
        )
        values = {"need": "rehabilitation", "description": "康复训练", "visit_id": None,
                  "owner_id": None, "follow_up_on": None, "benefit": None}  # fmt: skip
        referral = raise_referral(other, mine, values, "bench-referral", today)
        db.session.commit()
        ids = {"village": village.id, "elder": mine.id, "referral": referral.id}
        db.engine.dispose()
    return ids


def _login(app: Any, username: str) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def print_sheets(path: Path, village: int, mode: str) -> None:
    """The second worker: print the village's field sheets, then say how long it took."""
    limit = 10**6 if mode == "request" else 1
    app = _app(path, CASEMAN_PRINT_NOW_LIMIT=limit)
    with app.app_context():
        client = _login(app, "printer")
        started = time.monotonic()
        response = client.get(f"/visits/field-sheets.pdf?village={village}")
        print(f"printer: {mode} answered {response.status_code} in "
              f"{time.monotonic() - started:.1f} s", flush=True)  # fmt: skip


def _figures(times: list[float]) -> str:
    if not times:
        return "no sample"
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"median {statistics.median(ordered) * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   "
            f"max {ordered[-1] * 1000:7.0f} ms   ({len(ordered)} requests)")  # fmt: skip


def sample(app: Any, ids: dict[str, int], seconds: float) -> tuple[list[float], list[float]]:
    """The other town's user: open the case file and post a follow-up, every half second."""
    reads: list[float] = []
    writes: list[float] = []
    with app.app_context():
        client = _login(app, "other")
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            page = client.get(f"/elders/{ids['elder']}")
            reads.append(time.monotonic() - started)
            assert page.status_code == 200, page.status_code
            number += 1
            started = time.monotonic()
            posted = client.post(
                f"/referrals/{ids['referral']}/follow-ups",
                data={"followed_on": clock.today().isoformat(), "method": "phone",
                      "findings": f"第{number}次电话回访", "next_follow_up_on": ""},
            )  # fmt: skip
            writes.append(time.monotonic() - started)
            assert posted.status_code in (200, 302), posted.status_code
            time.sleep(0.5)
    return reads, writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elders", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--mode", choices=("request", "job", "both"), default="both")
    parser.add_argument(
        "--print-sheets", nargs=2, metavar=("DB", "VILLAGE"), help=argparse.SUPPRESS
    )
    parser.add_argument("--how", default="request", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.print_sheets:
        print_sheets(Path(args.print_sheets[0]), int(args.print_sheets[1]), args.how)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-slow-read-"))
    path = folder / "bench.sqlite3"
    started = time.monotonic()
    ids = build(path, args.elders)
    print(f"built {args.elders} elders in {time.monotonic() - started:.0f} s ({path})")
    app = _app(path)
    reads, writes = sample(app, ids, min(args.seconds, 10))
    print(f"alone            case file {_figures(reads)}")
    print(f"                 follow-up {_figures(writes)}")
    modes = ("request", "job") if args.mode == "both" else (args.mode,)
    for mode in modes:
        env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", ".")}
        printer = subprocess.Popen(  # noqa: S603  # nosec B603 (this script, its own arguments)
            [sys.executable, __file__, "--print-sheets", str(path), str(ids["village"]),
             "--how", mode], env=env,
        )  # fmt: skip
        time.sleep(3)  # the printer has logged in and is laying out
        reads, writes = sample(app, ids, args.seconds)
        finished = printer.poll() is not None
        print(f"{mode:<8} printing case file {_figures(reads)}")
        print(f"                 follow-up {_figures(writes)}")
        print(f"                 (printing {'finished' if finished else 'still running'} "
              f"when sampling ended)")  # fmt: skip
        if not finished:
            printer.kill()
        printer.wait()
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
