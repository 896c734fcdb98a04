"""What the finder page says about a bad filter (issue 14.11): its label and where it is, never its parameter name."""

import re

from finder.programs import view
from finder.programs.forms import FinderForm


def label_of(parameter: str) -> str:
    return getattr(FinderForm, parameter).args[0]


def says_where(text: str, parameter: str) -> bool:
    """True when the page's status and message name the filter's label and place, and link to its message."""
    label, place = label_of(parameter), view.error_place(parameter)
    return (
        f"Not searched: “{label}” ({place}): " in text
        and f"Not searched: {parameter}" not in text
        and re.search(rf'<a href="#err-{parameter}">“{re.escape(label)}”</a> \({re.escape(place)}\)', text) is not None
        and f'id="err-{parameter}"' in text
    )
