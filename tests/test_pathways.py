"""The pathways page, the program-page partial, the home page and the nav link, as people see them."""

import html
import re
from html.parser import HTMLParser

import pytest
from flask import render_template, render_template_string
from sqlalchemy import event

from .conftest import load
from finder.extensions import db
from finder.models import Program
from finder.pathways.timelines import PATHWAYS

HEADER = "program_code,name,institution,city,state,program_type,length_years,esir_available\n"


class Page(HTMLParser):
    """The parts of a page the tests look at: headings, list items by section, links, classes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.sections: dict[str, list[dict]] = {}
        self.links: list[tuple[str, str, dict]] = []
        self._open: list[dict] = []
        self._section: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id"):
            self._section = attrs["id"]
            self.sections[self._section] = []
        element = {"tag": tag, "attrs": attrs, "text": ""}
        if tag in {"link", "meta", "input", "br", "img"}:
            return
        element["parent"] = self._open[-1]["tag"] if self._open else None
        self._open.append(element)
        if tag == "li" and self._section and "timeline__stage" in attrs.get("class", ""):
            self.sections[self._section].append(element)

    def handle_endtag(self, tag):
        while self._open:
            element = self._open.pop()
            if element["tag"] == tag:
                break
        else:
            return
        text = " ".join(element["text"].split())
        element["text"] = text
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((int(tag[1]), text))
        if tag == "a":
            self.links.append((element["attrs"].get("href", ""), text, element["attrs"]))
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def programs_csv(*rows: str) -> tuple[str, str]:
    return ("programs.csv", HEADER + "".join(row + "\n" for row in rows))


def get_page(client, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


def finder_link(page: Page, href: str) -> str:
    texts = [text for link_href, text, _ in page.links if link_href == href]
    assert len(texts) == 1, (href, texts)
    return texts[0]


# /pathways --------------------------------------------------------------------


def test_pathways_page_shows_each_route_under_its_own_heading_in_order(client):
    page = get_page(client, "/pathways")
    assert page.headings[0] == (1, "Pathways into interventional radiology")
    titles = [text for level, text in page.headings if level == 2]
    assert titles == [pathway.title for pathway in PATHWAYS] + ["Where these facts come from"]


def test_headings_never_skip_a_level(client):
    levels = [level for level, _ in get_page(client, "/pathways").headings]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:]))


@pytest.mark.parametrize(
    ("section", "stages"),
    [
        (
            "pathway-integrated",
            [
                "PGY-1: Clinical internship",
                "PGY-2 to PGY-4: Mostly diagnostic radiology",
                "PGY-5 and PGY-6: Mostly interventional radiology",
            ],
        ),
        (
            "pathway-esir",
            [
                "PGY-1: Clinical internship",
                "PGY-2 and PGY-3: Diagnostic radiology",
                "PGY-4 and PGY-5: Diagnostic radiology with ESIR",
                "PGY-6: Independent IR residency",
            ],
        ),
        (
            "pathway-independent",
            [
                "PGY-1: Clinical internship",
                "PGY-2 to PGY-5: Diagnostic radiology",
                "PGY-6 and PGY-7: Independent IR residency",
            ],
        ),
        ("pathway-fellowship", ["Year 1 after IR training: Fellowship"]),
    ],
)
def test_each_timeline_is_an_ordered_list_of_years_saying_what_happens(client, section, stages):
    items = get_page(client, "/pathways").sections[section]
    assert [item["parent"] for item in items] == ["ol"] * len(stages)
    assert len(items) == len(stages)
    for item, stage in zip(items, stages):
        assert item["text"].startswith(stage)


@pytest.mark.parametrize("pathway", PATHWAYS, ids=lambda pathway: pathway.key)
def test_each_stage_is_drawn_at_its_first_year_and_as_wide_as_its_years(client, pathway):
    items = get_page(client, "/pathways").sections[f"pathway-{pathway.key}"]
    drawn = [re.findall(r"timeline__(at|span)-(\d)", item["attrs"]["class"]) for item in items]
    assert drawn == [[("at", str(stage.first)), ("span", str(stage.years))] for stage in pathway.stages]


def test_residency_timelines_share_one_seven_year_axis_so_they_line_up(client):
    body = client.get("/pathways").get_data(as_text=True)
    assert body.count("timeline timeline--cols-7 ") == 3
    assert body.count("timeline timeline--cols-1 ") == 1


@pytest.mark.parametrize(
    "length", ["6 years: PGY-1 to PGY-6.", "7 years: PGY-1 to PGY-7.", "Usually 1 year, after IR training."]
)
def test_page_says_how_many_years_each_route_takes(client, length):
    assert length in client.get("/pathways").get_data(as_text=True)


def test_each_route_links_to_the_finder_with_its_filters_and_the_number_of_programs_now(demo_app, client):
    page = get_page(client, "/pathways")
    assert finder_link(page, "/programs?type=integrated_ir") == "See 47 integrated IR residencies in the finder"
    assert finder_link(page, "/programs?type=diagnostic_radiology&esir=1") == (
        "See 28 diagnostic radiology residencies with ESIR in the finder"
    )
    assert finder_link(page, "/programs?type=independent_ir") == "See 42 independent IR residencies in the finder"
    assert finder_link(page, "/programs?type=fellowship") == "See 25 fellowships in the finder"


def test_counts_on_the_page_follow_a_small_hand_made_catalog(app, client):
    result = load(
        app,
        programs_csv(
            "A1,Integrated A,Inst A,Boston,MA,integrated_ir,6,",
            "B1,Radiology ESIR,Inst A,Boston,MA,diagnostic_radiology,5,yes",
            "B2,Radiology plain,Inst B,Miami,FL,diagnostic_radiology,5,no",
            "C1,Independent A,Inst A,Boston,MA,independent_ir,1,",
            "C2,Independent B,Inst B,Miami,FL,independent_ir,2,",
            "C3,Independent C,Inst C,Omaha,NE,independent_ir,2,",
        ),
    )
    assert result.ok, result.problems
    page = get_page(client, "/pathways")
    assert finder_link(page, "/programs?type=integrated_ir") == "See 1 integrated IR residency in the finder"
    assert finder_link(page, "/programs?type=diagnostic_radiology&esir=1") == (
        "See 1 diagnostic radiology residency with ESIR in the finder"
    )
    assert finder_link(page, "/programs?type=independent_ir") == "See 3 independent IR residencies in the finder"
    assert finder_link(page, "/programs?type=fellowship") == "Open the finder for fellowships (none listed now)"


def test_with_no_programs_every_route_still_links_to_the_finder_and_says_none_are_listed(client):
    page = get_page(client, "/pathways")
    texts = [text for href, text, _ in page.links if href.startswith("/programs?")]
    assert len(texts) == 4
    assert all(text.endswith("(none listed now)") for text in texts)


def test_page_names_its_sources_and_says_details_vary_by_program(client):
    text = html.unescape(client.get("/pathways").get_data(as_text=True))
    for source in ("ACGME", "ABR", "SIR", "NRMP"):
        assert f"({source})" in text
    assert "in our own words" in text
    assert "Details vary by program" in text


def test_colour_key_names_every_kind_of_training_in_text(client):
    body = client.get("/pathways").get_data(as_text=True)
    key = body[body.index('<ul class="pathway-key">') : body.index("</ul>", body.index('<ul class="pathway-key">'))]
    labels = ("Clinical internship", "Diagnostic radiology", "early IR specialization", "Interventional radiology")
    for label in (*labels, "Fellowship"):
        assert label in key
    assert key.count('aria-hidden="true"') == 5


def test_pathways_page_is_plain_html_that_needs_no_script_and_no_inline_style(client):
    response = client.get("/pathways")
    body = response.get_data(as_text=True)
    assert "style=" not in body
    assert "<style" not in body
    assert re.findall(r"<script(?![^>]*\ssrc=)", body) == []
    assert re.search(r"\son[a-z]+=", body) is None
    assert "css/pathways.css" in body
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_pathways_page_ignores_query_parameters(client):
    assert client.get("/pathways?type=bogus&page=-1").status_code == 200


def test_pathways_page_only_answers_get(client):
    response = client.post("/pathways")
    assert response.status_code == 405
    assert "does not accept that kind of request" in response.get_data(as_text=True)


def test_pathways_stylesheet_is_served(client):
    with client.get("/static/css/pathways.css") as response:
        assert response.status_code == 200
        assert b".timeline__stage" in response.data


# The program page's partial --------------------------------------------------


def render_partial(app, program) -> str:
    with app.test_request_context("/programs/X"):
        return render_template("pathways/_program_timeline.html", program=program)


def test_partial_shows_which_years_a_program_covers_in_words_and_in_the_picture(app):
    text = render_partial(app, {"program_type": "integrated_ir", "length_years": 5, "esir_available": False})
    page = Page(text)
    assert page.headings == [(2, "Where this program fits")]
    assert "This integrated IR residency covers PGY-2 to PGY-6 of the integrated IR route." in text
    bar = re.search(r'<p class="timeline__program ([^"]*)" aria-hidden="true">(.*?)</p>', text)
    assert bar.group(1) == "timeline__at-2 timeline__span-5"
    assert re.sub(r"<[^>]+>", "", bar.group(2)) == "This program: PGY-2 to PGY-6"
    assert "timeline timeline--cols-6 timeline--rows-6 timeline--placed" in text


@pytest.mark.parametrize(
    ("program", "route", "bar"),
    [
        (
            {"program_type": "independent_ir", "length_years": 2},
            "pathway-independent",
            "timeline__at-6 timeline__span-2",
        ),
        ({"program_type": "independent_ir", "length_years": 1}, "pathway-esir", "timeline__at-6 timeline__span-1"),
        (
            {"program_type": "diagnostic_radiology", "length_years": 4, "esir_available": True},
            "pathway-esir",
            "timeline__at-2 timeline__span-4",
        ),
        (
            {"program_type": "diagnostic_radiology", "length_years": 5, "esir_available": False},
            "pathway-independent",
            "timeline__at-1 timeline__span-5",
        ),
        ({"program_type": "fellowship", "length_years": 1}, "pathway-fellowship", "timeline__at-1 timeline__span-1"),
    ],
)
def test_partial_draws_the_program_on_its_own_route_and_links_to_it(app, program, route, bar):
    text = render_partial(app, program)
    assert f'<p class="timeline__program {bar}"' in text
    assert f'href="/pathways#{route}"' in text


def test_partial_warns_when_a_program_lists_an_unusual_length(app):
    text = render_partial(app, {"program_type": "independent_ir", "length_years": 4})
    assert "message--warning" in text
    assert "It lists 4 years of training" in text
    assert "message--warning" not in render_partial(app, {"program_type": "independent_ir", "length_years": 2})


def test_partial_brings_its_own_stylesheet_and_no_inline_style(app):
    text = render_partial(app, {"program_type": "integrated_ir", "length_years": 6})
    assert re.search(r'<link rel="stylesheet" href="/static/css/pathways.css\?v=[0-9a-f]{12}">', text)
    assert "style=" not in text


@pytest.mark.parametrize("program", [{"program_type": "surgery", "length_years": 5}, {}, None])
def test_partial_draws_nothing_for_a_program_it_cannot_place(app, program):
    assert render_partial(app, program).strip() == ""


def test_partial_draws_nothing_where_no_program_is_set(app):
    with app.test_request_context("/"):
        assert render_template("pathways/_program_timeline.html").strip() == ""


def test_any_page_can_include_the_partial_for_a_program_from_the_database(demo_app):
    with demo_app.test_request_context("/programs/IRF-0002"):
        program = db.session.scalar(db.select(Program).where(Program.program_code == "IRF-0002"))
        text = render_template_string(
            '<h1>{{ program.name }}</h1>{% include "pathways/_program_timeline.html" ignore missing %}', program=program
        )
    assert (program.program_type, program.length_years) == ("integrated_ir", 6)
    assert "covers PGY-1 to PGY-6 of the integrated IR route" in text


# Home page and navigation ------------------------------------------------------


def test_home_page_explains_the_app_and_links_to_the_finder_and_the_pathways(client):
    response = client.get("/")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert [level for level, _ in page.headings] == [1, 2, 2]  # the quick starts by route and by region
    main_links = {href: text for href, text, attrs in page.links if "button" in attrs.get("class", "")}
    assert main_links == {"/programs": "Find programs", "/pathways": "See the pathways into IR"}


def test_home_page_and_pathways_read_only_the_catalog_version_once_the_index_is_built(app, client):
    statements = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/pathways").status_code == 200  # builds the finder's index
        for path in ("/", "/pathways"):
            statements.clear()
            assert client.get(path).status_code == 200
            assert len(statements) == 1, (path, statements)  # the catalog version; counts from the index
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(("path", "current"), [("/pathways", True), ("/programs", False), ("/", False)])
def test_main_navigation_links_to_the_pathways_and_marks_the_current_page(client, path, current):
    links = [attrs for href, text, attrs in get_page(client, path).links if href == "/pathways" and text == "Pathways"]
    assert len(links) == 1
    assert (links[0].get("aria-current") == "page") == current
