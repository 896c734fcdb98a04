"""Import time and memory: the app's loader next to plain loads of the same rows.

Every load runs as a process of its own, and each is timed from start to exit, as someone
running it would: `flask seed load` (the app's command) against a plain Python script that
does nothing but read the CSV file and write its rows (bench/plain_load.py). On SQLite the
plain load is csv + sqlite3 `executemany` into a table with the same columns and no index;
on PostgreSQL it is csv + psycopg `COPY` into a table with a primary key and four indexes.
The two run alternately in the same run, so a busy moment hits both.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN_LOAD = Path(__file__).resolve().parent / "plain_load.py"


def flask(*args: str, env: dict) -> str:
    """Run a `flask` command of the app; its standard output."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


def timed_process(command: list[str], env: dict) -> dict:
    """Run `command` to its end: wall seconds, peak RSS (MB) and its standard output."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate(timeout=1800)
    seconds = time.perf_counter() - started
    if child.returncode:
        raise RuntimeError(f"{command[:4]} failed ({child.returncode}): {err[-2000:]}")
    return {"seconds": seconds, "stdout": out, "peak_rss_mb": _child_peak_rss_mb()}


def _child_peak_rss_mb() -> float:
    # The largest of all children so far: the loads are the largest children the bench runs.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bench_import(database, csv_path: Path, env: dict, repeat: int) -> dict:
    """Median wall time of `flask seed load` over `repeat` fresh databases, the plain load beside each."""
    imports, plains, peaks, loads = [], [], [], []
    summary = ""
    for _ in range(repeat):
        database.reset(env)
        loads.append(os.getloadavg()[0])
        imported = timed_process([sys.executable, "-m", "flask", "--app", "wsgi", "seed", "load", str(csv_path)], env)
        imports.append(imported["seconds"])
        peaks.append(imported["peak_rss_mb"])
        summary = imported["stdout"].strip()
        plain = timed_process([sys.executable, str(PLAIN_LOAD), database.plain_url(), str(csv_path)], env)
        plains.append(plain["seconds"])
    result = {
        "import_s": median(imports),
        "import_runs_s": imports,
        "plain_s": median(plains),
        "plain_runs_s": plains,
        "plain": "csv + sqlite3 executemany, table without indexes" if database.kind == "sqlite"
        else "csv + psycopg COPY, table with a primary key and four indexes",
        "peak_rss_mb": max(peaks),
        "summary": summary,
        "load_1min": loads,
    }
    result["ratio"] = result["import_s"] / result["plain_s"]
    return result


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def environment(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=os.environ.get("SECRET_KEY", "bench"), PYTHONPATH=str(ROOT))
    env.pop("FLASK_DEBUG", None)
    return env


