"""Values and column names as people read them: labels, yes/no, lists, never a Python repr.

Used wherever the admin area shows stored or loaded values (preview, history, dashboard, the
409 of a stale edit form). Plain Python, no Flask.
"""

from collections.abc import Mapping
from datetime import date, datetime

from .columns import BY_NAME
from .vocab import FEATURE_COLUMNS, FEATURE_KINDS

BLANK = "(blank)"

# The names people read for what is not a programs.csv column (those come from the registry).
OTHER_LABELS = {
    "kind": "Kind",
    "slug": "Slug",
    "label": "Label",
    "file": "File",
    "row": "Row",
}
_KIND_OF = {column: kind for kind, column in FEATURE_COLUMNS.items()}
# (kind, slug) -> label
FeatureLabels = Mapping[tuple[str, str], str]


def column_label(name: str) -> str:
    """The label of a CSV column ("positions_per_year" -> "Positions per year"); unknown names as given."""
    column = BY_NAME.get(name)
    return column.label if column else OTHER_LABELS.get(name, name)


def readable(column: str, value: object, feature_labels: FeatureLabels | None = None) -> str:
    """A stored or loaded value of `column` as an admin reads it: the registry's labels for
    choices, yes/no, feature labels for slug lists, ISO dates (as in the files), "(blank)"."""
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
    if column == "kind":
        return FEATURE_KINDS.get(str(value), str(value))
    registry = BY_NAME.get(column)
    if registry is not None and registry.choices:
        label = registry.choices.get(str(value).upper() if registry.rule == "state" else str(value))
        if label:
            return f"{label} ({value})" if registry.rule == "state" else label
    return str(value)
