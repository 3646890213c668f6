"""``flask areas``: print the tree (no subcommand), ``add`` an area, ``import`` a sheet."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from caseman.areas.models import Area, AreaKind, AreaLevel
from caseman.errors import DomainError
from caseman.extensions import db


def _message(exc: DomainError) -> str:
    return exc.message % exc.params if exc.params else exc.message


@click.group("areas", invoke_without_command=True)
@click.pass_context
def areas_command(context: click.Context) -> None:
    """Print the area tree: level<TAB>name<TAB>parent name, one area a line."""
    if context.invoked_subcommand is not None:
        return
    for area in db.session.scalars(select(Area).order_by(Area.path)):
        parent = area.parent.name if area.parent else ""
        click.echo(f"{area.level.value}\t{area.name}\t{parent}")


@areas_command.command("add")
@click.option("--parent", "parent_name", default=None, help="The area above, e.g. 木耳镇.")
@click.option("--level", required=True, type=click.Choice([level.value for level in AreaLevel]))
@click.option(
    "--kind",
    default=None,
    type=click.Choice([kind.value for kind in AreaKind]),
    help="town or street (镇/街道), village or community (村/社区); default: from the name.",
)
@click.option("--code", default="", help="区划代码 (up to 12 digits).")
@click.argument("name")
def add_command(
    parent_name: str | None, level: str, kind: str | None, code: str, name: str
) -> None:
    """Add one area: a district (no --parent), a town or street, a village or a group."""
    from caseman.areas.services import add_area, find_area

    try:
        parent = None
        if parent_name:
            parent = find_area(parent_name)
            if parent is None:
                raise click.ClickException(f"No area called {parent_name}; see `flask areas`.")
        elif level != AreaLevel.DISTRICT.value:
            raise click.ClickException("--parent is needed for a town, village or group.")
        area = add_area(None, name, AreaLevel(level), parent, code=code, kind=kind)
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    db.session.commit()
    click.echo(f"Added {area.level.value} {area.full_name} ({area.kind.value}).")


@areas_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--district",
    default="",
    help="The district of the rows when the sheet has no 区 column (e.g. 渝北区); needed on a "
    "database with no district yet, unless the sheet has one.",
)
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
def import_command(file: Path, district: str, dry_run: bool) -> None:
    """Import the area tree from an .xlsx or .csv: one row per village (or villager group),
    columns 镇（街道）, 村（社区）, optional 村民小组, 区划代码 and 区.

    Nothing is written when a row has a problem; importing the same sheet again adds nothing.
    """
    from caseman.areas.imports import import_tree, plan_import, read_sheet

    if not district:
        existing = list(db.session.scalars(select(Area).where(Area.level == AreaLevel.DISTRICT)))
        if len(existing) == 1:
            district = existing[0].name
    try:
        check = read_sheet(file.read_bytes(), district.strip())
    except DomainError as exc:
        raise click.ClickException(_message(exc)) from exc
    if dry_run:
        report = plan_import(None, check.rows, write=False)
        report.problems = [*check.problems, *report.problems]
    else:
        report = import_tree(None, check)
    for problem in report.problems:
        where = f"row {problem.row}" if problem.row else "sheet"
        column = f" [{problem.column}]" if problem.column else ""
        params = dict(problem.params)
        text = problem.message % params if params else problem.message
        click.echo(f"{where}{column}: {text}", err=True)
    counts = ", ".join(f"{level} {count}" for level, count in report.added.items())
    verb = "Would add" if dry_run or report.problems else "Added"
    click.echo(
        f"{verb}: {counts}; unchanged {report.unchanged}; division codes added "
        f"{report.codes_added}."
    )
    if report.problems:
        db.session.rollback()
        raise click.ClickException(f"{len(report.problems)} problems: nothing was written.")
    if dry_run:
        db.session.rollback()
        return
    db.session.commit()
