"""The loader reads a chunk of records a column at a time (`RowReader.read_many`) and checks the
cross-column rules on the rows that may break them (`rows_problems`): whatever the cells, each
gives what reading and checking each record on its own gives, values and messages alike."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from finder.catalog.columns import row_problems, rows_problems
from finder.catalog.schema import PROGRAM_COLUMN_NAMES, RowReader, program_columns

VOCABULARY = {"fellowship": ["pediatric_ir", "neuro_ir"], "research": ["t32_grant"]}
TODAY = date(2026, 12, 1)

# Cells near each rule's edges: valid ones, and ones a trim, an unguarding, a length, a blank, a
# newline or a control character sets apart.
EDGES = [
        "", " ", "  x ", "'", "''", "'=1", "'x", "=1", "-x", "x\n", "a\nb", "\n'x", "a\x07b", "\x0b", "\t",
        "GEN-0000001", "A_b-9", "a b", "A" * 32, "A" * 33, "\u00e9",
        "Alpha IR", "x" * 200, "x" * 201, "d" * 2000, "d" * 2001,
        "https://x.example.org", "HTTP://X.EXAMPLE.ORG/a?b#c", "https://x.example.org/ a", "ftp://x.org",
        "https://" + "x" * 292, "https://" + "x" * 293, "http://[::1]:80/",
        "pd@x.org", "pd@x", "a@b@c.d", "pd@x.org\x07", "'pd@x.org", "'=pd@x.org", "p" * 246 + "@x.org",
        "yes", "no", "6", "101", "MA", "integrated_ir", "2024-02-29", "02118", "pediatric_ir;neuro_ir",
]
CELLS = st.one_of(st.text(max_size=12), st.sampled_from(EDGES))
WIDTH = len(PROGRAM_COLUMN_NAMES)


def read_alone(records):
    reader = RowReader(program_columns(VOCABULARY, TODAY), PROGRAM_COLUMN_NAMES)
    return [(list(values.items()), list(errors)) for values, errors in map(reader.read, records)]


def read_together(records):
    reader = RowReader(program_columns(VOCABULARY, TODAY), PROGRAM_COLUMN_NAMES)
    return [(list(values.items()), list(errors)) for values, errors in reader.read_many(records)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=WIDTH, max_size=WIDTH), min_size=1, max_size=6), st.data())
def test_a_chunk_read_a_column_at_a_time_reads_as_each_record_alone(records, data):
    if data.draw(st.booleans()):  # a record of another width among them
        records.insert(data.draw(st.integers(0, len(records))), data.draw(st.lists(CELLS, max_size=WIDTH + 1)))
    assert read_together(records) == read_alone(records)


def valid_record(n: int) -> list[str]:
    cells = dict.fromkeys(PROGRAM_COLUMN_NAMES, "")
    cells.update(program_code=f"P{n}", name=f"Program {n}", institution="Hospital", city="Boston", state="MA",
                 program_type="integrated_ir", length_years="6", website=f"https://p{n}.example.org",
                 description=f"About {n}" if n % 2 else "", contact_email=f"pd{n}@example.org", zip_code="02118")
    return list(cells.values())


def test_each_edge_cell_among_valid_records_reads_as_alone():
    valid = [valid_record(n) for n in range(10)]
    assert read_together(valid) == read_alone(valid)
    for position, column in enumerate(PROGRAM_COLUMN_NAMES):
        for cell in EDGES:
            records = [list(record) for record in valid]
            records[3][position] = cell
            assert read_together(records) == read_alone(records), (column, cell)


ROW_VALUES = {
    "program_type": st.sampled_from(["integrated_ir", "independent_ir", "diagnostic_radiology", "fellowship"]),
    "esir_available": st.sampled_from([True, False]),
    "intern_year": st.sampled_from([None, "included", "separate"]),
}


@given(st.lists(st.fixed_dictionaries({}, optional=ROW_VALUES), max_size=8),
       st.sets(st.sampled_from(sorted(ROW_VALUES))))
def test_the_rows_that_break_a_cross_column_rule_are_those_row_problems_finds(rows, present):
    present = frozenset(present)
    expected = {position: found for position, row in enumerate(rows) if (found := row_problems(row, present))}
    assert rows_problems(rows, present) == expected
