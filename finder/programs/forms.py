"""The finder's GET form: every query parameter of contract section 3, validated once.

The page, its htmx partial and the JSON API all read their parameters through
`FinderForm`, then hand its `query()` to the one filter engine (`search.ProgramIndex`).
"""

import functools
import re
from dataclasses import fields

from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, Length, NumberRange, Optional, ValidationError

from ..catalog import places
from ..catalog.vocab import FEATURE_KINDS, REGIONS, STATES
from ..forms import Form, refuse, with_nul_character
from .search import COLUMN_FILTERS, FILTER_LABELS, SORTS, VISAS, WISHES, Query

_WHOLE = re.compile(r"\s*[0-9]{1,9}\s*")
PER_PAGE_CHOICES = (10, 25, 50, 100)
WITHIN_CHOICES = (10, 25, 50, 100, 250, 500, 1000)  # the radius menu; any 1-3000 is valid


class WholeNumberField(IntegerField):
    """A whole number written with the digits 0-9 (no signs, no decimals)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if not _WHOLE.fullmatch(valuelist[0]):
            raise ValueError(f"'{valuelist[0][:40]}' is not a whole number")
        self.data = int(valuelist[0])


class ChoicesField(SelectMultipleField):
    """A repeatable parameter: each value must be one of the choices."""

    def pre_validate(self, form):
        known = self.choices or {}
        for value in self.data or ():
            if value not in known:
                raise ValidationError(f"'{value[:40]}' is not a known value")


def allows(rule: str = "", **schema):
    """Marks a validator of our own with what it allows, for the OpenAPI document (openapi.py):
    JSON schema keywords (`pattern="^[0-9]{5}$"`), and/or a `rule` in words for one that ties
    parameters together (`"needs near"`), which the document adds to the parameter's description."""
    def mark(check):
        check.json_schema, check.rule = schema, rule
        return check
    return mark


@allows(pattern="^[0-9]{5}$")
def _zip_code(form, field):
    """`near`: a 5-digit ZIP code of the app's ZIP data that has a location there."""
    code = field.data = (field.data or "").strip()
    if not code:
        return
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        raise ValidationError(f"'{code[:40]}' is not a ZIP code: write its 5 digits, e.g. 02108")
    if not places.is_known_zip(code):
        raise ValidationError(f"{code} is not a ZIP code in the app's ZIP data")
    if places.zip_location(code) is None:
        raise ValidationError(f"{code} has no map position in the app's ZIP data: try a nearby ZIP code")


def _needs_near(what: str):
    @allows(rule="needs `near` (without it, a value is a bad value)")
    def check(form, field):
        if field.data and not form.near.data:
            raise ValidationError(f"{what} needs a ZIP code in near (Near ZIP code)")
    return check


def _in_range(low: int, high: int):
    return [Optional(), NumberRange(low, high, message=f"must be a whole number from {low} to {high}")]


def _flag(label: str) -> StringField:
    return StringField(label, validators=[Optional(), AnyOf(["1"], message="the only value is 1")])


def on_column(parameter: str, **choices):
    """The field of a parameter that filters on a column, from the column registry: its label,
    and the column's bounds (whole numbers) or choices (one of these)."""
    how, column = COLUMN_FILTERS[parameter]
    label = FILTER_LABELS[parameter]
    if how in ("at_least", "at_most", "at_most_or_blank"):
        return WholeNumberField(label, validators=_in_range(column.low, column.high))
    if how == "flag":
        return _flag(label)
    if how in ("any_of", "all_of"):
        return ChoicesField(label, choices=choices.get("choices", dict(column.choices)),
                            **{k: v for k, v in choices.items() if k != "choices"})
    raise ValueError(f"{parameter}: no field for {how}")


class FinderForm(Form):
    """Every parameter of contract section 3; a field's validators say its type and bounds,
    a `ChoicesField` is repeatable (choices: the valid values), the rest take one value."""

    class Meta:
        csrf = False

    q = StringField("Keywords", validators=[Length(max=200, message="must be at most 200 characters")])
    # Route
    type = on_column("type")
    esir = on_column("esir")
    intern_year = on_column("intern_year")
    max_length = on_column("max_length")
    # Place
    near = StringField("Near ZIP code", validators=[Optional(), _zip_code])
    within = WholeNumberField("Within (miles)", validators=[*_in_range(1, 3000), _needs_near("a distance limit")])
    region = ChoicesField("Region", choices=dict(REGIONS))
    state = on_column("state", choices={code: name for code, (name, _) in STATES.items()},
                      coerce=lambda value: value.strip().upper(), description="USPS codes, in any case.")
    # Applying
    visa = on_column("visa", choices=dict(VISAS))
    signals = on_column("signals")
    comlex = on_column("comlex")
    interview_format = on_column("interview_format")
    my_step2 = on_column("my_step2")
    min_positions = on_column("min_positions")
    # Training
    min_research_months = on_column("min_research_months")
    min_cases = on_column("min_cases")
    min_board_pass_rate = on_column("min_board_pass_rate")
    # Features (their choices are the vocabulary, set per request)
    fellowship = on_column("fellowship", choices={})
    research = on_column("research", choices={})
    mentorship = on_column("mentorship", choices={})
    # Practicalities
    min_salary = on_column("min_salary")
    verified_within = WholeNumberField(FILTER_LABELS["verified_within"], validators=_in_range(1, 1200))
    # Wishes, sort and paging
    want = ChoicesField("My wishes")
    sort = SelectField("Sort by", choices=dict(SORTS), default="name")
    page = WholeNumberField("Page", default=1, validators=_in_range(1, 100000))
    per_page = WholeNumberField("Results per page", default=25, validators=_in_range(1, 100))

    @classmethod
    def from_args(cls, args, features) -> "FinderForm":
        """The form over the query string `args`; blank values count as absent (contract 3).

        The form is a copy of the bound one (each field a copy of its own); only the fields of
        the parameters given are processed (and later validated): every other field is as the
        bound form left it, processed with no data (`_bound`), which is what processing it
        again would give."""
        present = MultiDict([(key, value) for key, value in args.items(multi=True) if value.strip()])
        form = _shallow_copy(cls._bound(tuple(features)))
        form.form_errors = []  # the form's own, like each field's errors
        form._fields = {name: _own_field(field) for name, field in form._fields.items()}
        form.__dict__.update(form._fields)
        form._given = [field for name, field in form._fields.items() if name in present]
        for field in form._given:
            field.process(present)
        return form

    @classmethod
    @functools.lru_cache(maxsize=4)
    def _bound(cls, features: tuple) -> "FinderForm":
        """The form's fields bound, with the vocabulary's choices, once per vocabulary: binding
        27 fields was two thirds of making the form on every request. Each field is processed
        with no data and validated here (a field at its default passes), its lists then made
        tuples: the copies of every request share them, and none can add to them."""
        form = cls(formdata=None).with_vocabulary(features)
        form.process(MultiDict())
        if not Form.validate(form):
            raise RuntimeError(f"the finder form's defaults do not pass its own checks: {form.errors}")
        for field in form._fields.values():
            for name in ("data", "raw_data", "errors", "process_errors"):
                if isinstance(getattr(field, name), list):
                    setattr(field, name, tuple(getattr(field, name)))
        return form

    def with_vocabulary(self, features) -> "FinderForm":
        """This form with the vocabulary's feature slugs as the choices of the feature filters and wishes."""
        for kind in FEATURE_KINDS:
            getattr(self, kind).choices = {f.slug: f.label for f in features if f.kind == kind}
        self.want.choices = {**WISHES, **{f.slug: f.label for f in features if f.slug not in WISHES}}
        return self

    def validate(self, extra_validators=None) -> bool:
        """The fields of the parameters given checked, in the form's order, each with its
        `validate_<name>` (as WTForms' own `validate` does) and the NUL rule of `Form`. A field
        not given holds its default, which passes (`_bound`): no check of this form looks at
        another field unless its own field has a value (tests/test_finder_form.py holds this
        against WTForms' own processing and validation of every field)."""
        given = self.__dict__.get("_given")
        if given is None or extra_validators is not None:
            return super().validate(extra_validators)
        with_nul = with_nul_character(given)
        valid = True
        for field in given:
            inline = getattr(type(self), f"validate_{field.name}", None)
            if not field.validate(self, (inline,) if inline is not None else ()):
                valid = False
        return refuse(with_nul) and valid

    def validate_sort(self, field):
        if field.data == "distance" and not self.near.data:
            raise ValidationError("sorting by distance needs a ZIP code in near (Near ZIP code)")

    def first_error(self) -> tuple[str, str]:
        """(parameter, message) of the first bad parameter, the message naming it."""
        name, errors = next(iter(self.errors.items()))
        return name, f"{name} ({getattr(self, name).label.text}): {errors[0]}"

    def page_error(self) -> tuple[str, str, str]:
        """(parameter, label, message) of the first bad parameter, for the finder page: people read
        the filter's label there, not the parameter's name (which the API's message gives)."""
        name, errors = next(iter(self.errors.items()))
        return name, getattr(self, name).label.text, errors[0]

    def query(self) -> Query:
        """The validated parameters as a `Query` (call after `validate()`)."""
        values = {}
        for name, kind, default in _QUERY_FIELDS:
            field = self._fields[name]
            if isinstance(field, ChoicesField):  # repeatable: duplicates count once
                values[name] = tuple(dict.fromkeys(field.data or ()))
            elif kind == "bool":
                values[name] = field.data == "1"
            elif kind == "str":
                values[name] = (field.data or "").strip() or default
            elif field.data is not None:
                values[name] = field.data
        return Query(**values)


_QUERY_FIELDS = tuple((spec.name, spec.type, spec.default) for spec in fields(Query))


def _own_field(field):
    """A request's copy of a bound field, with an `errors` list of its own (a field not given
    keeps the bound form's other values, shared tuples; its errors may still be added to)."""
    copy = _shallow_copy(field)
    copy.errors = []
    return copy


def _shallow_copy(thing):
    """A new object of `thing`'s class with a copy of its attributes, made without calling the
    class (a WTForms `Field` class called without a form makes an unbound field instead)."""
    new = object.__new__(type(thing))
    new.__dict__.update(thing.__dict__)
    return new
