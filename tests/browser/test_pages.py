"""Every page type, at 390 and 1280 px: zero axe violations (WCAG 2.0/2.1/2.2 A and AA and best
practice), no console or CSP errors, no sideways scrolling at 390 px, targets of at least 24 px,
and a screenshot saved for people to look at."""

import re
import urllib.error
import urllib.request

import pytest

from .checks import check_page

WIDTHS = [390, 1280]
COMPARE = "/compare?codes=IRF-0001,IRF-0002,IRF-0003"

PAGES = {
    "home": ("/", 200),
    "pathways": ("/pathways", 200),
    "finder": ("/programs", 200),
    "finder-filtered": ("/programs?type=integrated_ir&state=TX&fellowship=pediatric_ir", 200),
    "finder-empty": ("/programs?q=zzzznothing", 200),
    "finder-bad-parameter": ("/programs?per_page=0", 400),
    "program": ("/programs/IRF-0002", 200),
    "compare": (COMPARE, 200),
    "compare-bad-codes": ("/compare?codes=NOPE-1,IRF-0001", 400),
    "my-shortlists": ("/shortlists", 200),
    "admin-login": ("/admin/login", 200),
    "not-found": ("/no-such-page", 404),
    "program-not-found": ("/programs/NOPE-1", 404),
}



def fetch(url: str) -> tuple[int, str]:
    """Status and body of a plain GET (no browser), to see whether a page exists yet."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def finder_merged(base_url: str) -> bool:
    """True once /programs is the real finder (with its filter form), not the placeholder list."""
    return 'name="fellowship"' in fetch(base_url + "/programs")[1]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_and_fits(pages, live_server, name, width):
    path, status = PAGES[name]
    probe, body = fetch(live_server + path)
    if probe == 404 and status != 404:
        pytest.skip(f"{path} does not exist yet (404)")
    if name.startswith("finder") and not finder_merged(live_server):
        pytest.skip("the finder's filter form is not merged yet")
    page = pages.open(path, width, status=status)
    check_page(page, name, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_shortlist_edit_and_share_pages_are_accessible_and_fit(pages, width):
    page = pages.open(COMPARE, width)
    page.get_by_label("Shortlist name", exact=True).fill("Checked list")
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    check_page(page, "shortlist-edit", width)
    address = page.locator("#share-link").input_value()
    shared = pages.open(address, width)
    check_page(shared, "shortlist-share", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_with_javascript_off_fit_show_no_errors_and_no_control_that_does_nothing(pages, width):
    context = pages.context(width, javascript=False)
    for name, (path, status) in PAGES.items():
        page = pages.open(path, width, javascript=False, status=status, context=context)
        check_page(page, f"{name}-nojs", width, javascript=False)
    page = pages.open(COMPARE, width, javascript=False, context=context)
    page.get_by_label("Shortlist name", exact=True).fill("Checked list")
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    check_page(page, "shortlist-edit-nojs", width, javascript=False)
    shared = pages.open(page.locator("#share-link").input_value(), width, javascript=False, context=context)
    check_page(shared, "shortlist-share-nojs", width, javascript=False)
    page.goto("/shortlists")
    check_page(page, "my-shortlists-nojs", width, javascript=False)
