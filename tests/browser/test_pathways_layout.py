"""The pathways pictures in a real browser: laid out across on wide screens, stacked at 390 px,
no horizontal scrolling. (axe and screenshots of /pathways are in test_pages.py.)"""

import pytest


def stage_boxes(page, pathway: str) -> list[dict]:
    return page.locator(f"#pathway-{pathway} .timeline__stage").evaluate_all(
        "items => items.map(item => { const r = item.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, width: r.width}; })"
    )


def test_wide_screen_draws_years_across_with_stages_as_wide_as_their_years(pages):
    page = pages.open("/pathways", 1280)
    internship, diagnostic, interventional = stage_boxes(page, "independent")
    assert internship["top"] == diagnostic["top"] == interventional["top"]
    assert internship["right"] < diagnostic["left"] < diagnostic["right"] < interventional["left"]
    year = internship["width"]
    assert diagnostic["width"] == pytest.approx(4 * year, rel=0.05)
    assert interventional["width"] == pytest.approx(2 * year, rel=0.05)


def test_wide_screen_lines_the_routes_up_on_one_year_axis(pages):
    page = pages.open("/pathways", 1280)
    esir_year_six = stage_boxes(page, "esir")[-1]
    independent_years_six_seven = stage_boxes(page, "independent")[-1]
    integrated_years_five_six = stage_boxes(page, "integrated")[-1]
    assert esir_year_six["left"] == pytest.approx(independent_years_six_seven["left"], abs=1)
    assert esir_year_six["right"] == pytest.approx(integrated_years_five_six["right"], abs=1)


@pytest.mark.parametrize("javascript", [True, False], ids=["js on", "js off"])
def test_at_390_px_the_years_stack_downwards_without_sideways_scrolling(pages, javascript):
    page = pages.open("/pathways", 390, javascript)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    for pathway in ("integrated", "esir", "independent", "fellowship"):
        boxes = stage_boxes(page, pathway)
        assert len({round(box["left"]) for box in boxes}) == 1
        assert [box["top"] for box in boxes] == sorted(box["top"] for box in boxes)
        assert all(box["right"] <= 390 for box in boxes)


def test_program_page_draws_its_place_on_the_timeline_without_sideways_scrolling(pages):
    page = pages.open("/programs/IRF-0002", 390)
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
