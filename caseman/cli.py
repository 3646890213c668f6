"""Command-line contract of DESIGN.md: init-db, demo-data, create-user, areas, ledger."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from caseman import clock
from caseman.areas.models import Area
from caseman.auth.models import Role
from caseman.errors import DomainError
from caseman.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo_data)
    app.cli.add_command(create_user_command)
    app.cli.add_command(reset_totp_command)
    from caseman.areas.cli import areas_command

    app.cli.add_command(areas_command)
    app.cli.add_command(ledger_command)
    from caseman.imports.services import imports_prune_command

    app.cli.add_command(imports_prune_command)


@click.command("init-db")
def init_db() -> None:
    """Apply all migrations (creates the database when empty)."""
    upgrade()
    click.echo("Database is at the latest migration.")
    from caseman.risk.services import fill_missing_levels

    filled = fill_missing_levels()  # a database upgraded to risk levels (issue 20 item 1)
    db.session.commit()
    if filled:
        click.echo(f"Risk level worked out for {filled} elders.")


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has areas.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The demo's today (default: the real today). Same date, same data.",
)
@click.option(
    "--elders",
    type=click.IntRange(1),
    default=None,
    help="A city-scale synthetic district of this many elders (caseman.demo.scale).",
)
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=24,
    show_default=True,
    help="Months of visit history for --elders.",
)
def demo_data(if_empty: bool, today: datetime | None, elders: int | None, months: int) -> None:
    """Load the deterministic demo district (渝北区) and print the demo logins.

    Visit history runs up to ``--today``, so the dashboard and due lists look lived-in on the
    day the demo is loaded.
    """
    from caseman.demo.district import load_demo

    if if_empty and db.session.scalar(select(Area.id).limit(1)) is not None:
        click.echo("Demo data already loaded; nothing to do.")
        return
    if db.session.scalar(select(Area.id).limit(1)) is not None:
        raise click.ClickException("The database is not empty: demo data goes into a new one.")
    from caseman.scope import system_access

    with system_access("cli demo-data"):
        if elders is not None:
            from caseman.demo.scale import load_scale

            logins = load_scale(elders, months, today.date() if today else None, echo=click.echo)
            from caseman.risk.services import fill_missing_levels

            fill_missing_levels()  # the scale loader inserts past the ORM and its hooks
        else:
            logins = load_demo(today.date() if today else clock.today())
    db.session.commit()
    click.echo("Demo logins (username / password / role / area / TOTP secret / code now):")
    for login in logins:
        click.echo("  " + "\t".join((*login, *_demo_totp(login[0]))))
    click.echo(
        "District and town logins ask for the code of an authenticator app: add the secret to "
        "one (e.g. Tencent Authenticator, FreeOTP), or use the code shown (valid about 30 s)."
    )


def _demo_totp(username: str) -> tuple[str, str]:
    """(secret, current code) of a demo user's second factor, or ("-", "-") without one."""
    from caseman.auth import totp
    from caseman.auth.models import User

    secret = db.session.scalar(select(User.totp_secret).where(User.username == username))
    if not secret:
        return ("-", "-")
    return (secret, totp.code_at(secret, totp.current_step()))


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--area", "area_name", required=True, help="Area name, e.g. 木耳镇 or 木耳镇金刚村")
@click.option(
    "--full-name",
    prompt="Real name (姓名)",
    help="The user's real name (姓名), shown on lists and printed forms; asked for if left out.",
)
@click.option(
    "--totp-secret",
    default=None,
    help="Base32 TOTP secret (at least 26 characters), e.g. from pyotp.random_base32(): the "
    "second factor is then set up already (for scripts); without it, district and town users "
    "enrol with a QR code at their first login.",
)
def create_user_command(
    username: str,
    password: str,
    role: str,
    area_name: str,
    full_name: str,
    totp_secret: str | None,
) -> None:
    """Create a user bound to an area."""
    from caseman.areas.services import find_area
    from caseman.auth.services import clean_full_name, create_user

    try:
        full_name = clean_full_name(full_name)
        area = find_area(area_name)
        if area is None:
            raise click.ClickException(f"No area called {area_name}; see `flask areas`.")
        if area.is_closed:
            raise click.ClickException(f"{area.full_name} is closed.")
        user = create_user(
            username, password, Role(role), area, full_name=full_name, totp_secret=totp_secret
        )
    except DomainError as exc:
        raise click.ClickException(exc.message % exc.params if exc.params else exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}) in {area.full_name}.")
    if user.needs_totp and not user.has_totp:
        click.echo("The second factor will be set up with a QR code at the first login.")


@click.command("reset-totp")
@click.option("--username", required=True)
def reset_totp_command(username: str) -> None:
    """Forget a user's TOTP second factor (lost phone): they enrol again at the next login."""
    from caseman.auth.models import User
    from caseman.auth.services import reset_totp

    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    reset_totp(user)
    db.session.commit()
    click.echo(f"The second factor of {user.username} was reset; their sessions have ended.")


@click.command("ledger")
@click.option(
    "--town", "town_name", default=None, help="Town or street, e.g. 木耳镇; omit for the district."
)
@click.option("--village", "village_name", default=None, help="A village of the town, e.g. 金刚村.")
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "docx", "pdf"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Output file.")
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First day counted (default: 1 January or 1 July of this half-year).",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day counted and the day the caseload is taken (default: today).",
)
@click.option("--full", is_flag=True, help="Print full ID and phone numbers (masked by default).")
def ledger_command(
    town_name: str | None,
    village_name: str | None,
    fmt: str,
    out: str,
    start: datetime | None,
    end: datetime | None,
    full: bool,
) -> None:
    """Write the 附件1 ledger (台帐) of a town, a village of it, or the whole district.

    An operator's tool: it acts with district scope (every elder of the area, no login). ID and
    phone numbers are masked as on a village user's ledger unless --full is given. The export is
    recorded in the audit log (user "cli").
    """
    from pathlib import Path

    from caseman import audit
    from caseman.approvals.queries import latest_approver
    from caseman.areas.models import AreaLevel
    from caseman.ledger import render_ledger
    from caseman.ledger.annex1 import LedgerMeta
    from caseman.ledger.queries import current_half_year, ledger_rows, unit_name

    area = _ledger_area(town_name, village_name)
    if area is None:
        area = db.session.scalar(select(Area).where(Area.level == AreaLevel.DISTRICT).limit(1))
        if area is None:
            raise click.ClickException("No district yet; see `flask areas`.")
    first, last = current_half_year(clock.today())
    first = start.date() if start else first
    last = end.date() if end else last
    if first > last:
        raise click.ClickException("--from is after --to.")
    area_id = None if area.level == AreaLevel.DISTRICT else area.id
    from caseman.scope import system_access

    with system_access(f"cli ledger area={area.id}"):
        rows = ledger_rows(None, area_id, first, last, full=full)
        approver = latest_approver([row.elder_id for row in rows])  # 主要领导审核
    pending = sum(1 for row in rows if row.pending)
    meta = LedgerMeta(unit_name(area), first, last, clock.today(), approver, pending)
    content = render_ledger(rows, meta, fmt)
    Path(out).write_bytes(content)
    audit.record(
        "export",
        object_type="ledger",
        object_id=area_id,
        detail=f"format={fmt} rows={len(rows)} area={area.id} from={first} to={last}"
        f"{' full' if full else ''}",
    )
    db.session.commit()
    click.echo(f"Wrote {out}: {len(rows)} elders of {area.full_name}, {first} to {last}.")


def _ledger_area(town_name: str | None, village_name: str | None) -> Area | None:
    """The village or town named on the command line (None: the district)."""
    from caseman.areas.models import AreaLevel
    from caseman.areas.services import find_area

    try:
        town = find_area(town_name) if town_name else None
        if town_name and (town is None or town.level != AreaLevel.TOWN):
            raise click.ClickException(f"No town called {town_name}; see `flask areas`.")
        if not village_name:
            return town
        if town is not None:
            village = db.session.scalar(
                select(Area).where(Area.parent_id == town.id, Area.name == village_name.strip())
            )
        else:
            village = find_area(village_name)
    except DomainError as exc:
        raise click.ClickException(exc.message % exc.params if exc.params else exc.message) from exc
    if village is None or village.level != AreaLevel.VILLAGE:
        raise click.ClickException(f"No village called {village_name}; see `flask areas`.")
    return village
