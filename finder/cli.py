"""Command-line interface: `flask seed ...` (admin commands live with the admin area)."""

import contextlib
import csv
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from .catalog import LoadResult, Problem, Source, collection_paused, export_programs, generate_programs, load_catalog
from .catalog.transactions import is_lock_conflict
from .catalog.tables import programs
from .catalog.text import plural
from .catalog.workbook import SUFFIXES as WORKBOOK_SUFFIXES, export_workbook
from .extensions import db

seed = AppGroup("seed", help="Load, export and generate the catalog's CSV files.")


def seed_dir() -> Path:
    return Path(current_app.root_path).parent / "seed"


@seed.command("load")
@click.option("--dry-run", is_flag=True, help="Check the files and report what would change; write nothing.")
@click.option("--prune", is_flag=True, help="Remove rows of each loaded kind that none of the files has.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def load_command(dry_run: bool, prune: bool, paths: tuple[str, ...]) -> None:
    """Load features.csv and programs.csv files (or .xlsx workbooks of the same), in the order given."""
    _load(paths, prune=prune, dry_run=dry_run)


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds programs.")
def demo_command(if_empty: bool) -> None:
    """Load the bundled seed/features.csv and seed/programs.csv."""
    if if_empty and db.session.scalar(select(func.count()).select_from(programs)):
        click.echo("The database already holds programs; demo data not loaded.")
        return
    _load([str(seed_dir() / "features.csv"), str(seed_dir() / "programs.csv")], prune=False, dry_run=False)


@seed.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def export_command(path: str) -> None:
    """Write every program to PATH as programs.csv ('-' for standard output), or as a workbook if PATH ends in .xlsx."""
    if path.lower().endswith(WORKBOOK_SUFFIXES):
        with db.engine.connect() as connection:
            count = export_workbook(connection, path)
    else:
        with db.engine.connect() as connection, _open_for_writing(path) as out:
            count = export_programs(connection, out)
    if path != "-":
        click.echo(f"Wrote {count} programs to {path}.")


@seed.command("generate")
@click.option("--count", type=click.IntRange(0, 10_000_000), required=True, help="How many programs.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Same seed, same file.")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def generate_command(count: int, seed_value: int, path: str) -> None:
    """Write a synthetic programs.csv of COUNT valid rows to PATH."""
    with _open_for_writing(path) as out:
        generate_programs(out, count, seed_value, _demo_vocabulary())
    if path != "-":
        click.echo(f"Wrote {count} programs to {path}.")


@seed.command("cycle")
@click.argument("path", required=False, type=click.Path())
def cycle_command(path: str | None) -> None:
    """Check an application cycle file (default seed/cycle.toml) and show its rules; exit 1 on any problem."""
    from .shortlists.cycle import CycleError, load_cycle

    path = path or str(seed_dir() / "cycle.toml")
    try:
        cycle = load_cycle(path)
    except CycleError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from None
    pool = "one pool shared by IR and DR" if cycle.shared_pool else "a pool per specialty"
    click.echo(f"{path}: {cycle.name}")
    click.echo(f"Gold {cycle.gold}, silver {cycle.silver}, {pool}.")
    click.echo("Season: " + ", ".join(f"{key} {day}" for key, day in cycle.season.items()))
    click.echo(f"Fees for {len(cycle.specialties)} program types in {len(cycle.tiers)} tiers. "
               f"Source: {cycle.source}, checked {cycle.checked_on}.")
    click.echo("Restart the app to use a changed file.")


def _open_for_writing(path: str):
    """A UTF-8 text file for the csv module, or standard output for '-'."""
    if path == "-":
        return contextlib.nullcontext(sys.stdout)
    return open(path, "w", encoding="utf-8", newline="")


def _demo_vocabulary() -> dict[str, list[str]]:
    vocabulary: dict[str, list[str]] = {}
    with open(seed_dir() / "features.csv", encoding="utf-8", newline="") as features:
        for row in csv.DictReader(features):
            vocabulary.setdefault(row["kind"], []).append(row["slug"])
    return vocabulary


def _read(path: str) -> bytes | Problem:
    """The bytes of the file at `path`, or the problem that it cannot be read (contract: exit 1)."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        message = "there is no file at this path"
    except IsADirectoryError:
        message = "this is a folder, not a file"
    except PermissionError:
        message = "the file cannot be read (no permission)"
    except OSError as error:
        message = f"the file cannot be read ({error.strerror or 'input/output error'})"
    return Problem(1, "file", message, path)


def _load(paths, *, prune: bool, dry_run: bool) -> None:
    with collection_paused():  # a command of its own, which allocates millions of objects
        result, unreadable = _load_and_publish(paths, prune=prune, dry_run=dry_run)
    problems = sorted([*unreadable, *result.problems], key=lambda p: (list(paths).index(p.path), p.line))
    if problems or not result.ok:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{plural(len(problems), 'problem')} found; nothing was written.", err=True)
        sys.exit(1)
    for file in result.files:
        click.echo(f"{file.path}: {file.summary()}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _load_and_publish(paths, *, prune: bool, dry_run: bool) -> tuple[LoadResult, list[Problem]]:
    """Load the files; once a change is committed, let go of their bytes and publish the index."""
    read = [(path, _read(path)) for path in paths]
    unreadable = [data for _, data in read if isinstance(data, Problem)]
    sources = [Source(path, data) for path, data in read if not isinstance(data, Problem)]
    del read
    try:
        with _ProgressBars() as progress:
            # With a file that cannot be read nothing is written; the others are still checked.
            result = load_catalog(db.engine, sources, prune=prune, dry_run=dry_run or bool(unreadable),
                                  progress=progress, publish=False)
    except DBAPIError as error:
        if not is_lock_conflict(error):
            raise
        wait = current_app.config["DATABASE_LOCK_WAIT"]
        click.echo(f"The database stayed busy with another change for more than {wait:g} seconds "
                   "(another import or an edit); nothing was written. Try again.", err=True)
        sys.exit(1)
    # The files' bytes (43 MB for 100,000 programs) are of no more use: freed before the
    # finder's index of the new version is built, which is the command's peak of memory.
    del sources
    if result.written:
        from .programs.search import publish_index

        publish_index(db.engine)
    return result, unreadable


class _ProgressBars:
    """A progress bar per long file, shown only when stderr is a terminal."""

    MIN_LINES = 5000

    def __init__(self):
        self.bars: dict[str, object] = {}
        self.enabled = sys.stderr.isatty()

    def __enter__(self):
        return self if self.enabled else None

    def __call__(self, path: str, done: int, total: int) -> None:
        if total < self.MIN_LINES:
            return
        if path not in self.bars:
            bar = click.progressbar(length=total, label=f"Loading {path}", file=sys.stderr)
            bar.__enter__()
            self.bars[path] = bar
        bar = self.bars[path]
        bar.update(done - bar.pos)

    def __exit__(self, *exc):
        for bar in self.bars.values():
            bar.__exit__(*exc)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed)
