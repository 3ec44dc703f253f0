"""Match runs and the coordinators' review of their suggestions: the rules and the commits."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

import matching
from app.audit.services import record
from app.exports.services import to_csv
from app.extensions import db
from app.models import (
    Answer,
    MatchRun,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    RuledOutPair,
    Suggestion,
    SuggestionStatus,
    UnmatchedRequest,
    User,
    utcnow,
)
from app.posts.services import (
    close_expired_posts,
    is_open,
    open_posts_filter,
    partnership_today,
)
from app.posts.services import get_post as load_post
from app.taxonomy.services import matcher_taxonomy
from matching.taxonomy import Taxonomy

# How many offers the engine ranks per request: the chosen one plus up to four alternatives.
TOP = 5
MAX_ALTERNATIVES = 4
BY_HAND_REASON = "Paired by a coordinator"
# A hand-made pair has no engine score; it ranks first wherever suggestions are sorted.
BY_HAND_SCORE = 1.0
DECLINES = (Answer.NOT_RELEVANT, Answer.NOT_NOW)
# Partnerships that are using up an offer's capacity.
LIVE_PARTNERSHIP = (
    PartnershipStatus.INTRODUCED,
    PartnershipStatus.AGREED,
    PartnershipStatus.ACTIVE,
)
NO_OFFER_REASON = "No open offer from another school matched this week"
REJECT_REASON_MAX = 300
NOTE_MAX = 500
EXPORT_COLUMNS = (
    "request_id",
    "request_external_id",
    "offer_id",
    "offer_external_id",
    "score",
    "status",
    "reasons",
)


class ReviewError(Exception):
    """A review action that cannot be done; the message is written for the coordinator."""


# ---------------------------------------------------------------------------------------------
# Weeks
# ---------------------------------------------------------------------------------------------


def week_start_for(now: datetime) -> date:
    """Monday of `now`'s week in the partnership's timezone."""
    local = now.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    return local.date() - timedelta(days=local.weekday())


def week_label(day: date) -> str:
    """'23 November 2026'."""
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---------------------------------------------------------------------------------------------
# The weekly run
# ---------------------------------------------------------------------------------------------


@dataclass
class RunOutcome:
    run: MatchRun | None
    created: bool
    summary: str


def run_summary(run: MatchRun) -> str:
    """'Run 12 for the week of 23 November 2026: 96 open offers, ... 23 requests unmatched.'"""
    return (
        f"Run {run.id} for the week of {week_label(run.week_start)}: "
        f"{_plural(run.open_offers, 'open offer', 'open offers')}, "
        f"{_plural(run.open_requests, 'open request', 'open requests')}, "
        f"{_plural(run.pairs_suggested, 'pair suggested', 'pairs suggested')}, "
        f"{_plural(run.requests_unmatched, 'request unmatched', 'requests unmatched')}."
    )


def run_matching(
    now: datetime, *, force: bool = False, triggered_by: User | None = None
) -> RunOutcome:
    """Match all open posts once for `now`'s week; `force` runs the week again."""
    close_expired_posts(now)
    week = week_start_for(now)
    latest = db.session.scalars(
        sa.select(MatchRun).where(MatchRun.week_start == week).order_by(MatchRun.attempt.desc())
    ).first()
    if latest is not None and not force:
        return RunOutcome(
            run=latest,
            created=False,
            summary=(
                f"Run {latest.id} already exists for the week of {week_label(week)}; "
                "use --force to run again"
            ),
        )

    started = time.perf_counter()
    mode_auto = current_app.config.get("PUBLISH_MODE") == "auto"
    inputs = _load_inputs(now, week)
    taxonomy = Taxonomy.from_dict(matcher_taxonomy())
    # Looked up on the module each time, so a test can wrap the real engine.
    result = matching.match(inputs.data, top=TOP, taxonomy=taxonomy,
                            semantic=current_app.config["MATCH_SEMANTIC"])

    run = MatchRun(
        week_start=week,
        attempt=(latest.attempt + 1) if latest is not None else 1,
        started_at=now,
        open_offers=len(inputs.data["offers"]),
        open_requests=len(inputs.data["requests"]),
        triggered_by_id=triggered_by.id if triggered_by is not None else None,
    )
    try:
        # A new run replaces what nobody reviewed from this week's earlier attempt (a forced
        # re-run) or from an earlier week (the new run looks at the same requests afresh);
        # approved pairs stand.
        db.session.execute(
            sa.update(Suggestion)
            .where(
                Suggestion.status == SuggestionStatus.PENDING,
                Suggestion.run_id.in_(sa.select(MatchRun.id).where(MatchRun.week_start <= week)),
            )
            .values(status=SuggestionStatus.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
        db.session.add(run)
        _store_result(run, result, inputs.request_ids, now, publish=mode_auto)
        run.finished_at = now + timedelta(seconds=time.perf_counter() - started)
        db.session.commit()
    except IntegrityError:
        # unique(week_start, attempt): another run for this week got there first.
        db.session.rollback()
        return RunOutcome(
            run=None,
            created=False,
            summary=(
                f"Another run for the week of {week_label(week)} is already running or has "
                "just finished; nothing was added"
            ),
        )
    summary = run_summary(run)
    if mode_auto:
        summary += " Suggestions were published at once (automatic publishing is on)."
    return RunOutcome(run=run, created=True, summary=summary)


@dataclass
class MatchInputs:
    data: dict[str, Any]
    # The requests handed to the engine.
    request_ids: set[int] = field(default_factory=set)


def _load_inputs(now: datetime, week: date) -> MatchInputs:
    """Everything the engine needs, in plain dicts, from a constant number of queries."""
    posts = db.session.scalars(
        sa.select(Post)
        .where(open_posts_filter(partnership_today(now)))
        .options(selectinload(Post.school), selectinload(Post.tags))
        .order_by(Post.id)
    ).all()

    partnered_requests = set(
        db.session.scalars(
            sa.select(Partnership.request_id).where(
                Partnership.status != PartnershipStatus.WITHDRAWN
            )
        )
    )
    offer_load: Counter[int] = Counter(
        dict(
            db.session.execute(
                sa.select(Partnership.offer_id, sa.func.count())
                .where(Partnership.status.in_(LIVE_PARTNERSHIP))
                .group_by(Partnership.offer_id)
            )
            .tuples()
            .all()
        )
    )
    # Pairs already approved this week (before a forced re-run) stand: their requests are
    # settled for the week and their offers' places are taken.
    published_this_week = db.session.execute(
        sa.select(Suggestion.request_id, Suggestion.offer_id)
        .join(MatchRun, MatchRun.id == Suggestion.run_id)
        .where(MatchRun.week_start == week, Suggestion.status == SuggestionStatus.PUBLISHED)
    ).tuples()
    settled_requests: set[int] = set()
    for request_id, offer_id in published_this_week:
        settled_requests.add(request_id)
        offer_load[offer_id] += 1

    requests = [
        p
        for p in posts
        if p.kind == PostKind.REQUEST
        and p.id not in partnered_requests
        and p.id not in settled_requests
    ]
    offers: list[tuple[Post, int]] = []
    for p in posts:
        if p.kind != PostKind.OFFER:
            continue
        places = (p.capacity or 1) - offer_load[p.id]
        if places > 0:
            offers.append((p, places))

    request_ids = {p.id for p in requests}
    offer_ids = {p.id for p, _ in offers}
    schools = {p.school.id: p.school for p in requests} | {p.school.id: p.school for p, _ in offers}
    data: dict[str, Any] = {
        "schools": [
            {"id": str(s.id), "lat": s.latitude, "lon": s.longitude} for s in schools.values()
        ],
        "offers": [_post_dict(p) | {"capacity": places} for p, places in offers],
        "requests": [_post_dict(p) for p in requests],
        "exclude": [
            {"request": str(r), "offer": str(o)}
            for r, o in sorted(_excluded_pairs(request_ids, offer_ids))
        ],
        "waiting": {str(r): n for r, n in sorted(_waiting_counts(request_ids, week).items()) if n},
    }
    return MatchInputs(data=data, request_ids=request_ids)


def _post_dict(post: Post) -> dict[str, Any]:
    return {
        "id": str(post.id),
        "school": str(post.school_id),
        "title": post.title,
        "description": post.description or "",
        "tags": [t.label for t in post.tags] + list(post.free_tags or []),
        "format": post.format.value,
    }


def _excluded_pairs(request_ids: set[int], offer_ids: set[int]) -> set[tuple[int, int]]:
    """Pairs never to suggest again: rejected, declined by either school, or already partnered.

    Pairs already published in an earlier week are left out too: both schools have seen them.
    """
    if not request_ids or not offer_ids:
        return set()
    declined_or_shown = sa.or_(
        Suggestion.status.in_([SuggestionStatus.REJECTED, SuggestionStatus.PUBLISHED]),
        Suggestion.request_answer.in_(DECLINES),
        Suggestion.offer_answer.in_(DECLINES),
    )
    rows = db.session.execute(
        sa.union(
            sa.select(Suggestion.request_id, Suggestion.offer_id).where(
                declined_or_shown, Suggestion.request_id.in_(request_ids)
            ),
            sa.select(Partnership.request_id, Partnership.offer_id).where(
                Partnership.request_id.in_(request_ids)
            ),
            sa.select(RuledOutPair.request_id, RuledOutPair.offer_id).where(
                RuledOutPair.request_id.in_(request_ids)
            ),
        )
    ).tuples()
    return {(r, o) for r, o in rows if o in offer_ids}


def waiting_weeks(before: date, request_ids: set[int] | None = None) -> sa.CompoundSelect:
    """(request_id, week_start) for each week before `before` in which a request went unmatched
    or its suggestion fell through (rejected or declined): the one definition of "waited",
    used by the matcher's priority and the dashboard's "nobody left behind"."""
    fell_through = sa.or_(
        Suggestion.status == SuggestionStatus.REJECTED,
        Suggestion.request_answer.in_(DECLINES),
        Suggestion.offer_answer.in_(DECLINES),
    )
    unmatched = (
        sa.select(UnmatchedRequest.request_id.label("request_id"), MatchRun.week_start)
        .join(MatchRun, MatchRun.id == UnmatchedRequest.run_id)
        .where(MatchRun.week_start < before)
    )
    declined = (
        sa.select(Suggestion.request_id, MatchRun.week_start)
        .join(MatchRun, MatchRun.id == Suggestion.run_id)
        .where(MatchRun.week_start < before, fell_through)
    )
    if request_ids is not None:
        unmatched = unmatched.where(UnmatchedRequest.request_id.in_(request_ids))
        declined = declined.where(Suggestion.request_id.in_(request_ids))
    return sa.union(unmatched, declined)


def _waiting_counts(request_ids: set[int], week: date) -> dict[int, int]:
    """request id -> earlier weeks in which it went unmatched or its suggestion fell through."""
    if not request_ids:
        return {}
    rows = db.session.execute(waiting_weeks(week, request_ids)).tuples()
    # Counted per week, so a forced re-run of a week does not count the week twice.
    weeks: dict[int, set[date]] = defaultdict(set)
    for request_id, week_start in rows:
        weeks[request_id].add(week_start)
    return {r: len(w) for r, w in weeks.items()}


def _store_result(
    run: MatchRun,
    result: dict[str, Any],
    request_ids: set[int],
    now: datetime,
    *,
    publish: bool,
) -> None:
    """Suggestions and unmatched requests from the engine's answer; the run's counts."""
    ranked: dict[str, list[dict[str, Any]]] = result.get("ranked", {})
    paired: set[str] = set()
    for pair in result.get("pairs", []):
        rid, oid = str(pair["request"]), str(pair["offer"])
        if rid in paired:
            continue
        paired.add(rid)
        alternatives = [
            {"offer": int(alt["offer"]), "score": float(alt["score"]), "reasons": alt["reasons"]}
            for alt in ranked.get(rid, [])
            if str(alt["offer"]) != oid
        ][:MAX_ALTERNATIVES]
        run.suggestions.append(
            Suggestion(
                request_id=int(rid),
                offer_id=int(oid),
                score=float(pair["score"]),
                reasons=list(pair.get("reasons", [])),
                alternatives=alternatives,
                status=SuggestionStatus.PUBLISHED if publish else SuggestionStatus.PENDING,
                published_at=now if publish else None,
                created_at=now,
            )
        )
    reasons = {
        str(u["request"]): str(u.get("reason") or NO_OFFER_REASON)
        for u in result.get("unmatched", [])
    }
    # Every request the engine was given ends up paired or unmatched, whatever it reported.
    for request_id in sorted(request_ids):
        if str(request_id) not in paired:
            run.unmatched.append(
                UnmatchedRequest(
                    request_id=request_id,
                    reason=reasons.get(str(request_id), NO_OFFER_REASON)[:300],
                )
            )
    run.pairs_suggested = len(run.suggestions)
    run.requests_unmatched = len(run.unmatched)


# ---------------------------------------------------------------------------------------------
# Runs and suggestions for the review pages
# ---------------------------------------------------------------------------------------------


def latest_run() -> MatchRun | None:
    return db.session.scalars(
        sa.select(MatchRun).order_by(
            MatchRun.week_start.desc(), MatchRun.attempt.desc(), MatchRun.id.desc()
        )
    ).first()


def get_run(run_id: int) -> MatchRun | None:
    return db.session.get(MatchRun, run_id)


def get_suggestion(suggestion_id: int) -> Suggestion | None:
    """The suggestion with both posts and their schools."""
    return db.session.scalars(
        sa.select(Suggestion)
        .where(Suggestion.id == suggestion_id)
        .options(
            selectinload(Suggestion.run),
            selectinload(Suggestion.request).selectinload(Post.school),
            selectinload(Suggestion.offer).selectinload(Post.school),
        )
    ).one_or_none()


def percent(score: float) -> int:
    """A score as a whole percentage, for people."""
    return max(0, min(100, round(score * 100)))


def is_by_hand(suggestion: Suggestion) -> bool:
    """True when a coordinator made the pair rather than the matcher."""
    return list(suggestion.reasons or []) == [BY_HAND_REASON]


@dataclass
class Alternative:
    offer: Post
    score: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return percent(self.score)


@dataclass
class QueueItem:
    suggestion: Suggestion
    alternatives: list[Alternative]

    @property
    def percent(self) -> int:
        return percent(self.suggestion.score)

    @property
    def by_hand(self) -> bool:
        return is_by_hand(self.suggestion)


@dataclass
class UnmatchedItem:
    request: Post
    reason: str


@dataclass
class ReviewPage:
    run: MatchRun | None
    summary: str = ""
    pending: list[QueueItem] = field(default_factory=list)
    published: list[QueueItem] = field(default_factory=list)
    rejected: list[QueueItem] = field(default_factory=list)
    unmatched: list[UnmatchedItem] = field(default_factory=list)


def _suggestion_options() -> list[Any]:
    return [
        selectinload(Suggestion.request).selectinload(Post.school),
        selectinload(Suggestion.offer).selectinload(Post.school),
    ]


def _alt_offer(alt: dict[str, Any]) -> int:
    return int(alt["offer"])


def _alternative_posts(suggestions: list[Suggestion]) -> dict[int, Post]:
    ids = {_alt_offer(a) for s in suggestions for a in (s.alternatives or [])}
    if not ids:
        return {}
    posts = db.session.scalars(
        sa.select(Post).where(Post.id.in_(ids)).options(selectinload(Post.school))
    )
    return {p.id: p for p in posts}


def _queue_item(suggestion: Suggestion, posts: dict[int, Post]) -> QueueItem:
    alternatives = []
    alt: dict[str, Any]
    for alt in suggestion.alternatives or []:
        post = posts.get(_alt_offer(alt))
        if post is not None:
            alternatives.append(
                Alternative(
                    offer=post,
                    score=float(alt.get("score", 0.0)),
                    reasons=list(alt.get("reasons") or []),
                )
            )
    return QueueItem(suggestion=suggestion, alternatives=alternatives)


def review_page(run: MatchRun | None = None) -> ReviewPage:
    """The latest run's queue, its week's published and rejected pairs, and who is unmatched.

    A constant number of queries whatever the size of the run.
    """
    run = run or latest_run()
    if run is None:
        return ReviewPage(run=None)
    suggestions = list(
        db.session.scalars(
            sa.select(Suggestion)
            .join(MatchRun, MatchRun.id == Suggestion.run_id)
            .where(
                MatchRun.week_start == run.week_start,
                Suggestion.status != SuggestionStatus.SUPERSEDED,
            )
            .options(*_suggestion_options())
            .order_by(Suggestion.score.desc(), Suggestion.id)
        )
    )
    posts = _alternative_posts([s for s in suggestions if s.status == SuggestionStatus.PENDING])
    page = ReviewPage(run=run, summary=run_summary(run))
    for s in suggestions:
        if s.status == SuggestionStatus.PENDING:
            page.pending.append(_queue_item(s, posts))
        elif s.status == SuggestionStatus.PUBLISHED:
            page.published.append(QueueItem(suggestion=s, alternatives=[]))
        elif s.status == SuggestionStatus.REJECTED:
            page.rejected.append(QueueItem(suggestion=s, alternatives=[]))
    # A request paired by hand since the run is no longer waiting.
    handled = {s.request_id for s in suggestions if s.status != SuggestionStatus.REJECTED}
    unmatched = db.session.scalars(
        sa.select(UnmatchedRequest)
        .where(UnmatchedRequest.run_id == run.id)
        .options(selectinload(UnmatchedRequest.request).selectinload(Post.school))
        .order_by(UnmatchedRequest.id)
    )
    page.unmatched = [
        UnmatchedItem(request=u.request, reason=u.reason)
        for u in unmatched
        if u.request_id not in handled
    ]
    return page


def suggestion_detail(suggestion: Suggestion) -> QueueItem:
    """One suggestion with its alternatives' posts loaded."""
    return _queue_item(suggestion, _alternative_posts([suggestion]))


# ---------------------------------------------------------------------------------------------
# Review actions: each records who and when, and commits once
# ---------------------------------------------------------------------------------------------


def _today() -> date:
    return partnership_today()


# How a reviewed suggestion's status reads in a sentence: "This suggestion has been ...".
STATUS_WORDS = {
    SuggestionStatus.PUBLISHED: "published",
    SuggestionStatus.REJECTED: "rejected",
    SuggestionStatus.SUPERSEDED: "replaced by a later run",
}


def _require_pending(suggestion: Suggestion) -> None:
    if suggestion.status != SuggestionStatus.PENDING:
        raise ReviewError(
            f"This suggestion has already been {STATUS_WORDS[suggestion.status]}; "
            "it cannot be changed"
        )


def _require_open(*posts: Post) -> None:
    today = _today()
    for post in posts:
        if not is_open(post, today):
            noun = "request" if post.kind == PostKind.REQUEST else "offer"
            raise ReviewError(f"The {noun} “{post.title}” is no longer open")


def _reviewed(suggestion: Suggestion, by: User, now: datetime) -> None:
    suggestion.reviewed_by_id = by.id
    suggestion.reviewed_at = now


def _publish(suggestion: Suggestion, by: User, now: datetime) -> None:
    suggestion.status = SuggestionStatus.PUBLISHED
    suggestion.published_at = now
    _reviewed(suggestion, by, now)


def _pair_words(suggestion: Suggestion) -> str:
    # School names, not post titles: the log outlives the posts' words (see app.retention).
    return f"{suggestion.offer.school.name} could help {suggestion.request.school.name}"


def _pair_details(suggestion: Suggestion) -> dict[str, object]:
    return {
        "run": suggestion.run_id,
        "request": suggestion.request_id,
        "offer": suggestion.offer_id,
        "score": round(float(suggestion.score), 3),
    }


def approve(suggestion: Suggestion, by: User) -> None:
    """Publish a pending suggestion: it goes into the next digest."""
    _require_pending(suggestion)
    # A post closed since the run must not reach the schools.
    _require_open(suggestion.request, suggestion.offer)
    now = utcnow()
    _publish(suggestion, by, now)
    record(
        by,
        "approve",
        suggestion,
        f"Approved suggestion {suggestion.id}: {_pair_words(suggestion)}",
        details=_pair_details(suggestion),
        now=now,
    )
    db.session.commit()


def reject(suggestion: Suggestion, reason: str, by: User) -> None:
    """Reject with a reason; the pair is never suggested again."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReviewError("Enter why you are rejecting this suggestion")
    if len(reason) > REJECT_REASON_MAX:
        raise ReviewError(f"The reason must be {REJECT_REASON_MAX} characters or fewer")
    _require_pending(suggestion)
    now = utcnow()
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.reject_reason = reason
    _reviewed(suggestion, by, now)
    ruled_out = db.session.scalar(sa.select(RuledOutPair.id).where(
        RuledOutPair.request_id == suggestion.request_id,
        RuledOutPair.offer_id == suggestion.offer_id))
    if ruled_out is None:
        db.session.add(RuledOutPair(request_id=suggestion.request_id,
                                    offer_id=suggestion.offer_id, created_at=now))
    record(
        by,
        "reject",
        suggestion,
        f"Rejected suggestion {suggestion.id}: {_pair_words(suggestion)}",
        reason=reason,
        details=_pair_details(suggestion),
        now=now,
    )
    db.session.commit()


def swap(suggestion: Suggestion, offer_post_id: int, by: User) -> Post:
    """Swap the offer for one of the ranked alternatives; the old offer becomes an alternative."""
    _require_pending(suggestion)
    alternatives: list[dict[str, Any]] = list(suggestion.alternatives or [])
    chosen = next((a for a in alternatives if _alt_offer(a) == offer_post_id), None)
    if chosen is None:
        raise ReviewError("Choose one of the offers ranked behind this suggestion")
    offer = db.session.get(Post, offer_post_id)
    if offer is None:
        raise ReviewError("That offer no longer exists")
    _require_open(offer)
    old: dict[str, Any] = {
        "offer": suggestion.offer_id,
        "score": suggestion.score,
        "reasons": suggestion.reasons,
    }
    rest = [a for a in alternatives if a is not chosen] + [old]
    rest.sort(key=lambda a: -float(a["score"]))
    old_school = suggestion.offer.school.name
    suggestion.offer = offer
    suggestion.score = float(chosen["score"])
    suggestion.reasons = list(chosen.get("reasons") or [])
    # A new list, so the JSON column is seen as changed.
    suggestion.alternatives = rest
    now = utcnow()
    _reviewed(suggestion, by, now)
    record(
        by,
        "swap",
        suggestion,
        f"Swapped suggestion {suggestion.id} from {old_school} to {offer.school.name} "
        f"for {suggestion.request.school.name}",
        details={"from_offer": old["offer"], "to_offer": offer.id},
        now=now,
    )
    db.session.commit()
    return offer


def set_note(suggestion: Suggestion, note: str, by: User) -> None:
    """The coordinator's note, shown to both schools with the suggestion."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReviewError(f"The note must be {NOTE_MAX} characters or fewer")
    if suggestion.status not in (SuggestionStatus.PENDING, SuggestionStatus.PUBLISHED):
        raise ReviewError(
            f"This suggestion has been {STATUS_WORDS[suggestion.status]}; its note cannot change"
        )
    before = suggestion.note
    suggestion.note = note
    now = utcnow()
    _reviewed(suggestion, by, now)
    if note != before:
        record(
            by,
            "edit_note",
            suggestion,
            f"{'Changed' if note else 'Removed'} the note on suggestion {suggestion.id}: "
            f"{_pair_words(suggestion)}",
            details={"before": before, "after": note},
            now=now,
        )
    db.session.commit()


def approve_all_above(run: MatchRun, threshold: float, by: User) -> int:
    """Publish every pending suggestion of the run scoring at least `threshold` (0 to 1).

    Suggestions whose posts have closed since the run are left for a person to look at.
    Each one published gets its own audit entry, so every suggestion's history is complete.
    """
    today = _today()
    now = utcnow()
    pending = db.session.scalars(
        sa.select(Suggestion)
        .where(
            Suggestion.run_id == run.id,
            Suggestion.status == SuggestionStatus.PENDING,
            Suggestion.score >= threshold,
        )
        .options(*_suggestion_options())
        .order_by(Suggestion.score.desc(), Suggestion.id)
    ).all()
    count = 0
    percent_words = f"{percent(threshold)}%"
    for suggestion in pending:
        if is_open(suggestion.request, today) and is_open(suggestion.offer, today):
            _publish(suggestion, by, now)
            record(
                by,
                "approve",
                suggestion,
                f"Approved suggestion {suggestion.id} with all scoring {percent_words} or more: "
                f"{_pair_words(suggestion)}",
                details=_pair_details(suggestion) | {"bulk": True, "threshold": threshold},
                now=now,
            )
            count += 1
    db.session.commit()
    return count


def pair_by_hand(request: Post, offer: Post, by: User, *, reason: str = "") -> Suggestion:
    """A coordinator's own pair, published at once in the latest run."""
    if request.kind != PostKind.REQUEST or offer.kind != PostKind.OFFER:
        raise ReviewError("Pair a request with an offer")
    if request.school_id == offer.school_id:
        raise ReviewError("Choose an offer from another school")
    _require_open(request, offer)
    run = latest_run()
    if run is None:
        raise ReviewError("Run matching first: a hand-made pair joins the latest run")
    now = utcnow()
    suggestion = db.session.scalars(
        sa.select(Suggestion).where(
            Suggestion.run_id == run.id, Suggestion.request_id == request.id
        )
    ).one_or_none()
    if suggestion is not None and suggestion.status == SuggestionStatus.PUBLISHED:
        raise ReviewError("This request already has a published suggestion this week")
    if suggestion is not None and suggestion.status == SuggestionStatus.PENDING:
        raise ReviewError(
            "This request has a suggestion waiting for review: swap or reject it first"
        )
    if suggestion is None:
        suggestion = Suggestion(run=run, request=request)
        db.session.add(suggestion)
    # One suggestion per request per run: a rejected one is replaced by the coordinator's pair.
    suggestion.offer = offer
    suggestion.score = BY_HAND_SCORE
    suggestion.reasons = [BY_HAND_REASON]
    suggestion.alternatives = []
    suggestion.reject_reason = ""
    _publish(suggestion, by, now)
    db.session.flush()  # the new suggestion's id, for its audit entry
    record(
        by,
        "pair_by_hand",
        suggestion,
        f"Paired by hand in suggestion {suggestion.id}: {offer.school.name} could help "
        f"{request.school.name}",
        reason=reason,
        details={"run": run.id, "request": request.id, "offer": offer.id},
        now=now,
    )
    db.session.commit()
    return suggestion


def offers_for_pairing(request: Post) -> list[Post]:
    """Open offers from other schools, by school then title."""
    return list(
        db.session.scalars(
            sa.select(Post)
            .join(Post.school)
            .where(
                open_posts_filter(_today()),
                Post.kind == PostKind.OFFER,
                Post.school_id != request.school_id,
            )
            .options(selectinload(Post.school))
            .order_by(sa.func.lower(Post.title), Post.id)
        )
    )


def get_post(post_id: int) -> Post | None:
    """The post with its school and tags."""
    return load_post(post_id)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def suggestions_csv(run: MatchRun) -> str:
    """A run's suggestions as CSV text, one row per suggestion."""
    rows = db.session.scalars(
        sa.select(Suggestion)
        .where(Suggestion.run_id == run.id)
        .options(selectinload(Suggestion.request), selectinload(Suggestion.offer))
        .order_by(Suggestion.id)
    )
    return to_csv(
        EXPORT_COLUMNS,
        (
            (
                s.request_id,
                s.request.external_id or "",
                s.offer_id,
                s.offer.external_id or "",
                f"{s.score:.3f}",
                s.status.value,
                "; ".join(s.reasons_for("coordinator")),
            )
            for s in rows
        ),
    )


def count_suggestions(run: MatchRun) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Suggestion.id)).where(Suggestion.run_id == run.id)
        )
        or 0
    )
