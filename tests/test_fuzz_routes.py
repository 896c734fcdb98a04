"""Property-based: random addresses and query strings on every GET page never give a 5xx.

Walks the app's own URL map, so every page added by any area is covered without being
listed here. Path variables get random text; query strings get random names (the finder's
known parameters most often) and random values.
"""

import re
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FINDER_PARAMETERS = ["q", "type", "state", "region", "esir", "fellowship", "research", "mentorship", "visa",
                     "min_positions", "min_research_months", "max_length", "verified_within", "sort", "page",
                     "per_page", "codes", "only_differences", "next", "kind", "column"]
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "1", "0", "-1", "999999999999999999999", "1e3", "nan", "MA", "ma", "ZZ", "south", "j1",
                     "-name", "updated", "IRF-0001", "IRF-0001,IRF-0002", "IRF-0001," * 8, "%00", "\x00", "<script>",
                     "'; drop table programs; --", "\u00e9", "\ud7ff", "integrated_ir", "interventional_oncology"]),
)
QUERY = st.lists(st.tuples(st.one_of(st.sampled_from(FINDER_PARAMETERS), st.text(max_size=8)), VALUES), max_size=8)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def get_pages(app) -> list[str]:
    """Every GET rule of the app (static files aside), as a pattern with <name> holes."""
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/_test"):
            rules.append(rule.rule)
    return sorted(rules)


def fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", quote(value, safe="") or "x", rule)


@SETTINGS
@given(data=st.data())
def test_random_requests_to_any_page_never_give_a_server_error(demo_app, client, data):
    rule = data.draw(st.sampled_from(get_pages(demo_app)), label="page")
    path = fill(rule, data.draw(st.one_of(st.sampled_from(["IRF-0001", "x"]), st.text(max_size=12)), label="path value"))
    query = urlencode(data.draw(QUERY, label="query"))
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code < 500, (path, query, response.status_code)


@SETTINGS
@given(query=QUERY)
def test_random_finder_queries_answer_200_or_400_on_page_and_api(demo_app, client, query):
    encoded = urlencode(query)
    for address in ("/programs", "/api/programs"):
        response = client.get(f"{address}?{encoded}")
        assert response.status_code in (200, 400), (address, encoded, response.status_code)
        if address.startswith("/api"):
            assert response.is_json
