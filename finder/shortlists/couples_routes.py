"""`/couples` (a page) and `/couples.json` (contract section 8): two shortlists paired by distance."""

from dataclasses import dataclass, field

from flask import jsonify, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import Program, Shortlist
from . import bp, couples, store
from .forms import CouplesForm
from .routes import private, remembered_shortlists

PARAMETERS = ("a", "b", "within")


@dataclass
class ListPicks:
    """One of the two shortlists: its entries with locations, and the programs they name."""

    shortlist: Shortlist
    picks: list[couples.Pick]
    programs: dict[str, Program]

    @property
    def by_code(self) -> dict[str, couples.Pick]:
        return {pick.code: pick for pick in self.picks}

    @property
    def unlocated(self) -> list[couples.Pick]:
        return [pick for pick in self.picks if not pick.located]


@dataclass
class Couples:
    """The answer to a couples request: the pairs, or what was wrong (`error` 400, `missing` 404)."""

    form: CouplesForm
    status: int = 200
    error: tuple[str, str] | None = None
    missing: list[str] = field(default_factory=list)  # the parameters whose token names no shortlist
    first: ListPicks | None = None
    second: ListPicks | None = None
    pairs: list[couples.Pair] = field(default_factory=list)

    @property
    def within(self) -> int:
        return self.form.within.data or couples.WITHIN_DEFAULT


def list_picks(shortlist: Shortlist) -> ListPicks:
    """The entries of a shortlist in rank order, each with its program's location in the finder index."""
    entries = store.entries(db.session, shortlist)
    codes = [entry.program_code for entry in entries]
    found = {p.program_code: p for p in db.session.scalars(select(Program).where(Program.program_code.in_(codes)))}
    located = couples.locations([found.get(code) for code in codes])  # None: no longer listed
    picks = [couples.Pick(entry.rank, entry.program_code, float(lat), float(lon))
             for entry, (lat, lon) in zip(entries, located)]
    return ListPicks(shortlist, picks, found)


def find_couples(args: MultiDict) -> Couples:
    """Validate the parameters, find both shortlists, pair their programs."""
    present = MultiDict([(key, value) for key, value in args.items(multi=True) if value.strip()])
    form = CouplesForm(formdata=present)
    if not form.validate():
        return Couples(form, 400, error=form.first_error())
    answer = Couples(form)
    found = {name: store.by_share_token(db.session, getattr(form, name).data) for name in ("a", "b")}
    answer.missing = [name for name, shortlist in found.items() if shortlist is None]
    if answer.missing:
        answer.status = 404
        return answer
    answer.first, answer.second = list_picks(found["a"]), list_picks(found["b"])
    answer.pairs = couples.pairs_within(answer.first.picks, answer.second.picks, answer.within)
    return answer


def missing_message(missing: list[str]) -> str:
    which = " and ".join({"a": "the first", "b": "the second"}[name] for name in missing)
    return (f"No shortlist has {which} read-only link given ({', '.join(missing)}). "
            "Check that the whole link was copied; a deleted shortlist's link stops working.")


def couples_answer(args: MultiDict) -> tuple[dict, int]:
    """The JSON answer of `/couples.json` and its status (contract section 8)."""
    answer = find_couples(args)
    if answer.error:
        parameter, message = answer.error
        return {"error": {"parameter": parameter, "message": message}}, 400
    if answer.missing:
        return {"error": {"message": missing_message(answer.missing)}}, 404
    return {"within": answer.within, "pairs": [pair.as_json() for pair in answer.pairs]}, 200


def example_pairs(codes: list[str], within: int) -> dict:
    """What `/couples.json` would answer for two lists of these programs (halves of `codes`), for
    the API page's example (real shortlists' tokens are not for show)."""
    found = {p.program_code: p for p in db.session.scalars(select(Program).where(Program.program_code.in_(codes)))}
    located = couples.locations([found.get(code) for code in codes])
    picks = [couples.Pick(0, code, float(lat), float(lon)) for code, (lat, lon) in zip(codes, located)]
    half = len(picks) // 2
    first = [couples.Pick(rank, p.code, p.latitude, p.longitude) for rank, p in enumerate(picks[:half], 1)]
    second = [couples.Pick(rank, p.code, p.latitude, p.longitude) for rank, p in enumerate(picks[half:], 1)]
    return {"within": within, "pairs": [pair.as_json() for pair in couples.pairs_within(first, second, within)]}


@bp.get("/couples.json")
def couples_json():
    body, status = couples_answer(request.args)
    return jsonify(body), status


def pick_link(name: str, share_token: str) -> str:
    """This page with one list chosen (the other list and the radius as they are)."""
    args = {key: request.args[key] for key in PARAMETERS if request.args.get(key, "").strip()}
    args[name] = share_token
    return url_for("shortlists.couples_page", **args)


@bp.get("/couples")
def couples_page():
    # A list picked from "My shortlists" before the other is given is no error yet: a request
    # without `a` or without `b` shows the form; the form itself always sends both.
    filling_in = "a" not in request.args or "b" not in request.args
    answer = Couples(CouplesForm(formdata=request.args or None)) if filling_in else find_couples(request.args)
    mine = [(shortlist, shortlist.share_token) for shortlist, _ in remembered_shortlists()]
    page = render_template(
        "shortlists/couples.html", answer=answer, filling_in=filling_in, mine=mine, pick_link=pick_link,
        missing_message=missing_message(answer.missing) if answer.missing else None,
        within_choices=couples.WITHIN_CHOICES,
    )
    return private((page, answer.status))
