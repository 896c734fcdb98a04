"""The compare page in a real browser: everything derived from the set of programs changes together
(issue 14.2), and the table fits the screen it is on (issue 14.6)."""

import re

from playwright.sync_api import expect

import pytest

from .checks import assert_no_axe_violations, htmx_done

FOUR = ["IRF-0001", "IRF-0002", "IRF-0003", "IRF-0004"]


def derived(page) -> dict:
    """What the page says about its set of programs, wherever it says it."""
    return page.evaluate(
        """() => ({
          heading: document.querySelector('main h1').textContent.trim(),
          title: document.title,
          caption: document.querySelector('#compare-caption').textContent.trim(),
          columns: [...document.querySelectorAll('#comparison thead th[scope=col] a[href^="/programs/"]')]
                     .map(a => a.getAttribute('href').split('/').pop()),
          saved: document.querySelector('.compare-save input[name=codes]').value,
          address: new URLSearchParams(location.search).get('codes'),
        })"""
    )


def assert_agree(page, codes: list[str]) -> None:
    n = len(codes)
    words = f"{n} program{'' if n == 1 else 's'}"
    state = derived(page)
    assert state["heading"] == f"Compare {words}", state
    assert state["title"].startswith(f"Compare {words} ·"), state
    assert words in state["caption"], state
    assert state["columns"] == codes, state
    assert state["saved"] == ",".join(codes), state
    assert state["address"] == ",".join(codes), state


def test_removing_a_column_updates_heading_title_and_the_codes_the_save_form_sends(pages):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 1280)
    assert_agree(page, FOUR)
    page.get_by_label("Shortlist name", exact=True).fill("Three of four")
    with htmx_done(page):
        page.get_by_role("link", name=re.compile(r"^Remove .* from the comparison$")).nth(1).click()
    left = [FOUR[0], *FOUR[2:]]
    assert_agree(page, left)
    assert page.get_by_label("Shortlist name", exact=True).input_value() == "Three of four"  # typing is kept
    with htmx_done(page):
        page.get_by_role("link", name="Show only differences").click()
    assert_agree(page, left)
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    expect(page.locator("#entries .entry")).to_have_count(3)
    assert page.locator("#entry-" + FOUR[1]).count() == 0


def test_back_after_a_removal_shows_the_earlier_set_everywhere(pages):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 1280)
    with htmx_done(page):
        page.get_by_role("link", name=re.compile(r"^Remove .* from the comparison$")).first.click()
    assert_agree(page, FOUR[1:])
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert_agree(page, FOUR)


FITS = """() => {
  const box = document.querySelector('.compare-scroll'), table = box.querySelector('table');
  const cells = [...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().right);
  return {page: document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth,
          across: box.scrollWidth <= box.clientWidth + 1, down: box.scrollHeight <= box.clientHeight + 1,
          right: Math.max(...cells), width: box.getBoundingClientRect().right};
}"""


def test_four_programs_fit_a_laptop_without_an_inner_scroll_box(pages):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 1280)
    fits = page.evaluate(FITS)
    assert fits["page"] and fits["across"] and fits["down"], fits
    assert fits["right"] <= fits["width"] + 1, fits  # the fourth column is not cut off
    # The feature rows are on the page itself: scrolling the page reaches them, the header row stays.
    last_row = page.locator(".compare-table tbody tr").last
    last_row.scroll_into_view_if_needed()
    assert last_row.is_visible()
    header = page.locator(".compare-table thead th").nth(1).bounding_box()
    assert -1 <= header["y"] <= 1, header  # sticky at the top of the window
    assert_no_axe_violations(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_each_fact_lists_every_programs_value_under_its_name(pages, javascript):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 390, javascript)
    fits = page.evaluate(FITS)
    assert fits["page"] and fits["across"], fits  # nothing to scroll sideways, not even in a box
    row = page.locator(".compare-table tbody tr", has=page.locator('th[scope=row]', has_text="Program type"))
    names = row.locator(".compare-table__who").all_inner_texts()
    headings = page.locator(".compare-table thead th[scope=col] a[href^='/programs/']").all_inner_texts()
    assert names == headings and len(names) == 4
    values = row.locator("td").all()
    assert all(v.is_visible() for v in values)
    boxes = [v.bounding_box() for v in values]
    assert all(b["width"] > 300 for b in boxes)  # each value has the width of the phone, one under another
    assert sorted(b["y"] for b in boxes) == [b["y"] for b in boxes]
    if javascript:
        assert_no_axe_violations(page)
