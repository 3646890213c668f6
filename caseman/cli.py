"""Command-line contract of DESIGN.md: init-db, demo-data, create-user, areas."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from caseman.areas.models import Area
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo_data)
    app.cli.add_command(create_user_command)
    app.cli.add_command(areas_command)


@click.command("init-db")
def init_db() -> None:
    """Apply all migrations (creates the database when empty)."""
    upgrade()
    click.echo("Database is at the latest migration.")


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has areas.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The demo's today (default: the real today). Same date, same data.",
)
def demo_data(if_empty: bool, today: datetime | None) -> None:
    """Load the deterministic demo district (渝北区) and print the demo logins.

    Visit history runs up to ``--today``, so the dashboard and due lists look lived-in on the
    day the demo is loaded.
    """
    from caseman.demo import load_demo

    if if_empty and db.session.scalar(select(Area.id).limit(1)) is not None:
        click.echo("Demo data already loaded; nothing to do.")
        return
    if db.session.scalar(select(Area.id).limit(1)) is not None:
        raise click.ClickException("The database is not empty: demo data goes into a new one.")
    logins = load_demo(today.date() if today else date.today())
    db.session.commit()
    click.echo("Demo logins (username / password / role / area):")
    for login in logins:
        click.echo("  " + "\t".join(login))


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--area", "area_name", required=True, help="Area name, e.g. 木耳镇 or 木耳镇金刚村")
@click.option("--full-name", default="")
def create_user_command(
    username: str, password: str, role: str, area_name: str, full_name: str
) -> None:
    """Create a user bound to an area."""
    from caseman.areas.services import find_area
    from caseman.auth.services import create_user

    try:
        area = find_area(area_name)
        if area is None:
            raise click.ClickException(f"No area called {area_name}; see `flask areas`.")
        user = create_user(username, password, Role(role), area, full_name=full_name)
    except DomainError as exc:
        raise click.ClickException(exc.message % exc.params if exc.params else exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}) in {area.full_name}.")


@click.command("areas")
def areas_command() -> None:
    """Print the area tree: level<TAB>name<TAB>parent name, one area a line."""
    for area in db.session.scalars(select(Area).order_by(Area.path)):
        parent = area.parent.name if area.parent else ""
        click.echo(f"{area.level.value}\t{area.name}\t{parent}")
