"""The finder's form processes and checks only the parameters given (FinderForm.from_args and
validate); whatever the query string, that gives what WTForms' own processing and validation of
every field gives: the same verdict, errors, data and query."""

from typing import NamedTuple

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from finder.programs.forms import FinderForm


class Feature(NamedTuple):
    kind: str
    slug: str
    label: str


FEATURES = (Feature("fellowship", "pediatric_ir", "Pediatric IR"), Feature("research", "t32_grant", "T32 grant"),
            Feature("mentorship", "women_in_ir", "Women in IR"), Feature("research", "esir", "Named like a wish"))
NAMES = [*(name for name, value in vars(FinderForm).items() if hasattr(value, "field_class")), "bogus", "csrf_token"]
VALUES = ["", " ", "1", "0", "2", "25", "100", "101", "3000", "3001", "100000", "100001", " 7 ", "-1", "1.5", "abc",
          "9" * 12, "02108", " 02108 ", "99999", "00000", "2108", "ca", " tx ", "ZZ", "CA", "west", "north", "name",
          "distance", "fit", "-salary", "h1b", "included", "virtual", "pediatric_ir", "t32_grant", "women_in_ir",
          "esir", "signals", "x" * 201, "a\x00b", "\x00"]

# Values that mean something to one parameter, tried there more often.
OWN_VALUES = {"sort": ["distance", "fit", "-salary", "bogus"], "near": ["02108", "99999", "abc"], "within": ["10", "0"],
              "state": ["ca", "ZZ"], "want": ["esir", "visa", "t32_grant", "nothing"], "type": ["fellowship", "x"],
              "page": ["0", "2"], "per_page": ["0", "100"], "fellowship": ["pediatric_ir", "t32_grant"]}
PAIRS = st.sampled_from(NAMES).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(OWN_VALUES.get(name, []) + VALUES)))


def processed_by_wtforms(args: MultiDict):
    """The form as WTForms makes it: every field processed, then every field validated."""
    present = MultiDict([(key, value) for key, value in args.items(multi=True) if value.strip()])
    form = FinderForm(formdata=None).with_vocabulary(FEATURES)
    form.process(present)
    return form, form.validate()


def outcome(form, valid: bool):
    # A field not given holds its default's values as a tuple (shared by every request): the same values.
    data = {name: list(field.data) if isinstance(field.data, tuple) else field.data
            for name, field in form._fields.items()}
    return valid, form.errors, data, form.query() if valid else form.page_error()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PAIRS, max_size=8))
@example([("sort", "distance")])  # checks that look at another field (near), given or not
@example([("within", "10")])
@example([("within", "10"), ("near", "02108"), ("sort", "distance")])
@example([("near", " 02108 "), ("within", "0")])
def test_checking_only_the_given_parameters_decides_as_checking_every_field(app, pairs):
    with app.test_request_context("/programs"):
        args = MultiDict(pairs)
        form = FinderForm.from_args(args, FEATURES)
        fast = outcome(form, form.validate())
        assert fast == outcome(*processed_by_wtforms(args))


def test_a_form_left_with_errors_does_not_share_them_with_the_next_request(app):
    with app.test_request_context("/programs"):
        bad = FinderForm.from_args(MultiDict([("page", "0"), ("q", "a\x00")]), FEATURES)
        assert not bad.validate()
        bad.page.errors.append("changed after validation")
        bad.want.errors.append("a field not given takes an error too")  # its own list, not the bound form's
        bad.sort.data = "distance"
        good = FinderForm.from_args(MultiDict(), FEATURES)
        assert good.validate()
        assert good.errors == {} and not good.sort.errors and good.sort.data == "name" and not good.page.errors
        assert not good.want.errors and not FinderForm._bound(tuple(FEATURES)).want.errors
        bound = FinderForm._bound(tuple(FEATURES))
        assert all(good[name] is not bound[name] and bad[name] is not good[name] for name in bound._fields)
        shared = [(name, attribute) for name in bound._fields for attribute in ("data", "raw_data", "process_errors")
                  if isinstance(getattr(bound[name], attribute), list)]
        assert shared == []  # what the copies share cannot be added to
