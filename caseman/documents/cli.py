"""`flask --app app forms annex2 ELDER_ID …` and `forms annex3 VISIT_ID …` (DESIGN.md contracts)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from caseman import clock
from caseman.auth.models import Role, User
from caseman.extensions import db


def _operator() -> User:
    """Forms printed from the command line are numbered in the name of a district user."""
    user = db.session.scalar(
        select(User).where(User.role == Role.DISTRICT, User.is_active_user.is_(True)).limit(1)
    )
    if user is None:
        raise click.ClickException("Create a district user first (flask create-user).")
    return user


def _write(document: object, fmt: str, out: str) -> None:
    if fmt == "pdf":
        from caseman.documents.pdf_writer import render_pdf

        content = render_pdf(document)  # type: ignore[arg-type]
    else:
        from caseman.documents.docx_writer import render_docx

        content = render_docx(document)  # type: ignore[arg-type]
    Path(out).write_bytes(content)
    db.session.commit()
    click.echo(f"Wrote {out} ({len(content)} bytes).")


@click.group("forms")
def forms() -> None:
    """Print official forms (附件2 registration, 附件3 visit record) to a file."""


@forms.command("annex2")
@click.argument("elder_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf"]), required=True)
@click.option("--out", required=True, help="Output file.")
@click.option("--version", type=int, default=None, help="A saved registration version.")
@with_appcontext
def annex2_command(elder_id: int, fmt: str, out: str, version: int | None) -> None:
    """附件2 of ELDER_ID in three copies."""
    from caseman.documents.builders import annex2_for
    from caseman.elders.models import Elder
    from caseman.elders.queries import get_version
    from caseman.scope import system_access

    with system_access(f"cli forms annex2 elder={elder_id}"):
        elder = db.session.get(Elder, elder_id)
        if elder is None:
            raise click.ClickException(f"No elder {elder_id}.")
        data = None
        if version is not None:
            saved = get_version(elder, version)
            if saved is None:
                raise click.ClickException(f"Elder {elder_id} has no version {version}.")
            data = saved.snapshot
        _write(annex2_for(_operator(), elder, clock.today(), data, version), fmt, out)


@forms.command("annex3")
@click.argument("visit_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf"]), required=True)
@click.option("--out", required=True, help="Output file.")
@with_appcontext
def annex3_command(visit_id: int, fmt: str, out: str) -> None:
    """附件3 of VISIT_ID (with its care record) in four copies."""
    from caseman.documents.builders import annex3_for
    from caseman.scope import system_access
    from caseman.visits.models import Visit

    with system_access(f"cli forms annex3 visit={visit_id}"):
        visit = db.session.get(Visit, visit_id)
        if visit is None:
            raise click.ClickException(f"No visit {visit_id}.")
        _write(annex3_for(_operator(), visit, clock.today()), fmt, out)
