"""Nothing scrolls sideways on a 390 px phone (issue 14.4): every demo program's page, not a sample.

(Every other page type is checked at 390 px by test_pages.py.)
"""

import json
import re
import urllib.request


def all_program_codes(base_url: str) -> list[str]:
    codes, page = [], 1
    while True:
        with urllib.request.urlopen(f"{base_url}/api/programs?per_page=100&page={page}") as response:
            answer = json.load(response)
        codes += [program["program_code"] for program in answer["results"]]
        if len(codes) >= answer["count"] or not answer["results"]:
            return codes
        page += 1


WIDEST = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          culprit: wide.length ? wide[wide.length - 1].outerHTML.slice(0, 160) : null};
}"""


def test_no_demo_program_page_scrolls_sideways_at_390_px(pages, live_server):
    codes = all_program_codes(live_server)
    assert len(codes) > 100  # the whole demo catalog, not a sample
    page = pages.new_page(pages.context(390))
    wide = {}
    for code in codes:
        page.goto(f"/programs/{code}")
        found = page.evaluate(WIDEST)
        if found:
            wide[code] = found
    assert not wide, f"{len(wide)} of {len(codes)} program pages scroll sideways at 390 px: {dict(list(wide.items())[:5])}"


LONG = "Interventionalradiologyprogramwithaverylongunbrokenname" * 3  # 171 characters, no break


def test_long_unbroken_text_a_user_typed_never_widens_any_page_type_at_390_px(pages):
    """The pages that echo what a user typed (keywords, codes, a shortlist's name) at 390 px."""
    context = pages.context(390)
    wide = {}

    def check(name, page):
        found = page.evaluate(WIDEST)
        if found:
            wide[name] = found

    for name, path, status in [
        ("finder-keywords", f"/programs?q={LONG}", 200),
        ("finder-bad-keywords", f"/programs?q={LONG}&per_page=0", 400),
        ("compare-bad-codes", f"/compare?codes=IRF-0001,{LONG}", 400),
        ("program-not-found", f"/programs/{LONG}", 404),
        ("not-found", f"/{LONG}", 404),
        ("couples", f"/couples?a={LONG}&b=IRF-0002", None),
    ]:
        page = pages.new_page(context)
        if status and status >= 400:
            pages.allow(f"status of {status}")
        page.goto(path)
        check(name, page)
    page = pages.new_page(context)
    page.goto("/compare?codes=IRF-0001,IRF-0002")
    page.get_by_label("Shortlist name", exact=True).fill(LONG[:100])
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    check("shortlist-edit", page)
    edit = page.url
    shared = page.locator("#share-link").input_value()
    for name, path in [("shortlist-share", shared), ("my-shortlists", "/shortlists"), ("shortlist-delete", edit + "/delete")]:
        page.goto(path)
        check(name, page)
    assert not wide, wide
