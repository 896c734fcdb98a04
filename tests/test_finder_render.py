"""The finder's results written in Python (view.result_items, view.option_counts_oob) give the
markup the template loops gave, the shortlists' own templates included; and the caches of a
finder response follow the catalog."""

from datetime import date
from urllib.parse import urlencode

import pytest
from flask import session

from .conftest import load
from .test_finder import FEATURES, HEADER, ROWS
from finder.extensions import db
from finder.programs import routes, view
from finder.programs.forms import FinderForm
from finder.programs.search import Query, values_of

# The loop `_results.html` had, with the shortlists' templates it included for each result.
REFERENCE = """
{%- for program in programs %}
{%- set slugs = badges[program.id] %}
<li><h3><a href="{{ view.program_url(program.program_code) }}">{{ program.name }}</a></h3><p>{{ program.institution }} · {{ program.city }}, {{ program.state }}{% if query.near %} · <strong>{{ view.miles(result.distances[program.id]) }}</strong>{% endif %}</p><p>{{ program.type_label }} · {{ program.length_years }} yr{{ "" if program.length_years == 1 else "s" }}
{%- if program.positions_per_year is not none %} · {{ program.positions_per_year }} position{{ "" if program.positions_per_year == 1 else "s" }}/yr{% endif %}
{%- if program.esir_available %} · ESIR{% endif %}
{%- if program.research_months is not none %} · {{ program.research_months }} research mo{% endif %}
{%- set fact = view.sorted_fact(program, query.sort) %}{% if fact %} · {{ fact }}{% endif %} · {% if program.data_verified_on %}{{ view.verified_ago(program.data_verified_on, today) }}{% else %}<span class="stale">never verified</span>{% endif %}</p>
{%- set shown = (slugs.fellowship + slugs.research + slugs.mentorship)[:3] %}
{%- if shown %}<p>{% for kind in ("fellowship", "research", "mentorship") %}{% for slug in slugs[kind] if slug in shown %}<span>{{ index.feature_by_key[(kind, slug)].label }}</span> {% endfor %}{% endfor %}</p>
{%- endif %}
{%- if query.want %}<div class="fit">{{ view.fit_sentence(index, result.fits[program.id]) }}</div>{% endif %}
{%- include "shortlists/_compare_button.html" %}{% include "shortlists/_save_to_link.html" %}{% include "shortlists/_compare_note.html" %}</li>
{%- endfor %}"""

# The `count` macro of `_macros.html` for every option, as `_update.html` wrote the counts.
REFERENCE_COUNTS = """{%- from "programs/_macros.html" import count -%}
{% for name in facets if name != "state" %}{% for value in facets[name] %}{{ count(name, value, facets, True) }}{% endfor %}{% endfor %}"""

SESSIONS = {
    "empty": {},
    "in the tray": {"tray": ["A1", "C1"]},
    "with shortlists": {"shortlists": [{"id": 1, "name": "Mine", "token": "t" * 20}]},
    "a note": {"tray": ["B1"], "tray_note": {"code": "B1", "message": "Added <Austin> & more", "ok": True}},
    "a refusal": {"tray_note": {"code": "A2", "message": "The tray is full", "ok": False}},
}
QUERIES = ["", "sort=-positions", "q=radiology&per_page=2&page=2", "near=02108&sort=distance", "near=80202&within=900",
           "want=esir&want=oncology&want=t32&sort=fit", "want=visa", "sort=deadline", "sort=-salary", "state=ZZ"]


@pytest.fixture
def finder_app(app):
    result = load(app, ("features.csv", FEATURES), ("programs.csv", HEADER + "\n".join(ROWS) + "\n"))
    assert result.ok, result.problems
    return app


def rendered(app, query_string: str, stored: dict, how: str):
    with app.test_request_context(f"/programs?{query_string}", headers={"HX-Request": "true"}):
        session.update(stored)
        index = routes.finder_index()
        form = FinderForm.from_args(routes.request.args, index.features)
        if not form.validate():
            return None
        query, today = form.query(), date.today()
        result = index.search(query, today)
        context = {"view": view, "index": index, "query": query, "result": result, "today": today,
                   "badges": index.slugs_by_program(result.ids)}
        if how == "counts":
            return app.jinja_env.from_string(REFERENCE_COUNTS).render(facets=result.facets), \
                str(view.option_counts_oob(result.facets))
        if how == "template":
            template = app.jinja_env.from_string(REFERENCE)
            # The template context (tray_codes, has_shortlists, tray_note, url_for, request) as a page has it.
            app.update_template_context(context)
            return template.render(programs=routes.programs_by_id(result.ids), **context), session.get("tray_note")
        template = app.jinja_env.from_string(
            "{{ view.result_items(programs, badges, index, query, result, today, tray_codes(), "
            "url_for('shortlists.save_to_page', code='__code__', next=request.full_path "
            "if request.query_string else request.path) if has_shortlists() else none, tray_note_left, tray_note) }}")
        app.update_template_context(context)
        page = template.render(programs=routes.result_rows(result.ids), **context)
        db.session.rollback()
        return page, session.get("tray_note")


@pytest.mark.parametrize("state", SESSIONS)
@pytest.mark.parametrize("query_string", QUERIES)
def test_results_written_in_python_are_the_markup_of_the_template_loop(finder_app, query_string, state):
    reference = rendered(finder_app, query_string, SESSIONS[state], "template")
    written = rendered(finder_app, query_string, SESSIONS[state], "python")
    if reference is None:
        assert written is None
        return
    assert written == reference  # the markup, and the note taken from the session or left as the template did
    if query_string == "" and state == "a note":
        assert "Added &lt;Austin&gt; &amp; more" in written[0] and 'name="remove" value="B1"' in written[0]
    if query_string == "" and state == "with shortlists":
        assert written[0].count('class="save-to" href="/shortlists/save?code=') == 5


@pytest.mark.parametrize("query_string", QUERIES)
def test_option_counts_written_in_python_are_the_markup_of_the_count_macro(finder_app, query_string):
    found = rendered(finder_app, query_string, {}, "counts")
    if found is not None:
        assert found[0] == found[1]


def test_map_counts_per_cell_add_up_from_the_finest_size_and_match_a_direct_count():
    import numpy as np

    from finder.programs import usmap

    rng = np.random.default_rng(7)
    latitude = np.concatenate([rng.uniform(25, 49, 3000), rng.uniform(55, 70, 50), [np.nan] * 20, [18.2] * 5])
    longitude = np.concatenate([rng.uniform(-124, -67, 3000), rng.uniform(-160, -140, 50), [np.nan] * 20,
                                [-66.3] * 5])
    layout = usmap.layout(latitude, longitude)  # some points in the sea, beyond the map's edges
    for share in (0.0, 0.01, 0.3, 0.7, 1.0):
        matching = rng.random(len(latitude)) < share
        on = matching & layout.on_map
        counts = layout.levels[0].counts(on)
        for finer, level in zip(layout.levels, layout.levels[1:]):
            assert finer._parents(level) is not None, (finer.size, level.size)
            counts = finer.coarser(counts, level, on)
            assert counts.tolist() == np.bincount(level.dot[np.flatnonzero(on)], minlength=level.count).tolist()


@pytest.mark.parametrize("share", [0.0, 0.0005, 0.01, 0.2, 0.9, 1.0])
def test_a_page_found_among_the_first_rows_of_the_order_is_the_page_of_all_matches(share):
    import numpy as np

    from finder.programs.search import _page

    rng = np.random.default_rng(int(share * 10_000))
    size = 50_000
    order = rng.permutation(size)
    matching = rng.random(size) < share
    everything = order[matching[order]]
    for start, stop in [(0, 25), (0, 1), (25, 50), (975, 1000), (0, 100), (49_000, 49_025), (10**6, 10**6 + 25)]:
        count, rows = _page(order, matching, start, stop)
        assert count == len(everything)
        assert rows.tolist() == everything[start:stop].tolist(), (start, stop)


# The caches of one index (facet rows, orders by wishes met, distance orders, map counts) serve
# every later query: a run of different queries on one index answers each as a fresh index would.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .test_finder_search import TODAY, build, programs, queries, reference  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.lists(programs, max_size=25), st.lists(queries, min_size=2, max_size=6))
def test_queries_in_a_row_on_one_index_each_get_their_own_answer(catalog, asked):
    shared = build(catalog)
    for query in asked:
        result = shared.search(query, TODAY)
        fresh = build(catalog).search(query, TODAY)
        assert (result.count, result.ids) == reference(catalog, query)
        assert result.facets == fresh.facets
        assert result.fits == fresh.fits and result.distances == fresh.distances


def test_a_catalog_change_shows_in_the_next_partials_counts_fit_order_and_map(finder_app):
    client = finder_app.test_client()
    headers = {"HX-Request": "true"}
    before = client.get("/programs?want=esir&sort=fit", headers=headers).get_data(as_text=True)
    assert "5 programs match" in before and "Nebraska, 0 programs</span>" in before
    load(finder_app, ("programs.csv", HEADER + "N1,Aaa Omaha IR,Plains,Omaha,NE,diagnostic_radiology,5,2,yes,,,,,,,,\n"))
    after = client.get("/programs?want=esir&sort=fit", headers=headers).get_data(as_text=True)
    assert "6 programs match" in after
    assert "Nebraska, 1 program</span>" in after  # the state map's count
    first = after.index('<ol class="results"')
    assert after.index("Aaa Omaha IR", first) < after.index("Austin Radiology", first)  # both have ESIR: by name
    assert "around Omaha, NE" in after  # a dot of its own on the results map
    assert 'id="n-type-diagnostic_radiology" hx-swap-oob="true">(3)</span>' in after


REFERENCE_PANEL = """{%- from "programs/_macros.html" import group_active, filters_active, filters_show -%}
{% for group, _ in view.PANEL %}{{ group_active(group, active, True) }}{% endfor %}
{{ filters_active(active, True) }}{{ filters_show(result, True) }}"""


@pytest.mark.parametrize("query_string", ["", "state=CO&state=TX&type=integrated_ir&esir=1", "q=zzz", "near=02108&within=10"])
def test_panel_counts_written_in_python_are_the_markup_of_the_macros(finder_app, query_string):
    with finder_app.test_request_context(f"/programs?{query_string}"):
        index = routes.finder_index()
        form = FinderForm.from_args(routes.request.args, index.features)
        assert form.validate()
        query = form.query()
        result = index.search(query, date.today())
        active = view.active_in_groups(query)
        reference = finder_app.jinja_env.from_string(REFERENCE_PANEL).render(view=view, active=active, result=result)
        assert str(view.panel_counts_oob(active, result)) == reference
        db.session.rollback()


@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=10)), max_size=4))
def test_a_link_is_encoded_as_urlencode_encodes_it(pairs):
    assert view.encode(pairs) == urlencode(pairs)


@given(queries)
def test_the_chips_and_clear_all_link_to_the_query_without_them(query):
    index = build([])
    assert [chip.remove for chip in view.chips(index, query)] == [
        view.link(query.without(name, None if not isinstance(getattr(query, name), tuple) else item))
        for name in view.PANEL_FILTERS for item in values_of(getattr(query, name))]
    assert view.clear_all(query) == view.link(
        Query(sort=query.sort, per_page=query.per_page, near=query.near, want=query.want))
