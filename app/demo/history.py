"""Half a year of demo history, so the dashboard means something on the first `make run`.

It replays the weekly cycle with the real matcher: one run per week, the coordinators' review,
the digest, the schools' answers, introductions, aims, check-ins and impact, each back-dated to
when it would have happened. Seeded, so every demo is the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.audit.services import record as audit
from app.extensions import db
from app.models import (
    Answer,
    CheckIn,
    CheckInAnswer,
    DigestRun,
    Impact,
    Partnership,
    PartnershipStatus,
    Post,
    PostStatus,
    Role,
    Suggestion,
    SuggestionStatus,
    User,
)
from app.partnerships.services import transition
from app.review.services import run_matching

S = PartnershipStatus
REJECT_REASONS = [
    "Both schools are already working together through the maths hub",
    "The offer is for Key Stage 2; the request is about Reception",
    "The offering school has asked for a quiet term",
]
WHO_FOR = [
    "Year 5 and 6 pupils and their teachers",
    "Our two new SENCos",
    "Reception children and the EYFS team",
    "Teaching assistants across both schools",
    "Subject leaders in their first year",
    "Pupils who are persistently absent, and their families",
]
DIFFERENCES = [
    "More pupils reach the expected standard by the summer",
    "Staff feel confident to teach it without support",
    "Fewer pupils need extra intervention next term",
    "Children talk about their learning with more confidence",
]
EVIDENCE = [
    "Termly assessment compared with last year's cohort",
    "Book looks and pupil voice before and after",
    "Attendance figures for the pupils involved",
    "Staff confidence survey at the start and the end",
]
CHANGES = [
    "Teachers now plan the sequence together and pupils can explain their reasoning.",
    "Our TAs run the intervention with fidelity; pupils catch up faster.",
    "The new policy is in place and staff use it consistently.",
    "Pupils are more engaged; behaviour in those lessons has improved.",
    "Our leader has a clear plan and the confidence to lead it.",
]
QUOTES = [
    "Seeing it in a real classroom did more than any course.",
    "A generous partner: we came away with plans we use every week.",
    "Our staff now ask each other for help, which is the real change.",
    "Small school, big difference: the children noticed first.",
    "Worth every minute of the drive.",
]


@dataclass
class HistorySummary:
    runs: int = 0
    suggestions: int = 0
    partnerships: int = 0
    impacts: int = 0

    def text(self) -> str:
        return (
            f"History: {self.runs} weekly runs, {self.suggestions} suggestions, "
            f"{self.partnerships} partnerships, {self.impacts} impact reports."
        )


def _thursday_evening(week_start: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(week_start + timedelta(days=3), time(19), zone).astimezone(UTC)


def _answer(rng: random.Random) -> Answer | None:
    roll = rng.random()
    if roll < 0.72:
        return Answer.INTERESTED
    if roll < 0.84:
        return Answer.NOT_NOW
    if roll < 0.9:
        return Answer.NOT_RELEVANT
    return None


def load_history(now: datetime, weeks: int = 30, seed: int = 2026) -> HistorySummary:
    """Replay `weeks` weekly cycles before `now` over the demo posts. Commits."""
    rng = random.Random(seed)
    zone = ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"])
    coordinator = db.session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR).order_by(User.id)
    ).first()
    summary = HistorySummary()
    this_week = now.astimezone(zone).date() - timedelta(days=now.astimezone(zone).weekday())
    # Posts arrive over the half-year: a third were there at the start, the rest week by week.
    posts = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
    arrival = {p.id: (weeks if rng.random() < 0.35 else rng.randint(1, weeks)) for p in posts}
    for post in posts:
        week = this_week - timedelta(weeks=arrival[post.id])
        post.created_at = post.updated_at = _thursday_evening(week, zone) - timedelta(
            days=rng.randint(1, 6), hours=rng.randint(0, 8)
        )

    for back in range(weeks, 0, -1):
        week = this_week - timedelta(weeks=back)
        run_at = _thursday_evening(week, zone)
        # Posts not yet written are paused, which keeps them out of this run.
        arrived = [pid for pid, at in arrival.items() if at >= back]
        for ids, status in (
            (arrived, PostStatus.OPEN),
            (set(arrival) - set(arrived), PostStatus.PAUSED),
        ):
            db.session.execute(
                sa.update(Post)
                .where(Post.id.in_(ids), Post.status != PostStatus.CLOSED)
                .values(status=status, updated_at=Post.created_at)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        outcome = run_matching(run_at)
        if not outcome.created or outcome.run is None:
            continue
        summary.runs += 1
        run = outcome.run
        reviewed_at = run_at + timedelta(hours=15)
        monday = datetime.combine(week + timedelta(days=7), time(7), zone).astimezone(UTC)
        # The last run's suggestions wait for this Monday's digest, so the first real
        # digest has something to say.
        digest = (
            None
            if back == 1
            else DigestRun(
                week_start=week + timedelta(days=7), started_at=monday, finished_at=monday
            )
        )
        if digest is not None:
            db.session.add(digest)
            db.session.flush()
        for suggestion in run.suggestions:
            summary.suggestions += 1
            suggestion.reviewed_by_id = coordinator.id if coordinator else None
            suggestion.reviewed_at = reviewed_at
            if rng.random() < 0.08:
                suggestion.status = SuggestionStatus.REJECTED
                suggestion.reject_reason = rng.choice(REJECT_REASONS)
                audit(
                    coordinator,
                    "reject",
                    suggestion,
                    "Rejected a suggested pair",
                    reason=suggestion.reject_reason,
                    now=reviewed_at,
                )
                continue
            suggestion.status = SuggestionStatus.PUBLISHED
            suggestion.published_at = reviewed_at
            audit(coordinator, "approve", suggestion, "Approved a suggested pair", now=reviewed_at)
            if digest is None:
                continue
            suggestion.digest_run_id = digest.id
            _answers(suggestion, monday, rng, summary)
        db.session.flush()
        db.session.commit()

    _live_partnerships(now, rng, summary)
    _one_concern()
    db.session.commit()
    return summary


def _answers(
    suggestion: Suggestion, monday: datetime, rng: random.Random, summary: HistorySummary
) -> None:
    request_answer, offer_answer = _answer(rng), _answer(rng)
    for side, answer in (("request", request_answer), ("offer", offer_answer)):
        if answer is None:
            continue
        setattr(suggestion, f"{side}_answer", answer)
        setattr(suggestion, f"{side}_answered_at", monday + timedelta(hours=rng.randint(2, 90)))
    if request_answer is None or offer_answer is None:
        suggestion.reminded_at = monday + timedelta(days=7)
    if request_answer == offer_answer == Answer.INTERESTED:
        introduced = max(suggestion.request_answered_at, suggestion.offer_answered_at)  # type: ignore[type-var]
        db.session.add(
            Partnership(
                suggestion=suggestion,
                request_id=suggestion.request_id,
                offer_id=suggestion.offer_id,
                introduced_at=introduced,
            )
        )
        summary.partnerships += 1


def _live_partnerships(now: datetime, rng: random.Random, summary: HistorySummary) -> None:
    """Take each partnership as far as its age allows: aims, start, check-ins, impact."""
    partnerships = db.session.scalars(
        sa.select(Partnership).order_by(Partnership.introduced_at)
    ).all()
    for i, p in enumerate(partnerships[:-1]):  # the newest waits for its aims: always shown
        age = (now - p.introduced_at).days
        # The second newest always has its aims agreed and has not started, whichever pairs
        # the matcher made and whatever the rolls: the demo shows every stage.
        pending = i == len(partnerships) - 2
        if pending or (age >= 10 and rng.random() < 0.9):
            agreed = min(p.introduced_at + timedelta(days=rng.randint(5, 10)),
                         now - timedelta(hours=1))
            # Those introduced in the last three weeks start after next week, so the demo always
            # shows partnerships with aims agreed that have not started yet.
            _agree(p, agreed, rng, not_before=(now + timedelta(days=7)).date()
                   if age < 24 or pending else None)
            if not pending and rng.random() < 0.1:
                transition(p, S.WITHDRAWN, agreed + timedelta(days=rng.randint(3, 20)))
                p.withdrawn_reason = "Staffing changes mean we can't give it the time this year"
                continue
            started = datetime.combine(p.starts_on, time(9), UTC)  # type: ignore[arg-type]
            if started <= now:
                transition(p, S.ACTIVE, started)
                _check_ins(p, started, now, rng)
                ended = datetime.combine(p.ends_on, time(16), UTC)  # type: ignore[arg-type]
                # Most record their impact when they finish; a few still owe it.
                if ended <= now and rng.random() < 0.85:
                    summary.impacts += _complete(p, rng)
        elif age >= 21 and rng.random() < 0.5:
            transition(p, S.WITHDRAWN, p.introduced_at + timedelta(days=rng.randint(14, 20)))
            p.withdrawn_reason = "We could not find a date that suited both schools"


def _agree(p: Partnership, agreed: datetime, rng: random.Random,
           not_before: date | None = None) -> None:
    p.aims_what = (
        f"{p.offer.school.name} will share how they approach “{p.offer.title}”: a visit, "
        "a planning session together, and a follow-up call."
    )
    p.aims_who = rng.choice(WHO_FOR)
    p.aims_difference = rng.choice(DIFFERENCES)
    p.aims_evidence = rng.choice(EVIDENCE)
    p.time_commitment = rng.choice(
        ["Three half-days", "An hour a week for six weeks", "Two visits"]
    )
    p.starts_on = (agreed + timedelta(days=rng.randint(3, 21))).date()
    if not_before is not None and p.starts_on < not_before:
        p.starts_on = not_before
    p.ends_on = p.starts_on + timedelta(weeks=rng.choice([6, 8, 10]))
    p.aims_set_by_id = p.request.author_id
    transition(p, S.AGREED, agreed)


def _check_ins(p: Partnership, started: datetime, now: datetime, rng: random.Random) -> None:
    for weeks in (6, 12):
        sent = started + timedelta(weeks=weeks)
        if sent > now or (p.ends_on and sent.date() > p.ends_on):
            continue
        for school_id in (p.request.school_id, p.offer.school_id):
            roll = rng.random()
            answer = (
                CheckInAnswer.GOING_WELL
                if roll < 0.75
                else CheckInAnswer.SLOW_START
                if roll < 0.92
                else CheckInAnswer.NOT_WORKING
                if roll < 0.96
                else None
            )
            p.check_ins.append(
                CheckIn(
                    school_id=school_id,
                    weeks=weeks,
                    sent_at=sent,
                    created_at=sent,
                    answer=answer,
                    note="We keep having to cancel visits; could someone help us re-plan?"
                    if answer == CheckInAnswer.NOT_WORKING
                    else "",
                    answered_at=sent + timedelta(hours=rng.randint(1, 48)) if answer else None,
                )
            )


def _complete(p: Partnership, rng: random.Random) -> int:
    finished = datetime.combine(p.ends_on, time(16), UTC)  # type: ignore[arg-type]
    transition(p, S.COMPLETED, finished)
    p.request.status = PostStatus.CLOSED
    written = 0
    for post in (p.request, p.offer):
        if written and rng.random() < 0.25:
            break  # the other school has not recorded theirs yet
        rating = rng.choices([5, 4, 3, 2], weights=[4, 5, 2, 1])[0]
        p.impacts.append(
            Impact(
                school_id=post.school_id,
                author_id=post.author_id,
                what_changed=rng.choice(CHANGES),
                pupils_reached=rng.randint(8, 120) if post is p.request else rng.randint(0, 30),
                staff_reached=rng.randint(1, 12),
                evidence=rng.choice(EVIDENCE),
                rating=rating,
                quote=rng.choice(QUOTES) if rating >= 4 else "",
                quote_shareable=rating >= 4 and rng.random() < 0.8,
                created_at=finished + timedelta(days=rng.randint(0, 6)),
            )
        )
        written += 1
    return written


def _one_concern() -> None:
    """Make sure the coordinators have a "this isn't working" to follow up, as real terms do."""
    check_in = db.session.scalars(
        sa.select(CheckIn)
        .join(CheckIn.partnership)
        .where(Partnership.status == S.ACTIVE, CheckIn.answer.is_not(None))
        .order_by(CheckIn.sent_at.desc())
    ).first()
    if check_in is not None:
        check_in.answer = CheckInAnswer.NOT_WORKING
        check_in.note = "We keep having to cancel visits; could someone help us re-plan?"
