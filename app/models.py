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
    # Abbreviations ("RE", "PE") match free text case-sensitively only.
    is_abbreviation: Mapped[bool] = mapped_column(default=False)

    tag: Mapped[Tag] = relationship(back_populates="aliases")

    __table_args__ = (sa.UniqueConstraint("tag_id", "text", "is_abbreviation"),)


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
