"""Chaos (issue 13, Done means): catalog loads run in a loop while people read and write.

One thread loads: one-row files, 5,000-row files, and files with a problem (rejected), in
turn. Reader threads request the finder page, its htmx partial, the API and program pages;
writer threads add programs to shortlists and save notes. All at once, on whichever database
the suite runs on, for a bounded time (CHAOS_SECONDS, default 20; at most 60).

Then: no response was a 5xx, every shortlist write that answered 303 is there (none lost),
and every load is whole or absent (a rejected file left none of its rows; an applied one
left all of them; every API count a reader saw was a catalog state the loads committed).
"""

import os
import random
import threading
import time

from sqlalchemy import event, func, select

from finder.catalog.tables import programs
from finder.extensions import db

from .conftest import SUMMARY_LINES, csrf_token, load

SECONDS = min(60.0, float(os.environ.get("CHAOS_SECONDS") or 20))
BIG = 5000
HEADER = "program_code,name,institution,city,state,program_type,length_years,fellowships"


def batch(prefix: str, count: int, broken: bool = False) -> str:
    rows = [f"{prefix}-{n},{prefix} Chaos Program {n},Chaos Hospital {n % 7},Boston,MA,integrated_ir,6,"
            f"{'interventional_oncology' if n % 3 == 0 else ''}" for n in range(count)]
    if broken:
        rows[count // 2] = rows[count // 2].replace(",MA,", ",ZZ,")  # one bad row rejects the file
    return "\n".join((HEADER, *rows)) + "\n"


def count_with_prefix(app, prefix: str) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(programs).where(programs.c.program_code.like(f"{prefix}-%"))
        ).scalar_one()


def record_lock_holds(engine) -> list[float]:
    """Seconds each transaction that took the catalog's lock held it (from that statement to its
    commit or rollback): shown in the run's summary, never asserted (bench/ measures)."""
    holds: list[float] = []
    started: dict[int, float] = {}

    def before(connection, cursor, statement, *args):
        if statement.lstrip().startswith("UPDATE catalog_state"):
            started.setdefault(id(connection), time.perf_counter())

    def end(connection):
        if (start := started.pop(id(connection), None)) is not None:
            holds.append(time.perf_counter() - start)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    return holds


def test_loads_in_a_loop_beside_readers_and_writers_give_no_5xx_lose_nothing_and_stay_whole(demo_app, request):
    app = demo_app
    with app.app_context():
        holds = record_lock_holds(db.engine)
    deadline = time.monotonic() + SECONDS
    stop = threading.Event()
    statuses: list[tuple[str, int]] = []
    failures: list[BaseException] = []
    loads: list[tuple[str, int, bool]] = []  # (prefix, rows, applied)
    api_counts: list[int] = []
    saved: dict[str, list[str]] = {}  # shortlist edit path -> codes whose add answered 303

    def guarded(work):
        def run():
            try:
                work()
            except BaseException as error:  # noqa: BLE001 (reported by the test)
                failures.append(error)
                stop.set()
        return run

    def loader():
        number = 0
        while time.monotonic() < deadline and not stop.is_set():
            kind = number % 4
            prefix = f"L{number}"
            if kind == 0 or kind == 2:
                result = load(app, ("one.csv", batch(prefix, 1)))
                loads.append((prefix, 1, result.applied))
            elif kind == 1:
                result = load(app, ("big.csv", batch(prefix, BIG)))
                loads.append((prefix, BIG, result.applied))
            else:
                result = load(app, ("bad.csv", batch(prefix, BIG, broken=True)))
                assert not result.ok and not result.applied
                loads.append((prefix, BIG, False))
            number += 1
        stop.set()

    def reader(seed: int):
        rng = random.Random(seed)
        client = app.test_client()
        while not stop.is_set():
            path = rng.choice([
                "/programs?q=chaos&sort=-name", "/programs?state=MA&fellowship=interventional_oncology",
                "/api/programs?per_page=5&q=chaos", "/api/programs?type=integrated_ir&page=3",
                "/programs/IRF-0001", "/api/programs/IRF-0002", "/programs?type=fellowship&page=2",
            ])
            headers = {"HX-Request": "true"} if path.startswith("/programs?") and rng.random() < 0.5 else {}
            response = client.get(path, headers=headers)
            statuses.append((path, response.status_code))
            if path.startswith("/api/programs?per_page=5&q=chaos") and response.status_code == 200:
                api_counts.append(response.json["count"])

    def writer(number: int):
        client = app.test_client()
        csrf = csrf_token(client)
        created = client.post("/shortlists", data={"csrf_token": csrf, "name": f"Chaos {number}", "codes": "IRF-0001"})
        statuses.append(("/shortlists", created.status_code))
        edit = created.headers["Location"]
        saved[edit] = ["IRF-0001"]
        step = 0
        while not stop.is_set() and step < 60:
            code = f"IRF-{2 + (number * 60 + step) % 160:04d}"
            added = client.post(f"{edit}/programs", data={"csrf_token": csrf, "codes": code})
            statuses.append((f"{edit}/programs", added.status_code))
            if added.status_code == 303 and code not in saved[edit]:
                saved[edit].append(code)
            noted = client.post(f"{edit}/programs/{code}/note", data={"csrf_token": csrf, "note": f"step {step}"})
            statuses.append((f"{edit}/note", noted.status_code))
            step += 1

    threads = [threading.Thread(target=guarded(loader))]
    threads += [threading.Thread(target=guarded(lambda seed=seed: reader(seed))) for seed in range(3)]
    threads += [threading.Thread(target=guarded(lambda number=number: writer(number))) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    if holds:
        request.config.stash.setdefault(SUMMARY_LINES, []).append(
            f"chaos: {len(holds)} catalog-lock holds, longest {max(holds):.3f} s, "
            f"all: {' '.join(f'{h:.3f}' for h in sorted(holds, reverse=True)[:12])}"
        )
    assert failures == []

    server_errors = [(path, status) for path, status in statuses if status >= 500]
    assert server_errors == [], server_errors[:10]
    assert len(statuses) > 50 and len(loads) >= 4, (len(statuses), len(loads))

    # Every load is whole or absent.
    for prefix, rows, applied in loads:
        assert count_with_prefix(app, prefix) == (rows if applied else 0), (prefix, rows, applied)
    # Each count the API reported is a state the loads committed, one after the other.
    committed, total = {0}, 0
    for _, rows, applied in loads:
        total += rows if applied else 0
        committed.add(total)
    assert set(api_counts) <= committed, sorted(set(api_counts) - committed)[:5]

    # No shortlist write that was answered 303 is lost.
    client = app.test_client()
    for edit, codes in saved.items():
        page = client.get(edit).get_data(as_text=True)
        missing = [code for code in codes if code not in page]
        assert missing == [], (edit, missing)
