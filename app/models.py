"""Database models (SQLAlchemy 2.x typed declarative)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


def utcnow() -> datetime:
    """Timezone-aware now in UTC (callable column default)."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware datetime on every database (SQLite would hand back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Role(enum.StrEnum):
    LEADER = "leader"
    COORDINATOR = "coordinator"


class PostKind(enum.StrEnum):
    OFFER = "offer"
    REQUEST = "request"


class PostFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    EITHER = "either"


class PostStatus(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


FORMAT_LABELS = {
    PostFormat.IN_PERSON: "In person",
    PostFormat.REMOTE: "Remote",
    PostFormat.EITHER: "In person or remote",
}


def _enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    # Stored as plain strings with a CHECK constraint: portable, and readable in SQL.
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class School(db.Model):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    urn: Mapped[str | None] = mapped_column(sa.String(6), unique=True)
    town: Mapped[str] = mapped_column(sa.String(100), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    phase: Mapped[str] = mapped_column(sa.String(40), default="primary")
    pupils: Mapped[int | None] = mapped_column(sa.Integer)
    # Context descriptors the partnership celebrates: rural, coastal, church school...
    descriptors: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="school")
    posts: Mapped[list[Post]] = relationship(back_populates="school")

    def __repr__(self) -> str:
        return f"<School {self.name!r}>"


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Always stored lower-cased (see app.auth.services.normalise_email): unique case-insensitively.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.LEADER)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # None until the invitation is accepted.
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Digest preferences: the whole email, and each of its sections.
    digest_enabled: Mapped[bool] = mapped_column(default=True)
    digest_can_help: Mapped[bool] = mapped_column(default=True)
    digest_could_help_you: Mapped[bool] = mapped_column(default=True)
    digest_news: Mapped[bool] = mapped_column(default=True)
    # Set when a 5xx bounce says the address is dead; mail stops until a coordinator clears it.
    email_bouncing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_bounce_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # The last password-reset (or invitation-again) email asked for from the sign-in page.
    reset_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the person deleted their account: name and email are replaced, nothing else lost.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    school: Mapped[School | None] = relationship(back_populates="users")

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


post_tag = sa.Table(
    "post_tag",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    """A concept in the partnership's expertise taxonomy."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tag.id"), index=True)

    parent: Mapped[Tag | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Tag]] = relationship(back_populates="parent")
    aliases: Mapped[list[TagAlias]] = relationship(
        back_populates="tag", cascade="all, delete-orphan", order_by="TagAlias.text"
    )

    def __repr__(self) -> str:
        return f"<Tag {self.slug!r}>"


class TagAlias(db.Model):
    """Another way leaders write a concept: an abbreviation, a synonym, a scheme's name."""

    __tablename__ = "tag_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(120))
    # matching.taxonomy.normalise(text); how free tags find their concept.
    normalised: Mapped[str] = mapped_column(sa.String(120), index=True)
    # Abbreviations ("RE", "PE") match free text case-sensitively only, unless also an alias
    # of the same tag (matching.taxonomy: then "ehcp" counts as well).
    is_abbreviation: Mapped[bool] = mapped_column(default=False)

    tag: Mapped[Tag] = relationship(back_populates="aliases")

    __table_args__ = (sa.UniqueConstraint("tag_id", "text", "is_abbreviation"),)


class RetiredAlias(db.Model):
    """A name a coordinator removed from a concept: reloading the shipped taxonomy must not
    add it back."""

    __tablename__ = "retired_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    normalised: Mapped[str] = mapped_column(sa.String(120))
    is_abbreviation: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("tag_id", "normalised", "is_abbreviation"),)


class RetiredConcept(db.Model):
    """A shipped concept a coordinator merged into another: reloading the shipped taxonomy
    must not bring it back."""

    __tablename__ = "retired_concept"

    slug: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    # The concept it lives on in; null if that one was later merged away too and deleted.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tag.id", ondelete="SET NULL"), index=True
    )
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    merged_into: Mapped[Tag | None] = relationship()


class Post(db.Model):
    """An offer (what a school can give) or a request (what it needs)."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PostKind] = mapped_column(_enum(PostKind, "post_kind"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(sa.String(150))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Tags the leader typed that match no concept; still used by matching as text.
    free_tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    format: Mapped[PostFormat] = mapped_column(
        _enum(PostFormat, "post_format"), default=PostFormat.EITHER
    )
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    time_commitment: Mapped[str] = mapped_column(sa.String(120), default="")
    available_from: Mapped[date | None] = mapped_column(sa.Date)
    available_until: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[PostStatus] = mapped_column(
        _enum(PostStatus, "post_status"), default=PostStatus.OPEN, index=True
    )
    # Key for CSV re-imports; None for posts written in the app.
    external_id: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    # Set by the retention job: the words are gone; kind, school, tags and dates remain.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    school: Mapped[School] = relationship(back_populates="posts")
    author: Mapped[User | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=post_tag, order_by="Tag.label")

    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
    )

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    def __repr__(self) -> str:
        return f"<Post {self.kind.value} {self.title!r}>"


class LoginAttempt(db.Model):
    """One sign-in attempt; recent failures throttle further attempts."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True
    )


# --- The weekly cycle: match runs, suggestions, digests, replies, partnerships -----------------


class SuggestionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a coordinator's review
    PUBLISHED = "published"  # approved (or auto-published): goes into the next digest
    REJECTED = "rejected"  # a coordinator said no, with a reason
    SUPERSEDED = "superseded"  # a forced re-run of the same week replaced it


class Answer(enum.StrEnum):
    INTERESTED = "interested"
    NOT_NOW = "not_now"
    NOT_RELEVANT = "not_relevant"


class PartnershipStatus(enum.StrEnum):
    INTRODUCED = "introduced"
    AGREED = "agreed"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class MatchRun(db.Model):
    """One weekly run of the matcher over all open posts."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Monday of the run's week in the partnership's timezone: one run per week.
    week_start: Mapped[date] = mapped_column(sa.Date, index=True)
    # 1 for the week's run; a forced re-run of the same week gets the next number.
    attempt: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    open_offers: Mapped[int] = mapped_column(default=0)
    open_requests: Mapped[int] = mapped_column(default=0)
    pairs_suggested: Mapped[int] = mapped_column(default=0)
    requests_unmatched: Mapped[int] = mapped_column(default=0)
    triggered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    suggestions: Mapped[list[Suggestion]] = relationship(back_populates="run")
    unmatched: Mapped[list[UnmatchedRequest]] = relationship(back_populates="run")

    __table_args__ = (sa.UniqueConstraint("week_start", "attempt"),)


class Suggestion(db.Model):
    """A suggested pair: a request and the offer that could meet it."""

    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("match_run.id"), index=True)
    # Deleting a post deletes its suggestions; partnerships keep their posts (see posts services).
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(sa.Float)
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The engine's ranked alternatives: [{"offer": post id, "score": .., "reasons": [..]}].
    alternatives: Mapped[list[dict[str, object]]] = mapped_column(sa.JSON, default=list)
    status: Mapped[SuggestionStatus] = mapped_column(
        _enum(SuggestionStatus, "suggestion_status"), default=SuggestionStatus.PENDING, index=True
    )
    reject_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # A coordinator's note shown to both schools in the digest.
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_answer: Mapped[Answer | None] = mapped_column(_enum(Answer, "request_answer"))
    request_answer_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    request_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_answer: Mapped[Answer | None] = mapped_column(_enum(Answer, "offer_answer"))
    offer_answer_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    offer_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The weekly digest that announced it; None until one has.
    digest_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("digest_run.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    run: Mapped[MatchRun] = relationship(back_populates="suggestions")
    request: Mapped[Post] = relationship(foreign_keys=[request_id])
    offer: Mapped[Post] = relationship(foreign_keys=[offer_id])

    __table_args__ = (sa.UniqueConstraint("run_id", "request_id"),)

    def reasons_for(self, side: str) -> list[str]:
        """The matcher's reasons worded for `side`: "request", "offer" or "coordinator".

        The matcher words them for the school that asked ("Your request has waited 3 weeks");
        the school that offers reads "Their request has waited 3 weeks", a coordinator "The
        request has waited 3 weeks".
        """
        reasons = list(self.reasons or [])
        if side == "request":
            return reasons
        owner = _OWNER[side]
        return [owner + r[len(_YOUR_REQUEST):] if r.startswith(_YOUR_REQUEST) else r
                for r in reasons]


_YOUR_REQUEST = "Your request "
_OWNER = {"offer": "Their request ", "coordinator": "The request "}


class RuledOutPair(db.Model):
    """A pair a coordinator rejected, never to be suggested again. The rejected suggestion says
    so too, until a pair made by hand for the same request that week reuses its row."""

    __tablename__ = "ruled_out_pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("request_id", "offer_id"),)


class UnmatchedRequest(db.Model):
    """A request a run could not pair, with the engine's reason (the partnership's gaps)."""

    __tablename__ = "unmatched_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("match_run.id"), index=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(300))

    run: Mapped[MatchRun] = relationship(back_populates="unmatched")
    request: Mapped[Post] = relationship()

    __table_args__ = (sa.UniqueConstraint("run_id", "request_id"),)


class DigestRun(db.Model):
    """The weekly digest: recorded once per week."""

    __tablename__ = "digest_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(sa.Date, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    messages: Mapped[list[DigestMessage]] = relationship(back_populates="run")


class DigestMessage(db.Model):
    """One recipient's digest for one week; recorded and committed before it is sent."""

    __tablename__ = "digest_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("digest_run.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # pending -> sent, or failed (permanent); a crashed run leaves pending rows to resume.
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    message_id: Mapped[str] = mapped_column(sa.String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[DigestRun] = relationship(back_populates="messages")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("run_id", "user_id"),)


class Partnership(db.Model):
    """Two schools introduced to each other because both said they were interested.

    Its life: introduced -> agreed (aims set) -> active -> completed (impact recorded), or
    withdrawn from any unfinished state; app.partnerships.lifecycle holds the rules.
    """

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suggestion.id", ondelete="SET NULL"), unique=True
    )
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id"), index=True)
    status: Mapped[PartnershipStatus] = mapped_column(
        _enum(PartnershipStatus, "partnership_status"),
        default=PartnershipStatus.INTRODUCED,
        index=True,
    )
    # Paired by hand by a coordinator rather than suggested by the matcher.
    by_hand: Mapped[bool] = mapped_column(default=False)
    introduced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The aims both schools agree, tied to children's outcomes.
    aims_what: Mapped[str] = mapped_column(sa.Text, default="")
    aims_who: Mapped[str] = mapped_column(sa.String(300), default="")
    aims_difference: Mapped[str] = mapped_column(sa.Text, default="")
    aims_evidence: Mapped[str] = mapped_column(sa.Text, default="")
    time_commitment: Mapped[str] = mapped_column(sa.String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    aims_set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    # When each step happened: the dashboard's pipeline times come from these.
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    # Set by the retention job: aims, notes and quotes are gone; figures and ratings remain.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    suggestion: Mapped[Suggestion | None] = relationship()
    request: Mapped[Post] = relationship(foreign_keys=[request_id])
    offer: Mapped[Post] = relationship(foreign_keys=[offer_id])
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan", order_by="CheckIn.id"
    )
    impacts: Mapped[list[Impact]] = relationship(
        back_populates="partnership", cascade="all, delete-orphan", order_by="Impact.id"
    )


class CheckInAnswer(enum.StrEnum):
    GOING_WELL = "going_well"
    SLOW_START = "slow_start"
    # Private: only coordinators see it, so a school can ask for help without blame.
    NOT_WORKING = "not_working"


class CheckIn(db.Model):
    """A "how is it going?" email to one school of a partnership, and its answer."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    # Weeks after the partnership started (6 and 12 by default).
    weeks: Mapped[int] = mapped_column(sa.Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[CheckInAnswer | None] = mapped_column(_enum(CheckInAnswer, "check_in_answer"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    partnership: Mapped[Partnership] = relationship(back_populates="check_ins")
    school: Mapped[School] = relationship()

    __table_args__ = (sa.UniqueConstraint("partnership_id", "school_id", "weeks"),)


class Impact(db.Model):
    """What one school says a completed partnership changed."""

    __tablename__ = "impact"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    what_changed: Mapped[str] = mapped_column(sa.Text, default="")
    pupils_reached: Mapped[int] = mapped_column(sa.Integer, default=0)
    staff_reached: Mapped[int] = mapped_column(sa.Integer, default=0)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    # 1 (made no difference) to 5 (made a big difference).
    rating: Mapped[int] = mapped_column(sa.Integer)
    quote: Mapped[str] = mapped_column(sa.String(500), default="")
    # The school agreed the partnership may share the quote (reports, celebrations).
    quote_shareable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    partnership: Mapped[Partnership] = relationship(back_populates="impacts")
    school: Mapped[School] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("partnership_id", "school_id"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        sa.CheckConstraint("pupils_reached >= 0 AND staff_reached >= 0", name="reach_positive"),
    )


class AuditEvent(db.Model):
    """A coordinator's decision, kept with who, when and why (accountability)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # approve, reject, swap, pair_by_hand, edit_note, role_change, ...
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    # One plain-English line: what was decided about what.
    summary: Mapped[str] = mapped_column(sa.String(300))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    details: Mapped[dict[str, object]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()
