"""Import time and memory: the app's loader next to a plain sqlite3 load of the same rows."""

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a child process so its peak memory is the import's alone.
_LOADER = """
import json, resource, sys, time
from finder import create_app
from finder.catalog import Source, load_catalog
from finder.extensions import db
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
data = open(sys.argv[2], "rb").read()
with app.app_context():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = load_catalog(db.engine, [Source(sys.argv[2], data)])
    seconds = time.perf_counter() - started
assert result.ok, result.problems[:5]
print(json.dumps({"seconds": seconds, "summary": result.files[0].summary(),
                  "rss_before_mb": before / 1024, "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def flask(*args: str, env: dict) -> str:
    """Run a `flask` command of the app; its standard output."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def timed_import(database_uri: str, csv_path: Path, env: dict) -> dict:
    """Load `csv_path` with the app's loader in a child process: seconds and peak RSS."""
    output = subprocess.run(
        [sys.executable, "-c", _LOADER, database_uri, str(csv_path)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output)


def plain_sqlite_load(schema_from: Path, csv_path: Path, work: Path) -> float:
    """A plain sqlite3 load of the same rows (csv + executemany, one transaction).

    It fills a table with the same columns and indexes as the app's programs
    table, copied from `schema_from`; it checks nothing and links no features.
    """
    target = work / "plain.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(schema_from)
    ddl = [sql for (sql,) in source.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'programs' AND sql IS NOT NULL")]
    source.close()
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        connection.execute(statement)
    started = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader)
        keep = [i for i, name in enumerate(header) if not name.endswith(("fellowships", "_features"))]
        columns = [header[i] for i in keep] + ["region", "created_at", "updated_at"]
        marks = ", ".join("?" * len(columns))
        rows = ([row[i] for i in keep] + ["south", "2026-01-01 00:00:00", "2026-01-01 00:00:00"] for row in reader)
        connection.executemany(f"INSERT INTO programs ({', '.join(columns)}) VALUES ({marks})", rows)
    connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def bench_import(database_uri: str, csv_path: Path, work: Path, env: dict, repeat: int, reset) -> dict:
    """Median import time over `repeat` fresh databases, with the baseline run beside each."""
    imports, plains, peaks = [], [], []
    for _ in range(repeat):
        reset()
        imported = timed_import(database_uri, csv_path, env)
        imports.append(imported["seconds"])
        peaks.append(imported["rss_peak_mb"])
        if database_uri.startswith("sqlite:///"):
            plains.append(plain_sqlite_load(Path(database_uri[len("sqlite:///"):]), csv_path, work))
    result = {
        "import_s": median(imports),
        "import_runs_s": imports,
        "peak_rss_mb": max(peaks),
        "summary": imported["summary"],
    }
    if plains:
        result["plain_sqlite3_s"] = median(plains)
        result["ratio"] = result["import_s"] / result["plain_sqlite3_s"]
    return result


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def environment(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=os.environ.get("SECRET_KEY", "bench"), PYTHONPATH=str(ROOT))
    env.pop("FLASK_DEBUG", None)
    return env
