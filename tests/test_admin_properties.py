"""Random input to the admin forms and the upload: never a 5xx, and a rejected file writes nothing."""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from finder.catalog.tables import catalog_state
from finder.extensions import db

from .conftest import csrf_token, sign_in
from .test_admin import opened_with

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADER = b"program_code,name,institution,city,state,program_type,length_years,website,data_verified_on\n"
cell = st.text(st.characters(codec="utf-8"), max_size=12)


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(catalog_state.c.version))


def csv_rows():
    row = st.lists(cell, min_size=0, max_size=10).map(
        lambda cells: ",".join('"' + c.replace('"', '""') + '"' for c in cells))
    return st.lists(row, max_size=5).map(lambda rows: HEADER + "\n".join(rows).encode())


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), csv_rows()), prune=st.booleans())
def test_random_uploads_never_fail_with_5xx_and_rejections_write_nothing(demo_app, admin_client, data, prune):
    before = version(demo_app)
    form = {"file": (io.BytesIO(data), "x.csv"), "csrf_token": csrf_token(admin_client)}
    if prune:
        form["prune"] = "y"
    response = admin_client.post("/admin/import", data=form, content_type="multipart/form-data")
    assert response.status_code in (200, 422), response.status_code
    assert version(demo_app) == before


@SETTINGS
@given(fields=st.dictionaries(
    st.sampled_from(["name", "institution", "city", "state", "program_type", "length_years", "positions_per_year",
                     "esir_available", "fellowships", "research_months", "visa_sponsorship", "website",
                     "description", "data_verified_on", "unknown"]),
    cell, max_size=8))
def test_random_edit_form_input_never_fails_with_5xx(demo_app, admin_client, fields):
    before = version(demo_app)
    opened = opened_with(admin_client, "/admin/programs/IRF-0001/edit")
    response = admin_client.post("/admin/programs/IRF-0001/edit",
                                 data={**fields, "opened_with": opened, "csrf_token": csrf_token(admin_client)})
    # 400: a NUL character, the bad value of its field (finder/forms.py).
    assert response.status_code in (303, 400, 422), response.status_code
    if response.status_code != 303:
        assert version(demo_app) == before


@SETTINGS
@given(email=cell, password=cell)
def test_random_login_input_never_fails_with_5xx(app, email, password):
    client = app.test_client()
    response = sign_in(client, email, password)
    assert response.status_code in (400, 401, 429)
