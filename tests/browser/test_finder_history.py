"""After any move through history the finder's controls agree with its address (issue 14.1).

htmx's history cache keeps markup, not the state of checkboxes, so a restored page could show the
right results with every box unticked, and the next tick would silently drop the earlier filters.
Each test ends by ticking one more box and checking that the request kept everything the address had.
"""

import re
from urllib.parse import parse_qs, urlsplit

from .checks import htmx_done


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def tick(page, name: str, value: str) -> None:
    with htmx_done(page):
        page.locator(f'#finder input[name="{name}"][value="{value}"]').check()


def ticked(page) -> dict[str, list[str]]:
    """The finder form's ticked boxes, as {name: [values]}."""
    return page.evaluate(
        """() => { const out = {};
          document.querySelectorAll('#finder input[type=checkbox]:checked').forEach(box => {
            (out[box.name] = out[box.name] || []).push(box.value); });
          return out; }"""
    )


def assert_controls_match_address(page) -> None:
    boxes = set(page.evaluate("[...document.querySelectorAll('#finder input[type=checkbox]')].map(box => box.name)"))
    wanted = {name: values for name, values in query(page.url).items() if name in boxes}
    assert ticked(page) == wanted, f"the boxes say {ticked(page)} but the address {page.url} says {wanted}"


def filtered_twice(pages):
    page = pages.open("/programs", 1280)
    tick(page, "type", "integrated_ir")
    tick(page, "region", "northeast")
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["northeast"]}
    return page


def test_back_restores_the_ticked_boxes_and_the_next_tick_keeps_them(pages):
    page = filtered_twice(pages)
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert query(page.url) == {"type": ["integrated_ir"]}
    assert_controls_match_address(page)
    tick(page, "region", "west")
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["west"]}
    assert_controls_match_address(page)


def test_forward_after_back_restores_both_boxes(pages):
    page = filtered_twice(pages)
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    with htmx_done(page, "htmx:historyRestore"):
        page.go_forward()
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["northeast"]}
    assert_controls_match_address(page)
    tick(page, "esir", "1")
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["northeast"], "esir": ["1"]}


def test_back_to_the_first_page_then_reload_shows_no_ticks(pages):
    page = filtered_twice(pages)
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert query(page.url) == {}
    assert_controls_match_address(page)
    page.reload()
    assert_controls_match_address(page)
    tick(page, "region", "south")
    assert query(page.url) == {"region": ["south"]}


def test_reload_after_back_agrees_with_the_address(pages):
    page = filtered_twice(pages)
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    page.reload()
    assert query(page.url) == {"type": ["integrated_ir"]}
    assert_controls_match_address(page)
    tick(page, "region", "midwest")
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["midwest"]}


def test_back_from_a_program_page_to_the_finder_keeps_the_boxes(pages):
    page = filtered_twice(pages)
    page.locator("#finder-results h3 a").first.click()
    page.wait_for_url(re.compile(r"/programs/[^?]+$"))
    page.go_back()
    page.wait_for_url(re.compile(r"region=northeast"))
    assert_controls_match_address(page)
    tick(page, "region", "west")
    assert query(page.url) == {"type": ["integrated_ir"], "region": ["northeast", "west"]}


def test_number_and_keyword_fields_follow_the_address_after_back(pages):
    page = pages.open("/programs", 1280)
    page.locator("summary", has_text="Training").click()  # a group that starts collapsed
    with htmx_done(page):
        page.locator("#f-min_research_months").fill("6")
        page.locator("#f-min_research_months").press("Tab")
    tick(page, "type", "integrated_ir")
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert query(page.url) == {"min_research_months": ["6"]}
    assert page.locator("#f-min_research_months").input_value() == "6"
    assert_controls_match_address(page)
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert page.locator("#f-min_research_months").input_value() == ""
