"""The coordinators' dashboard: every figure for one term, from a fixed number of queries.

Each section is one aggregate query (GROUP BY in the database, never a loop of lazy loads), so
the page costs the same number of queries for 70 schools or 2,000. Definitions, because the
figures are only as good as what they count:

- A post is **on the board** in a term if it was posted during the term, or posted earlier and
  is still open (open as of the term's first day). Posts keep no history of when they closed, so
  for past terms "still open" is judged as of now.
- **Supply and demand** count each post towards the concepts it is tagged with, not towards
  their parents: a request for "Read Write Inc. Phonics" is not met by an offer tagged with
  the broader "Early reading and phonics" just because they share a parent, and counting both
  would list the same shortage twice. The parent is shown beside the concept for context.
- A school has had a **suggestion** in the term if a suggestion naming one of its posts was
  published (shown to it) during the term; it has had a **partnership** if one of its posts was
  in a partnership (not withdrawn) that was running at any time during the term.
- **Nobody left behind** puts each school once, at the furthest step it reached: no posts;
  posted but no suggestion; suggested but no partnership. Each gets the next thing to do.
- A request has **waited** a week when a run left it unmatched or its suggestion fell through
  (rejected or declined): the same rule the matcher uses (app.review.services.waiting_weeks).
- **The pipeline** counts what happened during the term at each step (so it need not narrow
  like a funnel: an agreement this term may come from last term's introduction), with the
  median days each step took. "Interested" means both schools said yes: that is what leads to an
  introduction; the number of suggestions where at least one said yes is shown beside it.
- **Giving** lists every school that gave or received this term, alphabetically: a thank-you,
  not a ranking. Pupils reached are those recorded in the impact of partnerships the school gave.
- **Impact** is what schools recorded during the term; quotes appear only where the school
  agreed to share them and the partnership has not been anonymised.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import aliased

from app.dashboard import charts
from app.extensions import db
from app.models import (
    Answer,
    Impact,
    MatchRun,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    Role,
    School,
    Suggestion,
    SuggestionStatus,
    Tag,
    UnmatchedRequest,
    User,
    post_tag,
    utcnow,
)
from app.posts.services import open_posts_filter, partnership_today
from app.review.services import waiting_weeks
from app.terms import Term, recent_terms, term_by_key

TERMS_IN_FILTER = 6
# Requests that have waited this many weeks are listed under "nobody left behind".
WAITING_WEEKS = 3
# Long lists stop here on screen (2,000 schools is a benchmark, not a partnership); the count
# above each list is always the full one.
LIST_LIMIT = 100
GIVING_LIMIT = 300
CHART_TOPICS = 10
QUOTES = 12
# The digest names a gap only when it is real.
GAP_MIN_SCHOOLS = 3


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


def filter_terms(today: date | None = None) -> list[Term]:
    """The terms the filter offers: this one and the ones before it, newest first."""
    today = today or partnership_today(utcnow())
    return recent_terms(today, current_app.config["TERMS"], TERMS_IN_FILTER)


def chosen_term(key: str | None, today: date | None = None) -> Term:
    """The term named in the address, or the current term when none (or an unknown one) is."""
    today = today or partnership_today(utcnow())
    spec = current_app.config["TERMS"]
    found = term_by_key(key, today, spec, TERMS_IN_FILTER) if key else None
    return found or recent_terms(today, spec, 1)[0]


def _bounds(term: Term) -> tuple[datetime, datetime]:
    return term.bounds(current_app.config["PARTNERSHIP_TIMEZONE"])


def _within(column: sa.ColumnElement[datetime], term: Term) -> sa.ColumnElement[bool]:
    start, end = _bounds(term)
    return sa.and_(column >= start, column < end)


def on_board(term: Term) -> sa.ColumnElement[bool]:
    """Posts counted in a term: posted during it, or posted before it and still open."""
    start, end = _bounds(term)
    return sa.and_(
        Post.created_at < end,
        sa.or_(Post.created_at >= start, open_posts_filter(term.start)),
    )


def _live_partnership(term: Term) -> sa.ColumnElement[bool]:
    """Partnerships running at some time during the term, withdrawn ones left out."""
    start, end = _bounds(term)
    return sa.and_(
        Partnership.status != PartnershipStatus.WITHDRAWN,
        Partnership.introduced_at < end,
        sa.or_(Partnership.completed_at.is_(None), Partnership.completed_at >= start),
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


# ---------------------------------------------------------------------------------------------
# Supply and demand
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConceptBalance:
    tag_id: int
    label: str
    parent: str  # the parent concept's label, or ""
    requests: int
    requesting_schools: int
    offers: int

    @property
    def shortfall(self) -> int:
        """Requests beyond the offers on the same concept (negative: offers to spare)."""
        return self.requests - self.offers

    @property
    def spare(self) -> int:
        return max(-self.shortfall, 0)


def supply_and_demand(term: Term) -> list[ConceptBalance]:
    """Requests and offers on the board in the term, per concept they are tagged with."""
    parent = aliased(Tag)
    is_request = Post.kind == PostKind.REQUEST
    is_offer = Post.kind == PostKind.OFFER
    # Grouped by the tag's id alone, labels joined afterwards: grouping on text is slower.
    counts = (
        sa.select(
            post_tag.c.tag_id.label("tag_id"),
            sa.func.count(sa.case((is_request, Post.id))).label("requests"),
            sa.func.count(sa.distinct(sa.case((is_request, Post.school_id)))).label("requesting"),
            sa.func.count(sa.case((is_offer, Post.id))).label("offers"),
        )
        .select_from(post_tag)
        .join(Post, Post.id == post_tag.c.post_id)
        .where(on_board(term))
        .group_by(post_tag.c.tag_id)
        .subquery("counts")
    )
    rows = db.session.execute(
        sa.select(
            Tag.id,
            Tag.label,
            parent.label,
            counts.c.requests,
            counts.c.requesting,
            counts.c.offers,
        )
        .join(counts, counts.c.tag_id == Tag.id)
        .outerjoin(parent, parent.id == Tag.parent_id)
    ).all()
    return [
        ConceptBalance(
            tag_id=tag_id,
            label=label,
            parent=parent_label or "",
            requests=requests,
            requesting_schools=requesting,
            offers=offers,
        )
        for tag_id, label, parent_label, requests, requesting, offers in rows
    ]


def short_of(balances: Sequence[ConceptBalance]) -> list[ConceptBalance]:
    """Concepts with more requests than offers: the biggest shortfall first."""
    return sorted(
        (b for b in balances if b.shortfall > 0),
        key=lambda b: (-b.shortfall, -b.requesting_schools, b.label.lower()),
    )


def plenty_to_give(balances: Sequence[ConceptBalance]) -> list[ConceptBalance]:
    """Concepts with more offers than requests: the most to spare first."""
    return sorted(
        (b for b in balances if b.shortfall < 0),
        key=lambda b: (b.shortfall, -b.offers, b.label.lower()),
    )


@dataclass(frozen=True)
class Gap:
    """The partnership's biggest gap in a term, as one line for the weekly digest."""

    label: str
    schools: int
    offers: int
    # Schools that asked: "could your school give?" is not for them.
    asking_school_ids: frozenset[int]

    @property
    def text(self) -> str:
        offers = (
            "no offer exists yet"
            if self.offers == 0
            else f"{plural(self.offers, 'offer')} {'exists' if self.offers == 1 else 'exist'}"
        )
        return (
            f"{plural(self.schools, 'school')} asked for help with {self.label} this term; "
            f"{offers} — could your school give?"
        )


def biggest_gap(term: Term) -> Gap | None:
    """The top of the "short of" list, if at least GAP_MIN_SCHOOLS schools asked."""
    gaps = [
        b
        for b in short_of(supply_and_demand(term))
        if b.requesting_schools >= GAP_MIN_SCHOOLS and b.requests > b.offers
    ]
    if not gaps:
        return None
    # The most schools asking is what the line says, so it decides among real gaps.
    top = min(gaps, key=lambda b: (-b.requesting_schools, -b.shortfall, b.label.lower()))
    asking = db.session.scalars(
        sa.select(Post.school_id)
        .join(post_tag, post_tag.c.post_id == Post.id)
        .where(post_tag.c.tag_id == top.tag_id, Post.kind == PostKind.REQUEST, on_board(term))
        .distinct()
    ).all()
    return Gap(
        label=top.label,
        schools=top.requesting_schools,
        offers=top.offers,
        asking_school_ids=frozenset(asking),
    )


# ---------------------------------------------------------------------------------------------
# Schools: who is left behind, who gave, where they are
# ---------------------------------------------------------------------------------------------


class Activity(enum.IntEnum):
    """The furthest step a school reached in the term."""

    NOT_REACHED = 0  # no posts on the board
    POSTED = 1  # posted, no suggestion published
    SUGGESTED = 2  # suggested, no partnership
    PARTNERED = 3  # in a partnership


ACTIVITY_LABELS = {
    Activity.NOT_REACHED: "No posts this term",
    Activity.POSTED: "Posted, no suggestion yet",
    Activity.SUGGESTED: "Suggested, no partnership yet",
    Activity.PARTNERED: "In a partnership",
}
ACTIVITY_MARKERS = {
    Activity.NOT_REACHED.name: charts.Marker("circle", charts.DARK_GREY, filled=False),
    Activity.POSTED.name: charts.Marker("square", charts.BLUE, filled=True),
    Activity.SUGGESTED.name: charts.Marker("triangle", charts.PURPLE, filled=True),
    Activity.PARTNERED.name: charts.Marker("diamond", charts.GREEN, filled=True),
}


@dataclass
class SchoolRow:
    """One school's term, from the one per-school query."""

    id: int
    name: str
    town: str
    latitude: float | None
    longitude: float | None
    posts: int
    offers: int
    suggestions: int
    unanswered: int
    given: int
    received: int
    pupils: int
    leaders: int
    open_request_id: int | None
    open_request_title: str | None
    offer_id: int | None
    activity: Activity = field(init=False)

    def __post_init__(self) -> None:
        # Worked out once: every section of the page asks for it.
        if self.given or self.received:
            self.activity = Activity.PARTNERED
        elif self.suggestions:
            self.activity = Activity.SUGGESTED
        elif self.posts:
            self.activity = Activity.POSTED
        else:
            self.activity = Activity.NOT_REACHED


def school_rows(term: Term, today: date) -> list[SchoolRow]:
    """Every school with its term's counts, in one query of grouped subqueries."""
    start, end = _bounds(term)

    posted = (
        sa.select(
            Post.school_id.label("school_id"),
            sa.func.count().label("posts"),
            sa.func.count(sa.case((Post.kind == PostKind.OFFER, Post.id))).label("offers"),
            sa.func.max(sa.case((Post.kind == PostKind.OFFER, Post.id))).label("offer_id"),
            # The request to pair by hand, if it is still open (one scan of posts, not two).
            sa.func.max(
                sa.case((sa.and_(Post.kind == PostKind.REQUEST, open_posts_filter(today)), Post.id))
            ).label("request_id"),
        )
        .where(on_board(term))
        .group_by(Post.school_id)
        .subquery("posted")
    )

    def suggestion_side(post_column: sa.ColumnElement[int], answer: sa.ColumnElement[Answer]):
        return (
            sa.select(
                Post.school_id.label("school_id"),
                sa.case((answer.is_(None), 1), else_=0).label("unanswered"),
            )
            .join(Suggestion, post_column == Post.id)
            .where(
                Suggestion.status == SuggestionStatus.PUBLISHED,
                Suggestion.published_at >= start,
                Suggestion.published_at < end,
            )
        )

    sides = sa.union_all(
        suggestion_side(Suggestion.request_id, Suggestion.request_answer),
        suggestion_side(Suggestion.offer_id, Suggestion.offer_answer),
    ).subquery("sides")
    suggested = (
        sa.select(
            sides.c.school_id,
            sa.func.count().label("suggestions"),
            sa.func.sum(sides.c.unanswered).label("unanswered"),
        )
        .group_by(sides.c.school_id)
        .subquery("suggested")
    )

    live = _live_partnership(term)
    partner_sides = sa.union_all(
        sa.select(
            Post.school_id.label("school_id"),
            sa.literal_column("1").label("given"),
            sa.literal_column("0").label("received"),
        )
        .join(Partnership, Partnership.offer_id == Post.id)
        .where(live),
        sa.select(Post.school_id, sa.literal_column("0"), sa.literal_column("1"))
        .join(Partnership, Partnership.request_id == Post.id)
        .where(live),
    ).subquery("partner_sides")
    partnered = (
        sa.select(
            partner_sides.c.school_id,
            sa.func.sum(partner_sides.c.given).label("given"),
            sa.func.sum(partner_sides.c.received).label("received"),
        )
        .group_by(partner_sides.c.school_id)
        .subquery("partnered")
    )

    reached = (
        sa.select(
            Post.school_id.label("school_id"),
            sa.func.sum(Impact.pupils_reached).label("pupils"),
        )
        .join(Partnership, Partnership.offer_id == Post.id)
        .join(Impact, Impact.partnership_id == Partnership.id)
        .where(Impact.created_at >= start, Impact.created_at < end)
        .group_by(Post.school_id)
        .subquery("reached")
    )

    leaders = (
        sa.select(User.school_id.label("school_id"), sa.func.count().label("leaders"))
        .where(User.active.is_(True), User.deleted_at.is_(None), User.role == Role.LEADER)
        .group_by(User.school_id)
        .subquery("leaders")
    )

    request_post = aliased(Post)

    zero = sa.literal(0)
    rows = db.session.execute(
        sa.select(
            School.id,
            School.name,
            School.town,
            School.latitude,
            School.longitude,
            sa.func.coalesce(posted.c.posts, zero),
            sa.func.coalesce(posted.c.offers, zero),
            sa.func.coalesce(suggested.c.suggestions, zero),
            sa.func.coalesce(suggested.c.unanswered, zero),
            sa.func.coalesce(partnered.c.given, zero),
            sa.func.coalesce(partnered.c.received, zero),
            sa.func.coalesce(reached.c.pupils, zero),
            sa.func.coalesce(leaders.c.leaders, zero),
            posted.c.request_id,
            request_post.title,
            posted.c.offer_id,
        )
        .outerjoin(posted, posted.c.school_id == School.id)
        .outerjoin(suggested, suggested.c.school_id == School.id)
        .outerjoin(partnered, partnered.c.school_id == School.id)
        .outerjoin(reached, reached.c.school_id == School.id)
        .outerjoin(leaders, leaders.c.school_id == School.id)
        .outerjoin(request_post, request_post.id == posted.c.request_id)
        .order_by(School.name)
    ).all()
    return [SchoolRow(*row) for row in rows]


@dataclass(frozen=True)
class LeftBehind:
    school: str
    town: str
    detail: str
    action: str  # the next thing to do, as link text
    url: str


@dataclass
class LeftBehindGroup:
    key: str
    heading: str
    explanation: str
    total: int
    items: list[LeftBehind]

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _next_action(row: SchoolRow) -> tuple[str, str, str]:
    """(detail, action text, url) for a school that has not reached a partnership."""
    people = url_for("people.index", school=row.id)
    if row.activity == Activity.NOT_REACHED:
        if not row.leaders:
            return (
                "No leader has an account yet",
                f"Invite a leader from {row.name}",
                url_for("people.invite"),
            )
        return (
            plural(row.leaders, "leader") + " with an account",
            f"Ask {row.name}'s leaders what they could give or need",
            people,
        )
    if row.activity == Activity.POSTED:
        if row.open_request_id is not None:
            return (
                f"Open request: {row.open_request_title}",
                f"Pair {row.name}'s request by hand",
                url_for("review.pair_by_hand", post_id=row.open_request_id),
            )
        if row.offer_id is not None:
            return (
                plural(row.offers, "offer") + " on the board",
                f"Check the tags on {row.name}'s offer so requests can find it",
                url_for("posts.view", post_id=row.offer_id),
            )
        return ("Its requests have closed", f"Ask {row.name}'s leaders what they need", people)
    if row.unanswered:
        return (
            plural(row.unanswered, "suggestion") + " waiting for its answer",
            f"Remind {row.name}'s leaders to answer",
            people,
        )
    return (
        plural(row.suggestions, "suggestion") + ", none taken up",
        f"Ask {row.name}'s leaders what would suit them better",
        people,
    )


GROUPS = (
    (
        Activity.NOT_REACHED,
        "no-posts",
        "Schools with no posts this term",
        "Nothing offered or asked for this term. A conversation often finds something to give.",
    ),
    (
        Activity.POSTED,
        "no-suggestions",
        "Schools with posts but no suggestion",
        "They posted, but no suggestion reached them this term.",
    ),
    (
        Activity.SUGGESTED,
        "no-partnership",
        "Schools with suggestions but no partnership",
        "Suggestions reached them this term, but none became a partnership yet.",
    ),
)


def left_behind(rows: Sequence[SchoolRow]) -> list[LeftBehindGroup]:
    groups = []
    for activity, key, heading, explanation in GROUPS:
        matching = [r for r in rows if r.activity == activity]
        items = []
        for row in matching[:LIST_LIMIT]:
            detail, action, url = _next_action(row)
            items.append(LeftBehind(row.name, row.town, detail, action, url))
        groups.append(LeftBehindGroup(key, heading, explanation, len(matching), items))
    return groups


@dataclass(frozen=True)
class WaitingRequest:
    title: str
    school: str
    weeks: int
    reason: str
    action: str
    url: str


@dataclass
class Waiting:
    total: int
    items: list[WaitingRequest]  # the LIST_LIMIT that waited longest

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def waiting_requests(term: Term, today: date) -> Waiting:
    """Open requests that waited WAITING_WEEKS weeks or more by the end of the term."""
    weeks = waiting_weeks(term.end).subquery("weeks")
    waited = (
        sa.select(weeks.c.request_id, sa.func.count().label("weeks"))
        .group_by(weeks.c.request_id)
        .having(sa.func.count() >= WAITING_WEEKS)
        .subquery("waited")
    )
    partnered = sa.exists().where(
        Partnership.request_id == Post.id, Partnership.status != PartnershipStatus.WITHDRAWN
    )
    longest = (
        sa.select(
            Post.id.label("id"),
            Post.title.label("title"),
            School.name.label("school"),
            waited.c.weeks,
            sa.func.count().over().label("total"),
        )
        .join(waited, waited.c.request_id == Post.id)
        .join(School, School.id == Post.school_id)
        .where(open_posts_filter(today), ~partnered)
        .order_by(waited.c.weeks.desc(), School.name, Post.id)
        .limit(LIST_LIMIT)
        .subquery("longest")
    )
    # Looked up only for the rows shown, after the limit.
    latest_reason = (
        sa.select(UnmatchedRequest.reason)
        .join(MatchRun, MatchRun.id == UnmatchedRequest.run_id)
        .where(UnmatchedRequest.request_id == longest.c.id)
        .order_by(MatchRun.week_start.desc(), MatchRun.attempt.desc())
        .limit(1)
        .correlate(longest)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            longest.c.id,
            longest.c.title,
            longest.c.school,
            longest.c.weeks,
            longest.c.total,
            latest_reason,
        ).order_by(longest.c.weeks.desc(), longest.c.school, longest.c.id)
    ).all()
    return Waiting(
        total=rows[0].total if rows else 0,
        items=[
            WaitingRequest(
                title=title,
                school=school,
                weeks=weeks_waited,
                reason=reason or "Its suggestions were turned down",
                action=f"Pair “{title}” by hand",
                url=url_for("review.pair_by_hand", post_id=post_id),
            )
            for post_id, title, school, weeks_waited, _, reason in rows
        ],
    )


@dataclass(frozen=True)
class Giver:
    school: str
    town: str
    offers: int
    given: int
    received: int
    pupils: int
    thanks: str  # one line of thanks, or of welcome for a school that received


def _thanks(row: SchoolRow) -> str:
    if row.given and row.pupils:
        return f"Thank you: your help reached {plural(row.pupils, 'pupil')}"
    if row.given:
        return "Thank you for giving"
    if row.offers:
        return "Thank you for offering"
    return "Learning with the partnership"


@dataclass
class Giving:
    givers: list[Giver]
    total: int  # schools taking part; givers stops at GIVING_LIMIT
    schools_giving: int
    schools_receiving: int
    schools_offering: int
    partnerships: int
    pupils: int

    @property
    def more(self) -> int:
        return self.total - len(self.givers)


def giving(rows: Sequence[SchoolRow]) -> Giving:
    """Schools that offered, gave or received this term, alphabetically."""
    taking_part = [r for r in rows if r.offers or r.given or r.received]
    return Giving(
        givers=[
            Giver(r.name, r.town, r.offers, r.given, r.received, r.pupils, _thanks(r))
            for r in taking_part[:GIVING_LIMIT]
        ],
        total=len(taking_part),
        schools_giving=sum(1 for r in rows if r.given),
        schools_receiving=sum(1 for r in rows if r.received),
        schools_offering=sum(1 for r in rows if r.offers),
        partnerships=sum(r.given for r in rows),
        pupils=sum(r.pupils for r in rows),
    )


def activity_map(rows: Sequence[SchoolRow]) -> charts.MapChart:
    counts = {a: 0 for a in Activity}
    for r in rows:
        counts[r.activity] += 1
    # Least active drawn last, on top: those are the schools to find on the map.
    ordered = sorted(rows, key=lambda r: -r.activity)
    return charts.project_map(
        [
            (r.latitude, r.longitude, r.activity.name, f"{r.name}: {ACTIVITY_LABELS[r.activity]}")
            for r in ordered
        ],
        ACTIVITY_MARKERS,
        [(a.name, ACTIVITY_LABELS[a], counts[a]) for a in sorted(Activity, reverse=True)],
    )


@dataclass(frozen=True)
class ActivityCount:
    label: str
    count: int
    shape: str
    icon: charts.Dot


def activity_counts(rows: Sequence[SchoolRow]) -> list[ActivityCount]:
    shapes = {
        "circle": "Hollow grey circle",
        "square": "Blue square",
        "triangle": "Purple triangle",
        "diamond": "Green diamond",
    }
    return [
        ActivityCount(
            ACTIVITY_LABELS[a],
            sum(1 for r in rows if r.activity == a),
            shapes[ACTIVITY_MARKERS[a.name].shape],
            charts.icon(ACTIVITY_MARKERS[a.name], ACTIVITY_LABELS[a]),
        )
        for a in sorted(Activity, reverse=True)
    ]


# ---------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int
    step: str  # what the time is measured from, "" for the first stage
    median_days: float | None

    @property
    def median_text(self) -> str:
        if not self.step:
            return "First step"
        if self.median_days is None:
            return "Not enough yet"
        if self.median_days < 1:
            return "Under a day"
        days = round(self.median_days)
        return plural(days, "day")


@dataclass
class Pipeline:
    stages: list[Stage]
    either_interested: int
    withdrawn: int


def _days(
    later: sa.ColumnElement[datetime], earlier: sa.ColumnElement[datetime]
) -> sa.ColumnElement[float]:
    """Days between two timestamps, in SQL (there is no portable way)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def _later(
    a: sa.ColumnElement[datetime], b: sa.ColumnElement[datetime]
) -> sa.ColumnElement[datetime]:
    # GREATEST on PostgreSQL, max(a, b) on SQLite: CASE says the same on both.
    return sa.case((a > b, a), else_=b)


STAGES = (
    ("suggested", "Suggested by the matcher or a coordinator", ""),
    ("published", "Published to both schools", "from suggested"),
    ("interested", "Both schools interested", "from published"),
    ("introduced", "Introduced", "from both interested"),
    ("agreed", "Aims agreed", "from introduced"),
    ("completed", "Completed with impact recorded", "from agreed"),
)


def pipeline(term: Term) -> Pipeline:
    """Counts at each step during the term (one query) and median days per step (one query)."""
    both = sa.and_(
        Suggestion.request_answer == Answer.INTERESTED,
        Suggestion.offer_answer == Answer.INTERESTED,
    )
    either = sa.or_(
        Suggestion.request_answer == Answer.INTERESTED,
        Suggestion.offer_answer == Answer.INTERESTED,
    )
    both_at = _later(Suggestion.request_answered_at, Suggestion.offer_answered_at)
    has_impact = sa.exists().where(Impact.partnership_id == Partnership.id)

    def tally(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    # One pass over suggestions and one over partnerships, each counting every step.
    suggestions = (
        sa.select(
            tally(
                Suggestion.status != SuggestionStatus.SUPERSEDED,
                _within(Suggestion.created_at, term),
            ).label("suggested"),
            tally(_within(Suggestion.published_at, term)).label("published"),
            tally(both, _within(both_at, term)).label("interested"),
            tally(
                either,
                _within(
                    sa.func.coalesce(Suggestion.request_answered_at, Suggestion.offer_answered_at),
                    term,
                ),
            ).label("either"),
        )
        .select_from(Suggestion)
        .subquery("suggestion_steps")
    )
    partnerships = (
        sa.select(
            tally(_within(Partnership.introduced_at, term)).label("introduced"),
            tally(_within(Partnership.agreed_at, term)).label("agreed"),
            tally(
                Partnership.status == PartnershipStatus.COMPLETED,
                _within(Partnership.completed_at, term),
                has_impact,
            ).label("completed"),
            tally(_within(Partnership.withdrawn_at, term)).label("withdrawn"),
        )
        .select_from(Partnership)
        .subquery("partnership_steps")
    )
    # Two one-row tables side by side: the cross join is the point.
    row = (
        db.session.execute(
            sa.select(suggestions, partnerships).select_from(
                suggestions.join(partnerships, sa.true())
            )
        )
        .one()
        ._mapping
    )
    counts = {key: int(row[key]) for key, _, _ in STAGES}

    steps = sa.union_all(
        sa.select(
            sa.literal_column("'published'").label("step"),
            _days(Suggestion.published_at, Suggestion.created_at).label("days"),
        ).where(_within(Suggestion.published_at, term)),
        sa.select(sa.literal_column("'interested'"), _days(both_at, Suggestion.published_at)).where(
            both, _within(both_at, term), Suggestion.published_at.is_not(None)
        ),
        sa.select(sa.literal_column("'introduced'"), _days(Partnership.introduced_at, both_at))
        .join(Suggestion, Suggestion.id == Partnership.suggestion_id)
        .where(both, _within(Partnership.introduced_at, term)),
        sa.select(
            sa.literal_column("'agreed'"), _days(Partnership.agreed_at, Partnership.introduced_at)
        ).where(_within(Partnership.agreed_at, term)),
        sa.select(
            sa.literal_column("'completed'"), _days(Partnership.completed_at, Partnership.agreed_at)
        ).where(
            Partnership.status == PartnershipStatus.COMPLETED,
            _within(Partnership.completed_at, term),
            Partnership.agreed_at.is_not(None),
            has_impact,
        ),
    ).subquery("steps")
    ranked = sa.select(
        steps.c.step,
        steps.c.days,
        sa.func.row_number().over(partition_by=steps.c.step, order_by=steps.c.days).label("rn"),
        sa.func.count().over(partition_by=steps.c.step).label("n"),
    ).subquery("ranked")
    # The median: the middle row, or the mean of the middle two (row numbers start at 1).
    medians = dict(
        db.session.execute(
            sa.select(ranked.c.step, sa.func.avg(ranked.c.days))
            .where(
                sa.or_(
                    ranked.c.rn == (ranked.c.n + 1) // 2,
                    ranked.c.rn == (ranked.c.n + 2) // 2,
                )
            )
            .group_by(ranked.c.step)
        ).all()
    )
    stages = [
        Stage(
            key=key,
            label=label,
            count=counts[key],
            step=step,
            median_days=float(medians[key]) if medians.get(key) is not None else None,
        )
        for key, label, step in STAGES
    ]
    return Pipeline(
        stages=stages, either_interested=int(row["either"]), withdrawn=int(row["withdrawn"])
    )


# ---------------------------------------------------------------------------------------------
# Impact
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    text: str
    school: str


@dataclass
class ImpactSummary:
    records: int
    partnerships: int
    pupils: int
    staff: int
    average_rating: float | None
    ratings: list[tuple[int, int]]  # (rating, how many), 5 down to 1
    quotes: list[Quote]
    # Since the partnership began.
    all_partnerships: int
    all_pupils: int
    all_staff: int

    @property
    def rating_rows(self) -> list[tuple[str, int]]:
        return [(RATING_WORDS[r], n) for r, n in self.ratings]

    @property
    def average_text(self) -> str:
        if self.average_rating is None:
            return "No ratings yet"
        return f"{self.average_rating:.1f} out of 5"


RATING_WORDS = {
    5: "5 (a big difference)",
    4: "4",
    3: "3",
    2: "2",
    1: "1 (no difference)",
}


def impact(term: Term) -> ImpactSummary:
    """What schools recorded this term (and since the start), in three queries."""
    inside = _within(Impact.created_at, term)

    def in_term(value: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((inside, value), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((inside, Impact.id))),
            sa.func.count(sa.distinct(sa.case((inside, Impact.partnership_id)))),
            in_term(Impact.pupils_reached),
            in_term(Impact.staff_reached),
            sa.func.avg(sa.case((inside, Impact.rating))),
            sa.func.count(sa.distinct(Impact.partnership_id)),
            sa.func.coalesce(sa.func.sum(Impact.pupils_reached), 0),
            sa.func.coalesce(sa.func.sum(Impact.staff_reached), 0),
        )
    ).one()
    by_rating = dict(
        db.session.execute(
            sa.select(Impact.rating, sa.func.count()).where(inside).group_by(Impact.rating)
        ).all()
    )
    quotes = [
        Quote(text=text, school=school)
        for text, school in db.session.execute(
            sa.select(Impact.quote, School.name)
            .join(School, School.id == Impact.school_id)
            .join(Partnership, Partnership.id == Impact.partnership_id)
            .where(
                inside,
                Impact.quote_shareable.is_(True),
                Impact.quote != "",
                Partnership.anonymised_at.is_(None),
            )
            .order_by(Impact.created_at.desc(), Impact.id.desc())
            .limit(QUOTES)
        ).tuples()
    ]
    return ImpactSummary(
        records=row[0],
        partnerships=row[1],
        pupils=int(row[2]),
        staff=int(row[3]),
        average_rating=float(row[4]) if row[4] is not None else None,
        ratings=[(r, by_rating.get(r, 0)) for r in range(5, 0, -1)],
        quotes=quotes,
        all_partnerships=row[5],
        all_pupils=int(row[6]),
        all_staff=int(row[7]),
    )


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermOption:
    key: str
    label: str


@dataclass
class Dashboard:
    term: Term
    terms: list[TermOption]
    is_current: bool
    schools: int
    balances: list[ConceptBalance]
    short: list[ConceptBalance]
    plenty: list[ConceptBalance]
    left_behind: list[LeftBehindGroup]
    waiting: Waiting
    pipeline: Pipeline
    giving: Giving
    activity: list[ActivityCount]
    impact: ImpactSummary
    short_chart: charts.BarChart
    plenty_chart: charts.BarChart
    pipeline_chart: charts.BarChart
    ratings_chart: charts.BarChart
    map: charts.MapChart
    glance: list[tuple[str, str]] = field(default_factory=list)

    @property
    def not_reached(self) -> int:
        return self.left_behind[0].total


REQUESTS = charts.Series("Requests", charts.DARK_BLUE)
OFFERS = charts.Series("Offers", charts.GREEN, hatched=True)


def _balance_chart(chart_id: str, balances: Sequence[ConceptBalance]) -> charts.BarChart:
    return charts.bar_chart(
        chart_id,
        [
            (
                charts.shorten(b.label),
                (b.requests, b.offers),
                (plural(b.requests, "request"), plural(b.offers, "offer")),
            )
            for b in balances[:CHART_TOPICS]
        ],
        [REQUESTS, OFFERS],
    )


def _glance(page: Dashboard) -> list[tuple[str, str]]:
    """The three questions a coordinator comes with, answered in a line each."""
    if page.short:
        short = "; ".join(
            f"{b.label} ({plural(b.requesting_schools, 'school')} asking, "
            f"{plural(b.offers, 'offer')})"
            for b in page.short[:3]
        )
    else:
        short = "No topic has more requests than offers"
    not_reached = page.left_behind[0].total
    no_suggestion = page.left_behind[1].total
    reached = (
        f"{plural(not_reached, 'school')} with no posts, "
        f"{plural(no_suggestion, 'school')} with posts but no suggestion, "
        f"{plural(page.waiting.total, 'request')} waiting {WAITING_WEEKS} weeks or more"
    )
    i = page.impact
    if i.records:
        difference = (
            f"{plural(i.partnerships, 'partnership')} recorded their impact: "
            f"{plural(i.pupils, 'pupil')} and {plural(i.staff, 'member', 'members')} of staff "
            f"reached, rated {i.average_text}"
        )
    else:
        difference = "No impact recorded this term yet"
    return [
        ("Topics we are short of", short),
        ("Schools not reached yet", reached),
        ("The difference partnerships made", difference),
    ]


def dashboard(term: Term, today: date | None = None) -> Dashboard:
    """Everything on the dashboard (and the printable report) for one term."""
    today = today or partnership_today(utcnow())
    balances = supply_and_demand(term)
    short, plenty = short_of(balances), plenty_to_give(balances)
    rows = school_rows(term, today)
    flow = pipeline(term)
    outcome = impact(term)
    page = Dashboard(
        term=term,
        terms=[TermOption(t.key, t.label) for t in filter_terms(today)],
        is_current=term.contains(today),
        schools=len(rows),
        balances=sorted(balances, key=lambda b: b.label.lower()),
        short=short,
        plenty=plenty,
        left_behind=left_behind(rows),
        waiting=waiting_requests(term, today),
        pipeline=flow,
        giving=giving(rows),
        activity=activity_counts(rows),
        impact=outcome,
        short_chart=_balance_chart("short-chart", short),
        plenty_chart=_balance_chart("plenty-chart", plenty),
        pipeline_chart=charts.bar_chart(
            "pipeline-chart",
            [(charts.shorten(s.label), (s.count,), (f"{s.count:,}",)) for s in flow.stages],
            [charts.Series("Count", charts.BLUE)],
        ),
        ratings_chart=charts.bar_chart(
            "ratings-chart",
            [(RATING_WORDS[r], (n,), (plural(n, "rating"),)) for r, n in outcome.ratings],
            [charts.Series("Ratings", charts.GREEN)],
        ),
        map=activity_map(rows),
    )
    page.glance = _glance(page)
    return page
