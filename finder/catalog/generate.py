"""Synthetic programs.csv files for benchmarks and tests: valid, varied, repeatable."""

import csv
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TextIO

from . import places
from .columns import PROGRAM_COLUMNS, RULE_COLUMNS, ProgramColumn, row_problems
from .schema import PROGRAM_COLUMN_NAMES, program_columns
from .vocab import FEATURE_COLUMNS, STATES

_PLACES = (
    "Alder Bay", "Amberly", "Ashgrove", "Bellwater", "Birchmont", "Blue Heron", "Briar Glen",
    "Cedar Hollow", "Clearbrook", "Copperfield", "Crestline", "Driftwood", "Eastmere", "Elk Ridge",
    "Fairhaven", "Fernwood", "Foxglove", "Glenmoor", "Goldfinch", "Granite Falls", "Harrow Point",
    "Hollis Bay", "Ironwood", "Juniper Hill", "Kestrel", "Lakeshore", "Larkspur", "Linden", "Maple Run",
    "Meadowvale", "Millbrook", "Northgate", "Oakhurst", "Pinecrest", "Quarry Hill", "Ravenwood",
    "Redstone", "Saddle Rock", "Silverlake", "Stonebridge", "Summit Vale", "Tamarack", "Thornbury",
    "Timberline", "Valley Forge Heights", "Westbrook", "Whitfield", "Willow Creek", "Ñandú", "Señora Luz",
)
_KINDS = (
    "University Hospital", "Medical Center", "Health System", "Regional Medical Center",
    "University School of Medicine", "Memorial Hospital", "Children's Hospital", "Health Sciences Center",
)
_CITIES = {
    "CA": ("Fresno", "Oakland", "San Diego", "Sacramento"), "TX": ("Austin", "El Paso", "Houston", "Lubbock"),
    "NY": ("Albany", "Buffalo", "Rochester", "Syracuse"), "FL": ("Gainesville", "Miami", "Orlando", "Tampa"),
    "CO": ("Cañon City", "Denver", "Pueblo"), "NM": ("Albuquerque", "Española", "Las Cruces"),
    "PR": ("Mayagüez", "Ponce", "San Juan"), "DC": ("Washington",),
}
_TYPES = (  # program_type, share, lengths
    ("integrated_ir", 0.30, (6,)),
    ("independent_ir", 0.25, (2, 2, 2, 1)),
    ("diagnostic_radiology", 0.30, (5, 5, 5, 4)),
    ("fellowship", 0.15, (1,)),
)
_TITLES = {
    "integrated_ir": "Integrated Interventional Radiology Residency",
    "independent_ir": "Independent Interventional Radiology Residency",
    "diagnostic_radiology": "Diagnostic Radiology Residency",
    "fellowship": "Fellowship",
}
_SENTENCES = (
    "Residents rotate through a busy hybrid angiography suite",
    "The program emphasises outpatient clinic and longitudinal patient care",
    "Call is home call with a dedicated IR fellow on nights",
    "Research time can be taken as a single block or spread across years",
    "Trainees work closely with vascular surgery, oncology and hepatology",
    "A simulation lab supports early procedural training",
    "Community and academic sites give a broad case mix",
)
_FIRST_NAMES = ("Avery", "Jordan", "Priya", "Mateo", "Ingrid", "Kwame", "Lucía", "Hana", "Ezra", "Noor",
                "Tobias", "Mireille", "Sanjay", "Oona", "Rafael", "Wen")
_LAST_NAMES = ("Ashcombe", "Brightwater", "Calloway", "Delacroix-Finn", "Eskildsen", "Fairweather",
               "Galloway", "Holloway", "Iverson", "Jardine", "Kettering", "Lindqvist", "Marlowe", "Nakashima",
               "Okonkwo", "Pemberton", "Quintero", "Rosslyn", "Sørensen", "Thistlewood")
_EPOCH = date(2022, 1, 1)
_SPAN = (date(2026, 10, 31) - _EPOCH).days


def generate_programs(
    out: TextIO, count: int, seed: int, vocabulary: Mapping[str, Sequence[str]]
) -> None:
    """Write `count` valid programs.csv rows; the same seed gives the same file.

    Feature slugs are drawn from `vocabulary` (slugs by kind), normally the
    bundled seed/features.csv, so the file loads on top of the demo data.
    """
    rng = random.Random(seed)
    states = sorted(STATES)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PROGRAM_COLUMN_NAMES)
    for number in range(1, count + 1):
        state = rng.choice(states)
        writer.writerow(_row(rng, number, state, vocabulary))


def _row(rng: random.Random, number: int, state: str, vocabulary: Mapping[str, Sequence[str]]) -> list:
    program_type, lengths = _pick_type(rng)
    institution = f"{rng.choice(_PLACES)} {rng.choice(_KINDS)}"
    city = rng.choice(_CITIES.get(state, (f"{rng.choice(_PLACES)} City", f"Port {rng.choice(_PLACES)}")))
    esir = program_type == "diagnostic_radiology" and rng.random() < 0.5
    values = {
        "program_code": f"GEN-{number:07d}",
        "name": f"{institution.split(' ')[0]} {_TITLES[program_type]}",
        "institution": institution,
        "city": city,
        "state": state,
        "program_type": program_type,
        "length_years": rng.choice(lengths),
        "positions_per_year": _maybe(rng, 0.9, lambda: rng.randint(1, 14)),
        "esir_available": "yes" if esir else "no",
        "research_months": _maybe(rng, 0.85, lambda: rng.choice((0, 1, 2, 3, 4, 6, 6, 9, 12, 18, 24))),
        "visa_sponsorship": _maybe(rng, 0.8, lambda: rng.choice(("none", "j1", "h1b", "j1_h1b"))),
        "website": _maybe(rng, 0.9, lambda: f"https://program{number}.example.org/"),
        "description": _maybe(rng, 0.9, lambda: ". ".join(rng.sample(_SENTENCES, rng.randint(1, 3))) + "."),
        "data_verified_on": _maybe(rng, 0.9, lambda: (_EPOCH + timedelta(days=rng.randint(0, _SPAN))).isoformat()),
        "intern_year": _maybe(rng, 0.8, lambda: rng.choice(("included", "separate", "separate"))),
        "signals_accepted": _maybe(rng, 0.75, lambda: rng.choice(("yes", "yes", "yes", "no"))),
        "interview_format": _maybe(rng, 0.85, lambda: rng.choice(("virtual", "virtual", "virtual", "hybrid", "in_person"))),
        "application_deadline": _maybe(rng, 0.7, lambda: (date(2026, 9, 15) + timedelta(days=rng.randint(0, 76))).isoformat()),
        "step2_minimum": _maybe(rng, 0.4, lambda: rng.randrange(220, 251, 5)),
        "comlex_accepted": _maybe(rng, 0.7, lambda: rng.choice(("yes", "yes", "no"))),
        "salary_pgy1": _maybe(rng, 0.85, lambda: rng.randrange(60000, 75001, 100)),
        "ir_cases_per_year": _maybe(rng, 0.7, lambda: rng.randrange(1500, 12001, 50)),
        "ir_faculty": _maybe(rng, 0.75, lambda: rng.randint(4, 40)),
        "board_pass_rate": _maybe(rng, 0.7, lambda: rng.choice((88, 90, 92, 94, 95, 96, 97, 98, 100, 100))),
        "program_director": _maybe(rng, 0.8, lambda: f"Dr. {rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"),
        "contact_email": _maybe(rng, 0.8, lambda: f"ir-program{number}@example.org"),
        "zip_code": _maybe(rng, 0.85, lambda: rng.choice(places.zip_codes(state, city) or places.zip_codes(state))),
    }
    for kind, column in FEATURE_COLUMNS.items():
        slugs = list(vocabulary.get(kind, ()))
        values[column] = ";".join(sorted(rng.sample(slugs, rng.randint(0, min(3, len(slugs))))))
    for column in PROGRAM_COLUMNS:
        if column.name not in values:  # a column without a realistic generator above
            values[column.name] = _maybe(rng, 0.8, lambda: _any_value(rng, column, number))
    for name, _ in row_problems(_parsed_rule_columns(values), frozenset(RULE_COLUMNS)):
        values[name] = ""  # e.g. no intern year for a fellowship
    return [values[name] for name in PROGRAM_COLUMN_NAMES]


def _any_value(rng: random.Random, column: ProgramColumn, number: int) -> object:
    """A valid value of any column, from its rule and bounds alone."""
    match column.rule:
        case "whole":
            return rng.randint(column.low, column.high)
        case "choice":
            return rng.choice(sorted(column.choices))
        case "yes_no" | "tri_state":
            return rng.choice(("yes", "no"))
        case "date" | "past_date":
            return (_EPOCH + timedelta(days=rng.randint(0, 365))).isoformat()
        case "url":
            return f"https://program{number}.example.org/{column.name}"
        case "email":
            return f"{column.name}{number}@example.org"
        case "zip":
            return "02115"
    return f"{column.label} {number}"[: column.longest or None]


_RULE_READERS = [c for c in program_columns({}, date.max) if c.name in RULE_COLUMNS]


def _parsed_rule_columns(values: Mapping[str, object]) -> dict[str, object]:
    return {column.name: column.read(str(values[column.name])) for column in _RULE_READERS}


def _pick_type(rng: random.Random) -> tuple[str, tuple[int, ...]]:
    roll = rng.random()
    for program_type, share, lengths in _TYPES:
        if roll < share:
            return program_type, lengths
        roll -= share
    return _TYPES[-1][0], _TYPES[-1][2]


def _maybe(rng: random.Random, chance: float, value) -> object:
    """A value, or a blank cell with probability 1 - chance."""
    return value() if rng.random() < chance else ""
