"""Anonymising what the partnership no longer needs to keep (data protection: storage limit).

After RETENTION_YEARS, closed posts lose their words and author, and finished partnerships
lose their aims, notes and quotes. Kinds, schools, tags, dates, figures and ratings stay, so
the partnership's history still adds up. Audit log entries older than that are deleted: they
name people and quote their reasons. Run by the `retention` job; safe to run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from app.audit.services import record
from app.extensions import db
from app.models import (
    AuditEvent,
    CheckIn,
    Impact,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    PostStatus,
    utcnow,
)
from app.posts.services import partnership_today

ARCHIVED_TITLES = {PostKind.OFFER: "Archived offer", PostKind.REQUEST: "Archived request"}
UNFINISHED = (PartnershipStatus.INTRODUCED, PartnershipStatus.AGREED, PartnershipStatus.ACTIVE)


@dataclass
class RetentionOutcome:
    cutoff: datetime
    posts: int = 0
    partnerships: int = 0
    check_ins: int = 0
    impacts: int = 0
    audit_events: int = 0

    @property
    def summary(self) -> str:
        day = f"{self.cutoff.day} {self.cutoff:%B %Y}"
        text = (
            f"Anonymised {_plural(self.posts, 'post')} and "
            f"{_plural(self.partnerships, 'partnership')} "
            f"({_plural(self.check_ins, 'check-in')}, {_plural(self.impacts, 'impact record')}) "
            f"closed or finished before {day}."
        )
        if self.audit_events:
            entries = "entry" if self.audit_events == 1 else "entries"
            text += f" Deleted {self.audit_events} audit log {entries} from before then."
        return text


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment `years` earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _expired_posts(cutoff: datetime, cutoff_day: date) -> sa.ColumnElement[bool]:
    in_unfinished_partnership = sa.union(
        sa.select(Partnership.request_id).where(Partnership.status.in_(UNFINISHED)),
        sa.select(Partnership.offer_id).where(Partnership.status.in_(UNFINISHED)),
    )
    return sa.and_(
        Post.anonymised_at.is_(None),
        sa.or_(
            sa.and_(Post.status == PostStatus.CLOSED, Post.updated_at < cutoff),
            Post.available_until < cutoff_day,
        ),
        # A post still in use by a partnership keeps its words until the partnership ends.
        Post.id.not_in(in_unfinished_partnership),
    )


def _finished_partnerships(cutoff: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Partnership.anonymised_at.is_(None),
        sa.or_(
            sa.and_(
                Partnership.status == PartnershipStatus.COMPLETED,
                Partnership.completed_at < cutoff,
            ),
            sa.and_(
                Partnership.status == PartnershipStatus.WITHDRAWN,
                Partnership.withdrawn_at < cutoff,
            ),
        ),
    )


def _execute(statement: sa.Update | sa.Delete) -> int:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]



def anonymise_expired(now: datetime | None = None) -> RetentionOutcome:
    """Anonymise closed posts and finished partnerships older than RETENTION_YEARS. One commit.

    Rows already anonymised are skipped, so running it twice changes nothing the second time.
    """
    now = now or utcnow()
    years = int(current_app.config["RETENTION_YEARS"])
    cutoff = years_before(now, years)
    outcome = RetentionOutcome(cutoff=cutoff)

    outcome.posts = _execute(
        sa.update(Post)
        .where(_expired_posts(cutoff, years_before_day(partnership_today(now), years)))
        .values(
            title=sa.case(
                (Post.kind == PostKind.OFFER, ARCHIVED_TITLES[PostKind.OFFER]),
                else_=ARCHIVED_TITLES[PostKind.REQUEST],
            ),
            description="",
            free_tags=[],
            author_id=None,
            anonymised_at=now,
            # The dates are part of the record: keep when it was last changed by a person.
            updated_at=Post.updated_at,
        )
    )

    ids = list(db.session.scalars(sa.select(Partnership.id).where(_finished_partnerships(cutoff))))
    if ids:
        outcome.partnerships = _execute(
            sa.update(Partnership)
            .where(Partnership.id.in_(ids))
            .values(
                aims_what="",
                aims_who="",
                aims_difference="",
                aims_evidence="",
                withdrawn_reason="",
                anonymised_at=now,
            )
        )
        outcome.check_ins = _execute(
            sa.update(CheckIn)
            .where(CheckIn.partnership_id.in_(ids), CheckIn.note != "")
            .values(note="")
        )
        outcome.impacts = _execute(
            sa.update(Impact)
            .where(Impact.partnership_id.in_(ids))
            .values(what_changed="", evidence="", quote="", quote_shareable=False)
        )

    outcome.audit_events = _execute(sa.delete(AuditEvent).where(AuditEvent.created_at < cutoff))

    if outcome.posts or outcome.partnerships or outcome.audit_events:
        record(
            None,
            "retention",
            None,
            outcome.summary,
            details={
                "years": years,
                "posts": outcome.posts,
                "partnerships": outcome.partnerships,
                "check_ins": outcome.check_ins,
                "impacts": outcome.impacts,
                "audit_events": outcome.audit_events,
            },
            now=now,
        )
    db.session.commit()
    # Bulk updates bypassed the session; nothing loaded earlier may show the old words.
    db.session.expire_all()
    return outcome


def years_before_day(day: date, years: int) -> date:
    """The same date `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
