"""Time a 附件1 ledger import of 20,000 rows: reading, the check (preview) and the import.

A fresh database (a temporary SQLite file, or ``--database-url`` for PostgreSQL: its tables are
dropped and created) gets a district, one town with ``--villages`` villages and a town user;
a workbook in the 附件1 layout (two merged header rows) is written with openpyxl; then the three
phases run as the background jobs run them (no request) and each prints its wall time and the
process's peak resident memory so far (ru_maxrss). The import phase commits once.

    PYTHONPATH=. /work/main/.venv/bin/python scripts/bench_import.py [--rows 20000]

The machine is shared: the load average printed with the figures says whether other work ran.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from caseman import clock, create_app, scope
from caseman.areas.models import AreaLevel
from caseman.areas.services import create_area
from caseman.auth.models import Role
from caseman.auth.services import create_user
from caseman.extensions import db
from caseman.imports.services import check_upload, import_upload, save_upload
from caseman.rules.enums import Gender
from caseman.rules.id_number import make_id_number

TOP = ["序号", "姓名", "性别", "常住地址", "身份证号码", "电话", "亲属情况", None, None,
       "对象类型", "责任主体", None, None, None, "上门探访次数", "解决问题数量"]  # fmt: skip
SUB = [None, None, None, None, None, None, "姓名", "亲属关系", "电话", None, "责任镇街",
       "责任村（社区）", "责任人", "责任人电话", None, None]  # fmt: skip
SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = ["秀英", "桂兰", "德明", "建国", "玉珍", "淑芬", "志强", "文华"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def workbook(rows: int, villages: int, today: date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["渝北区特殊困难老年人关爱服务信息台帐"])
    sheet.append(["填表单位：（盖章）  主要领导审核：      填报人：        填表日期："])
    sheet.append(TOP)
    sheet.append(SUB)
    for k in range(rows):
        gender = Gender.FEMALE if k % 2 else Gender.MALE
        # Distinct numbers: 1,680 birth dates (the cycle of k % 30, k % 12, k // 12 % 28), then
        # the next sequence code.
        birth = date(today.year - 65 - k % 30, 1 + k % 12, 1 + (k // 12) % 28)
        number = make_id_number("500112", birth, (k // 1680) % 500, gender)
        name = SURNAMES[k % 10] + GIVEN[k % 8]
        sheet.append([k + 1, name, "女" if gender == Gender.FEMALE else "男", f"{k % 9 + 1}组{k}号",
                      number, f"138{k:08d}", "李强", "儿子", f"139{k:08d}",
                      "独居" if k % 3 else "空巢、失能", "木耳镇", f"村{k % villages:02d}",
                      "王芳", "13500000000", 0, 0])  # fmt: skip
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--villages", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEMAN_UPLOADS": str(scratch)})
    today = clock.today()
    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}")
    print(f"database: {url.split('@')[-1]}  rows: {args.rows}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        district = create_area("渝北区", AreaLevel.DISTRICT, code="500112")
        town_area = create_area("木耳镇", AreaLevel.TOWN, district)
        for k in range(args.villages):
            create_area(f"村{k:02d}", AreaLevel.VILLAGE, town_area)
        user = create_user("bench", "bench-pass-2024", Role.TOWN, town_area)
        db.session.commit()
        acting = scope.acting_as(user)  # as the background job runs it: the user's scope
        acting.__enter__()
        started = time.perf_counter()
        content = workbook(args.rows, args.villages, today)
        print(
            f"write workbook   {time.perf_counter() - started:7.1f} s  "
            f"{len(content) / 2**20:5.1f} MB file   peak RSS {peak_mb():6.0f} MB"
        )
        started = time.perf_counter()
        upload = save_upload(user, "bench.xlsx", content)
        del content
        print(
            f"read + store     {time.perf_counter() - started:7.1f} s  "
            f"{len(upload.rows):6d} rows     peak RSS {peak_mb():6.0f} MB"
        )
        started = time.perf_counter()
        preview = check_upload(user, upload, {}, today)
        print(
            f"check (preview)  {time.perf_counter() - started:7.1f} s  "
            f"{preview['counts']}   peak RSS {peak_mb():6.0f} MB"
        )
        started = time.perf_counter()
        outcome = import_upload(user, upload, today)
        db.session.commit()
        print(
            f"import + commit  {time.perf_counter() - started:7.1f} s  "
            f"new={outcome.new} rejected={outcome.rejected}   peak RSS {peak_mb():6.0f} MB"
        )
        started = time.perf_counter()
        again = check_upload(user, upload, {}, today)
        print(
            f"re-check         {time.perf_counter() - started:7.1f} s  "
            f"{again['counts']}   peak RSS {peak_mb():6.0f} MB"
        )
        acting.__exit__(None, None, None)
        db.session.remove()  # end the check's transaction: DROP TABLE would wait for it
        if args.database_url:
            db.drop_all()
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
