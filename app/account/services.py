"""A person's own account: everything the service holds about them, and deleting it.

Deleting anonymises rather than removes: the partnership's posts, partnerships and figures
stay whole, with nothing left that says who the person was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.audit.services import events_about_or_by, forget_name_in_entries_about, record
from app.auth.services import is_throttled, throttle_minutes
from app.extensions import db
from app.models import (
    CheckIn,
    DigestMessage,
    Impact,
    LoginAttempt,
    Post,
    Role,
    Suggestion,
    User,
    utcnow,
)

DELETED_NAME = "Deleted user"


class AccountDeletionError(Exception):
    """Deleting the account is refused; the message is written for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def deleted_email(user: User) -> str:
    """A unique address that can never receive mail (.invalid is reserved, RFC 2606)."""
    return f"deleted-{user.id}@invalid"


# ---------------------------------------------------------------------------------------------
# Download your data
# ---------------------------------------------------------------------------------------------


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def account_data(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the service holds about this person, as JSON-ready data.

    Their own answers and words only: other schools' answers, reasons and notes stay out.
    """
    school = user.school
    posts = list(
        db.session.scalars(sa.select(Post).where(Post.author_id == user.id).order_by(Post.id))
    )
    post_ids = {p.id for p in posts}
    suggestions = (
        list(
            db.session.scalars(
                sa.select(Suggestion)
                .where(
                    sa.or_(Suggestion.request_id.in_(post_ids), Suggestion.offer_id.in_(post_ids))
                )
                .order_by(Suggestion.id)
            )
        )
        if post_ids
        else []
    )
    check_ins = db.session.scalars(
        sa.select(CheckIn).where(CheckIn.answered_by_id == user.id).order_by(CheckIn.id)
    )
    impacts = db.session.scalars(
        sa.select(Impact).where(Impact.author_id == user.id).order_by(Impact.id)
    )
    messages = db.session.scalars(
        sa.select(DigestMessage).where(DigestMessage.user_id == user.id).order_by(DigestMessage.id)
    )
    sign_ins = db.session.scalars(
        sa.select(LoginAttempt)
        .where(LoginAttempt.email == user.email)
        .order_by(LoginAttempt.created_at)
    )
    return {
        "exported_at": _when(now or utcnow()),
        "about": (
            "Everything GiveFirst holds about you. Posts belong to your school: "
            "they stay if you delete your account."
        ),
        "user": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "job_title": user.job_title,
            "role": user.role.value,
            "school": {"id": school.id, "name": school.name} if school is not None else None,
            "active": user.active,
            "created_at": _when(user.created_at),
            "invited_at": _when(user.invited_at),
            "last_sign_in_at": _when(user.last_sign_in_at),
            "email_bouncing_since": _when(user.email_bouncing_since),
            "email_bounce_reason": user.email_bounce_reason,
            "digest": {
                "enabled": user.digest_enabled,
                "where_you_could_help": user.digest_can_help,
                "who_could_help_you": user.digest_could_help_you,
                "news": user.digest_news,
            },
        },
        "posts": [_post(p) for p in posts],
        "answers": [_answer(s, post_ids) for s in suggestions],
        "check_ins": [
            {
                "id": c.id,
                "partnership_id": c.partnership_id,
                "weeks": c.weeks,
                "answer": c.answer.value if c.answer else None,
                "note": c.note,
                "answered_at": _when(c.answered_at),
            }
            for c in check_ins
        ],
        "impacts": [
            {
                "id": i.id,
                "partnership_id": i.partnership_id,
                "what_changed": i.what_changed,
                "pupils_reached": i.pupils_reached,
                "staff_reached": i.staff_reached,
                "evidence": i.evidence,
                "rating": i.rating,
                "quote": i.quote,
                "quote_shareable": i.quote_shareable,
                "created_at": _when(i.created_at),
            }
            for i in impacts
        ],
        "emails": [
            {"digest_run_id": m.run_id, "status": m.status, "sent_at": _when(m.sent_at)}
            for m in messages
        ],
        "sign_in_attempts": [
            {"at": _when(a.created_at), "ip": a.ip, "succeeded": a.succeeded} for a in sign_ins
        ],
        "audit_log": [
            {
                "at": _when(e.created_at),
                "action": e.action,
                "summary": e.summary,
                "reason": e.reason,
                "by_you": e.actor_id == user.id,
            }
            for e in events_about_or_by(user)
        ],
    }


def _post(p: Post) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind.value,
        "school_id": p.school_id,
        "title": p.title,
        "description": p.description,
        "tags": [t.label for t in p.tags],
        "free_tags": list(p.free_tags or []),
        "format": p.format.value,
        "capacity": p.capacity,
        "time_commitment": p.time_commitment,
        "available_from": _when(p.available_from),
        "available_until": _when(p.available_until),
        "status": p.status.value,
        "created_at": _when(p.created_at),
        "updated_at": _when(p.updated_at),
    }


def _answer(s: Suggestion, own_posts: set[int]) -> dict[str, Any]:
    # Only the side of the post they wrote: the other school's answer is that school's.
    mine = "request" if s.request_id in own_posts else "offer"
    answer = s.request_answer if mine == "request" else s.offer_answer
    return {
        "suggestion_id": s.id,
        "your_post_id": s.request_id if mine == "request" else s.offer_id,
        "your_post_was_the": mine,
        "answer": answer.value if answer else None,
        "reason": s.request_answer_reason if mine == "request" else s.offer_answer_reason,
        "answered_at": _when(s.request_answered_at if mine == "request" else s.offer_answered_at),
    }


# ---------------------------------------------------------------------------------------------
# Delete your account
# ---------------------------------------------------------------------------------------------


def is_last_coordinator(user: User) -> bool:
    """True if nobody else could look after the partnership once this person has gone."""
    if user.role != Role.COORDINATOR:
        return False
    others = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == Role.COORDINATOR,
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.id != user.id,
        )
    )
    return not others


def delete_account(user: User, password: str, ip: str = "", now: datetime | None = None) -> None:
    """Anonymise the person's account after checking their password. Commits once.

    Their posts stay with their school and their impact figures with the partnership; only
    the link to them goes. Audit entries they made keep pointing at the (now nameless) account.
    A wrong password counts as a failed sign-in, so this form cannot be used to guess one.
    """
    if not password:
        raise AccountDeletionError("Enter your password", "password")
    ip = (ip or "unknown")[:64]
    if is_throttled(user.email, ip):
        raise AccountDeletionError(
            f"Too many wrong passwords. Wait {throttle_minutes()} minutes and try again",
            "password")
    if user.password_hash is None or not check_password_hash(user.password_hash, password):
        db.session.add(LoginAttempt(email=user.email, ip=ip, succeeded=False,
                                    created_at=utcnow()))
        db.session.commit()
        raise AccountDeletionError("The password is not right", "password")
    if is_last_coordinator(user):
        raise AccountDeletionError(
            "You are the partnership's only coordinator. Make someone else a coordinator "
            "before you delete your account."
        )
    now = now or utcnow()
    old_name, old_email = user.name, user.email

    db.session.execute(
        sa.update(Post)
        .where(Post.author_id == user.id)
        .values(author_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Impact)
        .where(Impact.author_id == user.id)
        .values(author_id=None)
        .execution_options(synchronize_session=False)
    )
    # Sign-in attempts hold the address and where they signed in from.
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == old_email))
    forget_name_in_entries_about(user, old_name, DELETED_NAME)

    user.name = DELETED_NAME
    user.email = deleted_email(user)
    user.job_title = ""
    user.password_hash = None
    user.active = False
    user.deleted_at = now
    user.digest_enabled = False
    user.digest_can_help = False
    user.digest_could_help_you = False
    user.digest_news = False
    user.email_bouncing_since = None
    user.email_bounce_reason = ""
    record(user, "delete_account", user, "A person deleted their account", now=now)
    db.session.commit()
    # Bulk updates bypassed the session: objects loaded before must not keep old authors.
    db.session.expire_all()
