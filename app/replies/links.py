"""Signed links in emails: each bound to one purpose, one person and one action; they expire.

Opening a link (GET) only shows a page with one button; the button's POST acts. So a mail
scanner that follows every link changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.models import Answer, Suggestion, User
from app.tokens import make_token, read_token
from app.urls import external_url

REPLY = "reply"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"


def side_of(suggestion: Suggestion, user: User) -> str:
    """'offer' if the person's school made the offer, else 'request'."""
    return "offer" if suggestion.offer.school_id == user.school_id else "request"


def reply_token(suggestion: Suggestion, user: User, answer: Answer) -> str:
    return make_token(
        REPLY,
        {"s": suggestion.id, "u": user.id, "side": side_of(suggestion, user), "a": answer.value},
    )


def reply_urls(suggestion: Suggestion, user: User) -> dict[Answer, str]:
    """Interested / Not now / Not relevant links for this person and suggestion."""
    return {
        answer: external_url("replies.answer", token=reply_token(suggestion, user, answer))
        for answer in Answer
    }


def read_reply_token(token: str) -> dict[str, Any]:
    return read_token(REPLY, token, current_app.config["REPLY_LINK_MAX_AGE"])


def unsubscribe_url(user: User) -> str:
    return external_url("replies.unsubscribe", token=make_token(UNSUBSCRIBE, {"u": user.id}))


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    # Unsubscribe links keep working for a year: leaving must never be hard.
    return read_token(UNSUBSCRIBE, token, 60 * 60 * 24 * 365)


def preferences_url(user: User) -> str:
    return external_url("replies.preferences", token=make_token(PREFERENCES, {"u": user.id}))


def read_preferences_token(token: str) -> dict[str, Any]:
    return read_token(PREFERENCES, token, 60 * 60 * 24 * 365)
