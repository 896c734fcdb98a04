"""Run the benchmark: `make bench`, or `.venv/bin/python -m bench [--sizes 10000] [--databases sqlite]`.

For each database (SQLite, and PostgreSQL when a server answers) and each size N it generates
N programs with `flask seed generate`, times their import next to a plain load of the same
rows (each a process of its own), measures the finder index (its build, a fresh worker's first
request, the first request after an import), the finder in-process and under gunicorn, and
prints one table per database. The figures go to bench/results/latest.json, and the tables,
with the machine's load beside them, into docs/performance.md between its bench markers.
"""

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from .finder import bench_finder, bench_index
from .importing import ROOT, bench_import, environment, flask
from .report import update_docs, tables
from .serve import bench_gunicorn

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_DEFAULT))
    parser.add_argument("--repeat", type=int, default=3, help="imports and wrk runs per size (medians are reported)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query mixes per size")
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    options = parser.parse_args()

    results = {"machine": machine(), "databases": {}}
    with tempfile.TemporaryDirectory(prefix="finder-bench-") as work:
        for kind in options.databases.split(","):
            url = "" if kind == "sqlite" else options.postgres_url
            if kind != "sqlite" and not postgres_answers(url):
                results["databases"][kind] = {"skipped": f"no PostgreSQL server answers at {url}"}
                print(f"-- {kind}: skipped, no server at {url}", flush=True)
                continue
            sizes = results["databases"].setdefault(kind, {"sizes": {}})["sizes"]
            for size in (int(s) for s in options.sizes.split(",")):
                print(f"-- {kind}, {size:,} programs (load {os.getloadavg()[0]:.2f})", flush=True)
                sizes[size] = bench_size(kind, size, Path(work), url, options)
                print(json.dumps(sizes[size], indent=1), flush=True)
                write(options.out, results)  # so far, in case a later size fails
    results["machine"]["finished"] = time.strftime("%Y-%m-%d %H:%M")
    out = write(options.out, results)
    print(tables(results))
    print(f"\nWritten to {out}")
    if not options.no_docs:
        update_docs(ROOT / "docs" / "performance.md", results)
        print("Tables written to docs/performance.md")


def write(path: str, results: dict) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return out


def measured(name: str, measure, result: dict) -> None:
    """result[name] = measure(), or what went wrong: one failed part keeps the others."""
    try:
        result[name] = measure()
    except Exception as error:  # noqa: BLE001 - reported in the table as not measured
        result[name] = {"skipped": f"{type(error).__name__}: {error}"}
        print(f"   {name} not measured: {error}", flush=True)


def bench_size(kind: str, size: int, work: Path, server_url: str, options) -> dict:
    csv_path = work / f"programs-{size}.csv"
    database = Database(kind, server_url, work, size)
    env = environment(database.url)
    try:
        flask("seed", "generate", "--count", str(size), "--seed", "1", str(csv_path), env=env)
        result = {"import": bench_import(database, csv_path, env, options.repeat)}
        from finder import create_app

        def make_app():
            return create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database.url,
                               "SESSION_COOKIE_SECURE": False})

        measured("index", lambda: bench_index(make_app, csv_path, options.repeat), result)
        measured("finder", lambda: bench_finder(make_app(), options.rounds), result)
        if not options.no_gunicorn:
            measured("gunicorn", lambda: bench_gunicorn(env, options.wrk_seconds, options.repeat), result)
    finally:
        database.drop()
    return result


def postgres_answers(url: str) -> bool:
    from finder.config import normalize_database_url

    try:
        with create_engine(normalize_database_url(url)).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means: no server to measure on
        return False


class Database:
    """A fresh database per size: an SQLite file, or a PostgreSQL schema of its own."""

    def __init__(self, kind: str, server_url: str, work: Path, size: int):
        self.kind = kind
        self.work = work
        if kind == "sqlite":
            self.path = work / f"bench-{size}.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            from finder.config import normalize_database_url

            self.server_url = normalize_database_url(server_url)
            self.schema = f"bench_{size}_{uuid.uuid4().hex[:8]}"
            separator = "&" if "?" in self.server_url else "?"
            self.url = f"{self.server_url}{separator}options=-csearch_path%3D{self.schema},public"

    def reset(self, env: dict) -> None:
        """An empty, migrated database with the features loaded."""
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            with create_engine(self.server_url).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        flask("db", "upgrade", env=env)
        flask("seed", "load", str(ROOT / "seed" / "features.csv"), env=env)

    def plain_url(self) -> str:
        """Where the plain load writes: a new SQLite file, or the same PostgreSQL schema."""
        if self.kind == "sqlite":
            target = self.work / "plain.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{target}"
        return self.url

    def drop(self) -> None:
        if self.kind != "sqlite":
            with create_engine(self.server_url).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))


def machine() -> dict:
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "load_at_start": os.getloadavg(),
    }


if __name__ == "__main__":
    main()
