"""Throughput and latency under gunicorn (2 workers), with wrk on loopback, bounded in time."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .importing import ROOT, median

PARTIAL_QUERY = "/programs?type=integrated_ir&region=south&fellowship=interventional_oncology"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def wrk(url: str, seconds: int, headers: dict[str, str]) -> dict:
    """One wrk run: requests per second and latency percentiles (ms)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percent in ("50", "99"):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        result[f"p{percent}_ms"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    return result


def gunicorn_command(port: int) -> list[str]:
    """The project's gunicorn settings (gunicorn.conf.py, when there is one), 2 sync workers."""
    command = [str(Path(sys.executable).parent / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["-c", str(ROOT / "gunicorn.conf.py")]
    return command + ["-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]


def bench_gunicorn(env: dict, seconds: int, repeat: int) -> dict:
    """The finder partial next to a trivial endpoint of the same app, side by side."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (make bench installs it: bench/ensure-wrk)"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(gunicorn_command(port), cwd=ROOT, env=dict(env, SESSION_COOKIE_SECURE="0"))
    result = {"load_1min": [os.getloadavg()[0]]}
    try:
        wait_until_up(f"{base}/healthz")
        result["start_s"] = time.perf_counter() - started
        first = time.perf_counter()
        partial = urllib.request.Request(base + PARTIAL_QUERY, headers={"HX-Request": "true"})
        urllib.request.urlopen(partial).read()
        result["first_partial_ms"] = (time.perf_counter() - first) * 1000
        for _ in range(20):  # both workers have their index before the clock starts
            urllib.request.urlopen(partial).read()
        runs = {"trivial": [], "partial": []}
        for _ in range(repeat):
            result["load_1min"].append(os.getloadavg()[0])
            runs["trivial"].append(wrk(f"{base}/healthz", seconds, {}))
            runs["partial"].append(wrk(base + PARTIAL_QUERY, seconds, {"HX-Request": "true", "Accept-Encoding": "gzip"}))
    finally:
        server.terminate()
        server.wait(timeout=30)
    for kind, values in runs.items():
        for key in ("rps", "p50_ms", "p99_ms"):
            result[f"{kind}_{key}"] = median([run[key] for run in values])
        result[f"{kind}_non_2xx"] = sum(run["non_2xx"] for run in values)
    result["partial_to_trivial_rps"] = result["partial_rps"] / result["trivial_rps"]
    return result
