"""Feedback after "Add to compare" (issue 14.16): at the bottom of a long list on a phone the
message is beside the button pressed, the header counts the tray, Add and Remove look different,
and without JavaScript the page comes back at the button with its message in view."""

import re

import pytest

from .checks import htmx_done


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
             return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight; }""",
        selector,
    )


def look(page, selector: str) -> dict:
    return page.evaluate(
        """(selector) => { const s = getComputedStyle(document.querySelector(selector));
             return {background: s.backgroundColor, color: s.color, border: s.borderTopColor}; }""",
        selector,
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_add_to_compare_at_the_bottom_of_a_long_list_on_a_phone_says_so_beside_the_button(pages, javascript):
    context = pages.context(390, javascript, height=844)
    page = pages.open("/programs?per_page=25", context=context)
    buttons = page.locator("#finder-results ol.results button[form=compare-add]")
    assert buttons.count() == 25
    last = buttons.last
    code = last.get_attribute("value")
    other = buttons.first.get_attribute("value")
    add_look = look(page, f"#ca-{code}")
    last.scroll_into_view_if_needed()
    if javascript:
        with htmx_done(page, "htmx:afterRequest"):
            last.click()
    else:
        last.click()
        page.wait_for_url(re.compile(rf"#ca-{code}$"))
    note = page.locator(f"#cn-{code}")
    assert re.match(r"^Added .+ to the compare tray \(1 of \d\)\.$", note.inner_text()), note.inner_text()
    assert in_view(page, f"#cn-{code}"), "the message is not where the user is looking"
    assert in_view(page, f"#ca-{code}")
    assert page.locator("#nav-compare").inner_text() == "Compare (1)"
    remove = page.locator(f"#ca-{code}")
    assert remove.get_attribute("name") == "remove" and remove.inner_text().startswith("Remove from compare")
    assert look(page, f"#ca-{code}") != add_look  # Remove looks different from Add
    assert look(page, f"#ca-{other}") == add_look
    if javascript:  # a later press makes the earlier note go, and says its own
        with htmx_done(page, "htmx:afterRequest"):
            page.locator(f"#ca-{other}").click()
        assert note.inner_text() == ""
        assert "(2 of" in page.locator(f"#cn-{other}").inner_text()
        assert page.locator("#nav-compare").inner_text() == "Compare (2)"
