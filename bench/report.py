"""The benchmark's tables, as Markdown, and their place in docs/performance.md."""

import re
from pathlib import Path

BEGIN, END = "<!-- bench:begin (written by `make bench`; edits here are overwritten) -->", "<!-- bench:end -->"


def _f(form: str, *keys: str):
    """A cell reading result[keys[0]][keys[1]]... formatted with `form`."""
    def cell(result: dict) -> str:
        value = result
        for key in keys:
            value = value[key]
        return form.format(value)
    return cell


def _pair(form: str, first: tuple, second: tuple):
    return lambda r: f"{_f(form, *first)(r)} / {_f(form, *second)(r)}"


def _load(*groups: str):
    def cell(result: dict) -> str:
        loads = []
        for group in groups:
            value = result[group]["load_1min"]
            loads += value if isinstance(value, list) else [value]
        return f"{min(loads):.1f}–{max(loads):.1f}"
    return cell


ROWS = [
    ("finder index build (ms)", _f("{:.0f}", "index", "build_ms"), "≤ 300"),
    ("finder index build, CPU of this process (ms)", _f("{:.0f}", "index", "build_cpu_ms"), ""),
    ("a new worker's warm-up before it takes requests (ms)", _f("{:.0f}", "index", "warm_up_ms"), ""),
    ("a new worker's first partial (ms)", _f("{:.0f}", "index", "first_request_ms"), "≤ 100"),
    ("a new worker's first partial without the warm-up (ms)", _f("{:.0f}", "index", "first_request_cold_ms"), ""),
    ("first partial after an import (ms, worst of 3)", _f("{:.0f}", "index", "first_request_after_import_ms"), "≤ 100"),
    ("the same, CPU of this process (ms)", _f("{:.0f}", "index", "first_request_after_import_cpu_ms"), ""),
    ("partial p50 / p95 (ms)", _pair("{:.1f}", ("finder", "partial_p50_ms"), ("finder", "partial_p95_ms")), "p95 ≤ 5"),
    ("full page p50 / p95 (ms)", _pair("{:.1f}", ("finder", "full_p50_ms"), ("finder", "full_p95_ms")), ""),
    ("keyword partial p95 (ms)", _f("{:.1f}", "finder", "keyword_partial_p95_ms"), ""),
    ("near + within + sort=distance partial p95 (ms)", _f("{:.1f}", "finder", "distance_partial_p95_ms"), "p95 ≤ 5"),
    ("sort=fit partial p95 (ms)", _f("{:.1f}", "finder", "fit_partial_p95_ms"), "p95 ≤ 5"),
    ("partial CPU time of the process p50 / p95 (ms)",
     _pair("{:.1f}", ("finder", "partial_cpu_p50_ms"), ("finder", "partial_cpu_p95_ms")), ""),
    ("near / fit partial the first time its mix is asked (ms, worst)",
     _f("{:.1f}", "finder", "near_fit_first_asked_ms"), ""),
    ("SQL statements per request (max)", _f("{}", "finder", "max_sql_statements"), "1"),
    ("partial bytes (gzip)", lambda r: f"{r['finder']['partial_bytes']:,} ({r['finder']['partial_gzip_bytes']:,})", ""),
    ("gunicorn start until /healthz answers (s)", _f("{:.2f}", "gunicorn", "start_s"), ""),
    ("gunicorn first partial (ms)", _f("{:.0f}", "gunicorn", "first_partial_ms"), ""),
    ("gunicorn partial / trivial (req/s)", _pair("{:.0f}", ("gunicorn", "partial_rps"), ("gunicorn", "trivial_rps")), ""),
    ("partial ÷ trivial throughput", _f("{:.2f}", "gunicorn", "partial_to_trivial_rps"), "≥ 0.15"),
    ("gunicorn partial p50 / p99 (ms)", _pair("{:.1f}", ("gunicorn", "partial_p50_ms"), ("gunicorn", "partial_p99_ms")), "p99 ≤ 100"),
    ("import, `flask seed load` process (s)", _f("{:.2f}", "import", "import_s"), ""),
    ("plain load process (s)", _f("{:.2f}", "import", "plain_s"), ""),
    ("import ÷ plain load", _f("{:.2f}", "import", "ratio"), "≤ 3 (goal 2)"),
    ("import peak RSS (MB)", _f("{:.0f}", "import", "peak_rss_mb"), ""),
    ("load average (1 min): import", _load("import"), ""),
    ("load average (1 min): index, finder", _load("index", "finder"), ""),
    ("load average (1 min): gunicorn", _load("gunicorn"), ""),
]


def table(kind: str, database: dict) -> str:
    if "skipped" in database:
        return f"{kind}: not measured ({database['skipped']})."
    sizes = list(database["sizes"])
    lines = [f"| {kind} | " + " | ".join(f"{int(s):,}" for s in sizes) + " | target at 100,000 |",
             "|---" * (len(sizes) + 2) + "|"]
    for label, cell, target in ROWS:
        cells = []
        for size in sizes:
            try:
                cells.append(cell(database["sizes"][size]))
            except (KeyError, TypeError, ValueError):
                cells.append("n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    for size, result in database["sizes"].items():
        for part, value in result.items():
            if isinstance(value, dict) and "skipped" in value:
                lines.append(f"\n{int(size):,} programs, {part}: not measured ({value['skipped']}).")
    plain = next((r["import"]["plain"] for r in database["sizes"].values() if "plain" in r.get("import", {})), "")
    if plain:
        lines.append(f"\nPlain load: {plain}.")
    return "\n".join(lines)


def tables(results: dict) -> str:
    machine = results["machine"]
    head = (f"Run {machine['when']} to {machine.get('finished', '?')}, Python {machine['python']}, "
            f"{machine['cpus']} CPUs ({machine['processor']}), load average at the start "
            + " / ".join(f"{v:.2f}" for v in machine["load_at_start"]) + " (1, 5, 15 min).")
    parts = [head]
    for kind, database in results["databases"].items():
        parts.append(f"#### {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}\n\n{table(kind, database)}")
    return "\n\n".join(parts)


def update_docs(path: Path, results: dict) -> None:
    """Put the tables between the bench markers of `path` (added at the end when missing)."""
    text = path.read_text()
    block = f"{BEGIN}\n{tables(results)}\n{END}"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
