"""The routes into IR as data, where each kind of program sits on them, and the program counts."""

import csv
from types import SimpleNamespace

import pytest

from .conftest import SEED, load
from finder.extensions import db
from finder.models import Program
from finder.pathways.timelines import PATHWAYS, PATHWAYS_BY_KEY, pathway_counts, place_program

HEADER = "program_code,name,institution,city,state,program_type,length_years,esir_available\n"


def programs_csv(*rows: str) -> tuple[str, str]:
    return ("programs.csv", HEADER + "".join(row + "\n" for row in rows))


def years_by_phase(pathway) -> dict[str, int]:
    totals: dict[str, int] = {}
    for stage in pathway.stages:
        totals[stage.phase] = totals.get(stage.phase, 0) + stage.years
    return totals


# The routes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "years"), [("integrated", 6), ("esir", 6), ("independent", 7), ("fellowship", 1)]
)
def test_each_pathway_takes_its_usual_number_of_years(key, years):
    assert PATHWAYS_BY_KEY[key].years == years


@pytest.mark.parametrize("pathway", PATHWAYS, ids=lambda pathway: pathway.key)
def test_stages_run_year_after_year_from_year_one_without_gaps(pathway):
    covered = [year for stage in pathway.stages for year in range(stage.first, stage.last + 1)]
    assert covered == list(range(1, pathway.years + 1))


@pytest.mark.parametrize("key", ["integrated", "esir", "independent"])
def test_every_residency_pathway_starts_with_a_clinical_internship_year(key):
    first = PATHWAYS_BY_KEY[key].stages[0]
    assert (first.first, first.last, first.phase) == (1, 1, "internship")


def test_integrated_route_is_three_diagnostic_heavy_then_two_ir_heavy_years():
    assert years_by_phase(PATHWAYS_BY_KEY["integrated"]) == {"internship": 1, "diagnostic": 3, "interventional": 2}
    assert "NRMP Main Match" in PATHWAYS_BY_KEY["integrated"].entry


def test_esir_route_is_four_diagnostic_years_ending_in_esir_then_one_ir_year():
    esir = PATHWAYS_BY_KEY["esir"]
    assert years_by_phase(esir) == {"internship": 1, "diagnostic": 2, "esir": 2, "interventional": 1}
    assert [stage.phase for stage in esir.stages][-2:] == ["esir", "interventional"]
    assert "500 image-guided procedures" in esir.stages[2].detail


def test_independent_route_is_four_diagnostic_years_then_two_ir_years():
    independent = PATHWAYS_BY_KEY["independent"]
    assert years_by_phase(independent) == {"internship": 1, "diagnostic": 4, "interventional": 2}
    assert independent.span_label(6, 7) == "PGY-6 and PGY-7"


def test_fellowship_is_optional_and_counted_after_ir_training():
    fellowship = PATHWAYS_BY_KEY["fellowship"]
    assert fellowship.optional
    assert fellowship.year_label(1) == "Year 1 after IR training"
    assert not any(pathway.optional for pathway in PATHWAYS if pathway is not fellowship)


@pytest.mark.parametrize(
    ("key", "filters"),
    [
        ("integrated", {"type": "integrated_ir"}),
        ("esir", {"type": "diagnostic_radiology", "esir": "1"}),
        ("independent", {"type": "independent_ir"}),
        ("fellowship", {"type": "fellowship"}),
    ],
)
def test_each_pathway_links_to_the_finder_with_its_filters(key, filters):
    assert dict(PATHWAYS_BY_KEY[key].finder_filters) == filters


def test_year_spans_read_as_one_year_two_years_or_a_range():
    integrated = PATHWAYS_BY_KEY["integrated"]
    assert integrated.span_label(1, 1) == "PGY-1"
    assert integrated.span_label(5, 6) == "PGY-5 and PGY-6"
    assert integrated.span_label(2, 6) == "PGY-2 to PGY-6"


# Where a program sits -------------------------------------------------------

U = "unusual length"
# (program_type, length_years, esir_available) -> (pathway, first year, last year, note?)
PLACEMENTS = {
    ("integrated_ir", 1, False): ("integrated", 6, 6, U),
    ("integrated_ir", 2, False): ("integrated", 5, 6, U),
    ("integrated_ir", 3, False): ("integrated", 4, 6, U),
    ("integrated_ir", 4, False): ("integrated", 3, 6, U),
    ("integrated_ir", 5, False): ("integrated", 2, 6, None),
    ("integrated_ir", 6, False): ("integrated", 1, 6, None),
    ("integrated_ir", 7, False): ("integrated", 1, 6, U),
    ("diagnostic_radiology", 1, True): ("esir", 5, 5, U),
    ("diagnostic_radiology", 2, True): ("esir", 4, 5, U),
    ("diagnostic_radiology", 3, True): ("esir", 3, 5, U),
    ("diagnostic_radiology", 4, True): ("esir", 2, 5, None),
    ("diagnostic_radiology", 5, True): ("esir", 1, 5, None),
    ("diagnostic_radiology", 6, True): ("esir", 1, 5, U),
    ("diagnostic_radiology", 7, True): ("esir", 1, 5, U),
    ("diagnostic_radiology", 1, False): ("independent", 5, 5, U),
    ("diagnostic_radiology", 2, False): ("independent", 4, 5, U),
    ("diagnostic_radiology", 3, False): ("independent", 3, 5, U),
    ("diagnostic_radiology", 4, False): ("independent", 2, 5, None),
    ("diagnostic_radiology", 5, False): ("independent", 1, 5, None),
    ("diagnostic_radiology", 6, False): ("independent", 1, 5, U),
    ("diagnostic_radiology", 7, False): ("independent", 1, 5, U),
    ("independent_ir", 1, False): ("esir", 6, 6, None),
    ("independent_ir", 2, False): ("independent", 6, 7, None),
    ("independent_ir", 3, False): ("independent", 6, 7, U),
    ("independent_ir", 4, False): ("independent", 6, 7, U),
    ("independent_ir", 5, False): ("independent", 6, 7, U),
    ("independent_ir", 6, False): ("independent", 6, 7, U),
    ("independent_ir", 7, False): ("independent", 6, 7, U),
    ("fellowship", 1, False): ("fellowship", 1, 1, None),
    ("fellowship", 2, False): ("fellowship", 1, 1, U),
    ("fellowship", 3, False): ("fellowship", 1, 1, U),
    ("fellowship", 4, False): ("fellowship", 1, 1, U),
    ("fellowship", 5, False): ("fellowship", 1, 1, U),
    ("fellowship", 6, False): ("fellowship", 1, 1, U),
    ("fellowship", 7, False): ("fellowship", 1, 1, U),
}


@pytest.mark.parametrize(("program", "expected"), PLACEMENTS.items(), ids=lambda value: "-".join(map(str, value)))
def test_every_kind_and_length_of_program_has_its_place_on_a_pathway(program, expected):
    program_type, length, esir = program
    key, first, last, note = expected
    placement = place_program({"program_type": program_type, "length_years": length, "esir_available": esir})
    assert (placement.pathway.key, placement.first, placement.last) == (key, first, last)
    assert placement.years == tuple(range(first, last + 1))
    assert (placement.note is not None) == (note is not None)
    if note:
        assert f"lists {length} year" in placement.note
        assert "ask the program" in placement.note


def test_the_table_above_covers_every_type_length_and_esir_combination():
    from finder.catalog.vocab import PROGRAM_TYPES

    esir_values = {"diagnostic_radiology": (True, False)}
    expected = {
        (program_type, length, esir)
        for program_type in PROGRAM_TYPES
        for length in range(1, 8)
        for esir in esir_values.get(program_type, (False,))
    }
    assert set(PLACEMENTS) == expected


@pytest.mark.parametrize("program_type", ["integrated_ir", "independent_ir", "fellowship"])
def test_esir_only_changes_the_place_of_diagnostic_radiology_programs(program_type):
    without = place_program({"program_type": program_type, "length_years": 2, "esir_available": False})
    with_esir = place_program({"program_type": program_type, "length_years": 2, "esir_available": True})
    assert with_esir == without


def test_sentence_says_in_words_which_years_the_program_covers_and_what_comes_before_and_after():
    dr = place_program({"program_type": "diagnostic_radiology", "length_years": 4, "esir_available": True})
    assert dr.sentence == (
        "This diagnostic radiology residency offers ESIR. It covers PGY-2 to PGY-5 of the ESIR route. "
        "PGY-1 (clinical internship) comes before it, in a separate program. "
        "Independent IR residency (PGY-6) follows, applied for separately."
    )
    integrated = place_program({"program_type": "integrated_ir", "length_years": 6, "esir_available": False})
    assert integrated.sentence == "This integrated IR residency covers PGY-1 to PGY-6 of the integrated IR route."


def test_independent_programs_say_which_diagnostic_residency_comes_first():
    one_year = place_program({"program_type": "independent_ir", "length_years": 1, "esir_available": False})
    two_years = place_program({"program_type": "independent_ir", "length_years": 2, "esir_available": False})
    assert "covers PGY-6 of the ESIR route" in one_year.sentence
    assert "diagnostic radiology residency with ESIR (PGY-1 to PGY-5)" in one_year.sentence
    assert "covers PGY-6 and PGY-7" in two_years.sentence
    assert "full diagnostic radiology residency (PGY-1 to PGY-5)" in two_years.sentence


def test_diagnostic_radiology_without_esir_is_followed_by_two_independent_ir_years():
    placement = place_program({"program_type": "diagnostic_radiology", "length_years": 5, "esir_available": False})
    assert "does not list ESIR" in placement.sentence
    assert placement.sentence.endswith("Independent IR residency (PGY-6 and PGY-7) follows, applied for separately.")


@pytest.mark.parametrize(("program", "expected"), PLACEMENTS.items(), ids=lambda value: "-".join(map(str, value)))
def test_every_sentence_names_the_highlighted_years(program, expected):
    program_type, length, esir = program
    placement = place_program({"program_type": program_type, "length_years": length, "esir_available": esir})
    if program_type == "fellowship":
        assert "after IR training" in placement.sentence
    else:
        assert f"covers {placement.label} " in placement.sentence


def test_a_program_object_is_placed_like_a_mapping_with_the_same_fields():
    program = SimpleNamespace(program_type="independent_ir", length_years=2, esir_available=False)
    assert place_program(program) == place_program(vars(program))


@pytest.mark.parametrize(
    "program",
    [
        {"program_type": "surgery", "length_years": 5, "esir_available": False},
        {"program_type": "integrated_ir", "length_years": None},
        {"program_type": "integrated_ir", "length_years": 0},
        {"program_type": "integrated_ir", "length_years": True},
        {"program_type": "integrated_ir", "length_years": "6"},
        {},
        SimpleNamespace(),
    ],
    ids=["unknown type", "no length", "zero length", "boolean length", "text length", "empty", "no fields"],
)
def test_a_program_without_a_known_type_and_length_has_no_place(program):
    assert place_program(program) is None


def test_programs_from_the_database_are_placed(demo_app):
    with demo_app.app_context():
        program = db.session.scalar(db.select(Program).where(Program.program_code == "IRF-0001"))
        placement = place_program(program)
    assert (program.program_type, program.length_years, program.esir_available) == ("diagnostic_radiology", 5, True)
    assert (placement.pathway.key, placement.first, placement.last) == ("esir", 1, 5)


# How many programs each pathway lists ---------------------------------------


def counts(app) -> dict[str, int]:
    with app.app_context():
        return pathway_counts(db.session)


def test_counts_are_zero_when_no_programs_are_listed(app):
    assert counts(app) == {"integrated": 0, "esir": 0, "independent": 0, "fellowship": 0}


def test_counts_follow_each_pathways_finder_filters_on_a_small_catalog(app):
    result = load(
        app,
        programs_csv(
            "A1,Integrated A,Inst A,Boston,MA,integrated_ir,6,",
            "A2,Integrated B,Inst B,Austin,TX,integrated_ir,5,no",
            "B1,Radiology ESIR A,Inst A,Boston,MA,diagnostic_radiology,5,yes",
            "B2,Radiology ESIR B,Inst C,Denver,CO,diagnostic_radiology,4,TRUE",
            "B3,Radiology plain,Inst D,Miami,FL,diagnostic_radiology,5,no",
            "B4,Radiology blank,Inst E,Tampa,FL,diagnostic_radiology,5,",
            "C1,Independent one year,Inst A,Boston,MA,independent_ir,1,",
            "C2,Independent two years,Inst B,Austin,TX,independent_ir,2,",
            "D1,Pediatric IR fellowship,Inst F,Omaha,NE,fellowship,1,",
        ),
    )
    assert result.ok, result.problems
    assert counts(app) == {"integrated": 2, "esir": 2, "independent": 2, "fellowship": 1}


def test_counts_change_as_soon_as_the_catalog_changes(app):
    load(app, programs_csv("A1,Integrated A,Inst A,Boston,MA,integrated_ir,6,"))
    assert counts(app)["integrated"] == 1
    load(app, programs_csv("A2,Integrated B,Inst B,Austin,TX,integrated_ir,6,"))
    assert counts(app)["integrated"] == 2


def test_counts_of_the_demo_data_match_the_bundled_file(demo_app):
    with open(SEED / "programs.csv", newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    esir = [row for row in rows if row["esir_available"].strip().lower() in {"yes", "true", "1"}]
    expected = {
        "integrated": sum(row["program_type"] == "integrated_ir" for row in rows),
        "esir": sum(row["program_type"] == "diagnostic_radiology" for row in esir),
        "independent": sum(row["program_type"] == "independent_ir" for row in rows),
        "fellowship": sum(row["program_type"] == "fellowship" for row in rows),
    }
    assert counts(demo_app) == expected
    assert all(expected.values())
