"""The forms of the compare tray and the shortlists (all POST forms carry CSRF)."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from ..forms import Form
from .rules import NAME_MAX, NOTE_MAX, check_name, clean_text


def _name(form, field) -> None:
    try:
        field.data = check_name(field.data or "")
    except ValueError as error:
        raise ValidationError(str(error)) from None


class TrayForm(Form):
    """Add one program to the compare tray (`code`) or take one out (`remove`, or `untray` from the tray)."""

    code = StringField("Program code", validators=[Optional(), Length(max=200)])
    remove = StringField("Remove program code", validators=[Optional(), Length(max=200)])
    untray = StringField("Remove program code (the tray's own button)", validators=[Optional(), Length(max=200)])
    next = HiddenField(validators=[Optional()])


class ShortlistForm(Form):
    name = StringField(
        "Shortlist name",
        validators=[InputRequired(message="Give the shortlist a name (1 to 100 characters)."), _name],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"},
    )
    codes = HiddenField("Program codes")


class RenameForm(Form):
    name = StringField(
        "Name of this shortlist",
        validators=[InputRequired(message="Give the shortlist a name (1 to 100 characters)."), _name],
        render_kw={"maxlength": NAME_MAX, "autocomplete": "off"},
    )


class AddForm(Form):
    codes = StringField(
        "Program codes to add",
        description="One or more program codes, separated by commas (each program page shows its code).",
        validators=[InputRequired(message="Give at least one program code.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class NoteForm(Form):
    note = TextAreaField(
        "Private note",
        # Browsers send a line break as CR LF but count it as one character for maxlength.
        filters=[lambda text: clean_text(text) if text else ""],
        validators=[Length(max=NOTE_MAX, message=f"A note holds at most {NOTE_MAX} characters.")],
        render_kw={"maxlength": NOTE_MAX, "rows": 3},
    )


class MoveForm(Form):
    direction = StringField(validators=[AnyOf(("up", "down"), message="Say whether to move up or down.")])


class ConfirmForm(Form):
    """A form with nothing but its CSRF token: remove an entry, delete the list."""
