"""ZIP codes the ZIP data lists at 0, 0 (military APO/DPO/FPO codes, some PO-box and single-company
codes): contract section 1 asks of `zip_code` only that it be "a ZIP code in the app's ZIP data",
and these are, so the CSV accepts them; section 3 places a program by its `zip_code` and, without
a usable one, by its city and state, so such a program is placed by its city (docs/places.md).
As `near` such a code is a bad value, with a message that says why.

Coordinates expected here come straight from the `zipcodes` package's records.
"""


import pytest
import zipcodes

from finder.catalog import schema
from finder.catalog.problems import Invalid

from .conftest import load
from .test_finder_places import city_point, miles

FEATURES = "kind,slug,label\nfellowship,oncology,Interventional oncology\n"
HEADER = "program_code,name,institution,city,state,program_type,length_years,zip_code\n"
# 46245: a PO-box code of Indianapolis; 09001: an APO code (state AE); both listed at 0, 0.
ROWS = "P1,Indy IR,Circle Hospital,Indianapolis,IN,fellowship,1,46245\nP2,Far IR,Base Hospital,Boston,MA,fellowship,1,09001\n"


def record(code: str) -> dict:
    (found,) = zipcodes.matching(code)
    return found




@pytest.mark.parametrize("code", ["46245", "09001"])
def test_the_zip_data_lists_these_codes_without_coordinates(code):
    assert float(record(code)["lat"]) == 0 and float(record(code)["long"]) == 0


@pytest.mark.parametrize("code", ["46245", "09001"])
def test_the_csv_rule_accepts_a_zip_code_of_the_data_listed_without_coordinates(code):
    assert schema._zip_code(code) == code


@pytest.mark.parametrize(("cell", "message"), [
    ("00000", "'00000' is not a ZIP code in the app's ZIP data"),
    ("2115", "'2115' must be a ZIP code of 5 digits (a spreadsheet may have dropped its leading zeros: 02115)"),
])
def test_the_csv_rule_still_names_what_is_wrong_with_other_zip_codes(cell, message):
    with pytest.raises(Invalid) as raised:
        schema._zip_code(cell)
    assert str(raised.value) == message


def test_such_programs_load_and_are_placed_by_their_city_and_state(app):
    result = load(app, ("features.csv", FEATURES), ("programs.csv", HEADER + ROWS))
    assert result.ok, result.problems
    client = app.test_client()
    found = {p["program_code"]: p for p in client.get("/api/programs?near=02108").json["results"]}
    assert found["P1"]["zip_code"] == "46245" and found["P2"]["zip_code"] == "09001"
    boston = (float(record("02108")["lat"]), float(record("02108")["long"]))
    assert found["P1"]["distance_miles"] == round(miles(boston, city_point("Indianapolis", "IN")), 1)
    assert found["P2"]["distance_miles"] == round(miles(boston, city_point("Boston", "MA")), 1)
    assert client.get("/programs?near=02108").status_code == 200


def test_as_near_such_a_code_is_a_bad_value_that_says_why(app):
    response = app.test_client().get("/api/programs?near=46245")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == "near"
    assert "46245 has no map position in the app's ZIP data" in response.json["error"]["message"]
