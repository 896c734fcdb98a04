"""The pathways pictures in a real browser: laid out across on wide screens, stacked at 390 px,
no horizontal scrolling, and no axe violations. Run alone with `pytest -m browser`."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from .conftest import SEED, load

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")}


@pytest.fixture
def live_url(app):
    result = load(
        app,
        ("seed/features.csv", (SEED / "features.csv").read_bytes()),
        ("seed/programs.csv", (SEED / "programs.csv").read_bytes()),
    )
    assert result.ok, result.problems
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def open_page(browser, url: str, width: int, javascript: bool = True):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(url)
    return page


def stage_boxes(page, pathway: str) -> list[dict]:
    return page.locator(f"#pathway-{pathway} .timeline__stage").evaluate_all(
        "items => items.map(item => { const r = item.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, width: r.width}; })"
    )


def test_wide_screen_draws_years_across_with_stages_as_wide_as_their_years(browser, live_url):
    page = open_page(browser, live_url + "/pathways", 1280)
    internship, diagnostic, interventional = stage_boxes(page, "independent")
    assert internship["top"] == diagnostic["top"] == interventional["top"]
    assert internship["right"] < diagnostic["left"] < diagnostic["right"] < interventional["left"]
    year = internship["width"]
    assert diagnostic["width"] == pytest.approx(4 * year, rel=0.05)
    assert interventional["width"] == pytest.approx(2 * year, rel=0.05)


def test_wide_screen_lines_the_routes_up_on_one_year_axis(browser, live_url):
    page = open_page(browser, live_url + "/pathways", 1280)
    esir_year_six = stage_boxes(page, "esir")[-1]
    independent_years_six_seven = stage_boxes(page, "independent")[-1]
    integrated_years_five_six = stage_boxes(page, "integrated")[-1]
    assert esir_year_six["left"] == pytest.approx(independent_years_six_seven["left"], abs=1)
    assert esir_year_six["right"] == pytest.approx(integrated_years_five_six["right"], abs=1)


@pytest.mark.parametrize("javascript", [True, False], ids=["js on", "js off"])
def test_at_390_px_the_years_stack_downwards_without_sideways_scrolling(browser, live_url, javascript):
    page = open_page(browser, live_url + "/pathways", 390, javascript)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for pathway in ("integrated", "esir", "independent", "fellowship"):
        boxes = stage_boxes(page, pathway)
        assert len({round(box["left"]) for box in boxes}) == 1
        assert [box["top"] for box in boxes] == sorted(box["top"] for box in boxes)
        assert all(box["right"] <= 390 for box in boxes)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["/", "/pathways"])
def test_pages_have_no_axe_violations(browser, live_url, path, width):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_url + path)
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
