"""A partnership's life: aims, starting, check-ins, impact and withdrawal.

introduced -> agreed (aims set) -> active (started) -> completed (impact recorded), and
withdrawn from any unfinished state. `transition` is the only place a status changes, so no
route or job can make an illegal jump.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.audit.services import record as audit
from app.config import checkin_weeks
from app.extensions import db
from app.mail import Mail, render_mail, send
from app.models import (
    CheckIn,
    CheckInAnswer,
    Impact,
    Partnership,
    PartnershipStatus,
    Post,
    School,
    User,
    utcnow,
)
from app.posts.services import partnership_today
from app.replies.services import LinkProblem, link_error, record_bounces, school_contacts
from app.templating import nice_date as nice
from app.tokens import InvalidToken, make_token, read_token
from app.urls import external_url

S = PartnershipStatus
ALLOWED: dict[PartnershipStatus, frozenset[PartnershipStatus]] = {
    S.INTRODUCED: frozenset({S.AGREED, S.WITHDRAWN}),
    S.AGREED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.COMPLETED, S.WITHDRAWN}),
    S.COMPLETED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
UNFINISHED = (S.INTRODUCED, S.AGREED, S.ACTIVE)

STATUS_LABELS = {
    S.INTRODUCED: "Introduced",
    S.AGREED: "Aims agreed",
    S.ACTIVE: "Under way",
    S.COMPLETED: "Completed",
    S.WITHDRAWN: "Withdrawn",
}
# GOV.UK tag colours for each state.
STATUS_CLASSES = {
    S.INTRODUCED: "govuk-tag--blue",
    S.AGREED: "govuk-tag--turquoise",
    S.ACTIVE: "govuk-tag--green",
    S.COMPLETED: "govuk-tag--purple",
    S.WITHDRAWN: "govuk-tag--grey",
}
CHECK_IN_LABELS = {
    CheckInAnswer.GOING_WELL: "Going well",
    CheckInAnswer.SLOW_START: "Slower than we hoped",
    CheckInAnswer.NOT_WORKING: "This isn't working",
}
RATING_LABELS = {
    5: "A big difference",
    4: "A clear difference",
    3: "Some difference",
    2: "A little difference",
    1: "No difference yet",
}
CHECK_IN = "check-in"
NOTE_MAX_LENGTH = 500


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow (e.g. introduced straight to completed)."""


class NotAllowed(Exception):
    """This person may not do this to this partnership; the message says why, in plain words."""


# --- reading ---------------------------------------------------------------------------------


def _loaded() -> Sequence[Any]:
    return (
        selectinload(Partnership.request).selectinload(Post.school),
        selectinload(Partnership.offer).selectinload(Post.school),
        selectinload(Partnership.check_ins),
        selectinload(Partnership.impacts).selectinload(Impact.author),
    )


def get_partnership(partnership_id: int) -> Partnership | None:
    return db.session.scalars(
        sa.select(Partnership).where(Partnership.id == partnership_id).options(*_loaded())
    ).one_or_none()


def school_ids(partnership: Partnership) -> tuple[int, int]:
    """(requesting school, offering school)."""
    return partnership.request.school_id, partnership.offer.school_id


def sides(partnership: Partnership, school_id: int | None) -> tuple[School, School]:
    """(this school, the other school) of a partnership, for a school that is one of its two."""
    request_school, offer_school = partnership.request.school, partnership.offer.school
    if school_id == request_school.id:
        return request_school, offer_school
    return offer_school, request_school


def can_view(user: User, partnership: Partnership) -> bool:
    return user.is_coordinator or user.school_id in school_ids(partnership)


def is_member(user: User, partnership: Partnership) -> bool:
    """A person of one of the two schools: they set aims, start, record impact, withdraw."""
    return user.school_id is not None and user.school_id in school_ids(partnership)


def transition(partnership: Partnership, to: PartnershipStatus, now: datetime) -> None:
    """Move to `to`, stamping when it happened; raises IllegalTransition for a jump."""
    if to not in ALLOWED[partnership.status]:
        raise IllegalTransition(f"A partnership cannot go from {partnership.status} to {to}")
    partnership.status = to
    stamp = {
        S.AGREED: "agreed_at",
        S.ACTIVE: "started_at",
        S.COMPLETED: "completed_at",
        S.WITHDRAWN: "withdrawn_at",
    }[to]
    setattr(partnership, stamp, now)


def _require_member(user: User, partnership: Partnership) -> None:
    if not is_member(user, partnership):
        raise NotAllowed("Only the two schools in a partnership can change it")


# --- aims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AimsData:
    what: str
    who: str
    difference: str
    evidence: str
    time_commitment: str
    starts_on: date | None
    ends_on: date | None


def has_aims(partnership: Partnership) -> bool:
    return bool(partnership.aims_what)


def set_aims(
    partnership: Partnership, data: AimsData, by: User, now: datetime | None = None
) -> None:
    """Save the aims; a newly introduced pair becomes 'agreed'. Changing them later is fine."""
    now = now or utcnow()
    _require_member(by, partnership)
    if partnership.status not in UNFINISHED:
        raise NotAllowed("This partnership has finished, so its aims can no longer change")
    partnership.aims_what = data.what
    partnership.aims_who = data.who
    partnership.aims_difference = data.difference
    partnership.aims_evidence = data.evidence
    partnership.time_commitment = data.time_commitment
    partnership.starts_on = data.starts_on
    partnership.ends_on = data.ends_on
    partnership.aims_set_by_id = by.id
    if partnership.status == S.INTRODUCED:
        transition(partnership, S.AGREED, now)
    db.session.commit()


def start(partnership: Partnership, by: User, now: datetime | None = None) -> None:
    """'We have started': agreed -> active."""
    _require_member(by, partnership)
    transition(partnership, S.ACTIVE, now or utcnow())
    db.session.commit()


def start_due(now: datetime) -> int:
    """Agreed partnerships whose start date has come become active. Returns how many."""
    today = partnership_today(now)
    due = db.session.scalars(
        sa.select(Partnership).where(
            Partnership.status == S.AGREED,
            Partnership.starts_on.is_not(None),
            Partnership.starts_on <= today,
        )
    ).all()
    for partnership in due:
        transition(partnership, S.ACTIVE, now)
    if due:
        db.session.commit()
    return len(due)


def withdraw(partnership: Partnership, reason: str, by: User, now: datetime | None = None) -> None:
    """Either school, or a coordinator, ends an unfinished partnership with a reason."""
    now = now or utcnow()
    if not (is_member(by, partnership) or by.is_coordinator):
        raise NotAllowed("Only the two schools or a coordinator can withdraw a partnership")
    transition(partnership, S.WITHDRAWN, now)
    partnership.withdrawn_reason = reason[:300]
    if not is_member(by, partnership):
        audit(
            by,
            "withdraw_partnership",
            partnership,
            f"Withdrew {title(partnership)}",
            reason=reason,
            now=now,
        )
    db.session.commit()


def title(partnership: Partnership) -> str:
    """'Alpha Primary helping Beta Academy': the giver first."""
    return f"{partnership.offer.school.name} helping {partnership.request.school.name}"


# --- impact ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactData:
    what_changed: str
    pupils_reached: int
    staff_reached: int
    evidence: str
    rating: int
    quote: str
    quote_shareable: bool


def impact_of(partnership: Partnership, school_id: int | None) -> Impact | None:
    return next((i for i in partnership.impacts if i.school_id == school_id), None)


def can_record_impact(user: User, partnership: Partnership) -> bool:
    return (
        is_member(user, partnership)
        and partnership.status in (S.ACTIVE, S.COMPLETED)
        and impact_of(partnership, user.school_id) is None
    )


def record_impact(
    partnership: Partnership, data: ImpactData, by: User, now: datetime | None = None
) -> list[str]:
    """Record the impact for the person's school. The first school's record completes the
    partnership and asks the other school for theirs. Returns the addresses asked."""
    now = now or utcnow()
    _require_member(by, partnership)
    if partnership.status not in (S.ACTIVE, S.COMPLETED):
        raise NotAllowed("Impact is recorded once a partnership is under way")
    if impact_of(partnership, by.school_id) is not None:
        raise NotAllowed("Your school has already recorded the impact of this partnership")
    impact = Impact(
        partnership=partnership,
        school_id=by.school_id,
        author_id=by.id,
        what_changed=data.what_changed,
        pupils_reached=data.pupils_reached,
        staff_reached=data.staff_reached,
        evidence=data.evidence,
        rating=data.rating,
        quote=data.quote,
        quote_shareable=data.quote_shareable and bool(data.quote),
        created_at=now,
    )
    db.session.add(impact)
    completing = partnership.status == S.ACTIVE
    if completing:
        transition(partnership, S.COMPLETED, now)
    db.session.commit()
    return _ask_other_school_for_impact(partnership, by, now) if completing else []


def _ask_other_school_for_impact(partnership: Partnership, by: User, now: datetime) -> list[str]:
    my_school, other_school = sides(partnership, by.school_id)
    people = school_contacts([other_school.id])[other_school.id]
    if not people:
        return []
    url = external_url("partnerships.impact", partnership_id=partnership.id)
    mails = [
        render_mail(
            person.email,
            f"{my_school.name} has recorded the impact of your partnership",
            "impact_request",
            partnership=current_app.config["PARTNERSHIP_NAME"],
            person=person,
            my_school=my_school,
            title=title(partnership),
            url=url,
        )
        for person in people
    ]
    results = send(mails)
    record_bounces(results, {p.email: p for p in people}, now)
    return [r.to for r in results if r.ok]


# --- check-ins -------------------------------------------------------------------------------


def check_in_token(check_in: CheckIn, user: User, answer: CheckInAnswer) -> str:
    return make_token(CHECK_IN, {"c": check_in.id, "u": user.id, "a": answer.value})


@dataclass
class CheckInLink:
    check_in: CheckIn
    user: User
    answer: CheckInAnswer

    @property
    def partnership(self) -> Partnership:
        return self.check_in.partnership


def open_check_in_link(token: str) -> CheckInLink:
    """The check-in, person and answer a link stands for; LinkProblem if it can't be used.

    Reading a link changes nothing: only `answer_check_in` (a POST) does.
    """
    try:
        payload = read_token(CHECK_IN, token, current_app.config["REPLY_LINK_MAX_AGE"])
    except InvalidToken as exc:
        raise link_error(exc) from None
    try:
        answer = CheckInAnswer(payload.get("a"))
    except ValueError:
        raise LinkProblem("invalid", 400) from None
    check_in = db.session.get(CheckIn, payload.get("c"))
    user = db.session.get(User, payload.get("u"))
    if check_in is None or user is None:
        raise LinkProblem("invalid", 404)
    if not user.active or user.school_id != check_in.school_id:
        raise LinkProblem("forbidden", 403)
    if check_in.partnership.status not in UNFINISHED:
        raise LinkProblem("closed", 410)
    return CheckInLink(check_in, user, answer)


def answer_check_in(link: CheckInLink, note: str, now: datetime | None = None) -> None:
    """Record (or change) the school's answer to a check-in."""
    check_in = link.check_in
    check_in.answer = link.answer
    check_in.note = note[:NOTE_MAX_LENGTH]
    check_in.answered_at = now or utcnow()
    check_in.answered_by_id = link.user.id
    db.session.commit()


def check_in_answer_urls(check_in: CheckIn, user: User) -> dict[CheckInAnswer, str]:
    return {
        answer: external_url("partnerships.check_in", token=check_in_token(check_in, user, answer))
        for answer in CheckInAnswer
    }


def _due_week(started: datetime, today: date, weeks: list[int]) -> int | None:
    """The latest check-in week that has come: a missed earlier one is not sent late."""
    started_on = partnership_today(started)
    due = [w for w in weeks if started_on + timedelta(weeks=w) <= today]
    return max(due) if due else None


@dataclass
class CheckInOutcome:
    created: int = 0
    emails_sent: int = 0
    failed: list[str] = field(default_factory=list)


def send_check_ins(now: datetime) -> CheckInOutcome:
    """Create the check-ins that have come due and email every one not yet sent.

    Rows are committed before any email goes, and a row is marked sent only once delivered,
    so a crash or a mail outage means a retry tomorrow, never a duplicate or a silent loss.
    """
    outcome = CheckInOutcome()
    weeks = checkin_weeks(current_app.config["CHECKIN_WEEKS"])
    today = partnership_today(now)
    active = db.session.scalars(
        sa.select(Partnership).where(Partnership.status == S.ACTIVE).options(*_loaded())
    ).all()
    for partnership in active:
        week = _due_week(partnership.started_at or now, today, weeks)
        if week is None:
            continue
        have = {(c.school_id, c.weeks) for c in partnership.check_ins}
        for school_id in school_ids(partnership):
            if (school_id, week) not in have:
                partnership.check_ins.append(
                    CheckIn(school_id=school_id, weeks=week, created_at=now)
                )
                outcome.created += 1
    db.session.commit()

    unsent = db.session.scalars(
        sa.select(CheckIn)
        .join(CheckIn.partnership)
        .where(CheckIn.sent_at.is_(None), Partnership.status == S.ACTIVE)
        .options(selectinload(CheckIn.partnership).options(*_loaded()))
        .order_by(CheckIn.id)
    ).all()
    contacts = school_contacts(c.school_id for c in unsent)
    for check_in in unsent:
        people = contacts.get(check_in.school_id, [])
        mails = [_check_in_mail(check_in, person) for person in people]
        if not mails:
            continue  # nobody to ask yet; coordinators see the school has no contact
        results = send(mails)
        record_bounces(results, {p.email: p for p in people}, now)
        if any(r.ok for r in results):
            check_in.sent_at = now
            db.session.commit()
            outcome.emails_sent += sum(r.ok for r in results)
        outcome.failed += [r.to for r in results if not r.ok]
    return outcome


def _check_in_mail(check_in: CheckIn, person: User) -> Mail:
    partnership = check_in.partnership
    _, their_school = sides(partnership, check_in.school_id)
    urls = check_in_answer_urls(check_in, person)
    return render_mail(
        person.email,
        f"How is your partnership with {their_school.name} going?",
        "check_in",
        partnership_name=current_app.config["PARTNERSHIP_NAME"],
        person=person,
        their_school=their_school,
        weeks=check_in.weeks,
        aims=partnership.aims_what,
        answers=[(CHECK_IN_LABELS[a], urls[a]) for a in CheckInAnswer],
        page_url=external_url("partnerships.view", partnership_id=partnership.id),
    )


# --- pages -----------------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    when: datetime | None


@dataclass
class CheckInView:
    school: School
    weeks: int
    answer: str
    note: str
    answered_at: datetime | None
    private: bool


@dataclass
class PartnershipPage:
    """What the partnership page shows to this person."""

    partnership: Partnership
    title: str
    status_label: str
    status_class: str
    giver: School
    receiver: School
    my_school: School | None
    steps: list[Step]
    check_ins: list[CheckInView]
    impacts: list[Impact]
    can_set_aims: bool
    can_start: bool
    can_record_impact: bool
    can_withdraw: bool
    next_action: str
    dates: str


def _check_in_views(partnership: Partnership, viewer: User) -> list[CheckInView]:
    schools = {p.school_id: p.school for p in (partnership.request, partnership.offer)}
    views = []
    for c in partnership.check_ins:
        if c.answer is None:
            continue
        own = c.school_id == viewer.school_id
        private = c.answer == CheckInAnswer.NOT_WORKING
        # "This isn't working" and every note reach coordinators (and the school that wrote
        # them) only, so a school can ask for help without the other school seeing it.
        if not (viewer.is_coordinator or own) and private:
            continue
        views.append(
            CheckInView(
                school=schools[c.school_id],
                weeks=c.weeks,
                answer=CHECK_IN_LABELS[c.answer],
                note=c.note if (viewer.is_coordinator or own) else "",
                answered_at=c.answered_at,
                private=private,
            )
        )
    return views


def next_action(partnership: Partnership, school_id: int | None) -> str:
    """What this school should do next, in a few words ('' when nothing)."""
    status = partnership.status
    if status == S.INTRODUCED:
        return "Agree your aims"
    if status == S.AGREED and partnership.starts_on is None:
        # With a start date the daily job starts it; without one, only the schools can.
        return "Tell us when you have started"
    if status in (S.ACTIVE, S.COMPLETED) and impact_of(partnership, school_id) is None:
        if status == S.COMPLETED:
            return "Record your impact"
        ends = partnership.ends_on
        if ends is not None and ends <= partnership_today():
            return "Record your impact"
    return ""


def partnership_page(partnership: Partnership, viewer: User) -> PartnershipPage:
    member = is_member(viewer, partnership)
    my_school = sides(partnership, viewer.school_id)[0] if member else None
    return PartnershipPage(
        partnership=partnership,
        title=title(partnership),
        status_label=STATUS_LABELS[partnership.status],
        status_class=STATUS_CLASSES[partnership.status],
        giver=partnership.offer.school,
        receiver=partnership.request.school,
        my_school=my_school,
        steps=[
            Step("Introduced", partnership.introduced_at),
            Step("Aims agreed", partnership.agreed_at),
            Step("Started", partnership.started_at),
            Step("Completed", partnership.completed_at),
        ]
        + ([Step("Withdrawn", partnership.withdrawn_at)] if partnership.withdrawn_at else []),
        check_ins=_check_in_views(partnership, viewer),
        impacts=list(partnership.impacts),
        can_set_aims=member and partnership.status in UNFINISHED,
        can_start=member and partnership.status == S.AGREED,
        can_record_impact=can_record_impact(viewer, partnership),
        can_withdraw=(member or viewer.is_coordinator) and partnership.status in UNFINISHED,
        next_action=next_action(partnership, viewer.school_id) if member else "",
        dates=_dates(partnership.starts_on, partnership.ends_on),
    )


def _dates(starts: date | None, ends: date | None) -> str:
    if starts and ends:
        return f"{nice(starts)} to {nice(ends)}"
    if starts:
        return f"From {nice(starts)}"
    if ends:
        return f"Until {nice(ends)}"
    return "Not given"


# Where each next action is done; anything else is done on the partnership's own page.
ACTION_ENDPOINTS = {
    "Agree your aims": "partnerships.aims",
    "Record your impact": "partnerships.impact",
}


@dataclass
class ListRow:
    partnership: Partnership
    title: str
    status_label: str
    status_class: str
    next_action: str
    concern: bool  # a school said "this isn't working" (coordinators only)

    @property
    def next_endpoint(self) -> str:
        return ACTION_ENDPOINTS.get(self.next_action, "partnerships.view")


@dataclass
class PartnershipList:
    needs_action: list[ListRow]
    under_way: list[ListRow]
    finished: list[ListRow]


def partnership_list(viewer: User, status: PartnershipStatus | None = None) -> PartnershipList:
    """A leader's school's partnerships, or every partnership for a coordinator. One query
    per relationship level (selectinload), whatever the number of partnerships."""
    query = sa.select(Partnership).options(*_loaded()).order_by(Partnership.introduced_at.desc())
    if not viewer.is_coordinator:
        request_post, offer_post = sa.orm.aliased(Post), sa.orm.aliased(Post)
        query = (
            query.join(request_post, Partnership.request_id == request_post.id)
            .join(offer_post, Partnership.offer_id == offer_post.id)
            .where(
                sa.or_(
                    request_post.school_id == viewer.school_id,
                    offer_post.school_id == viewer.school_id,
                )
            )
        )
    if status is not None:
        query = query.where(Partnership.status == status)
    result = PartnershipList([], [], [])
    for partnership in db.session.scalars(query):
        action = (
            next_action(partnership, viewer.school_id) if is_member(viewer, partnership) else ""
        )
        concern = viewer.is_coordinator and any(
            c.answer == CheckInAnswer.NOT_WORKING for c in partnership.check_ins
        )
        row = ListRow(
            partnership,
            title(partnership),
            STATUS_LABELS[partnership.status],
            STATUS_CLASSES[partnership.status],
            action,
            concern and partnership.status in UNFINISHED,
        )
        if row.next_action or row.concern:
            result.needs_action.append(row)
        elif partnership.status in UNFINISHED:
            result.under_way.append(row)
        else:
            result.finished.append(row)
    return result
