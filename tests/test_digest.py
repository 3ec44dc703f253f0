"""The weekly digest: who gets one, what it says, and that each person gets it once a week.

Mail goes over real SMTP to an aiosmtpd server on 127.0.0.1 (tests/smtp_server.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from app.digest.services import send_weekly_digest, week_start_for
from app.extensions import db
from app.models import (
    Answer,
    DigestMessage,
    DigestRun,
    MatchRun,
    Partnership,
    Post,
    PostKind,
    PostStatus,
    Role,
    School,
    Suggestion,
    SuggestionStatus,
    User,
)
from app.replies.links import read_preferences_token, read_reply_token, read_unsubscribe_token
from tests.smtp_server import SMTPServer, running_smtp_server

# Monday 23 November 2026, 07:00 in London (GMT): the digest's usual time.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
WEEK = date(2026, 11, 23)
OLD = NOW - timedelta(days=30)  # posted long before this week: not news


# --- shared set-up (also used by the SMTP, concurrency and accessibility tests) ------------


@dataclass
class Week:
    fenside: School
    marshside: School
    wold: School
    fen_leader: User
    marsh_leader: User
    wold_leader: User
    request: Post
    offer: Post
    suggestion: Suggestion


def last_match_run() -> MatchRun:
    """Thursday's matching run before the digest week (created once)."""
    thursday = WEEK - timedelta(days=4)
    run = db.session.scalar(select(MatchRun).where(MatchRun.week_start == thursday))
    return run or MatchRun(week_start=thursday)


def publish(
    request: Post,
    offer: Post,
    *,
    run: MatchRun | None = None,
    reasons: list[str] | None = None,
    note: str = "",
    status: SuggestionStatus = SuggestionStatus.PUBLISHED,
    score: float = 0.8,
) -> Suggestion:
    suggestion = Suggestion(
        run=run or last_match_run(),
        request=request,
        offer=offer,
        score=score,
        reasons=reasons if reasons is not None else ["You both mention phonics", "14 miles apart"],
        note=note,
        status=status,
        published_at=NOW - timedelta(days=2) if status == SuggestionStatus.PUBLISHED else None,
    )
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def build_week(make: Any) -> Week:
    """Fenside asks for phonics help, Marshside offers it, Wold View has nothing new."""
    fenside = make.school(name="Fenside Primary", town="Boston")
    marshside = make.school(name="Marshside Academy", town="Skegness")
    wold = make.school(name="Wold View School", town="Louth")
    fen_leader = make.user(fenside, name="Faith Fenn", email="faith@fenside.test")
    marsh_leader = make.user(marshside, name="Marcus Marsh", email="marcus@marshside.test")
    wold_leader = make.user(wold, name="Wendy Wold", email="wendy@wold.test")
    request = make.post(
        fenside,
        kind=PostKind.REQUEST,
        title="Phonics catch-up for Year 2",
        description="Our Year 2 team would like to see phonics catch-up sessions in action.",
        created_at=OLD,
    )
    offer = make.post(
        marshside,
        kind=PostKind.OFFER,
        title="Our phonics lead can coach",
        description="Half a day of coaching, in person or remote.",
        created_at=OLD,
    )
    suggestion = publish(
        request, offer, note="Marshside did this with Fenside's cluster last year."
    )
    return Week(
        fenside, marshside, wold, fen_leader, marsh_leader, wold_leader, request, offer, suggestion
    )


@pytest.fixture
def smtp(app: Flask) -> Iterator[SMTPServer]:
    """A real SMTP server on loopback, and the app sending to it."""
    with running_smtp_server() as server:
        app.config.update(server.config())
        yield server


def digest_for(server: SMTPServer, user: User) -> EmailMessage:
    """The one digest this person received (fails if none or more than one)."""
    received = server.handler.to(user.email)
    assert len(received) == 1, f"{user.email} received {len(received)} messages"
    return received[0].message


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    return body.replace("\r\n", "\n")


def html_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]


def token_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


# --- the week ------------------------------------------------------------------------------


def test_week_starts_on_monday_in_the_partnerships_timezone(app: Flask) -> None:
    assert week_start_for(NOW) == WEEK
    assert week_start_for(datetime(2026, 11, 29, 23, 59, tzinfo=UTC)) == WEEK  # Sunday night
    # 23:30 UTC on Sunday 14 June is already Monday 15 June in London (BST).
    assert week_start_for(datetime(2026, 6, 14, 23, 30, tzinfo=UTC)) == date(2026, 6, 15)


# --- who gets what -------------------------------------------------------------------------


def test_each_school_hears_where_it_could_help_and_who_could_help_it(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)

    outcome = send_weekly_digest(NOW)

    assert outcome.summary == (
        "Digest for the week of 23 November 2026: 2 sent, 0 failed, 0 bouncing skipped, "
        "1 with nothing new."
    )
    assert smtp.handler.per_recipient() == {"faith@fenside.test": 1, "marcus@marshside.test": 1}

    giver = digest_for(smtp, week.marsh_leader)
    assert giver["Subject"] == "Your GiveFirst Partnership week: 1 school you could help"
    text = text_of(giver)
    assert "WHERE YOU COULD HELP" in text
    assert "Fenside Primary (Boston) needs: Phonics catch-up for Year 2" in text
    assert "Why we suggest it: You both mention phonics; 14 miles apart" in text
    assert "Note from your coordinator: Marshside did this with Fenside's cluster" in text
    assert "Your offer: Our phonics lead can coach" in text
    html = html_of(giver)
    assert ">Interested in helping Fenside Primary with “Phonics catch-up for Year 2”</a>" in html

    asker = digest_for(smtp, week.fen_leader)
    assert asker["Subject"] == "Your GiveFirst Partnership week: 1 school that could help you"
    text = text_of(asker)
    assert "WHO COULD HELP YOU" in text
    assert "Marshside Academy (Skegness) offers: Our phonics lead can coach" in text
    assert ">Interested in help from Marshside Academy with “Our phonics lead can coach”</a>" in (
        html_of(asker)
    )


def test_reply_links_are_signed_for_this_person_side_and_answer(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    send_weekly_digest(NOW)

    html = html_of(digest_for(smtp, week.marsh_leader))
    urls = re.findall(r'href="([^"]+/email/reply/[^"]+)"', html)
    payloads = [read_reply_token(token_of(url)) for url in urls]
    assert payloads == [
        {"s": week.suggestion.id, "u": week.marsh_leader.id, "side": "offer", "a": a.value}
        for a in Answer
    ]
    for url in urls:
        assert url.startswith(app.config["BASE_URL"] + "/email/reply/")
        assert url in text_of(digest_for(smtp, week.marsh_leader))

    fen_urls = re.findall(
        r'href="([^"]+/email/reply/[^"]+)"', html_of(digest_for(smtp, week.fen_leader))
    )
    assert {read_reply_token(token_of(u))["side"] for u in fen_urls} == {"request"}


def test_message_is_multipart_with_stable_id_and_one_click_unsubscribe(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    send_weekly_digest(NOW)

    msg = digest_for(smtp, week.fen_leader)
    assert msg.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Message-ID"] == f"<digest-2026-11-23-{week.fen_leader.id}@givefirst.test>"
    row = db.session.scalars(
        select(DigestMessage).where(DigestMessage.user_id == week.fen_leader.id)
    ).one()
    assert row.message_id == msg["Message-ID"]
    assert row.status == "sent" and row.sent_at is not None and row.attempts == 1

    unsubscribe = re.fullmatch(r"<(.+)>", msg["List-Unsubscribe"])
    assert unsubscribe, msg["List-Unsubscribe"]
    assert unsubscribe.group(1).startswith(app.config["BASE_URL"] + "/email/unsubscribe/")
    assert read_unsubscribe_token(token_of(unsubscribe.group(1))) == {"u": week.fen_leader.id}
    # On the wire exactly as RFC 8058 wants it: a bare <URL>, not an encoded-word.
    raw = smtp.handler.to(week.fen_leader.email)[0].data
    assert f"\r\nList-Unsubscribe: {msg['List-Unsubscribe']}\r\n".encode() in raw
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["To"] == "faith@fenside.test"

    html = html_of(msg)
    assert '<html lang="en-GB">' in html
    assert f"<title>{msg['Subject']}</title>" in html
    assert "<table" not in html and "<img" not in html and "<script" not in html
    assert f'href="{unsubscribe.group(1)}"' in html
    preferences = re.search(r'href="([^"]+/email/preferences/[^"]+)"', html)
    assert preferences and read_preferences_token(token_of(preferences.group(1))) == {
        "u": week.fen_leader.id
    }
    text = text_of(msg)
    assert "You get this email because you are a member of GiveFirst Partnership" in text
    assert "at Fenside Primary" in text
    assert f"Unsubscribe from the weekly digest: {unsubscribe.group(1)}" in text


def test_a_second_run_in_the_same_week_sends_nothing(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    build_week(make)
    first = send_weekly_digest(NOW)
    second = send_weekly_digest(NOW + timedelta(hours=3))

    assert first.created and not second.created
    assert first.run_id == second.run_id
    assert second.sent == 0 and second.already_sent == 2
    assert second.summary == (
        "Digest for the week of 23 November 2026: 0 sent, 0 failed, 0 bouncing skipped, "
        "1 with nothing new. 2 already sent earlier."
    )
    assert sum(smtp.handler.per_recipient().values()) == 2
    assert db.session.scalar(select(DigestRun.finished_at)) is not None


def test_everyone_with_a_school_gets_it_whether_or_not_they_have_signed_in(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    invited = make.user(week.fenside, email="new.head@fenside.test", password=None)
    school_coordinator = make.user(
        week.marshside, role=Role.COORDINATOR, email="coord@marshside.test"
    )
    make.coordinator(email="coordinator@partnership.test")  # no school: nothing to say
    make.user(week.fenside, email="left@fenside.test", active=False)
    make.user(week.fenside, email="opted.out@fenside.test", digest_enabled=False)

    send_weekly_digest(NOW)

    assert invited.password_hash is None
    assert smtp.handler.per_recipient() == {
        "faith@fenside.test": 1,
        "new.head@fenside.test": 1,
        "marcus@marshside.test": 1,
        school_coordinator.email: 1,
    }


def test_nothing_new_means_no_email(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)

    outcome = send_weekly_digest(NOW)

    assert smtp.handler.to(week.wold_leader.email) == []
    assert outcome.nothing_new == 1
    assert not db.session.scalars(
        select(DigestMessage).where(DigestMessage.user_id == week.wold_leader.id)
    ).all()


def test_suggestions_are_announced_once_and_only_when_published(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    waiting = make.post(week.wold, kind=PostKind.REQUEST, title="Help with RE", created_at=OLD)
    other = make.post(week.wold, kind=PostKind.REQUEST, title="Help with PE", created_at=OLD)
    pending = publish(waiting, week.offer, status=SuggestionStatus.PENDING)
    rejected = publish(other, week.offer, status=SuggestionStatus.REJECTED)

    first = send_weekly_digest(NOW)
    db.session.expire_all()
    assert week.suggestion.digest_run_id == first.run_id
    assert pending.digest_run_id is None and rejected.digest_run_id is None
    assert smtp.handler.to(week.wold_leader.email) == []

    # Published after this week's digest began: it waits for next week's.
    late = publish(waiting, week.offer, run=MatchRun(week_start=WEEK, attempt=2))
    again = send_weekly_digest(NOW + timedelta(days=1))
    assert again.sent == 0
    db.session.expire_all()
    assert late.digest_run_id is None

    next_week = send_weekly_digest(NOW + timedelta(days=7))
    db.session.expire_all()
    assert late.digest_run_id == next_week.run_id
    assert next_week.suggestions == 1
    # Fenside's suggestion was announced last week, so Fenside has nothing new.
    assert smtp.handler.per_recipient() == {
        "faith@fenside.test": 1,
        "marcus@marshside.test": 2,
        "wendy@wold.test": 1,
    }


def test_suggestions_for_closed_posts_are_not_announced(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    week.request.status = PostStatus.CLOSED
    db.session.commit()

    outcome = send_weekly_digest(NOW)

    assert outcome.suggestions == 0 and outcome.sent == 0
    db.session.expire_all()
    assert week.suggestion.digest_run_id is None


# --- preferences ---------------------------------------------------------------------------


def test_sections_follow_each_persons_preferences(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)
    week.marsh_leader.digest_can_help = False  # its only news is where it could help
    week.fen_leader.digest_could_help_you = False
    make.post(
        week.marshside,
        kind=PostKind.OFFER,
        title="Forest school visits",
        created_at=NOW - timedelta(days=2),
    )
    db.session.commit()

    outcome = send_weekly_digest(NOW)

    # Marshside's leader turned off the one section with something in it, and Marshside's own
    # new post is not news to Marshside.
    assert smtp.handler.to(week.marsh_leader.email) == []
    msg = digest_for(smtp, week.fen_leader)
    text = text_of(msg)
    assert "WHO COULD HELP YOU" not in text and "Our phonics lead can coach" not in text
    assert "WHERE YOU COULD HELP" not in text
    assert "No new suggested partnerships for Fenside Primary this week." in text
    assert (
        "PARTNERSHIP NEWS" in text and "Forest school visits (offer from Marshside Academy)" in text
    )
    assert msg["Subject"] == "Your GiveFirst Partnership week: 1 new offer or request"
    assert "Who could help you" not in html_of(msg)
    # Wold View hears the news too.
    assert "Forest school visits" in text_of(digest_for(smtp, week.wold_leader))
    assert outcome.nothing_new == 1


def test_news_off_and_no_suggestions_means_no_email(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    week.wold_leader.digest_news = False
    db.session.commit()
    make.post(
        week.fenside, kind=PostKind.OFFER, title="Choir visits", created_at=NOW - timedelta(days=1)
    )

    send_weekly_digest(NOW)

    assert smtp.handler.to(week.wold_leader.email) == []
    assert "Choir visits" in text_of(digest_for(smtp, week.marsh_leader))


# --- partnership news ----------------------------------------------------------------------


def test_news_counts_this_weeks_posts_lists_five_and_thanks_the_givers(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    for day in range(1, 8):
        make.post(
            week.marshside,
            kind=PostKind.REQUEST if day % 2 else PostKind.OFFER,
            title=f"New post {day}",
            created_at=NOW - timedelta(days=day, minutes=-1),
        )
    make.post(
        week.fenside,
        kind=PostKind.OFFER,
        title="Paused",
        created_at=NOW - timedelta(days=1),
        status=PostStatus.PAUSED,
    )
    make.post(
        week.fenside, kind=PostKind.OFFER, title="Too old", created_at=NOW - timedelta(days=8)
    )
    # Partnerships begun this week thank the schools that gave; an older one does not.
    given = make.post(week.fenside, kind=PostKind.OFFER, title="Reading buddies", created_at=OLD)
    for offer, when in ((given, NOW - timedelta(days=2)), (week.offer, NOW - timedelta(days=3))):
        db.session.add(Partnership(request=week.request, offer=offer, introduced_at=when))
    old_giver = make.school(name="Long Ago Primary")
    gone = make.post(old_giver, kind=PostKind.OFFER, title="Old offer", created_at=OLD)
    db.session.add(
        Partnership(request=week.request, offer=gone, introduced_at=NOW - timedelta(days=9))
    )
    db.session.commit()

    send_weekly_digest(NOW)

    text = text_of(digest_for(smtp, week.wold_leader))
    assert "7 new offers and requests this week:" in text
    listed = re.findall(r"^- (New post \d) \((offer|request) from Marshside Academy\)$", text, re.M)
    assert [title for title, _ in listed] == [f"New post {d}" for d in range(1, 6)]
    assert "- and 2 more" in text
    assert "Paused" not in text and "Too old" not in text
    assert "Thank you to Fenside Primary and Marshside Academy, who gave this week." in text
    assert "Long Ago Primary" not in text
    html = html_of(digest_for(smtp, week.wold_leader))
    assert "<h2" in html and "Partnership news</h2>" in html
    assert "Thank you to Fenside Primary and Marshside Academy, who gave this week." in html
    # Marshside's own posts are not news to Marshside.
    assert "new offers and requests this week" not in text_of(digest_for(smtp, week.marsh_leader))


def test_thanks_alone_is_not_a_reason_to_email(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)
    db.session.add(
        Partnership(request=week.request, offer=week.offer, introduced_at=NOW - timedelta(days=1))
    )
    db.session.commit()

    send_weekly_digest(NOW)

    assert smtp.handler.to(week.wold_leader.email) == []
    assert "who gave this week" in text_of(digest_for(smtp, week.fen_leader))


def test_an_answered_suggestion_shows_the_answer_instead_of_links(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    week.suggestion.offer_answer = Answer.INTERESTED
    db.session.commit()

    send_weekly_digest(NOW)

    giver = text_of(digest_for(smtp, week.marsh_leader))
    assert "You have already answered: Interested." in giver
    assert "/email/reply/" not in giver
    assert "/email/reply/" in text_of(digest_for(smtp, week.fen_leader))


def test_several_suggestions_order_by_score_and_count_schools_in_the_subject(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    wold_request = make.post(
        week.wold, kind=PostKind.REQUEST, title="Maths mastery", created_at=OLD
    )
    second_request = make.post(
        week.wold, kind=PostKind.REQUEST, title="Early reading", created_at=OLD
    )
    marsh_request = make.post(
        week.marshside, kind=PostKind.REQUEST, title="Science kit", created_at=OLD
    )
    fen_offer = make.post(week.fenside, kind=PostKind.OFFER, title="Science lead", created_at=OLD)
    publish(wold_request, week.offer, score=0.95)
    publish(second_request, week.offer, score=0.5)
    publish(marsh_request, fen_offer, score=0.7)

    send_weekly_digest(NOW)

    msg = digest_for(smtp, week.marsh_leader)
    assert msg["Subject"] == (
        "Your GiveFirst Partnership week: 2 schools you could help, 1 that could help you"
    )
    text = text_of(msg)
    order = [text.index(t) for t in ("Maths mastery", "Phonics catch-up", "Early reading")]
    assert order == sorted(order)
    assert text.index("WHERE YOU COULD HELP") < text.index("WHO COULD HELP YOU")
    assert "Fenside Primary (Boston) offers: Science lead" in text


def test_people_are_unchanged_by_recording(app: Flask, make: Any, smtp: SMTPServer) -> None:
    """Recording and sending touch only digest rows, not people (unless a bounce)."""
    week = build_week(make)
    send_weekly_digest(NOW)
    db.session.expire_all()
    person = db.session.get(User, week.fen_leader.id)
    assert person is not None
    assert person.email_bouncing_since is None and person.digest_enabled


# --- how the email is put together ---------------------------------------------------------


def test_digest_links_are_exactly_the_reply_modules_links(
    app: Flask, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest reuses each endpoint's address; the links must not differ in any way."""
    from itsdangerous.timed import TimestampSigner

    from app.digest.compose import DigestLinks
    from app.digest.services import _link_context
    from app.replies import links

    week = build_week(make)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_795_000_000)
    digest_links = DigestLinks()
    with _link_context():
        for person in (week.fen_leader, week.marsh_leader):
            assert digest_links.reply_urls(week.suggestion, person) == links.reply_urls(
                week.suggestion, person
            )
            assert digest_links.unsubscribe_url(person) == links.unsubscribe_url(person)
            assert digest_links.preferences_url(person) == links.preferences_url(person)


def test_personal_parts_are_filled_in_and_escaped(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)
    week.fen_leader.name = "Faith <b>Fenn</b> & co"
    colleague = make.user(week.fenside, name="Colin Cole", email="colin@fenside.test")
    make.post(week.wold, kind=PostKind.OFFER, title="[[not:a_marker]] <i>RE</i>", created_at=NOW)
    db.session.commit()

    send_weekly_digest(NOW + timedelta(minutes=1))

    faith, colin = digest_for(smtp, week.fen_leader), digest_for(smtp, colleague)
    assert "Hello Faith <b>Fenn</b> & co," in text_of(faith)
    assert "Hello Faith &lt;b&gt;Fenn&lt;/b&gt; &amp; co," in html_of(faith)
    assert "[[not:a_marker]] <i>RE</i> (offer from Wold View School)" in text_of(faith)
    assert "[[not:a_marker]] &lt;i&gt;RE&lt;/i&gt;" in html_of(faith)
    assert "Hello Colin Cole," in text_of(colin)
    assert "switched on for colin@fenside.test" in text_of(colin)
    for msg in (faith, colin):
        for body in (text_of(msg), html_of(msg)):
            assert not re.search(r"\[\[[0-9a-f]{16}:", body), "a marker was left in"
    # Same school, same version, but each person's own links.
    faith_links = re.findall(r"/email/reply/([^\s\"<]+)", text_of(faith))
    colin_links = re.findall(r"/email/reply/([^\s\"<]+)", text_of(colin))
    assert [read_reply_token(t)["u"] for t in faith_links] == [week.fen_leader.id] * 3
    assert [read_reply_token(t)["u"] for t in colin_links] == [colleague.id] * 3


def test_one_click_unsubscribe_from_the_header_stops_next_weeks_digest(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    send_weekly_digest(NOW)
    header = digest_for(smtp, week.fen_leader)["List-Unsubscribe"]
    url = header.strip("<>")

    # What a mail provider does (RFC 8058): POST, no cookies, no CSRF token.
    response = app.test_client().post(urlsplit(url).path, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, week.fen_leader.id).digest_enabled is False  # type: ignore[union-attr]
    request = make.post(week.fenside, kind=PostKind.REQUEST, title="Art week", created_at=OLD)
    publish(request, week.offer)
    send_weekly_digest(NOW + timedelta(days=7))
    assert len(smtp.handler.to(week.fen_leader.email)) == 1
    assert len(smtp.handler.to(week.marsh_leader.email)) == 2


def test_how_long_a_request_waited_is_worded_for_each_school(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    week.suggestion.reasons = ["Both about phonics", "Your request has waited 3 weeks"]
    db.session.commit()

    send_weekly_digest(NOW)

    asker = text_of(digest_for(smtp, week.fen_leader))
    giver = text_of(digest_for(smtp, week.marsh_leader))
    assert "Both about phonics; Your request has waited 3 weeks" in asker
    assert "Both about phonics; Their request has waited 3 weeks" in giver
    assert "Your request has waited" not in giver
