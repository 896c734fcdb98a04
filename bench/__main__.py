"""Run the benchmark: `make bench`, or `.venv/bin/python -m bench [--sizes 1000,10000]`.

For each size N it generates N programs with `flask seed generate`, times their import next
to a plain sqlite3 load, loads them, measures the finder in-process and under gunicorn, and
prints one table; the figures also go to bench/results/latest.json. With DATABASE_URL set to
a PostgreSQL server it measures there (in schemas of its own) instead of SQLite.
"""

import argparse
import json
import platform
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from .finder import bench_finder
from .importing import ROOT, bench_import, environment, flask
from .serve import bench_gunicorn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="imports and wrk runs per size (medians are reported)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query mixes per size")
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--no-gunicorn", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    options = parser.parse_args()
    import os

    database_url = os.environ.get("DATABASE_URL", "")
    results = {"machine": machine(), "database": "postgresql" if database_url.startswith("postgres") else "sqlite", "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="finder-bench-") as work:
        for size in (int(s) for s in options.sizes.split(",")):
            print(f"-- {size:,} programs", flush=True)
            results["sizes"][size] = bench_size(size, Path(work), database_url, options)
            print(json.dumps(results["sizes"][size], indent=1), flush=True)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\nWritten to {out}")


def bench_size(size: int, work: Path, database_url: str, options) -> dict:
    csv_path = work / f"programs-{size}.csv"
    database = Database(database_url, work, size)
    env = environment(database.url)
    flask("seed", "generate", "--count", str(size), "--seed", "1", str(csv_path), env=env)
    result = {"import": bench_import(database.url, csv_path, work, env, options.repeat, lambda: database.reset(env))}
    from finder import create_app

    app = create_app({"TESTING": False, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database.url, "SESSION_COOKIE_SECURE": False})
    result["finder"] = bench_finder(app, options.rounds)
    if not options.no_gunicorn:
        result["gunicorn"] = bench_gunicorn(env, options.wrk_seconds, options.repeat)
    database.drop()
    return result


class Database:
    """A fresh database per size: an SQLite file, or a PostgreSQL schema of its own."""

    def __init__(self, database_url: str, work: Path, size: int):
        self.server_url = database_url if database_url.startswith("postgres") else ""
        if self.server_url:
            from finder.config import normalize_database_url

            self.server_url = normalize_database_url(self.server_url)
            self.schema = f"bench_{size}_{uuid.uuid4().hex[:8]}"
            self.url = f"{self.server_url}?options=-csearch_path%3D{self.schema},public"
        else:
            self.path = work / f"bench-{size}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def reset(self, env: dict) -> None:
        if self.server_url:
            with create_engine(self.server_url).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        flask("db", "upgrade", env=env)
        flask("seed", "load", str(ROOT / "seed" / "features.csv"), env=env)

    def drop(self) -> None:
        if self.server_url:
            with create_engine(self.server_url).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))


def machine() -> dict:
    import os

    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def table(results: dict) -> str:
    rows = [
        ("import (s)", lambda r: f"{r['import']['import_s']:.2f}"),
        ("plain sqlite3 load (s)", lambda r: f"{r['import'].get('plain_sqlite3_s', float('nan')):.2f}"),
        ("import / plain", lambda r: f"{r['import'].get('ratio', float('nan')):.2f}"),
        ("import peak RSS (MB)", lambda r: f"{r['import']['peak_rss_mb']:.0f}"),
        ("partial p50 / p95 (ms)", lambda r: f"{r['finder']['partial_p50_ms']:.1f} / {r['finder']['partial_p95_ms']:.1f}"),
        ("full page p50 / p95 (ms)", lambda r: f"{r['finder']['full_p50_ms']:.1f} / {r['finder']['full_p95_ms']:.1f}"),
        ("keyword partial p95 (ms)", lambda r: f"{r['finder']['keyword_partial_p95_ms']:.1f}"),
        ("SQL statements per request (max)", lambda r: str(r["finder"]["max_sql_statements"])),
        ("partial bytes (gzip)", lambda r: f"{r['finder']['partial_bytes']:,} ({r['finder']['partial_gzip_bytes']:,})"),
        ("full page bytes (gzip)", lambda r: f"{r['finder']['full_bytes']:,} ({r['finder']['full_gzip_bytes']:,})"),
        ("gunicorn partial req/s", lambda r: _g(r, "partial_rps", "{:.0f}")),
        ("gunicorn trivial req/s", lambda r: _g(r, "trivial_rps", "{:.0f}")),
        ("partial / trivial req/s", lambda r: _g(r, "partial_to_trivial_rps", "{:.2f}")),
        ("gunicorn partial p50 / p99 (ms)", lambda r: _g(r, "partial_p50_ms", "{:.1f}") + " / " + _g(r, "partial_p99_ms", "{:.1f}")),
    ]
    sizes = list(results["sizes"])
    lines = [f"| {results['database']} | " + " | ".join(f"{int(s):,}" for s in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    for label, value in rows:
        cells = []
        for size in sizes:
            try:
                cells.append(value(results["sizes"][size]))
            except (KeyError, TypeError):
                cells.append("n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _g(result: dict, key: str, form: str) -> str:
    gunicorn = result.get("gunicorn", {})
    return form.format(gunicorn[key]) if key in gunicorn else "n/a"


if __name__ == "__main__":
    main()
