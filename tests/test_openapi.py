"""The OpenAPI document of the JSON API: valid OpenAPI 3.1, and exactly what the code declares.

The document is generated from FinderForm and the column registry. These tests hold it to
both, each way round: every parameter and column the code has is in the document (with its
bounds and values), and everything the document lists is something the API really checks
or answers. Real answers of the API are validated against the document's schemas.
"""

import io

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.validators import Length, NumberRange

from finder.catalog.columns import PROGRAM_COLUMN_NAMES, PROGRAM_COLUMNS
from finder.catalog.generate import generate_programs
from finder.programs.forms import FinderForm
from tests.conftest import load

PROGRAMS = "/api/programs"


def api_document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def parameters(document: dict) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][PROGRAMS]["get"]["parameters"]}


def finder_form(app) -> FinderForm:
    from finder.programs.routes import finder_index

    with app.test_request_context():
        return FinderForm.from_args(MultiDict(), finder_index().features)


def validator(document: dict, schema_name: str) -> jsonschema.Draft202012Validator:
    """A validator of one schema of the document's components (its $refs resolved in the document)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document: dict, schema_name: str, body: object) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(document, schema_name).iter_errors(body)]
    assert not errors, errors[:5]


# -- the document as a whole -----------------------------------------------------------------------


def test_document_is_valid_openapi_3_1(demo_app, client):
    document = api_document(client)
    assert document["openapi"].startswith("3.1")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert not errors, errors[:5]


def test_document_is_valid_on_an_empty_catalog_too(client):
    document = api_document(client)
    assert not list(OpenAPIV31SpecValidator(document).iter_errors())
    # Nothing is loaded of any feature kind, so no slug is a valid value.
    assert parameters(document)["fellowship"]["schema"]["maxItems"] == 0


def test_document_describes_every_json_endpoint_of_the_app(demo_app, client):
    """Every address under /api/ and every `….json` address of the app, and nothing else.
    (A new JSON endpoint fails here until finder/programs/openapi.py describes it.)"""
    documented = {path.replace("{", "<").replace("}", ">") for path in api_document(client)["paths"]}
    routes = {rule.rule for rule in demo_app.url_map.iter_rules()
              if (rule.rule.startswith("/api/") or rule.rule.endswith(".json")) and "GET" in rule.methods}
    assert routes == documented


# -- parameters: the form's fields, each way round ----------------------------------------------------


def test_every_finder_parameter_is_documented_and_nothing_else(demo_app, client):
    form = finder_form(demo_app)
    assert list(parameters(api_document(client))) == [field.name for field in form]


def test_each_parameter_has_the_type_bounds_and_values_the_form_checks(demo_app, client):
    documented = parameters(api_document(client))
    for field in finder_form(demo_app):
        schema = documented[field.name]["schema"]
        if isinstance(field, SelectMultipleField):
            assert schema["type"] == "array", field.name
            assert documented[field.name]["explode"] is True
            assert schema["items"].get("enum", []) == list(field.choices), field.name
        elif isinstance(field, SelectField):
            assert schema["enum"] == list(field.choices), field.name
        elif isinstance(field, IntegerField):
            assert schema["type"] == "integer", field.name
        else:
            assert schema["type"] == "string", field.name
        for check in field.validators:
            if isinstance(check, NumberRange):
                assert (schema["minimum"], schema["maximum"]) == (check.min, check.max), field.name
            if isinstance(check, Length):
                assert schema["maxLength"] == check.max, field.name


def test_feature_parameters_list_the_slugs_of_the_loaded_vocabulary(demo_app, client):
    from finder.programs.routes import finder_index

    with demo_app.app_context():
        features = finder_index().features
    documented = parameters(api_document(client))
    for kind in ("fellowship", "research", "mentorship"):
        assert set(documented[kind]["schema"]["items"]["enum"]) == {f.slug for f in features if f.kind == kind}


def test_every_filter_of_the_column_registry_is_a_documented_parameter_with_the_columns_bounds(demo_app, client):
    documented = parameters(api_document(client))
    for column in PROGRAM_COLUMNS:
        for spec in column.filters:
            if spec.parameter not in [field.name for field in finder_form(demo_app)]:
                continue  # a filter the finder does not offer yet (see the test below)
            schema = documented[spec.parameter]["schema"]
            if spec.how in ("at_least", "at_most", "at_most_or_blank"):
                assert (schema["minimum"], schema["maximum"]) == (column.low, column.high), spec.parameter
            if spec.how == "any_of" and column.choices:
                assert set(schema["items"]["enum"]) <= set(column.choices) | {"j1", "h1b"}, spec.parameter
            assert f"`{column.name}`" in documented[spec.parameter]["description"], spec.parameter


def out_of_schema(schema: dict) -> str:
    """A value the parameter's schema does not allow."""
    if schema.get("type") == "array":
        return "surely-not-a-known-value"
    if "enum" in schema:
        return "surely-not-a-known-value"
    if schema.get("type") == "integer":
        return str(schema["maximum"] + 1) if "maximum" in schema else "a-word"
    if "maxLength" in schema:
        return "x" * (schema["maxLength"] + 1)
    if "pattern" in schema:
        return "not the pattern"
    raise AssertionError(f"no value is outside {schema}")


def test_every_documented_parameter_is_checked_by_the_api(demo_app, client):
    """The document lists nothing the API ignores: a value outside each parameter's schema gets
    a 400 naming that parameter."""
    document = api_document(client)
    for name, parameter in parameters(document).items():
        response = client.get(PROGRAMS, query_string={name: out_of_schema(parameter["schema"])})
        assert response.status_code == 400, name
        assert response.get_json()["error"]["parameter"] == name
        assert_valid(document, "BadParameter", response.get_json())


# -- the program object: the registry's columns, each way round -----------------------------------------


def test_program_schema_has_every_registry_column_and_region_and_url(client):
    schema = api_document(client)["components"]["schemas"]["Program"]
    assert set(schema["properties"]) == {*PROGRAM_COLUMN_NAMES, "region", "url"}
    assert schema["required"] == [*PROGRAM_COLUMN_NAMES, "region", "url"]
    assert schema["additionalProperties"] is False


def test_column_types_are_exact(client):
    properties = api_document(client)["components"]["schemas"]["Program"]["properties"]
    assert properties["signals_accepted"]["type"] == ["boolean", "null"]  # tri-state
    assert properties["comlex_accepted"]["type"] == ["boolean", "null"]
    assert properties["esir_available"]["type"] == "boolean"  # two-state: never null
    assert properties["fellowships"]["type"] == "array"
    assert properties["data_verified_on"]["format"] == "date"
    assert properties["application_deadline"]["format"] == "date"
    assert properties["zip_code"] == {**properties["zip_code"], "type": ["string", "null"], "pattern": "^[0-9]{5}$"}
    assert properties["length_years"]["type"] == "integer"  # required: never null
    assert (properties["salary_pgy1"]["minimum"], properties["salary_pgy1"]["maximum"]) == (20000, 200000)
    assert None in properties["visa_sponsorship"]["enum"]


def test_search_results_may_carry_distance_and_fit(client):
    result = api_document(client)["components"]["schemas"]["ProgramResult"]
    assert result["properties"]["distance_miles"]["type"] == ["number", "null"]
    assert result["properties"]["fit"]["required"] == ["met", "of"]
    assert set(result["required"]) == {*PROGRAM_COLUMN_NAMES, "region", "url"}


# -- real answers against the document --------------------------------------------------------------------


def test_every_program_of_the_demo_data_conforms_to_the_document(demo_app, client):
    document = api_document(client)
    page = client.get(PROGRAMS, query_string={"per_page": 100}).get_json()
    assert_valid(document, "ProgramList", page)
    assert page["count"] > 0
    for program in page["results"]:
        assert_valid(document, "Program", client.get(f"{PROGRAMS}/{program['program_code']}").get_json())


def test_generated_programs_with_every_kind_of_value_conform(demo_app, client):
    """300 synthetic programs (every column, blanks and values of every rule) through the API."""
    document = api_document(client)
    vocabulary = {}
    for kind, features in client.get("/api/features").get_json().items():
        vocabulary[kind] = [feature["slug"] for feature in features]
    out = io.StringIO()
    generate_programs(out, 300, seed=20, vocabulary=vocabulary)
    result = load(demo_app, ("generated.csv", out.getvalue()))
    assert result.ok, result.problems[:3]
    seen, page, body = set(), 1, {"results": [None]}
    while body["results"]:
        body = client.get(PROGRAMS, query_string={"per_page": 100, "page": page}).get_json()
        assert_valid(document, "ProgramList", body)
        for program in body["results"]:
            seen |= {name for name, value in program.items() if value not in (None, [], False)}
        page += 1
    assert page > 5  # the demo data and the 300 generated programs, a hundred a page
    # The run saw a value (not only blanks) in every column, so every column's schema was tried.
    assert seen >= set(PROGRAM_COLUMN_NAMES) - {"esir_available"}


@pytest.mark.parametrize("address, schema", [
    ("/api/programs?per_page=0", "BadParameter"),
    ("/api/programs?sort=sideways", "BadParameter"),
    ("/api/programs/NO-SUCH-CODE", "Error"),
    ("/api/features", "Features"),
])
def test_answers_conform_to_their_documented_schema(demo_app, client, address, schema):
    document = api_document(client)
    response = client.get(address)
    operation = document["paths"]["/api/programs/{program_code}" if address.startswith("/api/programs/")
                                  else address.split("?")[0]]["get"]
    assert str(response.status_code) in operation["responses"]
    assert response.mimetype == "application/json"
    assert_valid(document, schema, response.get_json())


def test_document_follows_a_catalog_change(demo_app, client):
    before = parameters(api_document(client))["research"]["schema"]["items"]["enum"]
    result = load(demo_app, ("features.csv", "kind,slug,label\nresearch,brand_new_lab,A brand new lab\n"))
    assert result.ok, result.problems
    after = parameters(api_document(client))["research"]["schema"]["items"]["enum"]
    assert set(after) == {*before, "brand_new_lab"}


# -- couples (contract section 8) --------------------------------------------------------------------------


def test_couples_parameters_are_the_couples_form_with_its_bounds(app, client):
    from finder.shortlists.forms import CouplesForm

    operation = api_document(client)["paths"]["/couples.json"]["get"]
    with app.test_request_context():
        form = CouplesForm(formdata=None)
    documented = {p["name"]: p for p in operation["parameters"]}
    assert list(documented) == [field.name for field in form] == ["a", "b", "within"]
    assert documented["a"]["required"] and documented["b"]["required"] and not documented["within"]["required"]
    within = documented["within"]["schema"]
    assert (within["type"], within["minimum"], within["maximum"], within["default"]) == ("integer", 1, 3000, 50)
    assert set(operation["responses"]) == {"200", "400", "404"}


def test_couples_answers_conform_to_the_document(app, client):
    from finder.extensions import db
    from finder.shortlists import store

    assert load(app, ("programs.csv", "program_code,name,institution,city,state,program_type,length_years,zip_code\n"
                                      "P1,One,One Hospital,Boston,MA,integrated_ir,6,02115\n"
                                      "P2,Two,Two Hospital,Cambridge,MA,integrated_ir,6,02139\n")).ok
    with app.app_context():
        first, _ = store.create(db.session, "First", ["P1", "P2"])
        second, _ = store.create(db.session, "Second", ["P2"])
        db.session.commit()
        a, b = first.share_token, second.share_token
    document = api_document(client)
    ok = client.get("/couples.json", query_string={"a": a, "b": b})
    assert ok.status_code == 200 and len(ok.get_json()["pairs"]) == 2
    assert_valid(document, "Couples", ok.get_json())
    assert_valid(document, "BadCouplesParameter", client.get("/couples.json", query_string={"a": a}).get_json())
    assert_valid(document, "BadCouplesParameter",
                 client.get("/couples.json", query_string={"a": a, "b": b, "within": 0}).get_json())
    assert_valid(document, "Error", client.get("/couples.json", query_string={"a": a, "b": "nope"}).get_json())


# -- the /api page ------------------------------------------------------------------------------------------


def test_the_api_page_lists_every_endpoint_with_examples_that_conform(demo_app, client):
    import json

    from finder.programs import api_guide

    document = api_document(client)
    with demo_app.test_request_context("/api"):
        endpoints = api_guide.endpoints(document)
    assert [(e.method, e.path) for e in endpoints] == [("GET", path) for path in document["paths"]]
    page = client.get("/api").get_data(as_text=True)
    for endpoint in endpoints:
        assert f"{endpoint.method} {endpoint.path}" in page
        responses = document["paths"][endpoint.path]["get"]["responses"]
        if endpoint.path != "/api/openapi.json":
            assert endpoint.examples, endpoint.path
        for example in endpoint.examples:
            reference = responses[str(example.status)]["content"]["application/json"]["schema"]["$ref"]
            assert_valid(document, reference.rsplit("/", 1)[1], json.loads(example.body))
            assert example.address.split("?")[0] in page
    assert 'href="/api/openapi.json"' in page
