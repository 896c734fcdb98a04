"""Schemathesis attacks the JSON API from its own OpenAPI document, in process (WSGI).

This is the schema-driven fuzzer of issue 20: it reads `/api/openapi.json`, generates requests
from it (valid ones and, in negative mode, ones that break the schema: wrong types, values out
of bounds, unknown enum values, odd path segments) and checks every answer for server errors,
undocumented status codes, wrong content types and bodies that do not match the documented
schema. It runs on whatever database the suite runs on (SQLite, or PostgreSQL with
DATABASE_URL), against the demo data.

Bounded: at most MAX_EXAMPLES generated cases per operation and mode in the fuzzing phase,
plus schemathesis's deterministic coverage phase, stopped after TIME_BUDGET seconds whatever
is left (a slow machine runs fewer cases rather than failing). The number of requests is
printed. `API_FUZZ_SEED=n` repeats a run; `API_FUZZ_EXAMPLES=n` runs a longer one.
"""

import os
import random
import time

import schemathesis
from schemathesis.engine import Status, events
from sqlalchemy import select

from tests.conftest import SUMMARY_LINES

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "100"))
TIME_BUDGET = 150.0  # seconds; the whole test stays under 3 minutes with the demo data load
# NUL characters are generated too: a NUL in a known parameter is that parameter's bad value
# (finder.forms.Form), in an unknown one it is ignored (contract section 4).
ALLOW_NUL = True
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")


class CountingApp:
    """The app's WSGI callable, counting the requests that reach it."""

    def __init__(self, app):
        self.app, self.inner, self.count = app, app.wsgi_app, 0

    def __call__(self, environ, start_response):
        self.count += 1
        return self.inner(environ, start_response)


def fuzz_config(seed: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": seed,
        # Schemathesis's WSGI transport does not undo gzip (an HTTP client would): ask for none.
        "headers": {"Accept-Encoding": "identity"},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "allow-x00": ALLOW_NUL},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"stateful": {"enabled": False}},  # read-only API: no links between operations
    })


def describe(event: events.ScenarioFinished) -> list[str]:
    """One line per failed check of a scenario: the check, what is wrong, a curl to repeat it."""
    lines = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status == Status.FAILURE:
                failure = check.failure_info.failure if check.failure_info else None
                case = event.recorder.cases[case_id].value
                title = getattr(failure, "title", "") or check.name
                message = str(getattr(failure, "message", ""))[:400]
                lines.append(f"{event.recorder.label}: {check.name}: {title}: {message}\n  {case.as_curl_command()}")
    return lines


def shortlists_to_pair(app) -> list[str]:
    """Share tokens of two saved shortlists of demo programs, so that couples requests can succeed."""
    from finder.extensions import db
    from finder.models import Program
    from finder.shortlists import store

    with app.app_context():
        codes = list(db.session.scalars(select(Program.program_code).order_by(Program.id).limit(24)))
        first, _ = store.create(db.session, "First", codes[:12])
        second, _ = store.create(db.session, "Second", codes[12:])
        db.session.commit()
        return [first.share_token, second.share_token]


def with_examples(document: dict, tokens: list[str]) -> dict:
    """The document with real share tokens as the examples of the parameters that take one
    (a fuzzer cannot guess a 128-bit token; with these it reaches the answers with pairs too)."""
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if parameter["name"] in ("a", "b", "share_token"):
                    parameter["examples"] = {f"list{i}": {"value": token} for i, token in enumerate(tokens)}
    return document


def test_schemathesis_finds_nothing_wrong_with_the_api(demo_app, client, request):
    seed = int(os.environ.get("API_FUZZ_SEED") or random.randrange(1 << 31))
    document = with_examples(client.get("/api/openapi.json").get_json(), shortlists_to_pair(demo_app))
    schema = schemathesis.openapi.from_dict(document, config=fuzz_config(seed))
    schema.app, schema.location = demo_app, "/api/openapi.json"  # as from_wsgi sets them: requests go in process
    counting = CountingApp(demo_app)
    demo_app.wsgi_app = counting

    started = time.monotonic()
    problems: list[str] = []
    stopped_early = False
    stream = schemathesis.engine.from_schema(schema).execute()
    for event in stream:
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            problems += describe(event)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            problems.append(f"schemathesis could not run: {getattr(event, 'value', None) or event.exception!r}")
        if not stopped_early and time.monotonic() - started > TIME_BUDGET:
            stopped_early = True
            stream.stop()

    generated = counting.count
    summary = (f"schemathesis {schemathesis.__version__}: {generated} generated requests in "
               f"{time.monotonic() - started:.0f} s (seed {seed}, up to {MAX_EXAMPLES} examples per operation"
               f"{'; stopped at the time budget' if stopped_early else ''}), {len(problems)} problems")
    request.config.stash.setdefault(SUMMARY_LINES, []).append(summary)
    assert generated > 0, summary
    assert not problems, "\n".join([summary, *dict.fromkeys(problems)][:20])
