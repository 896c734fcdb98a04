"""The forms of the compare tray and the shortlists (all POST forms carry CSRF)."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import Form
from ..programs.forms import WholeNumberField, allows
from .couples import WITHIN_DEFAULT, WITHIN_MAX, WITHIN_MIN
from .rules import LINK_MAX, NAME_MAX, NOTE_MAX, check_name, clean_text, share_token_of


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


@allows(rule="a whole read-only link (`https://…/s/TOKEN`) counts as the token at its end")
def _share_token(form, field) -> None:
    """A shortlist's read-only link as pasted (`https://…/s/TOKEN`), or the token alone: keep the token."""
    field.data = share_token_of(field.data or "")


class CouplesForm(Form):
    """`/couples` and `/couples.json` (contract section 8): two shortlists' share tokens and a radius."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    a = StringField(
        "First shortlist (yours)",
        description="Its read-only link, as its page shows it (…/s/…), or the code at the end of that link.",
        validators=[InputRequired(message="give the read-only link of the first shortlist"),
                    Length(max=LINK_MAX, message=f"must be at most {LINK_MAX} characters"), _share_token],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": LINK_MAX},
    )
    b = StringField(
        "Second shortlist (your partner's)",
        description="Its read-only link, or the code at the end of that link.",
        validators=[InputRequired(message="give the read-only link of the second shortlist"),
                    Length(max=LINK_MAX, message=f"must be at most {LINK_MAX} characters"), _share_token],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": LINK_MAX},
    )
    within = WholeNumberField(
        "Within (miles)", default=WITHIN_DEFAULT,
        description=f"The longest distance between the two programs of a pair, {WITHIN_MIN} to {WITHIN_MAX} miles.",
        validators=[Optional(), NumberRange(WITHIN_MIN, WITHIN_MAX,
                                            message=f"must be a whole number from {WITHIN_MIN} to {WITHIN_MAX}")],
        render_kw={"inputmode": "numeric", "min": WITHIN_MIN, "max": WITHIN_MAX},
    )

    def first_error(self) -> tuple[str, str]:
        """(parameter, message) of the first bad parameter, the message naming it."""
        name, errors = next(iter(self.errors.items()))
        return name, f"{name} ({getattr(self, name).label.text}): {errors[0]}"
