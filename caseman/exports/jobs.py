"""The full data export as a background job (caseman.jobs): audited before the long part."""

from __future__ import annotations

from caseman import audit, clock
from caseman.auth.models import User
from caseman.errors import DomainError
from caseman.exports.services import TABLES, count_elders, write_xlsx, write_zip
from caseman.extensions import db
from caseman.jobs.models import Job
from caseman.jobs.services import JobContext, handler, start_job
from caseman.rules.enums import N_

EXPORT = "data_export"
FORMATS = ("xlsx", "zip")


def start_export(user: User, file_format: str) -> Job:
    """Queue the export of the user's scope (flush only)."""
    if file_format not in FORMATS:
        raise DomainError("format", N_("Not a valid choice."))
    if count_elders(user) == 0:
        raise DomainError(None, N_("There is nothing to export in your area."))
    title = f"数据导出 · {user.area.name} · {file_format}"
    return start_job(user, EXPORT, title, {"format": file_format}, len(TABLES))


@handler(EXPORT)
def export_job(ctx: JobContext) -> str:
    file_format = ctx.params["format"]
    audit.record(
        "export",
        object_type="data",
        detail=f"format={file_format},elders={count_elders(ctx.user)}",
        user=ctx.user,
    )
    db.session.commit()  # the audit row; what follows only reports progress
    ctx.progress(0, len(TABLES), N_("Writing the tables"))
    name = f"数据导出_{ctx.user.area.name}_{clock.today().isoformat()}"
    if file_format == "xlsx":
        write_xlsx(ctx.user, ctx.output(".xlsx"), lambda k: ctx.progress(k))
        return f"{name}.xlsx"
    write_zip(ctx.user, ctx.output(".zip"), lambda k: ctx.progress(k))
    return f"{name}.zip"
