"""`flask admin create-user EMAIL`."""

import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from . import accounts, bp

admin_cli = AppGroup("admin", help="Manage admin accounts.")


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


bp.cli = admin_cli
