"""Programs, the feature vocabulary, and the catalog's data version."""

from datetime import date, datetime

from sqlalchemy.orm import Mapped, relationship

from ..catalog import tables
from ..catalog.columns import PROGRAM_COLUMNS
from ..catalog.vocab import PROGRAM_TYPES, REGIONS, STATES, VISA_SPONSORSHIP
from ..extensions import db


class Feature(db.Model):
    """A term of the controlled vocabulary: a fellowship, research or mentorship feature."""

    __table__ = tables.features

    id: Mapped[int]
    kind: Mapped[str]
    slug: Mapped[str]
    label: Mapped[str]
    description: Mapped[str | None]

    def __repr__(self) -> str:
        return f"<Feature {self.kind}:{self.slug}>"


class Program(db.Model):
    """One training program: every column of programs.csv, plus its region.

    The columns come from the registry (`finder.catalog.columns`) through the table; the
    annotations below are for readers and type checkers only (a column mapped without one
    works the same).
    """

    __table__ = tables.programs

    id: Mapped[int]
    program_code: Mapped[str]
    name: Mapped[str]
    institution: Mapped[str]
    city: Mapped[str]
    state: Mapped[str]
    region: Mapped[str]
    program_type: Mapped[str]
    length_years: Mapped[int]
    positions_per_year: Mapped[int | None]
    esir_available: Mapped[bool]
    research_months: Mapped[int | None]
    visa_sponsorship: Mapped[str | None]
    website: Mapped[str | None]
    description: Mapped[str | None]
    data_verified_on: Mapped[date | None]
    intern_year: Mapped[str | None]
    signals_accepted: Mapped[bool | None]
    interview_format: Mapped[str | None]
    application_deadline: Mapped[date | None]
    step2_minimum: Mapped[int | None]
    comlex_accepted: Mapped[bool | None]
    salary_pgy1: Mapped[int | None]
    ir_cases_per_year: Mapped[int | None]
    ir_faculty: Mapped[int | None]
    board_pass_rate: Mapped[int | None]
    program_director: Mapped[str | None]
    contact_email: Mapped[str | None]
    zip_code: Mapped[str | None]
    institution_key: Mapped[str]  # derived by the loader (catalog/institutions.py)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    features: Mapped[list[Feature]] = relationship(
        secondary=tables.program_features, order_by=(Feature.kind, Feature.label)
    )

    def __repr__(self) -> str:
        return f"<Program {self.program_code}>"

    @property
    def type_label(self) -> str:
        return PROGRAM_TYPES[self.program_type]

    @property
    def state_name(self) -> str:
        return STATES[self.state][0]

    @property
    def region_label(self) -> str:
        return REGIONS[self.region]

    @property
    def visa_label(self) -> str | None:
        return VISA_SPONSORSHIP.get(self.visa_sponsorship or "")

    def slugs(self, kind: str) -> list[str]:
        """The sorted slugs of this program's features of one kind."""
        return sorted(feature.slug for feature in self.features if feature.kind == kind)

    def to_record(self) -> dict[str, object]:
        """The program under the CSV column names: slug lists as lists, blanks as None."""
        return {
            column.name: self.slugs(column.feature_kind) if column.feature_kind else getattr(self, column.name)
            for column in PROGRAM_COLUMNS
        }


class CatalogState(db.Model):
    """The catalog's data version (see `finder.catalog.tables.catalog_state`)."""

    __table__ = tables.catalog_state

    id: Mapped[int]
    version: Mapped[int]
    changed_at: Mapped[datetime]
