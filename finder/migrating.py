"""`flask db ...`: Flask-Migrate's commands, bound to the app only when one of them runs.

Flask-Migrate imports Alembic (and with it Mako and Pygments: about a fifth of a second of a
process's start-up), which no request and no other command needs. So `create_app` registers
this group in its place, and the group sets Flask-Migrate up for the app, as
`Migrate(app, db, directory=...)` would at start-up, when it is asked for a command.
"""

import click
from flask import Flask


class MigrateCommands(click.Group):
    """The `db` command group, standing for Flask-Migrate's: running it runs Flask-Migrate's group
    (its options, its commands, its help), set up then."""

    def __init__(self, app: Flask, directory: str):
        super().__init__("db", help="Perform database migrations.")
        self.app = app
        self.directory = directory

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate import Migrate
        from flask_migrate.cli import db as commands

        from .extensions import db

        if "migrate" not in self.app.extensions:
            Migrate(self.app, db, directory=self.directory)
        return commands.make_context(info_name, args, parent=parent, **extra)


def init_app(app: Flask, directory: str) -> None:
    app.cli.add_command(MigrateCommands(app, directory))
