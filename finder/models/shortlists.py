"""Saved shortlists and their entries."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.tables import utcnow
from ..extensions import db


class Shortlist(db.Model):
    """A named, ranked list of programs, edited by whoever holds its private link.

    Only the SHA-256 of the edit token is stored; the share token gives read-only access.
    """

    __tablename__ = "shortlists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    edit_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    share_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    entries: Mapped[list["ShortlistEntry"]] = relationship(
        back_populates="shortlist",
        order_by="ShortlistEntry.rank",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Shortlist {self.id} {self.name!r}>"


class ShortlistEntry(db.Model):
    """One program on a shortlist: its place (rank 1 = first), a private note, and its plan.

    The plan (contract section 7): where the application stands (`status`), the ERAS preference
    signal spent on it (`signal`) and the interview date (`interview_on`); the values and their
    labels live in `finder.shortlists.planner`.

    The program is kept by its code, not a foreign key, so an entry outlives the program's
    removal from the catalog and is shown as "no longer listed".
    """

    __tablename__ = "shortlist_entries"
    __table_args__ = (UniqueConstraint("shortlist_id", "program_code", name="uq_shortlist_entries_shortlist_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    program_code: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(20), default="considering", server_default="considering")
    signal: Mapped[str] = mapped_column(String(6), default="none", server_default="none")
    interview_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")

    def __repr__(self) -> str:
        return f"<ShortlistEntry {self.program_code} #{self.rank}>"
