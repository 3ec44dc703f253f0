"""Answers to suggestions, introductions, reminders and email preferences.

Everything here is reached through signed links in emails (app.replies.links): a GET only
reads; the rules that change things live in the functions below.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.mail import DeliveryResult, Mail, render_mail, send
from app.models import (
    Answer,
    Partnership,
    PartnershipStatus,
    Post,
    PostStatus,
    Role,
    School,
    Suggestion,
    SuggestionStatus,
    User,
    utcnow,
)
from app.replies import links
from app.review.services import is_by_hand
from app.tokens import InvalidToken
from app.urls import external_url

REQUEST = "request"
OFFER = "offer"

ANSWER_LABELS = {
    Answer.INTERESTED: "Yes, we're interested",
    Answer.NOT_NOW: "Not now",
    Answer.NOT_RELEVANT: "Not relevant",
}

# Short codes for the "Why?" question; the stored reason is the label people read.
REASON_CHOICES: dict[str, str] = {
    "capacity": "We don't have capacity at the moment",
    "timing": "The timing doesn't work",
    "fit": "It isn't what we {need_or_offer}",
    "distance": "Too far to travel",
    "other": "Something else",
}
# The stored reason ("label: note") must fit Suggestion.*_answer_reason (300 characters).
NOTE_MAX_LENGTH = 250

FIRST_STEP = "Book a 20-minute call in the next fortnight to agree what you'll do together."
POST_SUMMARY_LENGTH = 280


# --- contacts --------------------------------------------------------------------------------


def school_contacts(school_ids: Iterable[int]) -> dict[int, list[User]]:
    """The leaders of each school: active LEADER users of that school whose email is not bouncing.

    One query; every id asked for is a key, with an empty list when the school has nobody.
    """
    ids = sorted(set(school_ids))
    contacts: dict[int, list[User]] = {school_id: [] for school_id in ids}
    if not ids:
        return contacts
    people = db.session.scalars(
        sa.select(User)
        .where(
            User.school_id.in_(ids),
            User.role == Role.LEADER,
            User.active.is_(True),
            User.email_bouncing_since.is_(None),
        )
        .order_by(User.name, User.id)
    )
    for person in people:
        contacts[person.school_id].append(person)  # type: ignore[index]
    return contacts


def _reachable(user: User | None) -> bool:
    return user is not None and user.active and user.email_bouncing_since is None


def record_bounces(
    results: list[DeliveryResult], recipients: dict[str, User], now: datetime
) -> None:
    """Stop mailing addresses that a server refused for good (5xx). Commits if any."""
    dead = [r for r in results if r.permanent_failure and r.to in recipients]
    for result in dead:
        user = recipients[result.to]
        user.email_bouncing_since = now
        user.email_bounce_reason = result.error[:300]
    if dead:
        db.session.commit()


# --- reply links -----------------------------------------------------------------------------


class LinkProblem(Exception):
    """A link that cannot be used; `status` is the HTTP status for the page that says so."""

    def __init__(self, kind: str, status: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status


def link_error(exc: InvalidToken) -> LinkProblem:
    # Expired links are "gone" (410); tampered or wrong-purpose links are bad requests (400).
    if exc.args and exc.args[0] == "expired":
        return LinkProblem("expired", 410)
    return LinkProblem("invalid", 400)


def _int(payload: dict[str, object], key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LinkProblem("invalid", 400)
    return value


@dataclass
class ReplyLink:
    """A usable reply link: who answers, for which side of which suggestion, and what."""

    suggestion: Suggestion
    user: User
    side: str
    answer: Answer


def open_reply_link(token: str) -> ReplyLink:
    """The suggestion, person, side and answer a reply link stands for. Raises LinkProblem.

    The person must still be active and at the school on the side the link was made for.
    """
    try:
        payload = links.read_reply_token(token)
    except InvalidToken as exc:
        raise link_error(exc) from exc
    suggestion_id, user_id = _int(payload, "s"), _int(payload, "u")
    side = payload.get("side")
    try:
        answer = Answer(payload.get("a"))
    except ValueError:
        raise LinkProblem("invalid", 400) from None
    if side not in (REQUEST, OFFER):
        raise LinkProblem("invalid", 400)
    suggestion = db.session.scalar(
        sa.select(Suggestion)
        .where(Suggestion.id == suggestion_id)
        .options(
            selectinload(Suggestion.request).selectinload(Post.school),
            selectinload(Suggestion.offer).selectinload(Post.school),
        )
    )
    user = db.session.get(User, user_id)
    if suggestion is None or user is None:
        raise LinkProblem("invalid", 400)
    post = suggestion.request if side == REQUEST else suggestion.offer
    if not user.active or user.school_id is None or user.school_id != post.school_id:
        raise LinkProblem("forbidden", 403)
    if suggestion.status != SuggestionStatus.PUBLISHED:
        raise LinkProblem("closed", 410)
    return ReplyLink(suggestion=suggestion, user=user, side=side, answer=answer)


def partnership_for(suggestion: Suggestion) -> Partnership | None:
    """The partnership that came from this suggestion (or joins the same two posts), if any."""
    return db.session.scalar(
        sa.select(Partnership)
        .where(
            sa.or_(
                Partnership.suggestion_id == suggestion.id,
                sa.and_(
                    Partnership.request_id == suggestion.request_id,
                    Partnership.offer_id == suggestion.offer_id,
                ),
            )
        )
        .order_by(Partnership.id)
        .limit(1)
    )


def reason_choices(side: str) -> list[tuple[str, str]]:
    """The 'Why?' options, worded for the school answering."""
    need_or_offer = "need" if side == REQUEST else "offer"
    return [
        (code, label.format(need_or_offer=need_or_offer)) for code, label in REASON_CHOICES.items()
    ]


def reason_text(side: str, reason: str | None, note: str | None) -> str:
    """What is stored as the answer's reason: 'label: note', either part alone, or ''."""
    label = dict(reason_choices(side)).get(reason or "", "")
    note = (note or "").strip()
    return ": ".join(part for part in (label, note) if part)[:300]


@dataclass
class AnswerOutcome:
    """What an answer led to: whether it was saved, and the partnership if both said yes."""

    saved: bool
    partnership: Partnership | None = None
    introduced: bool = False
    deliveries: list[DeliveryResult] = field(default_factory=list)


def record_answer(
    link: ReplyLink, reason: str | None = None, note: str | None = None, now: datetime | None = None
) -> AnswerOutcome:
    """Save this side's answer; when both sides are interested, introduce them (once). Commits.

    Answering again changes the answer, until a partnership exists. Two schools answering at
    the same moment are safe: each answer is committed before the other side's is re-read, so
    whoever commits last sees both, and the unique suggestion_id on Partnership makes sure only
    one partnership (and one introduction) comes of it.
    """
    now = now or utcnow()
    suggestion = link.suggestion
    existing = partnership_for(suggestion)
    if existing is not None:
        return AnswerOutcome(saved=False, partnership=existing)
    text = "" if link.answer == Answer.INTERESTED else reason_text(link.side, reason, note)
    # Only this side's columns are written, so the other side's answer is never overwritten.
    setattr(suggestion, f"{link.side}_answer", link.answer)
    setattr(suggestion, f"{link.side}_answer_reason", text)
    setattr(suggestion, f"{link.side}_answered_at", now)
    db.session.commit()

    # The commit expired the row: these reads see the other side's latest committed answer.
    both_interested = (
        suggestion.request_answer == Answer.INTERESTED
        and suggestion.offer_answer == Answer.INTERESTED
        and suggestion.status == SuggestionStatus.PUBLISHED
    )
    if not both_interested:
        return AnswerOutcome(saved=True)
    partnership, created = _create_partnership(suggestion, now)
    if not created:
        return AnswerOutcome(saved=True, partnership=partnership)
    deliveries = send_introduction(partnership, now=now)
    return AnswerOutcome(
        saved=True, partnership=partnership, introduced=True, deliveries=deliveries
    )


def _create_partnership(suggestion: Suggestion, now: datetime) -> tuple[Partnership | None, bool]:
    """The suggestion's partnership and whether this call made it (a race loses gracefully)."""
    existing = partnership_for(suggestion)
    if existing is not None:
        return existing, False
    partnership = Partnership(
        suggestion_id=suggestion.id,
        request_id=suggestion.request_id,
        offer_id=suggestion.offer_id,
        status=PartnershipStatus.INTRODUCED,
        by_hand=is_by_hand(suggestion),
        introduced_at=now,
    )
    db.session.add(partnership)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request created it between our check and our insert.
        db.session.rollback()
        return partnership_for(suggestion), False
    return partnership, True


# --- what the reply pages show ---------------------------------------------------------------


@dataclass
class ReplyPage:
    """Everything a reply page shows, worked out for the school answering."""

    link: ReplyLink
    my_school: School
    their_school: School
    my_post: Post
    their_post: Post
    reasons: list[str]
    note: str
    answer_label: str
    my_answer: Answer | None
    my_answer_label: str
    my_reason: str
    my_answered_at: datetime | None
    they_are_interested: bool
    partnership: Partnership | None
    other_answer_urls: dict[str, str]

    @property
    def asks_for_help(self) -> bool:
        """True when the school answering made the request."""
        return self.link.side == REQUEST


def reply_page(link: ReplyLink) -> ReplyPage:
    """What the reply pages show for this link (needs a request: links are site paths)."""
    suggestion = link.suggestion
    mine, theirs = (
        (suggestion.request, suggestion.offer)
        if link.side == REQUEST
        else (suggestion.offer, suggestion.request)
    )
    other_side = OFFER if link.side == REQUEST else REQUEST
    my_answer: Answer | None = getattr(suggestion, f"{link.side}_answer")
    return ReplyPage(
        link=link,
        my_school=mine.school,
        their_school=theirs.school,
        my_post=mine,
        their_post=theirs,
        reasons=suggestion.reasons_for(link.side),
        note=suggestion.note or "",
        answer_label=ANSWER_LABELS[link.answer],
        my_answer=my_answer,
        my_answer_label=ANSWER_LABELS[my_answer] if my_answer else "",
        my_reason=getattr(suggestion, f"{link.side}_answer_reason") or "",
        my_answered_at=getattr(suggestion, f"{link.side}_answered_at"),
        they_are_interested=getattr(suggestion, f"{other_side}_answer") == Answer.INTERESTED,
        partnership=partnership_for(suggestion),
        # Paths on this site (url_for, not the emails' absolute links): pages link to pages.
        other_answer_urls={
            ANSWER_LABELS[answer]: url_for(
                "replies.answer", token=links.reply_token(suggestion, link.user, answer)
            )
            for answer in Answer
            if answer != link.answer
        },
    )


# --- introductions ---------------------------------------------------------------------------


def _summary(text: str) -> str:
    return textwrap.shorten(" ".join((text or "").split()), POST_SUMMARY_LENGTH, placeholder="…")


def introduction_recipients(partnership: Partnership) -> dict[str, list[User]]:
    """Who is introduced on each side: the school's leaders, and the post's author if different."""
    request, offer = partnership.request, partnership.offer
    contacts = school_contacts([request.school_id, offer.school_id])
    people: dict[str, list[User]] = {}
    for side, post in ((REQUEST, request), (OFFER, offer)):
        side_people = list(contacts.get(post.school_id, []))
        if _reachable(post.author) and post.author not in side_people:
            side_people.append(post.author)  # type: ignore[arg-type]
        people[side] = side_people
    return people


def send_introduction(
    partnership: Partnership, now: datetime | None = None
) -> list[DeliveryResult]:
    """Email both schools' contacts each other's details, the posts and a first step.

    Usable for partnerships paired by hand too. Each person gets their own message, whose
    Reply-To is the other school's contacts so that a reply reaches them.
    """
    now = now or utcnow()
    partnership = db.session.scalars(
        sa.select(Partnership)
        .where(Partnership.id == partnership.id)
        .options(
            selectinload(Partnership.request).selectinload(Post.school),
            selectinload(Partnership.request).selectinload(Post.author),
            selectinload(Partnership.offer).selectinload(Post.school),
            selectinload(Partnership.offer).selectinload(Post.author),
            selectinload(Partnership.suggestion),
        )
    ).one()
    people = introduction_recipients(partnership)
    suggestion = partnership.suggestion
    partnership_name = current_app.config["PARTNERSHIP_NAME"]
    posts = {REQUEST: partnership.request, OFFER: partnership.offer}
    mails: list[Mail] = []
    recipients: dict[str, User] = {}
    for side, other in ((REQUEST, OFFER), (OFFER, REQUEST)):
        my_post, their_post = posts[side], posts[other]
        for person in people[side]:
            mail = render_mail(
                person.email,
                f"Introducing {my_post.school.name} and {their_post.school.name}",
                "introduction",
                partnership=partnership_name,
                person=person,
                asks_for_help=side == REQUEST,
                my_school=my_post.school,
                their_school=their_post.school,
                my_post=my_post,
                their_post=their_post,
                my_post_summary=_summary(my_post.description),
                their_post_summary=_summary(their_post.description),
                their_contacts=people[other],
                my_colleagues=[p for p in people[side] if p.id != person.id],
                reasons=suggestion.reasons_for(side) if suggestion else [],
                note=(suggestion.note if suggestion else "") or "",
                first_step=FIRST_STEP,
                aims_url=external_url("partnerships.aims", partnership_id=partnership.id),
            )
            if people[other]:
                mail.headers["Reply-To"] = ", ".join(p.email for p in people[other])
            mails.append(mail)
            recipients[person.email] = person
    if not mails:
        return []
    results = send(mails)
    for result in results:
        if not result.ok:
            current_app.logger.warning("Introduction to %s failed: %s", result.to, result.error)
    record_bounces(results, recipients, now)
    return results


# --- reminders -------------------------------------------------------------------------------


@dataclass
class ReminderItem:
    """One unanswered suggestion in a person's reminder."""

    suggestion: Suggestion
    asks_for_help: bool
    my_post: Post
    their_post: Post
    their_school: School
    reasons: list[str]
    they_are_interested: bool
    urls: dict[str, str]


def _wants_section(user: User, side: str) -> bool:
    # The digest sections: offers are "where you could help", requests "who could help you".
    return user.digest_can_help if side == OFFER else user.digest_could_help_you


def send_reminders(now: datetime) -> int:
    """One gentle reminder for published suggestions still unanswered REMINDER_AFTER_DAYS later.

    Each suggestion is claimed (reminded_at set and committed) before any mail goes, in one
    statement, so a second call, or two at once, send nothing more. Each person gets one email
    listing all their school's unanswered suggestions. Returns the number of emails sent.
    """
    cutoff = now - timedelta(days=int(current_app.config["REMINDER_AFTER_DAYS"]))
    open_posts = sa.select(Post.id).where(Post.status == PostStatus.OPEN)
    claimed_ids = list(
        db.session.scalars(
            sa.update(Suggestion)
            .where(
                Suggestion.status == SuggestionStatus.PUBLISHED,
                Suggestion.published_at.is_not(None),
                Suggestion.published_at <= cutoff,
                Suggestion.reminded_at.is_(None),
                sa.or_(Suggestion.request_answer.is_(None), Suggestion.offer_answer.is_(None)),
                ~sa.exists().where(Partnership.suggestion_id == Suggestion.id),
                Suggestion.request_id.in_(open_posts),
                Suggestion.offer_id.in_(open_posts),
            )
            .values(reminded_at=now)
            .returning(Suggestion.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    if not claimed_ids:
        return 0
    suggestions = db.session.scalars(
        sa.select(Suggestion)
        .where(Suggestion.id.in_(claimed_ids))
        .options(
            selectinload(Suggestion.request).selectinload(Post.school),
            selectinload(Suggestion.offer).selectinload(Post.school),
        )
        .order_by(Suggestion.published_at, Suggestion.id)
    ).all()
    contacts = school_contacts(
        [s.request.school_id for s in suggestions] + [s.offer.school_id for s in suggestions]
    )
    items: dict[int, list[ReminderItem]] = defaultdict(list)
    people: dict[int, User] = {}
    for suggestion in suggestions:
        for side, mine, theirs, other_answer in (
            (REQUEST, suggestion.request, suggestion.offer, suggestion.offer_answer),
            (OFFER, suggestion.offer, suggestion.request, suggestion.request_answer),
        ):
            if getattr(suggestion, f"{side}_answer") is not None:
                continue
            for person in contacts[mine.school_id]:
                if not person.digest_enabled or not _wants_section(person, side):
                    continue
                people[person.id] = person
                items[person.id].append(
                    ReminderItem(
                        suggestion=suggestion,
                        asks_for_help=side == REQUEST,
                        my_post=mine,
                        their_post=theirs,
                        their_school=theirs.school,
                        reasons=suggestion.reasons_for(side),
                        they_are_interested=other_answer == Answer.INTERESTED,
                        urls={
                            ANSWER_LABELS[a]: url
                            for a, url in links.reply_urls(suggestion, person).items()
                        },
                    )
                )
    partnership_name = current_app.config["PARTNERSHIP_NAME"]
    mails = []
    for user_id, person_items in items.items():
        person = people[user_id]
        count = len(person_items)
        unsubscribe = links.unsubscribe_url(person)
        mail = render_mail(
            person.email,
            "Reminder: a suggested partnership is waiting for your answer"
            if count == 1
            else f"Reminder: {count} suggested partnerships are waiting for your answer",
            "reminder",
            partnership=partnership_name,
            person=person,
            items=person_items,
            unsubscribe_url=unsubscribe,
            preferences_url=links.preferences_url(person),
        )
        # RFC 8058: mail providers can unsubscribe with one POST, no page in between.
        mail.headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        mail.headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mails.append(mail)
    if not mails:
        return 0
    results = send(mails)
    for result in results:
        if not result.ok:
            current_app.logger.warning("Reminder to %s failed: %s", result.to, result.error)
    delivered = sum(1 for result in results if result.ok)
    if delivered == 0 and not any(result.permanent_failure for result in results):
        # Nothing got through (the mail server was down): release the claims so the next
        # run tries again, rather than never reminding anyone.
        db.session.execute(
            sa.update(Suggestion)
            .where(Suggestion.id.in_(claimed_ids), Suggestion.reminded_at == now)
            .values(reminded_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return 0
    record_bounces(results, {p.email: p for p in people.values()}, now)
    return delivered


# --- unsubscribe and preferences -------------------------------------------------------------


def _user_from(read: Callable[[str], dict[str, Any]], token: str, require_active: bool) -> User:
    try:
        payload = read(token)
    except InvalidToken as exc:
        raise link_error(exc) from exc
    user = db.session.get(User, _int(payload, "u"))
    if user is None or (require_active and not user.active):
        raise LinkProblem("invalid", 400)
    return user


def unsubscribe_user(token: str) -> User:
    """The person an unsubscribe link is for. Raises LinkProblem.

    Works for deactivated people too: leaving must never be hard.
    """
    return _user_from(links.read_unsubscribe_token, token, require_active=False)


def preferences_user(token: str) -> User:
    """The (active) person a preferences link is for. Raises LinkProblem."""
    return _user_from(links.read_preferences_token, token, require_active=True)


def unsubscribe(user: User) -> None:
    """Stop the weekly digest (and reminders) for this person. Commits."""
    user.digest_enabled = False
    db.session.commit()


@dataclass
class Preferences:
    digest_enabled: bool
    digest_can_help: bool
    digest_could_help_you: bool
    digest_news: bool


def save_preferences(user: User, preferences: Preferences) -> None:
    """Save which emails this person gets. Commits."""
    user.digest_enabled = preferences.digest_enabled
    user.digest_can_help = preferences.digest_can_help
    user.digest_could_help_you = preferences.digest_could_help_you
    user.digest_news = preferences.digest_news
    db.session.commit()
