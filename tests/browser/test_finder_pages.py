"""The finder in a real browser: htmx updates keep the form, the map toggles states, back works,
no JavaScript works, 390 px has no sideways scrolling, no axe violations. Run with `pytest -m browser`."""

import re

import pytest

from .checks import assert_no_axe_violations, htmx_done, settled_at

def status(page) -> str:
    return page.locator("#finder-status").inner_text()


def test_ticking_a_box_updates_results_counts_and_url_without_reload(pages):
    page = pages.open("/programs", 1280)
    page.evaluate("window.notReloaded = true")
    before = status(page)
    with htmx_done(page):
        page.get_by_role("checkbox", name=re.compile(r"^Integrated IR residency")).check()
    assert status(page) != before
    assert page.evaluate("window.notReloaded") is True
    assert "?type=integrated_ir" in page.url and "q=" not in page.url  # blank fields left out
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert "?" not in page.url
    assert status(page) == before


def test_typing_a_keyword_filters_and_keeps_focus_and_text(pages):
    page = pages.open("/programs", 1280)
    box = page.locator("#f-q")
    box.click()
    box.press_sequentially("bosto", delay=30)
    settled_at(page, re.compile(r"q=bosto$"))
    assert page.evaluate("document.activeElement.id") == "f-q"
    assert box.input_value() == "bosto"
    names = page.locator("#finder-results h3 a").all_inner_texts()
    assert names and page.locator("#finder-results ol.results").get_by_text("Boston").count() == len(names)


def test_a_state_tile_toggles_the_state_filter(pages):
    page = pages.open("/programs", 1280)
    with htmx_done(page):
        page.get_by_label(re.compile(r"^MA: Massachusetts, \d+ programs?$")).check()
    assert "state=MA" in page.url
    assert page.locator("a.chip", has_text="Massachusetts").count() == 1
    with htmx_done(page):
        page.get_by_label(re.compile(r"^MA: Massachusetts")).uncheck()
    assert "state=MA" not in page.url


def test_a_tile_toggled_from_the_keyboard_keeps_the_focus(pages):
    page = pages.open("/programs", 1280)
    page.focus("#s-TX")
    with htmx_done(page):
        page.keyboard.press("Space")
    assert "state=TX" in page.url
    assert page.locator("a.chip", has_text="Texas").count() == 1
    assert page.evaluate("document.activeElement.id") == "s-TX"


def test_without_javascript_the_form_submits_as_a_plain_get(pages):
    page = pages.open("/programs", 1280, javascript=False)
    page.get_by_role("checkbox", name=re.compile(r"^Fellowship \(")).check()
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"type=fellowship"))
    assert "match" in status(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_at_390_px_nothing_scrolls_sideways(pages, javascript):
    page = pages.open("/programs?state=TX&fellowship=pediatric_ir", 390, javascript)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("path", ["/programs", "/programs?state=PR&esir=1", "/programs/IRF-0001"])
def test_finder_pages_have_no_axe_violations(pages, path):
    page = pages.open(path, 1280)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_filters_sit_beside_the_results_on_a_laptop_and_above_them_on_a_phone(pages, width):
    page = pages.open("/programs", width)
    filters = page.locator(".finder-filters").bounding_box()
    results = page.locator("#finder-results").bounding_box()
    if width == 1280:
        assert filters["x"] + filters["width"] <= results["x"] + 1  # side by side
        assert abs(filters["y"] - results["y"]) < 400  # both start near the top
    else:
        assert filters["y"] + filters["height"] <= results["y"] + 1  # stacked
