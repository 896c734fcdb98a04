"""Values and column names as people read them: labels, yes/no, lists, never a Python repr.

Used wherever the admin area shows stored or loaded values (preview, history, dashboard, the
409 of a stale edit form). Plain Python, no Flask.
"""

from collections.abc import Mapping
from datetime import date, datetime

from .vocab import FEATURE_COLUMNS, FEATURE_KINDS, PROGRAM_TYPES, STATES, VISA_SPONSORSHIP

BLANK = "(blank)"

# The names people read for the CSV columns (programs.csv and features.csv).
COLUMN_LABELS = {
    "program_code": "Program code",
    "name": "Name",
    "institution": "Institution",
    "city": "City",
    "state": "State",
    "program_type": "Program type",
    "length_years": "Length (years)",
    "positions_per_year": "Positions per year",
    "esir_available": "ESIR available",
    "fellowships": "Fellowships",
    "research_features": "Research features",
    "mentorship_features": "Mentorship features",
    "research_months": "Research months",
    "visa_sponsorship": "Visa sponsorship",
    "website": "Website",
    "description": "Description",
    "data_verified_on": "Data verified on",
    "intern_year": "Intern year",
    "signals_accepted": "Preference signals accepted",
    "interview_format": "Interview format",
    "application_deadline": "Application deadline",
    "step2_minimum": "USMLE Step 2 CK minimum",
    "comlex_accepted": "COMLEX accepted",
    "salary_pgy1": "PGY-1 salary (USD)",
    "ir_cases_per_year": "IR cases per year",
    "ir_faculty": "IR faculty",
    "board_pass_rate": "Board pass rate (%)",
    "program_director": "Program director",
    "contact_email": "Contact e-mail",
    "zip_code": "ZIP code",
    "kind": "Kind",
    "slug": "Slug",
    "label": "Label",
    "file": "File",
    "row": "Row",
}
_CHOICES = {
    "program_type": PROGRAM_TYPES,
    "visa_sponsorship": VISA_SPONSORSHIP,
    "kind": {kind: label.rstrip("s") if kind != "research" else label for kind, label in FEATURE_KINDS.items()},
    "intern_year": {"included": "Included (categorical)", "separate": "Separate (advanced)"},
    "interview_format": {"virtual": "Virtual", "in_person": "In person", "hybrid": "Hybrid"},
}
_KIND_OF = {column: kind for kind, column in FEATURE_COLUMNS.items()}
# (kind, slug) -> label
FeatureLabels = Mapping[tuple[str, str], str]


def column_label(name: str) -> str:
    """The label of a CSV column ("positions_per_year" -> "Positions per year"); unknown names as given."""
    return COLUMN_LABELS.get(name, name)


def readable(column: str, value: object, feature_labels: FeatureLabels | None = None) -> str:
    """A stored or loaded value of `column` as a person reads it."""
    if value is None or value == "" or (isinstance(value, (set, frozenset, list, tuple)) and not value):
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (set, frozenset, list, tuple)):
        kind = _KIND_OF.get(column)
        labels = feature_labels or {}
        return ", ".join(sorted((labels.get((kind, slug), slug) for slug in value), key=str.casefold))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if column in _CHOICES:
        return _CHOICES[column].get(str(value), str(value))
    if column == "state" and value in STATES:
        return f"{STATES[value][0]} ({value})"
    return str(value)
