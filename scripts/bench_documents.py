"""Time the document writers: render_docx and render_pdf of each document, warm.

Each document is built once, rendered once untimed (the "first" column: WeasyPrint's import and
font loading land there), then rendered ``--runs`` times; min / median / max are in milliseconds.
The renders run inside an application context (the PDF template needs one), on the database of
``DATABASE_URL`` (``--database-url`` overrides), so builders may read real data.

    PYTHONPATH=. .venv/bin/python scripts/bench_documents.py [--runs 10] [--only NAME ...]
        [--batch 200]

To add a document, add one line to ``DOCUMENTS``: a name and a function (called inside the app
context) that returns a :class:`caseman.documents.layout.Document`.

The machine is shared: the load average printed with the figures says whether other work ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess  # runs pdfinfo with fixed arguments, no shell # nosec B404
import sys
import tempfile
import time
from collections.abc import Callable

from caseman import clock, create_app
from caseman.documents.docx_writer import render_docx
from caseman.documents.layout import Document
from caseman.documents.pdf_writer import render_pdf
from caseman.scope import system_access
from tests.documents.test_writers import sample_document


def _registration() -> dict:
    """A full 附件2 snapshot with five family members (no database needed)."""
    member = {"name": "李强", "gender": "male", "id_number": "500112197001011234",
              "relation": "son", "health": "健康", "is_dibao_or_poverty": False,
              "visits_often": True}  # fmt: skip
    return {
        "name": "张秀英", "gender": "female", "id_number": "500112194403050203",
        "phone": "13800001234", "emergency_name": "李强", "emergency_gender": "male",
        "emergency_phone": "13900001234", "ability_level": "moderate",
        "medical_history": "高血压、糖尿病", "is_dibao": True, "monthly_income": "820",
        "income_sources": "养老金", "categories": ["living_alone", "disabled_care"],
        "is_key": True, "members": [member] * 5, "water_safe": True, "electricity_safe": True,
        "housing_safe": False, "household_monthly_income": "1200", "has_pension": True,
        "pension_monthly": "180", "subsidy_monthly": "100", "subsidy_items": "高龄津贴",
        "support_units": ["town_village", "volunteer"], "support_person": "王芳",
        "support_measures": "每周上门探访", "filed_on": "2024-03-05",
    }  # fmt: skip


def annex2_three_copies() -> Document:
    from caseman.documents.annex2 import Place, annex2_document

    place = Place("渝北区", "木耳镇", "金刚村", "一组12号")
    numbers = [f"500112-F2-2026-000001-{k}" for k in (1, 2, 3)]
    return annex2_document(_registration(), place, place, numbers)


def annex3_four_copies() -> Document:
    from caseman.documents.annex3 import annex3_document

    visit = {"visited_on": "2026-11-20", "method": "home", "family_change": "unchanged",
             "expression": "unchanged", "mobility": "worse", "illness": "unchanged",
             "mood": "unchanged", "gas_safety": "unsafe", "water_heating_safety": "safe",
             "electricity_safety": "safe", "personal_hygiene": "unchanged",
             "home_hygiene": "unchanged", "indoor_environment": "unchanged",
             "needs": ["medical"], "needs_note": "血压高", "suggested_care": "联系家庭医生",
             "visitor_name": "王芳", "visited_person_name": "张秀英",
             "recorder_name": "王芳"}  # fmt: skip
    numbers = [f"500112-F3-2026-000002-{k}" for k in (1, 2, 3, 4)]
    return annex3_document("张秀英", "渝北区木耳镇金刚村一组12号", visit, None, 3, numbers)


DOCUMENTS: dict[str, Callable[[], Document]] = {
    "annex2": annex2_three_copies,
    "annex3": annex3_four_copies,
    "sample": sample_document,  # two copies of a one-page form (tests/documents)
}

WRITERS: dict[str, Callable[[Document], bytes]] = {"docx": render_docx, "pdf": render_pdf}


def pdf_pages(data: bytes) -> str:
    """Page count from pdfinfo (poppler-utils), or "?" when it is not installed."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            info = subprocess.run(  # noqa: S603 - fixed command # nosec B603, B607
                ["pdfinfo", handle.name],  # noqa: S607 - from poppler-utils on PATH
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return "?"
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def bench(name: str, build: Callable[[], Document], runs: int) -> None:
    document = build()
    for kind, render in WRITERS.items():
        started = time.perf_counter()
        data = render(document)
        first = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render(document)
            times.append((time.perf_counter() - started) * 1000)
        pages = f"{pdf_pages(data):>3} p" if kind == "pdf" else f"{len(document.sheets):>3} s"
        print(
            f"{name:<16} {kind:<5} first {first:7.1f}   min {min(times):7.1f}"
            f"   median {statistics.median(times):7.1f}   max {max(times):7.1f} ms"
            f"   {len(data) / 1024:7.1f} KB {pages}"
        )


def bench_batch(count: int) -> None:
    """Every 附件2 of a village of ``count`` elders as one PDF, through the background job's
    handler (numbering, audit rows, layout, one PDF), on a scratch SQLite database; prints the
    progress the job page would show, the total time, the pages and the peak memory."""
    import resource
    from datetime import date

    from caseman.areas.models import AreaLevel
    from caseman.areas.services import create_area
    from caseman.auth.models import Role
    from caseman.auth.services import create_user
    from caseman.documents.batches import start_annex2_batch
    from caseman.elders.services import Registration, register_elder
    from caseman.extensions import db
    from caseman.jobs import services as jobs
    from caseman.jobs.models import Job
    from caseman.rules.enums import Category, Gender
    from caseman.rules.id_number import make_id_number
    from caseman.scope import system_access
    from tests.conftest import registration_values

    today = clock.today()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/batch.sqlite3",
                "CASEMAN_UPLOADS": scratch,
                "CASEMAN_QUEUE_IMMEDIATE": True,
            }
        )
        with app.app_context(), system_access("bench_documents --batch", record=False):
            db.create_all()
            district = create_area("渝北区", AreaLevel.DISTRICT, code="500112")
            town = create_area("木耳镇", AreaLevel.TOWN, district)
            village = create_area("金刚村", AreaLevel.VILLAGE, town)
            user = create_user("bench", "bench-pass-2024", Role.TOWN, town)
            member = {"name": "李强", "gender": "male", "relation": "son", "phone": "13900001234",
                      "id_number": "", "health": "健康", "is_dibao_or_poverty": False,
                      "visits_often": True}  # fmt: skip
            for k in range(count):
                birth = date(today.year - 70 - k % 25, 1 + k % 12, 1 + k % 28)
                number = make_id_number("500112", birth, 100 + k, Gender.FEMALE)
                values = registration_values(village, name=f"张秀{k:03d}", id_number=number,
                                             key_override_reason="按村里掌握的情况")  # fmt: skip
                register_elder(user, Registration(values, [member], {Category.LIVING_ALONE}), today)
            db.session.commit()
            job = start_annex2_batch(user, village, today)
            db.session.commit()

            started = time.perf_counter()
            report = jobs.JobContext.progress

            def progress(ctx: jobs.JobContext, done: int, total: int | None = None,
                         message: str = "") -> None:  # fmt: skip
                report(ctx, done, total, message)
                if done % 25 == 0 or done == ctx.total:
                    print(f"  {time.perf_counter() - started:7.1f} s  {done:>4}/{ctx.total}"
                          f"  {message}")  # fmt: skip

            jobs.JobContext.progress = progress  # type: ignore[method-assign]
            jobs._run(job.id)
            elapsed = time.perf_counter() - started
            finished = db.session.get(Job, job.id)
            assert finished is not None
            path = jobs.result_path(finished)
            if path is None:
                print(f"batch of {count}: {finished.status.value} ({finished.message})")
                return
            data = path.read_bytes()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"batch of {count} 附件2: {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms a form),"
                f" {pdf_pages(data)} pages, {len(data) / 1024 / 1024:.1f} MB,"
                f" peak RSS {peak:.0f} MB"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed renders per writer")
    parser.add_argument("--only", nargs="+", choices=sorted(DOCUMENTS), help="documents to time")
    parser.add_argument("--database-url", help="database the builders read (default: settings)")
    parser.add_argument(
        "--batch", type=int, metavar="N", help="also print a village's N 附件2 in one PDF"
    )
    args = parser.parse_args(argv)

    config = {"SQLALCHEMY_DATABASE_URI": args.database_url} if args.database_url else None
    app = create_app(config)
    print(
        f"load average {os.getloadavg()[0]:.2f}, {args.runs} runs, python {sys.version.split()[0]}"
    )
    with app.app_context(), system_access("benchmark", record=False):
        for name in args.only or DOCUMENTS:
            bench(name, DOCUMENTS[name], args.runs)
    if args.batch:
        bench_batch(args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
