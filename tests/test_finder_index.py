"""The finder's index is built once per catalog version, by the change, and shared (issue 19, point 1).

The change that bumps the catalog version stores the index of the new version in the same
transaction; every app process (gunicorn worker, instance) loads it on its next request
instead of building its own. These tests guard that mechanism, not its speed (bench/ does).
"""

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, select

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


def test_after_a_change_a_request_loads_the_index_in_one_statement_then_needs_two_again(catalog_app, worker):
    app, client = worker()
    client.get("/programs")
    load(catalog_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert client.get("/programs?state=NE", headers={"HX-Request": "true"}).status_code == 200
    assert len(statements) == 3, statements  # the version, the stored index, the page's rows
    assert "finder_index" in statements[1]
    statements.clear()
    assert client.get("/programs?state=NE", headers={"HX-Request": "true"}).status_code == 200
    assert len(statements) == 2, statements


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


def test_every_version_bump_stores_the_index_so_the_admin_edit_form_does_too(catalog_app):
    from finder.catalog import bump_version

    with catalog_app.app_context(), db.engine.begin() as connection:
        version = bump_version(connection)
    assert stored_versions(catalog_app) == [version]
    with catalog_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(finder_index)) == 1


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


def test_a_built_index_has_the_layout_of_an_empty_one(catalog_app):
    with catalog_app.app_context():
        assert ProgramIndex.load(db.session).layout() == search._empty_index().layout()
