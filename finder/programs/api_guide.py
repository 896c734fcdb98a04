"""The `/api` page for people: every endpoint of the OpenAPI document, with live examples.

The endpoints, their parameters and what each parameter allows are read from the document
(`openapi.document`), and each example response is what the API answers now for the
example request, built by the same functions as the API's routes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from .openapi import LISTED_CHOICES

EXAMPLE_ITEMS = 2  # lists in example responses are cut to this many items


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    accepts: str
    meaning: str


@dataclass(frozen=True)
class Example:
    title: str
    address: str
    status: int
    body: str
    shortened: bool = False


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    answers: list[tuple[str, str]]  # (status, what it means)
    examples: list[Example] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "endpoint-" + "".join(ch if ch.isalnum() else "-" for ch in self.path.strip("/")).strip("-")


def accepts(schema: dict) -> str:
    """What a parameter's schema allows, in words."""
    if schema.get("type") == "array":
        if schema.get("maxItems") == 0:
            return "nothing yet (none of these are loaded); repeatable"
        return accepts(schema["items"]) + "; repeatable"
    if "enum" in schema:
        values = [str(value) for value in schema["enum"]]
        if len(values) == 1:
            return f"only {values[0]}"
        if len(values) <= LISTED_CHOICES:
            return "one of the values listed"
        return f"one of {len(values)} values: " + ", ".join(values)
    if schema.get("type") == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        text = "a whole number" + (f" from {low} to {high}" if low is not None and high is not None else "")
    elif "pattern" in schema and schema["pattern"] == "^[0-9]{5}$":
        text = "5 digits"
    elif "pattern" in schema:
        text = f"text matching {schema['pattern']}"
    else:
        text = "text" + (f" of up to {schema['maxLength']} characters" if "maxLength" in schema else "")
    if "default" in schema:
        text += f"; default {schema['default']}"
    return text


def _pretty(body: dict) -> tuple[str, bool]:
    """The JSON people read: indented, the answer's own lists (results, features of a kind) cut
    to EXAMPLE_ITEMS items; whether something was cut."""
    cut = {key: value[:EXAMPLE_ITEMS] if isinstance(value, list) else value for key, value in body.items()}
    shortened = any(isinstance(value, list) and len(value) > EXAMPLE_ITEMS for value in body.values())
    return json.dumps(cut, indent=2, ensure_ascii=False), shortened


def example(title: str, path: str, args: list[tuple[str, str]], answer: Callable[[], tuple[dict, int]]) -> Example:
    body, status = answer()
    text, shortened = _pretty(body)
    address = path + ("?" + urlencode(args) if args else "")
    return Example(title, address, status, text, shortened)


def _examples(operation_id: str) -> list[Example]:
    from .api import features_answer, program_answer, programs_answer

    if operation_id == "listPrograms":
        args = [("type", "integrated_ir"), ("sort", "name"), ("per_page", "1")]
        bad = [("per_page", "0")]
        return [
            example("Find programs", "/api/programs", args, lambda: programs_answer(MultiDict(args))),
            example("A bad value", "/api/programs", bad, lambda: programs_answer(MultiDict(bad))),
        ]
    if operation_id == "getProgram":
        first, _ = programs_answer(MultiDict([("per_page", "1")]))
        code = first["results"][0]["program_code"] if first.get("results") else "IRF-0001"
        return [
            example("One program", f"/api/programs/{code}", [], lambda: program_answer(code)),
            example("A code no program has", "/api/programs/NO-SUCH-CODE", [], lambda: program_answer("NO-SUCH-CODE")),
        ]
    if operation_id == "listFeatures":
        return [example("The vocabulary", "/api/features", [], features_answer)]
    if operation_id == "pairShortlists":
        from ..shortlists.couples_routes import couples_answer, example_pairs

        first, _ = programs_answer(MultiDict([("state", "MA"), ("per_page", "6")]))
        codes = [program["program_code"] for program in first.get("results", ())]
        args = [("a", "TOKEN-OF-THE-FIRST-LIST"), ("b", "TOKEN-OF-THE-SECOND-LIST"), ("within", "25")]
        wrong = [("a", "NO-SUCH-TOKEN"), ("b", "NO-SUCH-TOKEN")]
        return [
            example("Two shortlists (made-up tokens, pairs of real programs)", "/couples.json", args,
                    lambda: (example_pairs(codes, 25), 200)),
            example("A wrong token", "/couples.json", wrong, lambda: couples_answer(MultiDict(wrong))),
        ]
    if operation_id == "getSharedShortlist":
        from ..shortlists.planner_routes import example_plan, shared_answer

        first, _ = programs_answer(MultiDict([("per_page", "3")]))
        programs = list(first.get("results", ()))
        return [
            example("A shared plan (a made-up token, real programs)", "/s/TOKEN-OF-THE-LIST.json", [],
                    lambda: (example_plan(programs), 200)),
            example("A wrong token", "/s/NO-SUCH-TOKEN.json", [], lambda: shared_answer("NO-SUCH-TOKEN")),
        ]
    return []


def endpoints(document: dict) -> list[Endpoint]:
    """Every operation of the document, in its order, with parameters and examples."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            parameters = [
                Parameter(p["name"], p["in"], accepts(p["schema"]), p.get("description", ""))
                for p in operation.get("parameters", ())
            ]
            answers = [(status, answer["description"]) for status, answer in operation["responses"].items()]
            found.append(Endpoint(
                method.upper(), path, operation.get("summary", ""), operation.get("description", ""),
                parameters, answers, _examples(operation.get("operationId", "")),
            ))
    return found
