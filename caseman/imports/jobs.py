"""Checking and importing a ledger in the background (the job API of caseman.jobs).

The check writes nothing, so its progress is committed as usual. The import keeps every accepted
row in one transaction that the job runner commits when the handler returns (a failure rolls all
of it back); it reports its progress with ``in_transaction=True`` (a file beside the job's result,
read by /jobs/<id>), so the page follows it while that transaction is still open.
"""

from __future__ import annotations

from caseman import clock
from caseman.auth.models import User
from caseman.errors import DomainError
from caseman.imports.report import write_error_report
from caseman.imports.services import (
    Upload,
    check_upload,
    discard_upload,
    import_upload,
    load_upload,
)
from caseman.jobs.models import Job
from caseman.jobs.services import JobContext, handler, start_job
from caseman.rules.enums import N_

CHECK = "ledger_check"
IMPORT = "ledger_import"


def start_check(user: User, upload: Upload, matches: dict[str, int]) -> Job:
    title = f"台账检查 · {upload.filename}"
    params = {"token": upload.token, "matches": matches}
    return start_job(user, CHECK, title, params, len(upload.rows))


def start_import(user: User, upload: Upload) -> Job:
    title = f"台账导入 · {upload.filename}"
    return start_job(user, IMPORT, title, {"token": upload.token}, len(upload.rows))


def _upload(ctx: JobContext) -> Upload:
    upload = load_upload(ctx.user, ctx.params["token"])
    if upload is None:
        raise DomainError(None, N_("The uploaded file is gone: upload it again."))
    return upload


@handler(CHECK)
def check_job(ctx: JobContext) -> str:
    upload = _upload(ctx)
    matches = {str(k): int(v) for k, v in (ctx.params.get("matches") or {}).items()}
    ctx.progress(0, len(upload.rows), N_("Checking the rows"))
    preview = check_upload(ctx.user, upload, matches, clock.today(), lambda k: ctx.progress(k))
    write_error_report(upload, preview, ctx.output(".xlsx"))
    return f"错误报告_{upload.filename.rsplit('.', 1)[0]}.xlsx"


@handler(IMPORT)
def import_job(ctx: JobContext) -> str:
    upload = _upload(ctx)
    ctx.progress(0, len(upload.rows), N_("Importing the rows"))
    outcome = import_upload(
        ctx.user, upload, clock.today(), lambda k: ctx.progress(k, in_transaction=True)
    )
    ctx.after_commit(lambda: discard_upload(upload))  # imported: the stored rows are not kept
    preview = {
        "problems": [[p.row, p.column, p.message, p.params] for p in outcome.problems],
        "rejected_rows": outcome.rejected_rows,
    }
    write_error_report(upload, preview, ctx.output(".xlsx"))
    return f"导入结果_{upload.filename.rsplit('.', 1)[0]}.xlsx"
