"""Command-line entry points (``flask --app wsgi …``). Each calls services and commits."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo organisations and users (idempotent)."""
    from app.demo import data
    from app.demo import service as demo_service

    created = demo_service.load(db.session)
    db.session.commit()
    click.echo(f"demo data: {len(created)} users created" if created else "demo data: already loaded")
    click.echo(f"demo logins (password for all: {data.DEMO_PASSWORD}):")
    for username, roles in demo_service.logins():
        click.echo(f"  {username:<20} {roles}")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organisation", "org_code", required=True, help="organisation code")
@click.option("--role", "roles", multiple=True, required=True)
@click.password_option()
def users_create(username: str, display_name: str, org_code: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user in an existing organisation."""
    from app.accounts import service as accounts_service
    from app.accounts.models import Organisation
    from app.errors import DomainError

    org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    if org is None:
        raise click.BadParameter(f"no organisation with code {org_code!r}", param_hint="--organisation")
    try:
        accounts_service.create_user(db.session, username=username, password=password,
                                     display_name=display_name, organisation=org, roles=set(roles))
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.fields or ''}") from exc
    db.session.commit()
    click.echo(f"created {username}")


def init_app(app: Flask) -> None:
    from app.calendar.cli import calendar_cli
    from app.workflow.cli import bpmn_cli

    app.cli.add_command(calendar_cli)
    app.cli.add_command(bpmn_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
