"""The /api page and the couples page in a real browser, at 390 and 1280 px: keyboard only,
zero axe violations, no sideways scrolling, the real CSP (the `pages` fixture fails a test on
any console error or CSP violation)."""

import re

import pytest

from .checks import check_page, tab_through

WIDTHS = [390, 1280]


def saved_share_link(pages, codes: str, name: str) -> str:
    """Save a shortlist of `codes` from the compare page; returns its read-only link."""
    page = pages.open(f"/compare?codes={codes}")
    page.get_by_label("Shortlist name", exact=True).fill(name)
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    link = page.locator("#share-link").input_value()
    page.context.close()
    return link


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_page_is_accessible_and_its_examples_scroll_in_their_own_boxes(pages, width):
    page = pages.open("/api", width)
    check_page(page, "api", width)
    assert page.get_by_role("heading", name="The JSON API").is_visible()
    assert page.get_by_role("link", name="OpenAPI 3.1 document").get_attribute("href") == "/api/openapi.json"
    # A long example is a focusable box that scrolls sideways with the keyboard, not the page.
    box = page.locator("pre.api-code").nth(1)
    box.focus()
    if box.evaluate("el => el.scrollWidth > el.clientWidth"):
        box.press("ArrowRight")
        box.press("ArrowRight")
        # Chromium scrolls for an arrow key with an animation: wait for the box's own state,
        # which a busy machine reaches later (read at once, it was still 0 in CI).
        page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle(), timeout=10_000)


def test_the_api_page_is_reached_from_every_page_footer(pages):
    page = pages.open("/")
    page.get_by_role("link", name="The data as JSON (API)").click()
    page.wait_for_url(re.compile(r"/api$"))


@pytest.mark.parametrize("width", WIDTHS)
def test_couples_page_by_keyboard_only_lists_the_pairs(pages, width):
    first = saved_share_link(pages, "IRF-0001,IRF-0002,IRF-0003", "Alex's list")
    second = saved_share_link(pages, "IRF-0003,IRF-0002,IRF-0004", "Sam's list")
    page = pages.open("/couples", width)
    check_page(page, "couples-blank", width)

    stops = tab_through(page)  # every stop shows its focus; the form's fields are among them
    assert {"a", "b", "within"} <= {stop["id"] for stop in stops}
    page.locator("#a").focus()
    page.keyboard.type(first)
    page.keyboard.press("Tab")
    page.keyboard.type(second)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("3000")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show pairs"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile(r"^\d+ pairs? within 3000 miles$")).wait_for()

    pairs = page.locator(".couples-pair")
    assert pairs.count() == 9  # three programs on each list, all within 3,000 miles
    assert "combined rank 2" in pairs.first.inner_text()
    check_page(page, "couples-pairs", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_couples_page_shows_a_bad_distance_beside_its_field(pages, width):
    first = saved_share_link(pages, "IRF-0001", "One")
    page = pages.open(f"/couples?a={first.rsplit('/', 1)[1]}&b={first.rsplit('/', 1)[1]}&within=0", width, status=400)
    error = page.locator("#within-error")
    assert "from 1 to 3000" in error.inner_text()
    assert page.locator("#within").get_attribute("aria-invalid") == "true"
    check_page(page, "couples-bad-within", width)
