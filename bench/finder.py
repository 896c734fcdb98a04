"""Finder latency, SQL statements, response sizes and the index, measured in-process (Flask test client)."""

import csv
import gzip
import io
import os
import time
from pathlib import Path

from sqlalchemy import event

# Realistic filter mixes: single filters, several together, keyword, deep pages, every sort.
QUERIES = [
    "",
    "type=integrated_ir",
    "state=CA",
    "region=west",
    "esir=1&type=diagnostic_radiology",
    "fellowship=pediatric_ir",
    "research=t32_grant&research=protected_research_time",
    "mentorship=faculty_mentor",
    "visa=j1",
    "min_positions=4",
    "min_research_months=6",
    "max_length=2",
    "verified_within=12",
    "type=independent_ir&region=south&visa=h1b",
    "type=integrated_ir&state=TX&state=NY&fellowship=interventional_oncology",
    "type=diagnostic_radiology&esir=1&research=research_track&mentorship=women_in_ir&min_positions=6",
    "q=lark",
    "q=cedar+hollow",
    "q=canon",
    "q=university&type=integrated_ir",
    "page=40",
    "page=2000&per_page=50",
    "sort=-name",
    "sort=state&region=midwest",
    "sort=length",
    "sort=-length",
    "sort=positions",
    "sort=-positions",
    "sort=research",
    "sort=-research&type=integrated_ir",
    "sort=updated&verified_within=24",
    "per_page=100&sort=-research",
    "intern_year=included&signals=1",
    "my_step2=235&comlex=1",
    "min_salary=65000&sort=-salary",
    "min_cases=2000&min_board_pass_rate=90&sort=-cases",
    "sort=deadline&interview_format=virtual",
]
# Near a ZIP code (distances, a radius, nearest first) and ranking by wishes (issue 17), timed apart too.
DISTANCE_QUERIES = [
    "near=02108&within=250&sort=distance",
    "near=60611&within=500&sort=distance&type=integrated_ir",
    "near=94103&within=100&sort=distance&page=2",
]
FIT_QUERIES = [
    "want=esir&want=signals&want=comlex&sort=fit",
    "want=visa&want=intern_included&want=interventional_oncology&sort=fit&region=west",
]
QUERIES += DISTANCE_QUERIES + FIT_QUERIES
# The near and fit mixes are few (3 and 2), so with 3 rounds their p95 would be the slowest of
# 9 and 6 requests: one slow request. They are timed this many times as often (apart: the
# all-mixes figures keep one request per mix and round).
NEAR_FIT_ROUNDS = 8


class StatementCounter:
    """Counts the SQL statements an engine runs."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_finder(app, rounds: int) -> dict:
    """p50/p95 of the partial and the full page over every query mix, `rounds` times each."""
    from finder.extensions import db

    client = app.test_client()
    with app.app_context():
        counter = StatementCounter(db.engine)
    partial_headers = {"HX-Request": "true"}
    load = os.getloadavg()[0]
    # The first time each near and fit mix is asked of an index: its order by distance or by
    # wishes met is worked out then (and kept for the next ones); the index itself is loaded
    # and its facet table built by the first request, and the ZIP data (read once per process,
    # by the first `near`) read before, neither timed here.
    from finder.catalog import places

    places.zip_location("02108")
    assert client.get("/programs", headers=partial_headers).status_code == 200
    first_asked = [timed_get(client, f"/programs?{query}", partial_headers) for query in DISTANCE_QUERIES + FIT_QUERIES]
    for query in QUERIES:  # warm up
        assert client.get(f"/programs?{query}", headers=partial_headers).status_code == 200, query
    timings = {"partial": [], "full": [], "keyword_partial": [], "distance_partial": [], "fit_partial": [],
               "partial_cpu": []}
    statements = 0
    for _ in range(rounds):
        for query in QUERIES:
            for kind, headers in (("partial", partial_headers), ("full", {})):
                before = counter.count
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(f"/programs?{query}", headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                if kind == "partial":  # this process's CPU time: what other processes' load adds least to
                    timings["partial_cpu"].append((time.process_time() - cpu) * 1000)
                assert response.status_code == 200, (query, response.status_code)
                statements = max(statements, counter.count - before)
                timings[kind].append(elapsed)
                if kind == "partial" and query.startswith("q="):
                    timings["keyword_partial"].append(elapsed)
                if kind == "partial" and query in DISTANCE_QUERIES:
                    timings["distance_partial"].append(elapsed)
                if kind == "partial" and query in FIT_QUERIES:
                    timings["fit_partial"].append(elapsed)
    for _ in range(rounds * (NEAR_FIT_ROUNDS - 1)):
        for query in DISTANCE_QUERIES + FIT_QUERIES:
            elapsed = timed_get(client, f"/programs?{query}", partial_headers)
            timings["distance_partial" if query in DISTANCE_QUERIES else "fit_partial"].append(elapsed)
    result = {
        f"{kind}_{name}_ms": percentile(values, fraction)
        for kind, values in timings.items()
        for name, fraction in (("p50", 0.5), ("p95", 0.95))
    }
    result["near_fit_first_asked_ms"] = max(first_asked)
    result["max_sql_statements"] = statements
    result["load_1min"] = load
    result["requests"] = len(timings["partial"]) + len(timings["full"])
    result.update(response_sizes(client))
    return result


def response_sizes(client) -> dict:
    """Bytes of the full page and the partial for 25 results, plain and gzipped."""
    sizes = {}
    for kind, headers in (("partial", {"HX-Request": "true"}), ("full", {})):
        body = client.get("/programs?per_page=25", headers=headers).data
        sizes[f"{kind}_bytes"] = len(body)
        sizes[f"{kind}_gzip_bytes"] = len(gzip.compress(body, compresslevel=5))
    return sizes


def timed_get(client, path: str, headers: dict | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=headers or {})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def bench_index(make_app, csv_path: Path, repeat: int) -> dict:
    """The finder index: building it, a fresh worker's first request, the first request after an import.

    `make_app()` gives a new app (a new process's worth of caches) on the benchmark's database.
    """
    from finder.catalog import Source, load_catalog
    from finder.extensions import db
    from finder.warmup import warm_up

    result = {"load_1min": os.getloadavg()[0]}
    app = make_app()
    builds = build_times_ms(app, repeat, time.perf_counter)
    result["build_ms"] = min(builds)
    result["build_runs_ms"] = builds
    # The CPU time of this process: what a build costs apart from the database server's work
    # and other processes' share of the cores.
    result["build_cpu_ms"] = min(build_times_ms(app, repeat, time.process_time))
    # A worker that has just started, as gunicorn.conf.py starts one: warmed (finder.warmup)
    # before it takes requests, then its first partial; and one that was not warmed.
    warmed = make_app()
    started = time.perf_counter()
    warm_up(warmed)
    result["warm_up_ms"] = (time.perf_counter() - started) * 1000
    cpu = time.process_time()
    result["first_request_ms"] = timed_get(warmed.test_client(), "/programs?type=integrated_ir", {"HX-Request": "true"})
    result["first_request_cpu_ms"] = (time.process_time() - cpu) * 1000
    result["first_request_cold_ms"] = timed_get(make_app().test_client(), "/programs?type=integrated_ir",
                                                {"HX-Request": "true"})
    # A worker that has served before, right after a real import changed one program.
    client = app.test_client()
    timed_get(client, "/programs", {"HX-Request": "true"})
    after, after_cpu = [], []
    for attempt in range(repeat):
        with app.app_context():
            changed = load_catalog(db.engine, [Source("one-program.csv", one_changed_program(csv_path, attempt))])
        assert changed.ok and changed.files[0].updated == 1, changed
        cpu = time.process_time()
        after.append(timed_get(client, "/programs?type=integrated_ir", {"HX-Request": "true"}))
        after_cpu.append((time.process_time() - cpu) * 1000)
    result["first_request_after_import_ms"] = max(after)
    result["first_request_after_import_runs_ms"] = after
    result["first_request_after_import_cpu_ms"] = max(after_cpu)  # this process's share: no other's load
    result["next_request_ms"] = timed_get(client, "/programs?type=integrated_ir", {"HX-Request": "true"})
    return result


def build_times_ms(app, repeat: int, clock) -> list[float]:
    """`repeat` index builds from the database, each timed by `clock` (wall or CPU), in ms."""
    from finder.extensions import db
    from finder.programs import search

    times = []
    with app.app_context():
        for _ in range(repeat):
            with db.engine.connect() as connection:
                started = clock()
                search.ProgramIndex.load(connection)
                times.append((clock() - started) * 1000)
    return times


def one_changed_program(csv_path: Path, attempt: int) -> bytes:
    """programs.csv with its first program only, renamed (so the import changes one row)."""
    with open(csv_path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header, row = next(reader), next(reader)
    row[header.index("name")] += f" (renamed {attempt + 1})"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    return out.getvalue().encode()
