"""The base of every form of the app (query-string forms and POST forms alike)."""

from flask_wtf import FlaskForm

NUL_MESSAGE = "contains a NUL character (U+0000), which no value can hold"


class Form(FlaskForm):
    """A FlaskForm that treats a NUL character in a field as that field's bad value.

    No field has a use for NUL, and PostgreSQL cannot store it. Checked here, the answer
    names the field (an API `error.parameter`, a message beside the control) like any
    other bad value; a parameter no form declares is ignored, NUL or not.
    """

    def validate(self, extra_validators=None) -> bool:
        with_nul = with_nul_character(self)
        valid = super().validate(extra_validators)
        return refuse(with_nul) and valid


def with_nul_character(fields) -> list:
    """The fields of `fields` given a value holding a NUL character."""
    return [field for field in fields if any("\x00" in value for value in _texts(field.raw_data))]


def refuse(with_nul: list) -> bool:
    """Gives each of `with_nul` the NUL message as its one error; True when there are none."""
    for field in with_nul:
        field.errors = [NUL_MESSAGE]
    return not with_nul


def _texts(values) -> list[str]:
    return [value for value in values or () if isinstance(value, str)]
