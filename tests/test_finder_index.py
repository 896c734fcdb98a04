"""The finder's index is built once per catalog version, by the change, and shared (issue 19, point 1).

The change that bumps the catalog version builds the index of the new version after its
commit, from a read snapshot, and stores it in a short write of its own (`publish_index`);
every app process (gunicorn worker, instance) loads it on its next request instead of
building its own, and answers from the previous version's index until it is stored. These tests guard that mechanism, not its speed (bench/ does).
"""

import re
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, select
from sqlalchemy import text as sqlalchemy_text

from finder import create_app
from finder.catalog.tables import finder_index
from finder.extensions import db
from finder.programs import search
from finder.programs.search import ProgramIndex, Query

from .conftest import load
from .test_finder import FEATURES, HEADER, ROWS
from .test_finder_search import build, programs, queries

TODAY = date(2026, 3, 31)


@pytest.fixture
def catalog_app(app):
    assert load(app, ("features.csv", FEATURES), ("programs.csv", HEADER + "\n".join(ROWS) + "\n")).ok
    return app


@pytest.fixture
def worker(app_config):
    """Makes another process of the app on the same database: its own caches, its own index."""
    apps = []

    def make():
        app = create_app(app_config)
        apps.append(app)
        return app, app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def api_codes(client, query: str = "") -> list[str]:
    response = client.get(f"/api/programs?per_page=100&{query}")
    assert response.status_code == 200, response.json
    return sorted(program["program_code"] for program in response.json["results"])


def shown_codes(response) -> list[str]:
    """The program codes a finder page, partial or API answer lists (never a substring of the
    whole page: a random token there may hold the letters of a code)."""
    if response.is_json:
        return [program["program_code"] for program in response.json["results"]]
    return re.findall(r'<h3><a href="/programs/([^"]+)"', response.get_data(as_text=True))


def stored_versions(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(finder_index.c.version)))


def catalog_version(app) -> int:
    with app.app_context():
        return search.read_version(db.session)


def same(a: ProgramIndex, b: ProgramIndex) -> None:
    """Every attribute of two indexes is equal."""
    assert vars(a).keys() == vars(b).keys()
    for name, value in vars(a).items():
        other = vars(b)[name]
        if isinstance(value, np.ndarray):
            assert value.dtype == other.dtype and np.array_equal(value, other, equal_nan=value.dtype.kind == "f"), name
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), np.ndarray):
            assert value.keys() == other.keys(), name
            for key in value:
                assert np.array_equal(value[key], other[key]), (name, key)
        else:
            assert value == other, name


def test_every_catalog_change_stores_the_index_of_its_version_and_only_that(catalog_app):
    assert stored_versions(catalog_app) == [catalog_version(catalog_app)]
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    assert stored_versions(catalog_app) == [catalog_version(catalog_app)]


def test_a_dry_run_or_a_refused_file_stores_nothing(catalog_app):
    before = stored_versions(catalog_app)
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"), dry_run=True)
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,XX,fellowship,1,,,,,,,,,,\n"))
    assert stored_versions(catalog_app) == before


def test_the_stored_index_is_the_index_built_from_the_database(catalog_app):
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
        stored = search.stored_index(db.session, built.version)
    same(built, stored)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog=st.lists(programs, max_size=12), query=queries)
def test_an_index_loaded_from_its_bytes_answers_every_query_as_the_built_one(catalog, query):
    built = build(catalog)
    loaded = ProgramIndex.from_bytes(built.to_bytes())
    same(built, loaded)
    assert loaded.search(query, TODAY) == built.search(query, TODAY)


def test_an_attribute_without_a_stored_form_is_refused_not_lost():
    index = build([])
    index.something_new = {1, 2}
    with pytest.raises(TypeError, match="something_new"):
        index.to_bytes()


def test_a_catalog_change_is_visible_on_the_next_request_of_every_worker(catalog_app, worker, monkeypatch):
    workers = [worker() for _ in range(3)]
    for _, client in workers:
        assert "N1" not in api_codes(client)
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))

    def no_build(*args, **kwargs):
        raise AssertionError("a worker built the index instead of loading the stored one")

    monkeypatch.setattr(ProgramIndex, "load", no_build)
    for _, client in workers:
        assert "N1" in api_codes(client, "state=NE")


@pytest.mark.parametrize("path", ["/programs", "/api/programs"])
def test_after_a_change_a_request_loads_the_index_in_one_statement_then_needs_one_again(catalog_app, worker, path):
    """A request reads the catalog version in the statement that reads its page's rows; when the
    version moved, one statement loads the stored index and one reads the rows its answer shows."""
    app, client = worker()
    client.get(path)
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    response = client.get(f"{path}?state=NE", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "N1" in shown_codes(response)
    assert len(statements) == 3, statements  # the version with the old answer's rows, the stored index, the rows
    assert "catalog_state" in statements[0] and "finder_index" in statements[1] and "catalog_state" not in statements[2]
    statements.clear()
    response = client.get(f"{path}?state=NE&sort=-name", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "N1" in shown_codes(response)
    assert len(statements) == 1, statements
    assert "catalog_state" in statements[0] and "programs" in statements[0]


@pytest.mark.parametrize(("path", "status"), [("/programs?q=nothingcalledthis", 200), ("/programs?per_page=101", 400),
                                            ("/api/programs?per_page=0", 400), ("/api/programs?page=999", 200)])
def test_a_request_without_rows_to_show_still_reads_the_version_and_sees_a_change(catalog_app, worker, monkeypatch,
                                                                                  path, status):
    """No result, a refused parameter (400) or a page past the last: the version is still read,
    and the new version's index loaded."""
    _, client = worker()
    client.get(path)
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    loaded = []
    newest_stored = search._newest_stored
    monkeypatch.setattr(search, "_newest_stored", lambda *args, **kwargs: loaded.append(1) or newest_stored(*args, **kwargs))
    response = client.get(path)
    assert response.status_code == status
    if "/api/" in path and status == 200:
        assert response.json["results"] == []
    assert loaded, "the request did not see the catalog's new version"
    monkeypatch.undo()
    assert "N1" in api_codes(client, "state=NE")


def test_a_catalog_without_its_version_row_reads_as_version_0(catalog_app, worker):
    """The version statement with the rows gives 0 when the catalog_state row is missing, as
    `read_version` does: the cached index (of a later version) answers."""
    from finder.catalog.tables import catalog_state

    _, client = worker()
    assert api_codes(client, "state=TX") == ["B1", "B2"]
    with catalog_app.app_context():
        db.session.execute(delete(catalog_state))
        db.session.commit()
        assert search.read_version(db.session) == 0
    assert api_codes(client, "state=TX") == ["B1", "B2"]
    assert client.get("/programs?state=TX").status_code == 200


def test_a_catalog_without_a_stored_index_is_built_by_the_request(catalog_app, worker):
    with catalog_app.app_context():
        db.session.execute(delete(finder_index))
        db.session.commit()
    _, client = worker()
    assert api_codes(client, "state=TX") == ["B1", "B2"]


def test_a_stored_index_newer_than_the_version_read_is_used(catalog_app):
    """A change may commit between reading the version and reading the index: the newer one serves."""
    with catalog_app.app_context():
        version = search.read_version(db.session)
        assert search.stored_index(db.session, version - 1).version == version
        assert search.stored_index(db.session, version + 1) is None


def test_the_admin_delete_stores_the_index_of_its_version(catalog_app, worker):
    from finder.admin.catalog_admin import delete_program

    with catalog_app.app_context():
        assert delete_program(db.engine, "B1") is not None
    assert stored_versions(catalog_app) == [catalog_version(catalog_app)]
    _, client = worker()
    assert api_codes(client, "state=TX") == ["B2"]


def locked_statements(app) -> list[list[str]]:
    """The statements of each transaction that takes the catalog's lock, as they run."""
    transactions: list[list[str]] = []
    open_ones: dict[int, list[str]] = {}

    def before(connection, cursor, statement, *args):
        if statement.lstrip().startswith("UPDATE catalog_state") and id(connection) not in open_ones:
            open_ones[id(connection)] = []
            transactions.append(open_ones[id(connection)])
        if id(connection) in open_ones:
            open_ones[id(connection)].append(statement)

    def end(connection):
        open_ones.pop(id(connection), None)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "commit", end)
        event.listen(db.engine, "rollback", end)
    return transactions


def new_programs(prefix: str, count: int) -> str:
    return HEADER + "".join(f"{prefix}{n},{prefix} IR {n},Plains,Omaha,NE,fellowship,1,,,oncology,,,,,,,\n"
                            for n in range(count))


def test_the_write_lock_is_held_for_the_change_not_for_an_index_build(catalog_app):
    """The locked transaction of a load neither builds nor stores the index, and runs the same
    statements whether it adds 1 program or 2,000, to a small catalog or one 2,000 programs bigger."""
    transactions = locked_statements(catalog_app)
    assert load(catalog_app, ("programs.csv", new_programs("ONE", 1))).applied
    assert load(catalog_app, ("programs.csv", new_programs("MANY", 2000))).applied
    assert load(catalog_app, ("programs.csv", new_programs("AGAIN", 1))).applied
    assert len(transactions) == 3
    for statements in transactions:
        assert not [s for s in statements if "finder_index" in s or "group_concat" in s or "string_agg" in s]
    assert len(transactions[0]) == len(transactions[1]) == len(transactions[2]), transactions
    # ... and the index of the last version is stored after the commit, whole.
    assert stored_versions(catalog_app) == [catalog_version(catalog_app)]
    with catalog_app.app_context():
        assert search.stored_index(db.session, catalog_version(catalog_app)).size == len(ROWS) + 2002


def test_a_request_that_finds_the_new_version_before_its_index_serves_the_previous_and_says_so(
        catalog_app, worker, monkeypatch):
    _, warm = worker()
    assert warm.get("/programs").status_code == 200  # this process has the index of the version before
    monkeypatch.setattr(search, "publish_index", lambda bind: None)  # the change commits; its index is not stored yet
    version_before = catalog_version(catalog_app)
    assert load(catalog_app, ("programs.csv", new_programs("N", 1))).applied
    assert catalog_version(catalog_app) == version_before + 1
    assert stored_versions(catalog_app) == [version_before]

    def no_build(*args, **kwargs):
        raise AssertionError("a request built the index instead of serving the previous one")

    monkeypatch.setattr(ProgramIndex, "load", no_build)
    for client in (warm, worker()[1]):  # a process with the previous index cached, and a new one
        page = client.get("/programs?state=NE")
        assert page.status_code == 200
        assert shown_codes(page) == [] and "changed a moment ago" in page.get_data(as_text=True)
        assert api_codes(client, "state=NE") == []
    monkeypatch.undo()
    search.publish_index(_engine(catalog_app))
    page = warm.get("/programs?state=NE")
    assert shown_codes(page) == ["N0"] and "changed a moment ago" not in page.get_data(as_text=True)


def _engine(app):
    with app.app_context():
        return db.engine


def test_a_version_whose_index_never_appears_is_built_and_stored_by_a_request(catalog_app, worker, monkeypatch):
    """The process that made the change died before it stored the index: after PUBLISH_GRACE a
    request builds it (and stores it for every other process)."""
    _, client = worker()
    client.get("/programs")
    monkeypatch.setattr(search, "publish_index", lambda bind: None)
    assert load(catalog_app, ("programs.csv", new_programs("N", 1))).applied
    monkeypatch.undo()
    monkeypatch.setattr(search, "PUBLISH_GRACE", 0.0)
    assert api_codes(client, "state=NE") == ["N0"]
    assert stored_versions(catalog_app) == [catalog_version(catalog_app)]


def test_a_request_never_waits_for_another_threads_index_load(catalog_app, worker):
    """While another thread of the process holds the index lock (loading or building), a
    request with a previous index answers with it at once."""
    import threading

    _, client = worker()
    client.get("/programs")
    assert load(catalog_app, ("programs.csv", new_programs("N", 1))).applied
    answers = []
    with search._lock:
        thread = threading.Thread(target=lambda: answers.append(client.get("/programs?state=NE")))
        thread.start()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the request waited for the index lock"
    assert answers[0].status_code == 200 and "changed a moment ago" in answers[0].get_data(as_text=True)
    assert shown_codes(client.get("/programs?state=NE")) == ["N0"]


def test_a_load_whose_index_cannot_be_stored_in_time_is_still_applied(catalog_app, worker, monkeypatch):
    from sqlalchemy.exc import OperationalError

    class Locked(Exception):
        sqlite_errorcode = 5  # SQLITE_BUSY, as is_lock_conflict reads it
        sqlstate = "55P03"

    def locked(connection, cursor, statement, *args):
        if statement.lstrip().startswith("DELETE FROM finder_index"):
            raise OperationalError(statement, {}, Locked())

    engine = _engine(catalog_app)
    event.listen(engine, "before_cursor_execute", locked)
    try:
        result = load(catalog_app, ("programs.csv", new_programs("N", 1)))
    finally:
        event.remove(engine, "before_cursor_execute", locked)
    assert result.applied and stored_versions(catalog_app) == [result.version - 1]
    monkeypatch.setattr(search, "PUBLISH_GRACE", 0.0)
    _, client = worker()
    assert api_codes(client, "state=NE") == ["N0"]


def test_an_index_stored_by_another_release_with_another_layout_is_built_anew(catalog_app, worker):
    """A deploy that changes the index's columns must not load the previous release's index."""
    with catalog_app.app_context():
        version = search.read_version(db.session)
        old = ProgramIndex.load(db.session)
        del old.feature_bits  # as if stored by a release without this attribute
        db.session.execute(delete(finder_index))
        db.session.execute(finder_index.insert().values(version=version, data=old.to_bytes()))
        db.session.commit()
        assert search.stored_index(db.session, version) is None
    _, client = worker()
    assert api_codes(client, "fellowship=oncology") == ["A1", "A2"]


def _stored_as(app, data: bytes) -> int:
    """Replace the stored index with `data` (as the catalog's version); that version."""
    with app.app_context():
        version = search.read_version(db.session)
        db.session.execute(delete(finder_index))
        db.session.execute(finder_index.insert().values(version=version, data=data))
        db.session.commit()
    return version


def _npz_of(index: ProgramIndex) -> bytes:
    """The index as format 3 stored it: one .npz file of its arrays."""
    import io

    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **{name: value for name, value in vars(index).items()
                                         if isinstance(value, np.ndarray)})
    return out.getvalue()


def _with_header(data: bytes, change) -> bytes:
    """A stored index whose JSON header `change` altered (the arrays' bytes left where they were)."""
    import json

    length = int.from_bytes(data[len(search._MAGIC):len(search._MAGIC) + 4], "little")
    start = len(search._MAGIC) + 4
    header = json.loads(data[start:start + length])
    change(header)
    text = json.dumps(header).encode()
    assert len(text) <= length
    return data[:start] + text + b" " * (length - len(text)) + data[start + length:]


def _object_array(header):
    header["arrays"][0]["dtype"] = "|O"


def _past_the_end(header):
    header["arrays"][-1]["at"] += 10**6


def _other_format(header):
    header["format"] = "0"


def _without_plain(header):
    del header["plain"]


def _plain_a_list(header):
    header["plain"] = [1, 2]


def _features_missing(header):
    del header["plain"]["features"]


@pytest.mark.parametrize("damage", [
    pytest.param(lambda data, index: _with_header(data, _without_plain), id="a header without its plain values"),
    pytest.param(lambda data, index: _with_header(data, _plain_a_list), id="plain values not a mapping"),
    pytest.param(lambda data, index: _with_header(data, _features_missing), id="no features"),
    pytest.param(lambda data, index: _npz_of(index), id="an older release's npz"),
    pytest.param(lambda data, index: data[: len(data) // 2], id="cut short"),
    pytest.param(lambda data, index: data[:20], id="cut inside the header"),
    pytest.param(lambda data, index: _with_header(data, _other_format), id="another format"),
    pytest.param(lambda data, index: _with_header(data, _object_array), id="an object array"),
    pytest.param(lambda data, index: _with_header(data, _past_the_end), id="an array past the end"),
])
def test_a_stored_index_of_another_format_or_damaged_is_never_read_but_built_anew(catalog_app, worker, damage):
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    data = damage(built.to_bytes(), built)
    with pytest.raises(ValueError):
        ProgramIndex.from_bytes(data)
    version = _stored_as(catalog_app, data)
    with catalog_app.app_context():
        assert search.stored_index(db.session, version) is None
    _, client = worker()
    assert api_codes(client, "fellowship=oncology") == ["A1", "A2"]
    with catalog_app.app_context():  # the request stored the index it built in its place
        same(search.stored_index(db.session, version), built)


def test_a_loaded_index_reads_its_arrays_in_place_and_keeps_shared_ones_shared(catalog_app):
    """The arrays are views of the stored bytes (nothing copied, nothing writable), and an
    array that is two attributes of the built index (`state` is `codes["state"]`) is stored
    once and is one array again when loaded."""
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    data = built.to_bytes()
    loaded = ProgramIndex.from_bytes(data)
    assert built.state is built.codes["state"] and loaded.state is loaded.codes["state"]
    assert loaded.esir is loaded.flags["esir"]
    stored, _ = search._unpack_arrays(data)
    assert "state" in stored and sum(array is stored["state"] for array in stored.values()) == 2
    for array in (loaded.ids, loaded.orders["name"], loaded.word_rows, loaded.latitude):
        assert not array.flags.writeable and not array.flags.owndata
    assert len(data) < sum(a.nbytes for a in stored.values()) + 64 * len(stored) + 20_000


def test_a_built_index_has_the_layout_of_an_empty_one(catalog_app):
    with catalog_app.app_context():
        assert ProgramIndex.load(db.session).layout() == search._empty_index().layout()


def test_the_stored_index_reads_back_the_same_bytes_in_binary_as_in_text(catalog_app):
    """PostgreSQL's binary result format (a bytea as is, not as hex) changes nothing but the cost."""
    with catalog_app.app_context():
        query = select(finder_index.c.data)
        binary = db.session.execute(query, execution_options={search.BINARY_RESULTS: True}).scalar_one()
        text = db.session.execute(query).scalar_one()
    assert bytes(binary) == bytes(text) and len(binary) > 1000


def test_the_stored_index_keeps_the_feature_rows_once_as_bits(catalog_app):
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    stored, _ = search._unpack_arrays(built.to_bytes())
    assert "has_feature" not in stored and "feature_bits" in stored
    loaded = ProgramIndex.from_bytes(built.to_bytes())
    assert loaded.has_feature.dtype == bool and np.array_equal(loaded.has_feature, built.has_feature)


def _both_reads(app):
    from finder.catalog.transactions import read_snapshot

    with app.app_context(), read_snapshot(db.engine) as connection:
        return search._packed_columns(connection), search._plain_columns(connection)


def _index_of(app, columns) -> ProgramIndex:
    """The index of `columns` with the database's version, links and features."""
    with app.app_context():
        loaded = ProgramIndex.load(db.session)
        links = search._links_by_feature(db.session.connection())
    return ProgramIndex(loaded.version, columns, links, [tuple(vars(f).values()) for f in loaded.features])


def test_the_catalog_read_in_one_packed_statement_builds_the_index_a_row_by_row_read_builds(demo_app):
    packed, plain = _both_reads(demo_app)
    assert packed is not None and search._CODE_ORDER in packed  # the fast read, with the codes' order
    same(_index_of(demo_app, packed), _index_of(demo_app, plain))
    without_order = {name: value for name, value in packed.items() if name != search._CODE_ORDER}
    same(_index_of(demo_app, without_order), _index_of(demo_app, plain))
    with demo_app.app_context():
        same(ProgramIndex.load(db.session), _index_of(demo_app, plain))


def test_a_value_that_is_none_of_its_columns_choices_is_read_as_blank_by_both_reads(demo_app):
    """The packed read codes a choice with a CASE of the column's choices: anything else (the
    loader never writes it, the database allows it) is blank, as the row-by-row read has it."""
    with demo_app.app_context():
        db.session.execute(sqlalchemy_text(
            "UPDATE programs SET state = 'XX', program_type = 'other', visa_sponsorship = 'J1', "
            "intern_year = 'INCLUDED', zip_code = '0211a' WHERE id = (SELECT min(id) FROM programs)"))
        db.session.commit()
    packed, plain = _both_reads(demo_app)
    assert packed is not None
    built = _index_of(demo_app, packed)
    same(built, _index_of(demo_app, plain))
    assert built.state[0] == built.type[0] == search._BLANK and not built.visa["j1"][0]
    assert not built.intern_included[0] and built.codes["intern_year"][0] == search._BLANK


@pytest.mark.parametrize("change", [
    "UPDATE programs SET name = name || char(31) WHERE id = (SELECT min(id) FROM programs)",
    "UPDATE programs SET length_years = 99 WHERE id = (SELECT max(id) FROM programs)",
    "UPDATE programs SET zip_code = '021' WHERE id = (SELECT max(id) FROM programs)",
    "UPDATE programs SET state = char(241) || 'A' WHERE id = (SELECT max(id) FROM programs)",
])
def test_a_value_the_packed_read_cannot_carry_is_read_row_by_row(demo_app, change):
    """A text holding the separator, a number outside its column's range, or a ZIP code or
    state not of its fixed width in ASCII (none is ever written by the loader, but the
    database allows them) makes the index read rows instead."""
    with demo_app.app_context():
        if db.engine.dialect.name == "postgresql":
            change = change.replace("char(", "chr(")
        db.session.execute(sqlalchemy_text(change))
        db.session.commit()
    packed, plain = _both_reads(demo_app)
    assert packed is None
    with demo_app.app_context():
        same(ProgramIndex.load(db.session), _index_of(demo_app, plain))


def test_fixed_width_values_whose_lengths_cancel_out_are_read_row_by_row(demo_app):
    """A state one letter short on one row and one letter long on another keep the joined
    text's length; each value's own length is checked, so the states between them are not
    read shifted by a letter. (PostgreSQL's varchar(2) refuses the longer one: SQLite only.)"""
    with demo_app.app_context():
        if db.engine.dialect.name == "postgresql":
            pytest.skip("PostgreSQL's varchar(2) column refuses a three-letter state")
        db.session.execute(sqlalchemy_text(
            "UPDATE programs SET state = CASE WHEN id = (SELECT min(id) FROM programs) THEN 'M' ELSE 'MAS' END "
            "WHERE id IN ((SELECT min(id) FROM programs), (SELECT max(id) FROM programs))"))
        db.session.commit()
    packed, plain = _both_reads(demo_app)
    assert packed is None
    with demo_app.app_context():
        loaded = ProgramIndex.load(db.session)
        same(loaded, _index_of(demo_app, plain))
        states = dict(db.session.execute(sqlalchemy_text("SELECT id, state FROM programs")).all())
    known = [i for i, code in enumerate(loaded.ids.tolist()) if states[code] in search.STATE_CODES]
    assert [search.STATE_CODES[loaded.state[i]] for i in known] == [states[loaded.ids[i]] for i in known]


def test_a_load_lets_go_of_each_column_read_once_the_index_has_used_it(demo_app, monkeypatch):
    """`load` hands the columns and links it read to the build, which empties them as it goes
    (the texts are most of a build's peak memory); an index made from the caller's own
    columns leaves them as they were."""
    handed = []
    packed_columns, links_by_feature = search._packed_columns, search._links_by_feature
    monkeypatch.setattr(search, "_packed_columns", lambda c: handed.append(packed_columns(c)) or handed[-1])
    monkeypatch.setattr(search, "_links_by_feature", lambda c: handed.append(links_by_feature(c)) or handed[-1])
    with demo_app.app_context():
        loaded = ProgramIndex.load(db.session)
    assert len(handed) == 2 and handed[0] == {} and handed[1] == {}
    packed, _ = _both_reads(demo_app)
    kept = dict(packed)
    same(_index_of(demo_app, packed), loaded)
    assert packed == kept


def test_only_the_name_orders_are_stored_and_every_other_sort_is_worked_out_once_when_asked_for(catalog_app):
    """A sort's order is the name order re-sorted by its key: stored for `name` and `-name`,
    worked out (once per index) for the others the first time one is asked for, the same
    order in a loaded index as in the built one."""
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    stored, _ = search._unpack_arrays(built.to_bytes())
    assert sorted(name for name in stored if name.startswith("orders")) == ["orders::-name", "orders::name"]
    loaded = ProgramIndex.from_bytes(built.to_bytes())
    for sort in [*search.SORTS, "state"]:
        order = loaded.orders.get(sort)
        if sort in ("distance", "fit"):  # ordered per query, never by a stored column
            assert order is None
            continue
        assert order is loaded.orders[sort] and np.array_equal(order, built.orders[sort]), sort
    assert loaded.layout() == built.layout() == search._empty_index().layout()


def test_an_index_no_longer_used_is_freed_at_once_without_the_cyclic_collector(catalog_app):
    """A worker replaces its index when the catalog changes: the old one (tens of MB at
    100,000 programs) must go when its last reference does, not at the collector's next pass."""
    import gc
    import weakref

    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    loaded = ProgramIndex.from_bytes(built.to_bytes())
    for index in (built, loaded):
        assert index.orders["length"] is not None  # a worked-out order, kept by the index
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gone = [weakref.ref(built), weakref.ref(loaded)]
        del built, loaded, index
        assert [ref() for ref in gone] == [None, None]
    finally:
        if was_enabled:
            gc.enable()


def test_the_index_is_stored_part_by_part_as_the_exact_bytes_and_a_row_already_there_is_kept(catalog_app):
    """The store writes the parts of `stored_parts` one after another (SQLite's blob I/O,
    PostgreSQL's binary COPY) rather than one joined buffer: the row holds exactly the bytes
    of `to_bytes`. A row of the same version stored meanwhile by another process is kept, and
    the storing transaction goes on as if it had stored it."""
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
        engine = db.engine
    query = select(finder_index.c.data).where(finder_index.c.version == built.version)
    with engine.connect() as connection:
        assert bytes(connection.execute(query, execution_options={search.BINARY_RESULTS: True}).scalar_one()) \
            == built.to_bytes()
    write = search._store_sqlite if engine.dialect.name == "sqlite" else search._store_postgresql
    with engine.begin() as connection:
        write(connection, built.version, [b"not an index"])
        assert connection.execute(select(func.count()).select_from(finder_index)).scalar_one() == 1
    with engine.connect() as connection:
        assert bytes(connection.execute(query).scalar_one()) == built.to_bytes()


def _fresh(app) -> ProgramIndex:
    """The index of the database as it is, every part of it worked out (nothing reused)."""
    packed, _ = _both_reads(app)
    return _index_of(app, packed)


def test_a_build_whose_programs_did_not_move_reuses_the_stored_map_places(catalog_app, monkeypatch):
    """The map's places depend on nothing but the rows' locations: a build that finds the newest
    stored index with the same programs at the same places (and of this code's places_version)
    takes them from it, reading only those arrays, instead of looking up ZIP codes again."""
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR renamed,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    expected = _fresh(catalog_app)

    def not_needed(*args):
        raise AssertionError("the map's places were worked out again")

    monkeypatch.setattr(search.usmap, "stored_places", not_needed)
    with catalog_app.app_context():
        same(ProgramIndex.load(db.session), expected)


@pytest.mark.parametrize("change", ["a program moved", "another places_version"])
def test_a_build_whose_programs_moved_or_whose_map_changed_works_the_places_out(catalog_app, monkeypatch, change):
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    if change == "a program moved":  # in the database only: the newest stored index has it in Omaha
        with catalog_app.app_context():
            db.session.execute(sqlalchemy_text("UPDATE programs SET city = 'Lincoln' WHERE program_code = 'N1'"))
            db.session.commit()
    else:
        monkeypatch.setattr(search.usmap, "places_version", lambda: "another")
    expected = _fresh(catalog_app)
    worked_out = []
    stored_places = search.usmap.stored_places
    monkeypatch.setattr(search.usmap, "stored_places", lambda layout: worked_out.append(1) or stored_places(layout))
    with catalog_app.app_context():
        built = ProgramIndex.load(db.session)
    assert worked_out == [1]
    same(built, expected)


def test_a_pages_rows_read_as_the_drivers_tuples_are_the_rows_sqlalchemy_reads(catalog_app):
    """`PageRows` skips SQLAlchemy's Result but not its types: every value (dates and flags on
    SQLite included) is what a select of the same columns gives, of the same type, in the ids'
    order; an id without a program is left out; the version comes with the rows, also for none."""
    from finder.catalog.tables import programs as programs_table
    from finder.programs.api import _API_ROWS

    with catalog_app.app_context():
        ids = list(db.session.scalars(select(programs_table.c.id).order_by(programs_table.c.program_code.desc())))
        expected = {row.id: row for row in db.session.execute(
            select(*(programs_table.c[name] for name in _API_ROWS.columns)).where(programs_table.c.id.in_(ids)))}
        version = search.read_version(db.session)
        got = _API_ROWS.read(db.session, [*ids, 10**9])
        with_version = _API_ROWS.read_with_version(db.session, [10**9, *ids])
        assert _API_ROWS.read_with_version(db.session, []) == (version, [])
        assert _API_ROWS.read(db.session, []) == []
    typed = [[(type(value), value) for value in expected[i]] for i in ids]
    assert [[(type(value), value) for value in row] for row in got] == typed
    assert with_version[0] == version and with_version[1] == got
    assert any(isinstance(value, date) for row in got for value in row)  # the fixture has dates…
    assert any(value is True for row in got for value in row)  # …and flags
    assert got[0].program_code == expected[ids[0]].program_code
