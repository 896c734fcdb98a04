"""`flask admin create-user EMAIL`, `flask admin prune-uploads`."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..catalog.text import plural
from . import accounts, bp, imports

admin_cli = AppGroup("admin", help="Manage admin accounts and uploaded files.")


@admin_cli.command("create-user")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user_command(email: str, password_stdin: bool) -> None:
    """Create an admin account for EMAIL (password asked twice: at least 12 characters, not easy to guess)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(db.session, email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the admin account {user.email}.")


@admin_cli.command("prune-uploads")
@click.option("--days", type=click.IntRange(0, 36500), default=None,
              help="Retention in days (default: ADMIN_UPLOAD_RETENTION_DAYS, 7).")
def prune_uploads_command(days: int | None) -> None:
    """Delete the uploaded bytes of previews never applied, older than the retention period."""
    if days is None:
        days = int(current_app.config.get("ADMIN_UPLOAD_RETENTION_DAYS", imports.DEFAULT_RETENTION_DAYS))
    count = imports.prune_uploads(db.session, days)
    db.session.commit()
    click.echo(f"Deleted the files of {plural(count, 'upload')} never applied and older than {plural(days, 'day')}.")


bp.cli = admin_cli
