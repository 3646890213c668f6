"""Issue 21 goal 1: time the printed forms, each figure beside its goal.

    PYTHONPATH=. .venv/bin/python scripts/bench_forms.py [--runs 20] [--forms 700]
        [--workers 2] [--no-soffice]

- 附件2 (3 copies) and 附件3 (4 copies) as PDF, in this process, warm: ``--runs`` different forms
  each (varied values, so that no cache answers with a whole earlier form); p50 beside 60 ms.
- LibreOffice headless converting the same .docx (render_docx of the same form), in the same run;
  the ratio beside ≥ 15× ("soffice not installed" when it is missing).
- A batch: ``--forms`` varied forms (附件2 and 附件3 alternately; default 700, 70000 for the
  issue's figure) laid out into PDFs by render_pdf_many as the batch jobs and the half-year
  package call it, ``CASEMAN_BATCH_LIMIT`` forms a PDF (2,000 by default, as a batch job);
  forms/s beside ≥ 100 and the largest worker's peak RSS beside 400 MB.

The machine is shared: the load average before and after says how busy it was.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess  # runs soffice with fixed arguments, no shell # nosec B404
import sys
import tempfile
import time

from caseman import create_app
from caseman.documents import pdf_writer
from caseman.documents.docx_writer import render_docx
from caseman.documents.layout import Document
from caseman.scope import system_access
from tests.documents.test_fast_forms import varied_forms


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} CPUs"


def _forms(kind: int, count: int) -> list[Document]:
    """``count`` different forms of one annex (kind 0: 附件2, 1: 附件3 with its visit), from the
    adversarial set of tests/documents/test_fast_forms.py (each of a different shape)."""
    every = varied_forms(2 * count + 20)
    return [f for k, f in enumerate(every) if k % 2 == kind and len(f.sheets) > 1][:count]


def demo_forms(elders: int) -> tuple[list[Document], list[Document]]:
    """The 附件2 of every elder and the 附件3 of every visit of the demo district (load_demo with
    ``elders`` elders and its 14 months of visits), built by the real builders (numbered) on a
    scratch SQLite database: the forms a district prints."""
    from sqlalchemy import select

    from caseman import clock
    from caseman.auth.models import Role, User
    from caseman.demo.district import load_demo
    from caseman.documents.builders import annex2_for, annex3_for
    from caseman.elders.models import Elder
    from caseman.extensions import db
    from caseman.visits.models import Visit

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/forms.sqlite3",
                          "CASEMAN_UPLOADS": scratch})  # fmt: skip
        with app.app_context(), system_access("bench_forms demo", record=False):
            db.create_all()
            today = clock.today()
            load_demo(today, elders=elders)
            db.session.commit()
            actor = db.session.scalars(select(User).where(User.role == Role.DISTRICT)).first()
            annex2 = [annex2_for(actor, e, today) for e in db.session.scalars(select(Elder))]
            visits = db.session.scalars(select(Visit).order_by(Visit.id)).all()
            annex3 = [annex3_for(actor, v, today) for v in visits]
            db.session.commit()
    return annex2, annex3


def p50_warm(name: str, forms: list[Document]) -> float:
    pdf_writer.render_pdf(forms[0])  # warm: imports, fonts, templates
    times, cpu = [], []
    for form in forms[1:]:
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf_writer.render_pdf(form)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    p50 = statistics.median(times)
    print(f"{name} PDF, warm, in-process: p50 {p50:6.1f} ms (min {min(times):.1f}, "
          f"max {max(times):.1f}; {len(times)} forms; CPU p50 {statistics.median(cpu):.1f} ms)"
          f"   goal < 60 ms: {'met' if p50 < 60 else 'NOT met'}")  # fmt: skip
    return p50


def soffice_ms(form: Document, runs: int) -> float | None:
    """LibreOffice headless converting the form's .docx to PDF, median of ``runs`` (ms)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "form.docx")
        with open(path, "wb") as handle:
            handle.write(render_docx(form))
        profile = f"file://{scratch}/profile"
        times = []
        for run in range(runs + 1):  # the first run creates the profile: not counted
            started = time.perf_counter()
            subprocess.run(  # noqa: S603 - fixed arguments # nosec B603
                [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                 "pdf", "--outdir", scratch, path],
                capture_output=True, check=True, timeout=300,
            )  # fmt: skip
            if run:
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def compare(name: str, p50: float, form: Document, runs: int) -> None:
    office = soffice_ms(form, runs)
    if office is None:
        print(f"{name}: soffice not installed: no comparison   goal ≥ 15×: not measured")
        return
    ratio = office / p50
    print(f"{name} .docx → PDF by soffice --headless: median {office:7.1f} ms ({runs} runs); "
          f"the PDF writer is {ratio:.1f}× faster   goal ≥ 15×: "
          f"{'met' if ratio >= 15 else 'NOT met'}")  # fmt: skip


def batch(app: object, total: int, workers: int) -> None:
    limit = int(app.config["CASEMAN_BATCH_LIMIT"])  # type: ignore[attr-defined]
    pool = varied_forms(200)
    done = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    while done < total:
        count = min(limit, total - done)
        documents = [pool[(done + k) % len(pool)] for k in range(count)]
        data = pdf_writer.render_pdf_many(documents, workers=workers)
        done += count
        elapsed = time.perf_counter() - started
        print(f"  {elapsed:7.1f} s  {done:>6}/{total} forms  {done / elapsed:6.1f} forms/s"
              f"  (a PDF of {len(data) / 2**20:.1f} MB)")  # fmt: skip
    elapsed = time.perf_counter() - started
    rate = total / elapsed
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pools have ended: all counted
    cpu = time.process_time() - started_cpu + usage.ru_utime + usage.ru_stime
    children = usage.ru_maxrss / 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = children if workers > 1 else own
    print(f"batch of {total} forms ({workers} worker{'s' if workers > 1 else ''}, "
          f"{limit} forms a PDF): {elapsed:.1f} s, {rate:.1f} forms/s   goal ≥ 100 forms/s: "
          f"{'met' if rate >= 100 else 'NOT met'}")  # fmt: skip
    print(f"  CPU {cpu * 1000 / total:.0f} ms a form (all processes): on {workers} idle cores "
          f"about {workers * total / cpu:.1f} forms/s")  # fmt: skip
    print(f"  peak RSS of a worker {worker:.0f} MB (this process {own:.0f} MB)   goal < 400 MB: "
          f"{'met' if worker < 400 else 'NOT met'}")  # fmt: skip
    minutes = 70000 / rate / 60
    print(f"  at this rate 70,000 forms take {minutes:.0f} min   goal < 15 min: "
          f"{'met' if minutes < 15 else 'NOT met'}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="forms timed per annex")
    parser.add_argument("--soffice-runs", type=int, default=3)
    parser.add_argument("--no-soffice", action="store_true", help="skip LibreOffice")
    parser.add_argument("--forms", type=int, default=700, help="forms in the batch (0: none)")
    parser.add_argument("--workers", type=int, help="batch worker processes (default: settings)")
    args = parser.parse_args(argv)

    app = create_app()
    print(f"{_load()}; python {sys.version.split()[0]}")
    with app.app_context(), system_access("bench_forms", record=False):
        for kind, name in ((0, "附件2 (3 copies)"), (1, "附件3 (4 copies)")):
            forms = _forms(kind, args.runs + 1)
            p50 = p50_warm(name, forms)
            if not args.no_soffice:
                compare(name, p50, forms[1], args.soffice_runs)
        if args.forms:
            workers = args.workers or pdf_writer.pdf_workers()
            batch(app, args.forms, workers)
    print(_load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
