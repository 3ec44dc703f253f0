"""Offers and requests: every query and rule about posts lives here."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.extensions import db
from app.models import (
    Partnership,
    Post,
    PostFormat,
    PostKind,
    PostStatus,
    School,
    Tag,
    TagAlias,
    User,
    post_tag,
)
from app.taxonomy.services import descendant_ids, resolve_tags, split_tag_input
from matching.taxonomy import normalise

EARTH_RADIUS_MILES = 3958.8
SUGGESTION_LIMIT = 8


class CannotReopen(Exception):
    """The post's end date has passed; it needs new dates before it can open again."""


# ---------------------------------------------------------------------------------------------
# Dates and the one rule about which posts are open
# ---------------------------------------------------------------------------------------------


def partnership_today(now: datetime | None = None) -> date:
    """Today's date where the partnership is (posts end at local midnight, not UTC's)."""
    tz = ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"])
    return (now or datetime.now(tz)).astimezone(tz).date()


def open_posts_filter(today: date) -> sa.ColumnElement[bool]:
    """THE definition of an open post: status open and not past its end date."""
    return sa.and_(
        Post.status == PostStatus.OPEN,
        sa.or_(Post.available_until.is_(None), Post.available_until >= today),
    )


def has_ended(post: Post, today: date) -> bool:
    return post.available_until is not None and post.available_until < today


def is_open(post: Post, today: date) -> bool:
    """Python twin of open_posts_filter, for a post already loaded."""
    return post.status == PostStatus.OPEN and not has_ended(post, today)


def status_label(post: Post, today: date) -> str:
    """What leaders see: Open, Paused, Closed, or Ended (its end date has passed)."""
    if post.status == PostStatus.CLOSED:
        return "Closed"
    if has_ended(post, today):
        return "Ended"
    return "Paused" if post.status == PostStatus.PAUSED else "Open"


def close_expired_posts(now: datetime) -> int:
    """Close every post whose end date has passed; returns how many were closed."""
    today = partnership_today(now)
    result = db.session.execute(
        sa.update(Post)
        .where(Post.status != PostStatus.CLOSED, Post.available_until < today)
        .values(status=PostStatus.CLOSED, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    db.session.commit()
    return result.rowcount


# ---------------------------------------------------------------------------------------------
# Who may change a post
# ---------------------------------------------------------------------------------------------


def can_edit(user: User | None, post: Post) -> bool:
    """Coordinators may change any post; leaders only their own school's."""
    if user is None or not user.active:
        return False
    if user.is_coordinator:
        return True
    return user.school_id is not None and user.school_id == post.school_id


# ---------------------------------------------------------------------------------------------
# Writing posts
# ---------------------------------------------------------------------------------------------


@dataclass
class PostData:
    """What a leader typed into the post form, already checked by the form."""

    kind: PostKind
    title: str
    description: str = ""
    tags: str = ""  # as typed: "phonics, SENCO; Forest school"
    format: PostFormat = PostFormat.EITHER
    capacity: int | None = None
    time_commitment: str = ""
    available_from: date | None = None
    available_until: date | None = None


def _apply(post: Post, data: PostData, tags: tuple[list[Tag], list[str]]) -> None:
    concepts, free = tags
    post.title = data.title.strip()
    post.description = data.description.strip()
    post.tags = concepts
    post.free_tags = free
    post.format = data.format
    # Requests have no capacity, whatever was sent.
    post.capacity = data.capacity if post.kind == PostKind.OFFER else None
    post.time_commitment = data.time_commitment.strip()
    post.available_from = data.available_from
    post.available_until = data.available_until


class DuplicatePostError(ValueError):
    """The school already has an open post of this kind with the same title."""

    def __init__(self, existing: Post, *, resubmitted: bool) -> None:
        super().__init__(f"{existing.school.name} already has an open {existing.kind.value} "
                         f"called \u201c{existing.title}\u201d")
        self.existing = existing
        # The same leader sending the same words again (a double click, or the back button
        # and Post again): the post they meant is already there.
        self.resubmitted = resubmitted


def open_duplicate(
    school: School, kind: PostKind, title: str, today: date, *, other_than: Post | None = None
) -> Post | None:
    """The school's open post of this kind whose title is the same, ignoring case and
    punctuation ("SEMH support?" and "semh support"); other_than is the post being changed."""
    wanted = normalise(title)
    query = sa.select(Post).where(
        Post.school_id == school.id, Post.kind == kind, open_posts_filter(today)
    ).order_by(Post.id)
    if other_than is not None and other_than.id is not None:
        query = query.where(Post.id != other_than.id)
    return next((p for p in db.session.scalars(query) if normalise(p.title) == wanted), None)


def create_post(author: User, school: School, data: PostData) -> Post:
    """Add an open post for the school, written by author.

    Raises DuplicatePostError when the school already has an open post of the same kind and
    title: two copies would both be matched and both appear in every digest.
    """
    existing = open_duplicate(school, data.kind, data.title, partnership_today())
    if existing is not None:
        raise DuplicatePostError(existing, resubmitted=(
            existing.author_id == author.id
            and normalise(existing.description) == normalise(data.description)))
    # Tags first: resolving them queries, and a half-built post must not be flushed.
    tags = resolve_tags(split_tag_input(data.tags))
    post = Post(kind=data.kind, school=school, author=author, status=PostStatus.OPEN)
    _apply(post, data, tags)
    db.session.add(post)
    db.session.commit()
    return post


def _audited(acting: User | None, post: Post) -> bool:
    """A coordinator changing a school's post that is not their own school's: a decision."""
    return acting is not None and acting.is_coordinator and acting.school_id != post.school_id


def _post_words(post: Post) -> str:
    # School and number, not the title: retention removes titles, the log keeps its entries.
    return f"{post.school.name}'s {post.kind.value} {post.id}"


def update_post(
    post: Post, data: PostData, school: School | None = None, *, acting: User | None = None
) -> Post:
    """Save edits (an offer stays an offer); a coordinator may also move it to another school.

    Raises DuplicatePostError when the post, still open after the edit, would have the title
    of another open post of the same kind at its school.
    """
    today = partnership_today()
    open_after = post.status == PostStatus.OPEN and (
        data.available_until is None or data.available_until >= today)
    if open_after:
        existing = open_duplicate(school or post.school, post.kind, data.title, today,
                                  other_than=post)
        if existing is not None:
            raise DuplicatePostError(existing, resubmitted=False)
    audited = _audited(acting, post)
    from_school = post.school
    _apply(post, data, resolve_tags(split_tag_input(data.tags)))
    if school is not None:
        post.school = school
    if audited:
        moved = f", moved to {post.school.name}" if post.school is not from_school else ""
        record(
            acting,
            "edit_post",
            post,
            f"Edited {from_school.name}'s {post.kind.value} {post.id}{moved}",
            details={"from_school": from_school.id, "school": post.school.id},
        )
    db.session.commit()
    return post


def set_status(post: Post, status: PostStatus, *, acting: User | None = None) -> None:
    """Pause, reopen or close a post.

    Reopening raises CannotReopen past the post's end date, and DuplicatePostError when the
    school has since opened another post of the same kind and title.
    """
    if status == PostStatus.OPEN:
        today = partnership_today()
        if has_ended(post, today):
            raise CannotReopen
        if post.status != PostStatus.OPEN and (
            existing := open_duplicate(post.school, post.kind, post.title, today, other_than=post)
        ):
            raise DuplicatePostError(existing, resubmitted=False)
    before = post.status
    post.status = status
    if _audited(acting, post) and before != status:
        record(
            acting,
            "post_status",
            post,
            f"Changed {_post_words(post)} from {before.value} to {status.value}",
            details={"from": before.value, "to": status.value},
        )
    db.session.commit()


class PostInPartnership(Exception):
    """The post belongs to a partnership, whose history the partnership keeps."""


def delete_post(post: Post, *, acting: User | None = None) -> None:
    """Delete a post and its suggestions; refuse if it is part of a partnership."""
    in_partnership = db.session.scalar(
        sa.select(
            sa.exists().where(
                sa.or_(Partnership.request_id == post.id, Partnership.offer_id == post.id)
            )
        )
    )
    if in_partnership:
        raise PostInPartnership
    if _audited(acting, post):
        record(
            acting,
            "delete_post",
            post,
            f"Deleted {_post_words(post)}",
            details={"school": post.school_id, "kind": post.kind.value},
        )
    db.session.delete(post)
    db.session.commit()


def tag_input_for(post: Post) -> str:
    """The post's tags as one editable line: concepts' labels, then free tags."""
    return ", ".join([t.label for t in post.tags] + list(post.free_tags or []))


# ---------------------------------------------------------------------------------------------
# Reading posts
# ---------------------------------------------------------------------------------------------


def get_post(post_id: int) -> Post | None:
    """The post with its school, author and tags."""
    return db.session.scalars(
        sa.select(Post)
        .where(Post.id == post_id)
        .options(selectinload(Post.school), selectinload(Post.author), selectinload(Post.tags))
    ).one_or_none()


def school_posts(school_id: int) -> list[Post]:
    """All of a school's posts, newest first, whatever their status."""
    return list(
        db.session.scalars(
            sa.select(Post)
            .where(Post.school_id == school_id)
            .options(selectinload(Post.tags))
            .order_by(Post.created_at.desc(), Post.id.desc())
        )
    )


def all_schools() -> list[School]:
    return list(db.session.scalars(sa.select(School).order_by(School.name)))


def get_school(school_id: int) -> School | None:
    return db.session.get(School, school_id)


# ---------------------------------------------------------------------------------------------
# Distance
# ---------------------------------------------------------------------------------------------


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def school_distance(origin: School | None, other: School) -> float | None:
    """Miles between two schools, or None when either location is unknown."""
    point, there = location(origin), location(other)
    if point is None or there is None:
        return None
    return haversine_miles(*point, *there)


def location(school: School | None) -> tuple[float, float] | None:
    """(latitude, longitude), when the school has both."""
    if school is None or school.latitude is None or school.longitude is None:
        return None
    return school.latitude, school.longitude


def has_location(school: School | None) -> bool:
    return location(school) is not None


def schools_within(lat: float, lon: float, miles: float) -> set[int]:
    """Ids of schools within `miles` (one query: the partnership has tens to thousands)."""
    rows = db.session.execute(
        sa.select(School.id, School.latitude, School.longitude).where(
            School.latitude.is_not(None), School.longitude.is_not(None)
        )
    ).tuples()
    return {sid for sid, la, lo in rows if haversine_miles(lat, lon, la, lo) <= miles}


# ---------------------------------------------------------------------------------------------
# Browse
# ---------------------------------------------------------------------------------------------


@dataclass
class BrowseFilters:
    kind: PostKind | None = None
    tag: str | None = None  # a concept's slug; includes the concepts below it
    format: PostFormat | None = None  # in person or remote; "either" posts match both
    distance: int | None = None  # miles from the viewer's school
    q: str = ""


@dataclass
class Page:
    items: list[Post]
    total: int
    page: int
    pages: int
    # post id -> miles from the viewer's school, when a distance filter is chosen.
    distances: dict[int, float] = field(default_factory=dict)


def _text_match(q: str) -> sa.ColumnElement[bool]:
    needle = q.lower()
    tagged = (
        sa.select(post_tag.c.post_id)
        .join(Tag, Tag.id == post_tag.c.tag_id)
        .outerjoin(TagAlias, TagAlias.tag_id == Tag.id)
        .where(
            post_tag.c.post_id == Post.id,
            sa.or_(
                sa.func.lower(Tag.label).contains(needle, autoescape=True),
                sa.func.lower(TagAlias.text).contains(needle, autoescape=True),
            ),
        )
    )
    return sa.or_(
        sa.func.lower(Post.title).contains(needle, autoescape=True),
        sa.func.lower(Post.description).contains(needle, autoescape=True),
        # JSON list as text: good enough for a substring search on free tags.
        sa.func.lower(sa.cast(Post.free_tags, sa.Text)).contains(needle, autoescape=True),
        tagged.exists(),
    )


def browse_conditions(
    filters: BrowseFilters, viewer: User | None, today: date
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses for open posts matching the filters (a few small lookups at most)."""
    conditions = [open_posts_filter(today)]
    if filters.kind is not None:
        conditions.append(Post.kind == filters.kind)
    if filters.format is not None and filters.format != PostFormat.EITHER:
        conditions.append(Post.format.in_([filters.format, PostFormat.EITHER]))
    if filters.tag:
        tag_id = db.session.scalar(sa.select(Tag.id).where(Tag.slug == filters.tag))
        if tag_id is None:
            conditions.append(sa.false())
        else:
            conditions.append(
                sa.select(post_tag.c.post_id)
                .where(
                    post_tag.c.post_id == Post.id,
                    post_tag.c.tag_id.in_(descendant_ids(tag_id)),
                )
                .exists()
            )
    if filters.distance is not None:
        point = location(viewer.school if viewer is not None else None)
        if point is not None:
            nearby = schools_within(*point, filters.distance)
            conditions.append(Post.school_id.in_(nearby) if nearby else sa.false())
    if filters.q.strip():
        conditions.append(_text_match(filters.q.strip()))
    return conditions


def browse_posts(
    filters: BrowseFilters, viewer: User | None, page: int, per_page: int | None = None
) -> Page:
    """One page of open posts, newest first, in a constant number of queries."""
    per_page = per_page or current_app.config["POSTS_PER_PAGE"]
    conditions = browse_conditions(filters, viewer, partnership_today())
    total = db.session.scalar(sa.select(sa.func.count(Post.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = list(
        db.session.scalars(
            sa.select(Post)
            .where(*conditions)
            .options(selectinload(Post.school), selectinload(Post.tags))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    distances: dict[int, float] = {}
    if filters.distance is not None and viewer is not None and has_location(viewer.school):
        for post in items:
            miles = school_distance(viewer.school, post.school)
            if miles is not None:
                distances[post.id] = miles
    return Page(items=items, total=total, page=page, pages=pages, distances=distances)


# ---------------------------------------------------------------------------------------------
# The taxonomy as leaders see it
# ---------------------------------------------------------------------------------------------


@dataclass
class Category:
    tag: Tag
    # (concept, depth below the category) in reading order.
    concepts: list[tuple[Tag, int]]


def taxonomy_categories() -> list[Category]:
    """Top-level concepts with everything beneath them, alphabetical (one query)."""
    tags = list(db.session.scalars(sa.select(Tag).order_by(Tag.label)))
    children: dict[int | None, list[Tag]] = {}
    for tag in tags:
        children.setdefault(tag.parent_id, []).append(tag)

    def below(tag_id: int, depth: int) -> list[tuple[Tag, int]]:
        out: list[tuple[Tag, int]] = []
        for child in children.get(tag_id, []):
            out.append((child, depth))
            out.extend(below(child.id, depth + 1))
        return out

    return [Category(tag=root, concepts=below(root.id, 1)) for root in children.get(None, [])]


def _match_rank(needle: str, text: str) -> int | None:
    """0 exact, 1 starts with, 2 a word starts with, 3 contains; None if no match."""
    if text == needle:
        return 0
    if text.startswith(needle):
        return 1
    if f" {needle}" in f" {text}":
        return 2
    return 3 if needle in text else None


def tag_suggestions(query: str, limit: int = SUGGESTION_LIMIT) -> list[dict[str, str]]:
    """Concepts whose label contains the typed text, or an alias has a word starting with it.

    Two column-only queries: the taxonomy has thousands of aliases, too many to load as objects
    on every keystroke.
    """
    needle = normalise(query)
    if not needle:
        return []
    best: dict[int, tuple[int, int]] = {}  # tag id -> (rank, 0 for label / 1 for alias)
    tags = db.session.execute(sa.select(Tag.id, Tag.slug, Tag.label)).tuples().all()
    for tag_id, _, label in tags:
        rank = _match_rank(needle, normalise(label))
        if rank is not None:
            best[tag_id] = (rank, 0)
    aliases = db.session.execute(
        sa.select(TagAlias.tag_id, TagAlias.normalised, TagAlias.is_abbreviation).where(
            TagAlias.normalised.contains(needle, autoescape=True)
        )
    ).tuples()
    for tag_id, text, is_abbreviation in aliases:
        rank = _match_rank(needle, text)
        # Aliases count from the start of a word ("rse" should not find "nursery"), and
        # abbreviations ("RE", "PE") only when typed in full.
        if rank is None or rank == 3 or (is_abbreviation and rank != 0):
            continue
        best[tag_id] = min(best.get(tag_id, (rank, 1)), (rank, 1))
    by_id = {tag_id: (slug, label) for tag_id, slug, label in tags}
    ranked = sorted(best, key=lambda tid: (*best[tid], by_id[tid][1].lower()))
    return [{"label": by_id[t][1], "slug": by_id[t][0]} for t in ranked[:limit]]
