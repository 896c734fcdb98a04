"""The forms of the compare tray and the shortlists (all POST forms carry CSRF)."""

from datetime import date

from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import Form
from ..programs.forms import WholeNumberField, allows
from .couples import WITHIN_DEFAULT, WITHIN_MAX, WITHIN_MIN
from .planner import SIGNALS, STATUSES
from .rules import LINK_MAX, MAX_SHORTLIST, NAME_MAX, NOTE_MAX, check_name, clean_text, share_token_of


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


class PlaceForm(Form):
    """Move an entry a place up or down, to the top, the bottom, or the place typed (1 = first)."""

    to = StringField(validators=[AnyOf(("up", "down", "top", "bottom", "number"), message="Say where to move it.")])
    position = IntegerField(
        "Place", validators=[Optional(), NumberRange(1, MAX_SHORTLIST, message=f"Type a place from 1 to {MAX_SHORTLIST}.")],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_SHORTLIST},
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.to.data == "number" and self.position.data is None:
            self.position.errors = ["Type the place to move it to, a whole number."]
            return False
        return True

    def first_error(self) -> str:
        return next(error for errors in self.errors.values() for error in errors)


INTERVIEW_FIRST, INTERVIEW_LAST = date(2000, 1, 1), date(2099, 12, 31)


def _interview_day(form, field) -> None:
    """An ISO date (YYYY-MM-DD) or blank; anything else names the field and the form it wants."""
    text = (field.raw_data or [""])[0].strip() if field.raw_data else ""
    if not text:
        field.data = None
        return
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(f"“{text[:40]}” is not a date: give it as YYYY-MM-DD (for example 2026-11-14), or leave it blank.")
    if not INTERVIEW_FIRST <= day <= INTERVIEW_LAST:
        raise ValidationError(f"{day} is out of range: give a date from {INTERVIEW_FIRST.year} to {INTERVIEW_LAST.year}.")
    field.data = day


class PlanForm(Form):
    """One entry's plan (contract section 7): exactly `status`, `signal` and `interview_on`."""

    # Plain fields checked against the value lists; the template draws the <select>s from the same lists.
    status = StringField("Status", validators=[AnyOf(STATUSES, message="choose one of: " + ", ".join(STATUSES.values()).lower() + ".")])
    signal = StringField("Signal", validators=[AnyOf(SIGNALS, message="choose no signal, gold or silver.")])
    interview_on = StringField("Interview date", validators=[_interview_day],
                               description="YYYY-MM-DD, or blank", render_kw={"type": "date"})

    def problems(self) -> list[tuple[str, str]]:
        """(field name, "Label: message") of every bad field, in the form's order."""
        return [(name, f"{getattr(self, name).label.text}: {errors[0]}") for name, errors in self.errors.items()
                if name != "csrf_token"]


class SaveToForm(Form):
    """Save one program to one of this browser's shortlists (`list` = the list's id, never its token)."""

    code = HiddenField(validators=[InputRequired(message="No program was named."), Length(max=200)])
    list = IntegerField("Shortlist", validators=[InputRequired(message="Choose one of your shortlists.")])
    next = HiddenField(validators=[Optional(), Length(max=2000)])


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
