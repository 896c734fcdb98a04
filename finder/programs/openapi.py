"""The OpenAPI 3.1 document of the JSON API (`GET /api/openapi.json`), generated, never typed.

Everything in it is read from the declarations the code validates with, so the document
cannot drift from the API:

- the query parameters of `/api/programs` are the fields of `FinderForm`: a field's class
  gives the type (repeatable choices, whole number, text), its validators the bounds, the
  enum values and lengths, its choices the allowed values (feature slugs from the vocabulary
  loaded now), its label and the column registry's filters the description;
- the program object is the column registry (`PROGRAM_COLUMNS`): each column's rule gives its
  JSON type, with the same bounds, choices and patterns the CSV rules check;
- the 400 error names one of the form's fields.

A field class or validator the generator does not know raises, so a new kind of parameter
cannot silently go undocumented (tests/test_openapi.py builds the document on every run).
"""

from __future__ import annotations

from wtforms import Field, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..catalog.columns import PROGRAM_COLUMNS, ProgramColumn
from ..catalog.schema import PROGRAM_CODE
from ..catalog.vocab import FEATURE_KINDS, REGIONS, STATES

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
LISTED_CHOICES = 20  # a parameter with at most this many values lists them, with their labels, in words
SLUG_PATTERN = r"^[a-z0-9_]{1,48}$"  # features.csv's slug rule (contract section 1)
FEATURE_LABEL_MAX, FEATURE_DESCRIPTION_MAX = 80, 500

# How each kind of registry filter reads, for a parameter's description ({} = the columns).
FILTER_WORDS = {
    "words": "every word must be the start of a word of {} (case- and accent-insensitive)",
    "any_of": "programs whose {} is any of these values",
    "all_of": "programs that list all of these slugs in {}",
    "flag": "`1` (no other value): only programs whose {} is true",
    "at_least": "programs whose {} is at least this (a blank never matches)",
    "at_most": "programs whose {} is at most this (a blank never matches)",
    "at_most_or_blank": "programs whose {} is at most this, or blank (a blank matches)",
    "within_months": "programs whose {} lies within this many calendar months before today "
                     "(a blank never matches)",
    "near": "a 5-digit ZIP code of the app's ZIP data; distances are measured from it to each "
            "program's location (from its {}, else its city and state)",
}


def document(form, couples_form) -> dict:
    """The OpenAPI document of every JSON endpoint, from the forms that check their parameters.

    `form` is a `FinderForm` built over the vocabulary loaded now (its feature slugs are the
    choices, so the document changes with the catalog's version); `couples_form` a `CouplesForm`.
    """
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "IR Program Finder API",
            "version": "1",
            "summary": "Interventional radiology training programs, read-only.",
            "description": (
                "Read-only, no session or key needed. The finder's filters (the same as on the "
                "finder page), one program, the vocabulary of features, and the couples pairs of "
                "two shortlists. Unknown parameters are ignored, and so is a known parameter whose "
                "value is empty. A bad value of a known parameter gets 400 naming it. The page for "
                "people is `/api`."
            ),
        },
        "paths": {
            "/api/programs": {"get": _programs_operation([query_parameter(field) for field in form])},
            "/api/programs/{program_code}": {"get": _program_operation()},
            "/api/features": {"get": _features_operation()},
            "/api/openapi.json": {"get": _document_operation()},
            "/couples.json": {"get": _couples_operation([query_parameter(field) for field in couples_form])},
            "/s/{share_token}.json": {"get": _shared_operation()},
        },
        "components": {
            "schemas": {
                "Program": program_schema(),
                "ProgramResult": program_schema(search_result=True),
                "ProgramList": _program_list_schema(),
                "Feature": _feature_schema(),
                "Features": _features_schema(),
                "Couples": _couples_schema(couples_form.within),
                "SharedShortlist": _shared_schema(),
                "BadParameter": _bad_parameter_schema([field.name for field in form]),
                "BadCouplesParameter": _bad_parameter_schema([field.name for field in couples_form]),
                "Error": _error_schema(),
            },
        },
    }


# -- parameters ----------------------------------------------------------------------------------


def query_parameter(field: Field) -> dict:
    """One parameter of a form, as an OpenAPI query parameter."""
    schema = field_schema(field)
    parameter = {
        "name": field.name,
        "in": "query",
        "required": any(isinstance(check, (InputRequired, DataRequired)) for check in field.validators),
        "description": field_description(field),
        "schema": schema,
    }
    if schema["type"] == "array":
        parameter.update(style="form", explode=True)
    return parameter


def field_schema(field: Field) -> dict:
    """The JSON schema of a form field's value, from its class, choices and validators."""
    if isinstance(field, SelectMultipleField):
        choices = list(field.choices or ())
        items = {"type": "string", "enum": choices} if choices else {"type": "string"}
        schema = {"type": "array", "items": items}
        if not choices:
            schema["maxItems"] = 0  # nothing is loaded of this kind: any value is unknown
        return schema
    if isinstance(field, SelectField):
        schema = {"type": "string", "enum": list(field.choices)}
    elif isinstance(field, IntegerField):
        schema = {"type": "integer", "minimum": 0}
    elif isinstance(field, StringField):
        schema = {"type": "string"}
    else:
        raise TypeError(f"the OpenAPI document does not know the field class of {field.name}")
    for validator in field.validators:
        schema.update(validator_schema(validator, field.name))
    if field.default is not None:
        schema["default"] = field.default
    return schema


def validator_schema(validator, name: str) -> dict:
    """What one validator allows, as JSON schema keywords."""
    if isinstance(validator, Optional):
        return {}
    if isinstance(validator, (InputRequired, DataRequired)):
        return {"minLength": 1}  # and the parameter is required (`query_parameter`)
    if isinstance(validator, NumberRange):
        return {key: value for key, value in (("minimum", validator.min), ("maximum", validator.max))
                if value is not None}
    if isinstance(validator, Length):
        bounds = {"maxLength": validator.max} if validator.max is not None and validator.max >= 0 else {}
        if validator.min is not None and validator.min > 0:
            bounds["minLength"] = validator.min
        return bounds
    if isinstance(validator, AnyOf):
        return {"enum": list(validator.values)}
    if isinstance(validator, Regexp):
        return {"pattern": validator.regex.pattern}
    if hasattr(validator, "json_schema"):  # a validator of ours marked with forms.allows(...)
        return dict(validator.json_schema)
    raise TypeError(
        f"the OpenAPI document does not know the validator {validator!r} of the parameter {name}: "
        "mark it with @allows(...) from finder/programs/forms.py (the JSON schema keywords of what it "
        "allows, and/or the rule in words when it ties parameters together)"
    )


def field_description(field: Field) -> str:
    """The field's label, its own description, what the registry's filters on it do, its choices."""
    parts = [str(field.label.text) + "."]
    if field.description:
        parts.append(str(field.description))
    parts += [_sentence(check.rule) for check in field.validators if getattr(check, "rule", "")]
    for how, columns in filters_of(field.name).items():
        parts.append(_sentence(FILTER_WORDS[how].format(_names(columns))))
    if isinstance(field, SelectField) and field.choices and len(field.choices) <= LISTED_CHOICES:
        parts.append("Values: " + "; ".join(f"`{value}`: {label}" for value, label in _choice_items(field)) + ".")
    return " ".join(parts)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def filters_of(parameter: str) -> dict[str, list[str]]:
    """The registry's filters on this parameter: their kind -> the columns they read."""
    found: dict[str, list[str]] = {}
    for column in PROGRAM_COLUMNS:
        for spec in column.filters:
            if spec.parameter == parameter:
                found.setdefault(spec.how, []).append(column.name)
    return found


def _choice_items(field) -> list[tuple[str, str]]:
    choices = field.choices
    return list(choices.items()) if isinstance(choices, dict) else [(c, c) if isinstance(c, str) else c[:2]
                                                                   for c in choices]


def _names(columns: list[str]) -> str:
    quoted = [f"`{name}`" for name in columns]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# -- the program object ----------------------------------------------------------------------------


def column_schema(column: ProgramColumn) -> dict:
    """The JSON schema of a column's value in the program object (see `ProgramColumn.json_value`)."""
    match column.rule:
        case "code":
            schema = {"type": "string", "pattern": f"^{PROGRAM_CODE.pattern}$"}
        case "text":
            schema = {"type": "string", "maxLength": column.max_length}
            if column.required:
                schema["minLength"] = 1
        case "state":
            schema = {"type": "string", "enum": list(STATES)}
        case "choice":
            schema = {"type": "string", "enum": list(column.choices)}
        case "whole":
            schema = {"type": "integer", "minimum": column.low, "maximum": column.high}
        case "yes_no":
            return {"type": "boolean", "description": column.label}
        case "tri_state":
            schema = {"type": "boolean"}
        case "slugs":
            return {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN},
                    "description": f"{column.label}: slugs of {column.feature_kind} features ([] when none)"}
        case "url":
            schema = {"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": column.max_length}
        case "email":
            schema = {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]*\\.[^@\\s]*$", "maxLength": column.max_length}
        case "past_date" | "date":
            schema = {"type": "string", "format": "date"}
        case "zip":
            schema = {"type": "string", "pattern": "^[0-9]{5}$"}
        case _:
            raise ValueError(f"the OpenAPI document does not know the rule {column.rule!r} of {column.name}")
    if not column.required:
        schema = _nullable(schema)
    schema["description"] = column.label + ("" if column.required else " (null when not known)")
    return schema


def _nullable(schema: dict) -> dict:
    nullable = dict(schema, type=[schema["type"], "null"])
    if "enum" in nullable:
        nullable["enum"] = [*nullable["enum"], None]
    return nullable


def program_schema(search_result: bool = False) -> dict:
    """A program: every CSV column (from the registry), plus region and url; in a search's
    results also `distance_miles` (with `near`) and `fit` (with `want`)."""
    properties = {column.name: column_schema(column) for column in PROGRAM_COLUMNS}
    properties["region"] = {"type": "string", "enum": list(REGIONS), "description": "US Census region"}
    properties["url"] = {"type": "string", "pattern": "^/programs/", "description": "the program's page"}
    required = list(properties)
    if search_result:
        properties["distance_miles"] = {
            "type": ["number", "null"], "minimum": 0,
            "description": "Only when the query has `near`: miles from that ZIP code, rounded to one "
                           "decimal; null when the program has no location.",
        }
        properties["fit"] = {
            "type": "object",
            "description": "Only when the query has `want`: how many of the distinct wishes the program meets.",
            "properties": {"met": {"type": "integer", "minimum": 0}, "of": {"type": "integer", "minimum": 1}},
            "required": ["met", "of"],
            "additionalProperties": False,
        }
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _program_list_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "all matches, on every page"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ProgramResult"}},
        },
        "required": ["count", "page", "per_page", "results"],
        "additionalProperties": False,
    }


def _feature_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "slug": {"type": "string", "pattern": SLUG_PATTERN},
            "label": {"type": "string", "minLength": 1, "maxLength": FEATURE_LABEL_MAX},
            "description": {"type": ["string", "null"], "maxLength": FEATURE_DESCRIPTION_MAX},
        },
        "required": ["slug", "label", "description"],
        "additionalProperties": False,
    }


def _features_schema() -> dict:
    return {
        "type": "object",
        "description": "The vocabulary by kind, each kind's features ordered by label.",
        "properties": {kind: {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}
                       for kind in FEATURE_KINDS},
        "required": list(FEATURE_KINDS),
        "additionalProperties": False,
    }


def _couples_schema(within: Field) -> dict:
    code = {"type": "string", "pattern": f"^{PROGRAM_CODE.pattern}$"}
    rank = {"type": "integer", "minimum": 1}
    return {
        "type": "object",
        "properties": {
            "within": {**field_schema(within), "description": "the distance asked for (miles)"},
            "pairs": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "a": {**code, "description": "a program of the first shortlist"},
                    "b": {**code, "description": "a program of the second shortlist"},
                    "miles": {"type": "number", "minimum": 0, "description": "their distance, rounded to one decimal"},
                    "rank_a": {**rank, "description": "the rank of `a` on the first shortlist"},
                    "rank_b": {**rank, "description": "the rank of `b` on the second shortlist"},
                },
                "required": ["a", "b", "miles", "rank_a", "rank_b"],
                "additionalProperties": False,
            }},
        },
        "required": ["within", "pairs"],
        "additionalProperties": False,
    }


def _shared_schema() -> dict:
    """`/s/<share_token>.json` (contract section 7): the plan of a shortlist, never its notes."""
    from ..shortlists.planner import SIGNALS, STATUSES
    from ..shortlists.rules import MAX_SHORTLIST, NAME_MAX

    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "description": "the shortlist's name"},
            "entries": {"type": "array", "maxItems": MAX_SHORTLIST, "description": "in rank order", "items": {
                "type": "object",
                "properties": {
                    "rank": {"type": "integer", "minimum": 1, "description": "1 = the top choice"},
                    "program_code": {"type": "string", "pattern": f"^{PROGRAM_CODE.pattern}$"},
                    "name": {"type": "string", "minLength": 1,
                             "description": "the program's name (its code once it is no longer listed)"},
                    "status": {"type": "string", "enum": list(STATUSES)},
                    "signal": {"type": "string", "enum": list(SIGNALS)},
                    "interview_on": {"type": ["string", "null"], "format": "date", "description": "ISO date, or null"},
                },
                "required": ["rank", "program_code", "name", "status", "signal", "interview_on"],
                "additionalProperties": False,
            }},
        },
        "required": ["name", "entries"],
        "additionalProperties": False,
    }


def _bad_parameter_schema(names: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"error": {
            "type": "object",
            "properties": {
                "parameter": {"type": "string", "enum": names, "description": "the parameter with the bad value"},
                "message": {"type": "string", "minLength": 1, "description": "what is wrong, naming the parameter"},
            },
            "required": ["parameter", "message"],
            "additionalProperties": False,
        }},
        "required": ["error"],
        "additionalProperties": False,
    }


def _error_schema() -> dict:
    return {
        "type": "object",
        "properties": {"error": {
            "type": "object",
            "properties": {"message": {"type": "string", "minLength": 1}},
            "required": ["message"],
            "additionalProperties": False,
        }},
        "required": ["error"],
        "additionalProperties": False,
    }


# -- operations ------------------------------------------------------------------------------------


def _answer(description: str, schema: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _programs_operation(parameters: list[dict]) -> dict:
    return {
        "operationId": "listPrograms",
        "summary": "Find programs",
        "description": (
            "The programs matching every parameter given (different parameters combine with AND), "
            "one page of them in the order asked for; blanks sort last in either direction, ties by "
            "name then program_code. A page past the last gives 200 with no results."
        ),
        "parameters": parameters,
        "responses": {
            "200": _answer("One page of the matching programs, and how many match in all.", "ProgramList"),
            "400": _answer("A known parameter has a bad value; the error names it.", "BadParameter"),
        },
    }


def _program_operation() -> dict:
    return {
        "operationId": "getProgram",
        "summary": "One program",
        "parameters": [{
            "name": "program_code", "in": "path", "required": True,
            "description": "The program's code (case-sensitive).",
            "schema": {"type": "string", "pattern": f"^{PROGRAM_CODE.pattern}$"},
        }],
        "responses": {
            "200": _answer("The program.", "Program"),
            "404": _answer("No program has this code.", "Error"),
        },
    }


def _features_operation() -> dict:
    return {
        "operationId": "listFeatures",
        "summary": "The vocabulary of features",
        "description": "Fellowships, research and mentorship features; their slugs are the values of the "
                       "`fellowship`, `research`, `mentorship` and `want` parameters.",
        "responses": {"200": _answer("Every feature, grouped by kind.", "Features")},
    }


def _couples_operation(parameters: list[dict]) -> dict:
    return {
        "operationId": "pairShortlists",
        "summary": "Couples: pairs of programs from two shortlists",
        "description": (
            "Every pair of one program from each of two shortlists whose locations lie at most `within` "
            "miles apart, ordered by the sum of their ranks, then distance, then the two program codes. "
            "Programs without a location pair with nothing. Nothing of either list is changed."
        ),
        "parameters": parameters,
        "responses": {
            "200": _answer("The pairs (maybe none).", "Couples"),
            "400": _answer("A parameter is missing or has a bad value; the error names it.", "BadCouplesParameter"),
            "404": _answer("No shortlist has one of the read-only links given.", "Error"),
        },
    }


def _shared_operation() -> dict:
    return {
        "operationId": "getSharedShortlist",
        "summary": "A shared shortlist's application plan",
        "description": (
            "The read-only view of a shortlist as JSON, for an advisor following the plan: its name and its "
            "entries in rank order with status, signal and interview date. Never the private notes, never "
            "the edit link."
        ),
        "parameters": [{"name": "share_token", "in": "path", "required": True,
                        "description": "the code at the end of the shortlist's read-only link `/s/…`",
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}],
        "responses": {
            "200": _answer("The shortlist's plan.", "SharedShortlist"),
            "404": _answer("No shortlist has this read-only link.", "Error"),
        },
    }


def _document_operation() -> dict:
    return {
        "operationId": "getOpenApiDocument",
        "summary": "This document",
        "responses": {"200": {"description": "The OpenAPI 3.1 document of this API.",
                              "content": {JSON: {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}},
    }
