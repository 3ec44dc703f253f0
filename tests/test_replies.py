"""Answering a suggestion from the one-click links in emails."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    MatchRun,
    Partnership,
    Post,
    PostKind,
    School,
    Suggestion,
    SuggestionStatus,
    User,
    utcnow,
)
from app.replies import links
from tests.conftest import csrf_token

# --- shared set-up (also used by the introduction and preference tests) ----------------------


@dataclass
class Pair:
    suggestion: Suggestion
    request_school: School
    offer_school: School
    request_leader: User
    offer_leader: User
    request: Post
    offer: Post


def make_pair(
    make: Any,
    *,
    status: SuggestionStatus = SuggestionStatus.PUBLISHED,
    published_at: datetime | None = None,
    note: str = "",
    run: MatchRun | None = None,
) -> Pair:
    """Two schools with a leader each, a request, an offer, and a suggestion joining them."""
    request_school = make.school(name=f"Ash Primary {time.monotonic_ns()}")
    offer_school = make.school(name=f"Birch Academy {time.monotonic_ns()}")
    request_leader = make.user(request_school, name="Rita Reed", job_title="SENCo")
    offer_leader = make.user(offer_school, name="Omar Oakes", job_title="Maths lead")
    request = make.post(
        request_school,
        kind=PostKind.REQUEST,
        title="New SENCo needs a mentor",
        author=request_leader,
    )
    offer = make.post(
        offer_school,
        kind=PostKind.OFFER,
        title="Experienced SENCo can mentor",
        author=offer_leader,
    )
    run = run or MatchRun(week_start=date(2026, 11, 23))
    suggestion = Suggestion(
        run=run,
        request=request,
        offer=offer,
        score=0.82,
        reasons=["You both mention SEND", "6 miles apart"],
        status=status,
        note=note,
        published_at=published_at or (utcnow() if status == SuggestionStatus.PUBLISHED else None),
    )
    db.session.add(suggestion)
    db.session.commit()
    return Pair(
        suggestion, request_school, offer_school, request_leader, offer_leader, request, offer
    )


def path(url: str) -> str:
    return urlsplit(url).path


def reply_path(suggestion: Suggestion, user: User, answer: Answer) -> str:
    return path(links.reply_urls(suggestion, user)[answer])


def snapshot() -> tuple[object, ...]:
    """Everything an emailed link could change."""
    db.session.expire_all()
    suggestions = db.session.execute(
        select(
            Suggestion.id,
            Suggestion.status,
            Suggestion.request_answer,
            Suggestion.request_answer_reason,
            Suggestion.request_answered_at,
            Suggestion.offer_answer,
            Suggestion.offer_answer_reason,
            Suggestion.offer_answered_at,
            Suggestion.reminded_at,
        ).order_by(Suggestion.id)
    ).all()
    users = db.session.execute(
        select(
            User.id,
            User.digest_enabled,
            User.digest_can_help,
            User.digest_could_help_you,
            User.digest_news,
            User.email_bouncing_since,
        ).order_by(User.id)
    ).all()
    partnerships = db.session.scalar(select(func.count()).select_from(Partnership))
    return (tuple(suggestions), tuple(users), partnerships)


def expired_token_maker(monkeypatch: pytest.MonkeyPatch, seconds_ago: int):
    """Make tokens as if it were `seconds_ago` seconds ago."""

    def make_old(fn: Any, *args: Any) -> Any:
        with monkeypatch.context() as m:
            m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds_ago)
            return fn(*args)

    return make_old


def post_answer(client: FlaskClient, url: str, **data: str):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


# --- GET never changes anything --------------------------------------------------------------


@pytest.mark.parametrize("answer", list(Answer))
def test_opening_a_reply_link_changes_nothing(client: FlaskClient, make: Any, answer: Answer):
    pair = make_pair(make, note="Both new to the role this year")
    before = snapshot()
    response = client.get(reply_path(pair.suggestion, pair.request_leader, answer))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert pair.offer_school.name in page
    assert "New SENCo needs a mentor" in page
    assert "Experienced SENCo can mentor" in page
    assert "You both mention SEND" in page
    assert "Both new to the role this year" in page
    button = {
        Answer.INTERESTED: "Yes, we&#39;re interested",
        Answer.NOT_NOW: "Not now",
        Answer.NOT_RELEVANT: "Not relevant",
    }[answer]
    assert f'data-module="govuk-button">{button}</button>' in page
    assert page.count('type="submit"') == 1
    assert ("Why? (optional)" in page) == (answer != Answer.INTERESTED)
    assert 'name="csrf_token"' in page
    assert snapshot() == before


def test_offer_side_sees_the_suggestion_from_its_side(client: FlaskClient, make: Any):
    pair = make_pair(make)
    page = client.get(reply_path(pair.suggestion, pair.offer_leader, Answer.NOT_RELEVANT)).get_data(
        as_text=True
    )
    assert f"You could help {pair.request_school.name}" in page
    assert "It isn&#39;t what we offer" in page


# --- answering -------------------------------------------------------------------------------


def test_interested_is_recorded_for_the_right_side(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED)
    response = post_answer(client, url)
    assert response.status_code == 302
    assert response.headers["Location"] == url + "/answered"
    db.session.expire_all()
    assert pair.suggestion.offer_answer == Answer.INTERESTED
    assert pair.suggestion.offer_answered_at is not None
    assert pair.suggestion.request_answer is None
    assert db.session.scalar(select(func.count()).select_from(Partnership)) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Answer saved" in page
    assert "as soon as" in page and pair.request_school.name in page


def test_not_now_records_the_reason_and_note(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)
    response = post_answer(client, url, reason="timing", note="  Ofsted is due this term  ")
    assert response.status_code == 302
    db.session.expire_all()
    assert pair.suggestion.request_answer == Answer.NOT_NOW
    assert (
        pair.suggestion.request_answer_reason == "The timing doesn't work: Ofsted is due this term"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You answered “Not now”" in page
    assert "Ofsted is due this term" in page


def test_the_reason_is_optional(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_RELEVANT)
    assert post_answer(client, url).status_code == 302
    db.session.expire_all()
    assert pair.suggestion.request_answer == Answer.NOT_RELEVANT
    assert pair.suggestion.request_answer_reason == ""


def test_answering_again_changes_the_answer(client: FlaskClient, make: Any):
    pair = make_pair(make)
    post_answer(
        client, reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW), reason="capacity"
    )
    post_answer(client, reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    db.session.expire_all()
    assert pair.suggestion.request_answer == Answer.INTERESTED
    assert pair.suggestion.request_answer_reason == ""
    page = client.get(reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)).get_data(
        as_text=True
    )
    assert "Your school answered “Yes, we&#39;re interested”" in page


def test_a_colleague_at_the_same_school_answers_for_the_school(client: FlaskClient, make: Any):
    pair = make_pair(make)
    deputy = make.user(pair.request_school, name="Dee Deputy")
    post_answer(client, reply_path(pair.suggestion, deputy, Answer.INTERESTED))
    db.session.expire_all()
    assert pair.suggestion.request_answer == Answer.INTERESTED


def test_too_long_note_redisplays_with_what_was_typed(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)
    before = snapshot()
    note = "We are merging with another school " + "x" * 250
    response = post_answer(client, url, reason="distance", note=note)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "<title>Error: " in page
    assert "Your note must be 250 characters or fewer" in page
    assert note in page
    assert 'value="distance" checked' in page
    assert snapshot() == before


def test_a_reason_that_is_not_on_the_list_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)
    before = snapshot()
    response = post_answer(client, url, reason="bribery")
    assert response.status_code == 200
    assert "Choose one of the reasons, or none" in response.get_data(as_text=True)
    assert snapshot() == before


# --- refused links ---------------------------------------------------------------------------


def test_post_without_csrf_is_refused_and_keeps_what_was_typed(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)
    before = snapshot()
    response = client.post(url, data={"reason": "capacity", "note": "Short-staffed"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This page timed out" in page
    assert "Short-staffed" in page
    assert 'value="capacity" checked' in page
    assert snapshot() == before


def test_interested_post_without_csrf_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    before = snapshot()
    response = client.post(reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    assert response.status_code == 400
    assert snapshot() == before


def test_tampered_token_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    token = csrf_token(client, url)
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    before = snapshot()
    get = client.get(tampered)
    assert get.status_code == 400
    assert "This link has expired or is not valid" in get.get_data(as_text=True)
    post = client.post(tampered, data={"csrf_token": token})
    assert post.status_code == 400
    assert "contact your partnership coordinator" in post.get_data(as_text=True)
    # Without a CSRF token too: still the link page, never a server error.
    assert client.post(tampered).status_code == 400
    assert snapshot() == before


def test_expired_token_is_refused(
    client: FlaskClient, make: Any, monkeypatch: pytest.MonkeyPatch, app: Any
):
    pair = make_pair(make)
    old = expired_token_maker(monkeypatch, app.config["REPLY_LINK_MAX_AGE"] + 60)
    url = path(old(links.reply_urls, pair.suggestion, pair.request_leader)[Answer.INTERESTED])
    fresh = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    before = snapshot()
    get = client.get(url)
    assert get.status_code == 410
    page = get.get_data(as_text=True)
    assert "This link has expired or is not valid" in page
    assert "28 days" in page
    post = client.post(url, data={"csrf_token": csrf_token(client, fresh)})
    assert post.status_code == 410
    assert snapshot() == before


def test_a_link_a_little_old_still_works(
    client: FlaskClient, make: Any, monkeypatch: pytest.MonkeyPatch, app: Any
):
    pair = make_pair(make)
    old = expired_token_maker(monkeypatch, app.config["REPLY_LINK_MAX_AGE"] - 3600)
    url = path(old(links.reply_urls, pair.suggestion, pair.request_leader)[Answer.INTERESTED])
    assert post_answer(client, url).status_code == 302
    db.session.expire_all()
    assert pair.suggestion.request_answer == Answer.INTERESTED


def test_a_token_for_another_purpose_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    fresh = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    unsubscribe_token = path(links.unsubscribe_url(pair.request_leader)).rsplit("/", 1)[1]
    url = f"/email/reply/{unsubscribe_token}"
    before = snapshot()
    assert client.get(url).status_code == 400
    assert client.post(url, data={"csrf_token": csrf_token(client, fresh)}).status_code == 400
    assert snapshot() == before


def test_someone_from_neither_school_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    outsider = make.user(make.school(name="Cedar Infants"))
    url = path("/email/reply/" + links.reply_token(pair.suggestion, outsider, Answer.INTERESTED))
    fresh = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    before = snapshot()
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": csrf_token(client, fresh)}).status_code == 403
    assert snapshot() == before


def test_someone_who_moved_school_is_refused(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    pair.request_leader.school = make.school(name="Elm Juniors")
    db.session.commit()
    assert client.get(url).status_code == 403


def test_a_deactivated_person_cannot_answer(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    fresh = reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED)
    pair.request_leader.active = False
    db.session.commit()
    before = snapshot()
    assert client.post(url, data={"csrf_token": csrf_token(client, fresh)}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "status",
    [SuggestionStatus.PENDING, SuggestionStatus.REJECTED, SuggestionStatus.SUPERSEDED],
)
def test_only_published_suggestions_can_be_answered(
    client: FlaskClient, make: Any, status: SuggestionStatus
):
    pair = make_pair(make, status=status)
    other = make_pair(make, run=pair.suggestion.run)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    fresh = reply_path(other.suggestion, other.request_leader, Answer.INTERESTED)
    before = snapshot()
    get = client.get(url)
    assert get.status_code == 410
    assert "This suggestion is no longer open" in get.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(client, fresh)}).status_code == 410
    assert snapshot() == before


def test_answered_page_before_any_answer_changes_nothing(client: FlaskClient, make: Any):
    pair = make_pair(make)
    url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    before = snapshot()
    page = client.get(url + "/answered").get_data(as_text=True)
    assert "You have not answered this suggestion yet" in page
    assert f'href="{url}"' in page
    assert snapshot() == before


def test_reply_pages_need_no_sign_in_and_set_no_session(client: FlaskClient, make: Any):
    pair = make_pair(make)
    response = client.get(reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    with client.session_transaction() as sess:
        assert "user_id" not in sess


def test_published_long_ago_is_still_answerable_with_a_fresh_link(client: FlaskClient, make: Any):
    pair = make_pair(make, published_at=utcnow() - timedelta(days=40))
    assert (
        post_answer(
            client,
            reply_path(pair.suggestion, pair.offer_leader, Answer.NOT_RELEVANT),
            reason="fit",
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert pair.suggestion.offer_answer_reason == "It isn't what we offer"
