"""Imports from the browser: preview (a dry run), then apply exactly what was previewed.

The uploaded bytes (a CSV file or an .xlsx workbook) are stored in the database under a
random token, so any app instance can apply what another one previewed. The checks and the
loading are the catalog loader's own (`finder.catalog.load_catalog`). A preview keeps every
problem as a compressed CSV and the count per column, so a page shows the first ones and the
totals however many there are. The bytes of a preview never applied are deleted after the
retention period (`prune_uploads`).
"""

import gzip
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.orm import Session

from ..catalog import LoadResult, Problem, Source, collection_paused, load_catalog
from ..catalog.display import readable
from ..catalog.tables import utcnow
from ..catalog.workbook import is_workbook
from ..models.admin import AdminImport
from .catalog_admin import feature_labels

SOURCE_NAME = "uploaded file"  # the visitor's file name is only ever displayed
MAX_FILENAME = 255
SHOWN_PROBLEMS = 100
DEFAULT_RETENTION_DAYS = 7


@dataclass
class Preview:
    record: AdminImport
    result: LoadResult

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def problems(self) -> list[Problem]:
        """The first problems, for the page (all of them are in the record's CSV)."""
        return self.result.problems[:SHOWN_PROBLEMS]


def display_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:MAX_FILENAME] or "(no name)"


def source_of(record: AdminImport) -> Source:
    """The stored bytes as the loader reads them (a workbook by its bytes or its name)."""
    name = SOURCE_NAME + (".xlsx" if record.format == "xlsx" else "")
    return Source(name, record.data or b"")


def preview(engine: Engine, session: Session, user_id: int, filename: str | None, data: bytes, *,
            prune: bool, today: date | None = None, retention_days: int = DEFAULT_RETENTION_DAYS) -> Preview:
    """Check the file with a dry run and record the upload; nothing in the catalog changes.

    Each upload also deletes the bytes of earlier previews that were never applied and are older
    than the retention period.
    """
    name = display_name(filename)
    record = AdminImport(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        filename=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        prune=prune,
        data=data,
        format="xlsx" if is_workbook(name, data) else "csv",
        added=0, updated=0, unchanged=0, removed=0, problem_count=0, preview_version=0, applied=False,
    )
    with collection_paused():  # a big bad file makes a million objects: no cycle collection meanwhile
        result = load_catalog(engine, [source_of(record)], prune=prune, dry_run=True, today=today)
        record.preview_version = result.version
        record.status = "previewed" if result.ok else "rejected"
        _record_outcome(engine, record, result)
    session.add(record)
    prune_uploads(session, retention_days)
    session.commit()
    return Preview(record, result)


def find(session: Session, token: str) -> AdminImport | None:
    return session.scalar(select(AdminImport).where(AdminImport.token == token))


def apply(engine: Engine, session: Session, record: AdminImport, today: date | None = None) -> LoadResult:
    """Load the stored bytes for real, unless the catalog changed since the preview."""
    result = load_catalog(
        engine, [source_of(record)], prune=record.prune, today=today,
        expected_version=record.preview_version,
    )
    if result.applied:
        _record_outcome(engine, record, result)
        record.applied = True
        record.applied_at = utcnow()
        record.status = "applied"
    elif result.stale:
        record.status = "stale"
    else:
        record.status = "rejected"
        _record_outcome(engine, record, result)
    session.commit()
    return result


def prune_uploads(session: Session, retention_days: int, now=None) -> int:
    """Delete the bytes of uploads never applied that are older than `retention_days`; return how many.

    The record stays in the history (who, when, name, size, SHA-256, counts, problems).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(AdminImport)
        .where(AdminImport.applied.is_(False), AdminImport.data.is_not(None), AdminImport.created_at < cutoff)
        .values(data=None, data_deleted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def history(session: Session, limit: int = 100) -> list[AdminImport]:
    return list(session.scalars(select(AdminImport).order_by(AdminImport.id.desc()).limit(limit)))


def problems_csv(record: AdminImport) -> bytes:
    """Every problem of the record as CSV `line,column,message` (UTF-8)."""
    return gzip.decompress(record.problems_csv) if record.problems_csv else b"line,column,message\r\n"


def _record_outcome(engine: Engine, record: AdminImport, result: LoadResult) -> None:
    record.problem_count = len(result.problems)
    record.problem_columns = [[column, count] for column, count in
                              Counter(problem.column for problem in result.problems).most_common()]
    record.problems_csv = _compress_problems(result.problems) if result.problems else None
    if not result.files:
        return
    counts = result.files[0]
    record.kind = counts.kind
    if result.problems:  # the loader stopped counting at the first problem: the counts mean nothing
        record.added = record.updated = record.unchanged = record.removed = 0
        return
    record.added, record.updated = counts.added, counts.updated
    record.unchanged, record.removed = counts.unchanged, counts.removed
    with engine.connect() as connection:
        record.changes = readable_changes(connection, counts.changes)


def _compress_problems(problems: list[Problem]) -> bytes:
    """Every problem as RFC 4180 CSV (text fields always quoted), gzip-compressed.

    Written with f-strings rather than the csv module: several times faster for a million rows.
    """
    q, qq = '"', '""'
    lines = ["line,column,message\r\n"]
    lines.extend(f'{line},"{column.replace(q, qq)}","{message.replace(q, qq)}"\r\n'
                 for line, column, message, _ in problems)
    return gzip.compress("".join(lines).encode(), compresslevel=1)


def readable_changes(connection: Connection, changes) -> list[dict]:
    """The loader's changed fields as people read them (labels, yes/no, lists)."""
    if not changes:
        return []
    labels = feature_labels(connection)
    return [{"key": change.key, "column": change.column,
             "old": readable(change.column, change.old, labels), "new": readable(change.column, change.new, labels)}
            for change in changes]
