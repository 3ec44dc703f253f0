"""CSV exports for coordinators: the one CSV writer, and the posts, suggestions, partnerships
and impact exports (each read in a constant number of queries, whatever the size)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.extensions import db
from app.models import Impact, MatchRun, Partnership, Post, Suggestion, User, utcnow

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"

Cell = str | int | float | bool | date | datetime | None


def safe_cell(value: Cell) -> str | int | float:
    """A value as a CSV cell: text that a spreadsheet would run as a formula gets a quote mark.

    Numbers stay numbers (a negative number is data, not a formula); None is empty.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool = False) -> str:
    """CSV text, every cell through safe_cell; `bom` for a file people open in Excel."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    # RFC 4180's CRLF: the writer then quotes any cell holding a CR or LF of its own.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def local_time(value: datetime) -> str:
    """'2026-11-23 09:05' in the partnership's timezone: what spreadsheets read as a time."""
    local = value.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    return f"{local:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# The four exports
# ---------------------------------------------------------------------------------------------

POST_COLUMNS = (
    "post_id",
    "kind",
    "status",
    "school",
    "school_urn",
    "title",
    "description",
    "tags",
    "free_tags",
    "format",
    "capacity",
    "time_commitment",
    "available_from",
    "available_until",
    "created_at",
    "updated_at",
    "anonymised_at",
    "external_id",
)


def post_rows() -> Iterable[Sequence[Cell]]:
    # Authors are left out: a post belongs to its school, and an export travels.
    posts = db.session.scalars(
        sa.select(Post).options(joinedload(Post.school), selectinload(Post.tags)).order_by(Post.id)
    )
    for p in posts:
        yield (
            p.id,
            p.kind.value,
            p.status.value,
            p.school.name,
            p.school.urn,
            p.title,
            p.description,
            "; ".join(t.label for t in p.tags),
            "; ".join(p.free_tags or []),
            p.format.value,
            p.capacity,
            p.time_commitment,
            p.available_from,
            p.available_until,
            p.created_at,
            p.updated_at,
            p.anonymised_at,
            p.external_id,
        )


SUGGESTION_COLUMNS = (
    "suggestion_id",
    "run_id",
    "week_start",
    "status",
    "score",
    "request_id",
    "request_school",
    "request_title",
    "offer_id",
    "offer_school",
    "offer_title",
    "reasons",
    "note",
    "reject_reason",
    "reviewed_at",
    "published_at",
    "request_answer",
    "request_answered_at",
    "offer_answer",
    "offer_answered_at",
)


def _suggestion_query() -> sa.Select[tuple[Suggestion]]:
    return sa.select(Suggestion).options(
        joinedload(Suggestion.run),
        joinedload(Suggestion.request).joinedload(Post.school),
        joinedload(Suggestion.offer).joinedload(Post.school),
    )


def suggestion_rows() -> Iterable[Sequence[Cell]]:
    suggestions = db.session.scalars(
        _suggestion_query()
        .join(MatchRun, MatchRun.id == Suggestion.run_id)
        .order_by(MatchRun.week_start, MatchRun.attempt, Suggestion.id)
    )
    for s in suggestions:
        yield (
            s.id,
            s.run_id,
            s.run.week_start,
            s.status.value,
            round(s.score, 3),
            s.request_id,
            s.request.school.name,
            s.request.title,
            s.offer_id,
            s.offer.school.name,
            s.offer.title,
            "; ".join(s.reasons_for("coordinator")),
            s.note,
            s.reject_reason,
            s.reviewed_at,
            s.published_at,
            s.request_answer.value if s.request_answer else "",
            s.request_answered_at,
            s.offer_answer.value if s.offer_answer else "",
            s.offer_answered_at,
        )


PARTNERSHIP_COLUMNS = (
    "partnership_id",
    "status",
    "by_hand",
    "request_id",
    "request_school",
    "request_title",
    "offer_id",
    "offer_school",
    "offer_title",
    "aims_what",
    "aims_who",
    "aims_difference",
    "aims_evidence",
    "time_commitment",
    "starts_on",
    "ends_on",
    "introduced_at",
    "agreed_at",
    "started_at",
    "completed_at",
    "withdrawn_at",
    "withdrawn_reason",
    "anonymised_at",
)


def partnership_rows() -> Iterable[Sequence[Cell]]:
    partnerships = db.session.scalars(
        sa.select(Partnership)
        .options(
            joinedload(Partnership.request).joinedload(Post.school),
            joinedload(Partnership.offer).joinedload(Post.school),
        )
        .order_by(Partnership.introduced_at, Partnership.id)
    )
    for p in partnerships:
        yield (
            p.id,
            p.status.value,
            p.by_hand,
            p.request_id,
            p.request.school.name,
            p.request.title,
            p.offer_id,
            p.offer.school.name,
            p.offer.title,
            p.aims_what,
            p.aims_who,
            p.aims_difference,
            p.aims_evidence,
            p.time_commitment,
            p.starts_on,
            p.ends_on,
            p.introduced_at,
            p.agreed_at,
            p.started_at,
            p.completed_at,
            p.withdrawn_at,
            p.withdrawn_reason,
            p.anonymised_at,
        )


IMPACT_COLUMNS = (
    "impact_id",
    "partnership_id",
    "school",
    "school_urn",
    "role",
    "partner_school",
    "partnership_status",
    "completed_at",
    "pupils_reached",
    "staff_reached",
    "rating",
    "what_changed",
    "evidence",
    "quote_shareable",
    "quote",
    "recorded_at",
)


def impact_rows() -> Iterable[Sequence[Cell]]:
    impacts = db.session.scalars(
        sa.select(Impact)
        .options(
            joinedload(Impact.school),
            joinedload(Impact.partnership).joinedload(Partnership.request).joinedload(Post.school),
            joinedload(Impact.partnership).joinedload(Partnership.offer).joinedload(Post.school),
        )
        .order_by(Impact.created_at, Impact.id)
    )
    for i in impacts:
        p = i.partnership
        helped = i.school_id == p.request.school_id
        partner = p.offer.school if helped else p.request.school
        yield (
            i.id,
            i.partnership_id,
            i.school.name,
            i.school.urn,
            "helped" if helped else "helping",
            partner.name,
            p.status.value,
            p.completed_at,
            i.pupils_reached,
            i.staff_reached,
            i.rating,
            i.what_changed,
            i.evidence,
            i.quote_shareable,
            # Only quotes the school agreed to share: an exported file is easily passed on.
            i.quote if i.quote_shareable else "",
            i.created_at,
        )


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterable[Sequence[Cell]]]


EXPORTS: dict[str, Export] = {
    e.name: e
    for e in (
        Export(
            "posts",
            "Posts",
            "Every offer and request: school, words, tags, format, dates and status.",
            POST_COLUMNS,
            post_rows,
        ),
        Export(
            "suggestions",
            "Suggestions",
            "Every suggested pair from every week: score, reasons, review and both answers.",
            SUGGESTION_COLUMNS,
            suggestion_rows,
        ),
        Export(
            "partnerships",
            "Partnerships",
            "Every partnership: the two schools, the aims they agreed and the date of each step.",
            PARTNERSHIP_COLUMNS,
            partnership_rows,
        ),
        Export(
            "impact",
            "Impact",
            "What each school said a finished partnership changed: pupils and staff reached, "
            "rating, and quotes the school agreed to share.",
            IMPACT_COLUMNS,
            impact_rows,
        ),
    )
}


@dataclass
class ExportFile:
    filename: str
    text: str
    rows: int


def build_export(export: Export, by: User, now: datetime | None = None) -> ExportFile:
    """The export as Excel-ready CSV text; who downloaded what is kept in the audit log."""
    now = now or utcnow()
    rows = list(export.rows())
    text = to_csv(export.columns, rows, bom=True)
    record(
        by,
        "export",
        None,
        f"Downloaded the {export.title.lower()} export ({len(rows)} rows)",
        details={"export": export.name, "rows": len(rows)},
        now=now,
    )
    db.session.commit()
    day = now.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"])).date()
    return ExportFile(
        filename=f"givefirst-{export.name}-{day.isoformat()}.csv", text=text, rows=len(rows)
    )
