"""Both schools interested → one partnership and one introduction; reminders; school contacts."""

from __future__ import annotations

import email
import email.policy
import os
import threading
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app.extensions import db
from app.mail import DeliveryResult
from app.models import (
    Answer,
    MatchRun,
    Partnership,
    PartnershipStatus,
    PostStatus,
    Role,
    SuggestionStatus,
    utcnow,
)
from app.replies import services
from tests.conftest import csrf_token
from tests.test_replies import Pair, make_pair, path, post_answer, reply_path, snapshot


def read_outbox(outbox: Path) -> list[EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(outbox.glob("*.eml"))
    ]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def html_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]


def partnerships() -> int:
    return db.session.scalar(select(func.count()).select_from(Partnership)) or 0


def both_interested(client: FlaskClient, pair: Pair) -> None:
    post_answer(client, reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    post_answer(client, reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED))


# --- introductions ---------------------------------------------------------------------------


def test_both_interested_makes_one_partnership_and_introduces_both_schools(
    client: FlaskClient, make: Any, outbox: Path
):
    pair = make_pair(make, note="Both of you started this September")
    head = make.user(pair.offer_school, name="Hana Head", job_title="Headteacher")
    # Not contacts: another school, a deactivated leader, a bouncing address, a coordinator.
    make.user(make.school(), name="Out Sider")
    make.user(pair.offer_school, name="Gone Person", active=False)
    make.user(pair.request_school, name="Bounce Back", email_bouncing_since=utcnow())
    make.coordinator(name="Cora Ordinator")

    post_answer(client, reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    assert partnerships() == 0
    assert read_outbox(outbox) == []
    url = reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED)
    response = post_answer(client, url)
    assert response.status_code == 302

    [partnership] = db.session.scalars(select(Partnership)).all()
    assert partnership.suggestion_id == pair.suggestion.id
    assert partnership.request_id == pair.request.id
    assert partnership.offer_id == pair.offer.id
    assert partnership.status == PartnershipStatus.INTRODUCED
    assert not partnership.by_hand

    messages = {m["To"]: m for m in read_outbox(outbox)}
    assert set(messages) == {
        pair.request_leader.email,
        pair.offer_leader.email,
        head.email,
    }
    to_request = messages[pair.request_leader.email]
    text = text_of(to_request)
    # The request side learns who to contact at the offering school...
    for expected in (
        pair.offer_school.name,
        "Omar Oakes",
        "Maths lead",
        pair.offer_leader.email,
        "Hana Head",
        "Headteacher",
        head.email,
        "New SENCo needs a mentor",
        "Experienced SENCo can mentor",
        "You both mention SEND",
        "Both of you started this September",
        "Book a 20-minute call in the next fortnight to agree what you'll do together.",
    ):
        assert expected in text, expected
    assert "Bounce Back" not in text and "Gone Person" not in text and "Out Sider" not in text
    assert to_request["Reply-To"] == f"{head.email}, {pair.offer_leader.email}"
    html = html_of(to_request)
    assert '<html lang="en-GB">' in html
    assert f'<a href="mailto:{pair.offer_leader.email}">' in html
    assert "Book a 20-minute call" in html

    # ...and the offer side learns who to contact at the requesting school.
    to_offer = text_of(messages[pair.offer_leader.email])
    for expected in (pair.request_school.name, "Rita Reed", "SENCo", pair.request_leader.email):
        assert expected in to_offer, expected
    assert "Hana Head" in to_offer  # told which colleague also got it
    assert to_offer.count(pair.offer_leader.email) == 0

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"You have been introduced to {pair.request_school.name}" in page


def test_post_author_who_is_not_a_leader_is_introduced_too(
    client: FlaskClient, make: Any, outbox: Path
):
    pair = make_pair(make)
    coordinator = make.coordinator(name="Cora Ordinator")
    pair.offer.author = coordinator
    db.session.commit()
    both_interested(client, pair)
    recipients = {m["To"] for m in read_outbox(outbox)}
    assert recipients == {pair.request_leader.email, pair.offer_leader.email, coordinator.email}


def test_answering_again_after_the_introduction_changes_nothing(
    client: FlaskClient, make: Any, outbox: Path
):
    pair = make_pair(make)
    both_interested(client, pair)
    assert partnerships() == 1
    sent = len(read_outbox(outbox))
    before = snapshot()

    # The same button twice (a double-click), and a change of mind afterwards.
    # (The pages show no form any more, so take the session's CSRF token from another page.)
    token = csrf_token(client)
    url = reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    late = reply_path(pair.suggestion, pair.request_leader, Answer.NOT_NOW)
    page = client.get(late).get_data(as_text=True)
    assert "You have been introduced" in page
    assert "<form" not in page.split("</nav>")[-1]
    response = client.post(late, data={"csrf_token": token, "reason": "timing"})
    assert response.status_code == 302

    assert partnerships() == 1
    assert len(read_outbox(outbox)) == sent
    assert snapshot() == before


def test_a_race_to_create_the_partnership_makes_one_and_one_introduction(
    app: Flask, make: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
):
    pair = make_pair(make)
    pair.suggestion.request_answer = Answer.INTERESTED
    pair.suggestion.offer_answer = Answer.INTERESTED
    db.session.add(
        Partnership(
            suggestion_id=pair.suggestion.id, request_id=pair.request.id, offer_id=pair.offer.id
        )
    )
    db.session.commit()
    # The other request's partnership is not yet visible when this one checks.
    real = services.partnership_for
    calls = {"n": 0}

    def not_yet(suggestion: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(suggestion)

    monkeypatch.setattr(services, "partnership_for", not_yet)
    link = services.ReplyLink(pair.suggestion, pair.offer_leader, "offer", Answer.INTERESTED)
    outcome = services.record_answer(link)
    assert not outcome.introduced
    assert outcome.partnership is not None
    assert partnerships() == 1
    assert read_outbox(outbox) == []


def test_not_interested_on_one_side_makes_no_partnership(
    client: FlaskClient, make: Any, outbox: Path
):
    pair = make_pair(make)
    post_answer(client, reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED))
    post_answer(client, reply_path(pair.suggestion, pair.offer_leader, Answer.NOT_NOW))
    assert partnerships() == 0
    assert read_outbox(outbox) == []


def test_a_school_with_no_contact_gets_the_coordinator_fallback(
    client: FlaskClient, make: Any, outbox: Path
):
    pair = make_pair(make)
    request_url = reply_path(pair.suggestion, pair.request_leader, Answer.INTERESTED)
    post_answer(client, request_url)
    offer_url = reply_path(pair.suggestion, pair.offer_leader, Answer.INTERESTED)
    # The offer side's only leader's address starts bouncing before the introduction.
    pair.offer_leader.email_bouncing_since = utcnow()
    db.session.commit()
    post_answer(client, offer_url)
    [msg] = read_outbox(outbox)
    assert msg["To"] == pair.request_leader.email
    assert "Your partnership coordinator will put you in touch" in text_of(msg)
    assert msg["Reply-To"] is None


def test_a_permanent_failure_marks_the_address_as_bouncing(
    app: Flask, make: Any, monkeypatch: pytest.MonkeyPatch
):
    pair = make_pair(make)
    partnership = Partnership(
        suggestion_id=pair.suggestion.id, request_id=pair.request.id, offer_id=pair.offer.id
    )
    db.session.add(partnership)
    db.session.commit()

    def fake_send(mails: Any) -> list[DeliveryResult]:
        return [
            DeliveryResult(m.to, ok=False, permanent_failure=True, error="550 no such user")
            if m.to == pair.offer_leader.email
            else DeliveryResult(m.to, ok=True)
            for m in mails
        ]

    monkeypatch.setattr(services, "send", fake_send)
    services.send_introduction(partnership)
    db.session.expire_all()
    assert pair.offer_leader.email_bouncing_since is not None
    assert pair.offer_leader.email_bounce_reason == "550 no such user"
    assert pair.request_leader.email_bouncing_since is None


# --- school contacts -------------------------------------------------------------------------


def test_school_contacts_in_one_query(app: Flask, make: Any):
    ash, birch, empty = make.school(), make.school(), make.school()
    zara = make.user(ash, name="Zara Ash")
    adam = make.user(ash, name="Adam Ash")
    bea = make.user(birch, name="Bea Birch")
    make.user(ash, name="Inactive", active=False)
    make.user(ash, name="Bouncing", email_bouncing_since=utcnow())
    make.user(ash, role=Role.COORDINATOR, name="Coordinator at Ash")
    make.user(make.school(), name="Elsewhere")

    ids = [ash.id, birch.id, empty.id, ash.id]
    expected = {ash.id: [adam, zara], birch.id: [bea], empty.id: []}
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        contacts = services.school_contacts(ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert contacts == expected
    assert services.school_contacts([]) == {}


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_once_after_a_week_and_not_before(
    app: Flask, client: FlaskClient, make: Any, outbox: Path
):
    now = utcnow()
    pair = make_pair(make, published_at=now - timedelta(days=7, minutes=1))
    fresh = make_pair(make, published_at=now - timedelta(days=6), run=pair.suggestion.run)
    quiet = make.user(pair.request_school, name="Quiet Reader", digest_enabled=False)
    # The offer side has answered: only the request side is reminded.
    pair.suggestion.offer_answer = Answer.INTERESTED
    db.session.commit()

    assert services.send_reminders(now - timedelta(days=1)) == 0
    assert read_outbox(outbox) == []

    assert services.send_reminders(now) == 1
    [msg] = read_outbox(outbox)
    assert msg["To"] == pair.request_leader.email
    assert msg["To"] != quiet.email
    text = text_of(msg)
    assert pair.offer_school.name in text
    assert "has said they are interested" in text
    assert "Not now" in text and "Not relevant" in text
    assert "only reminder" in text
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http")
    assert "<h1>" in html_of(msg)
    db.session.expire_all()
    assert pair.suggestion.reminded_at is not None
    assert fresh.suggestion.reminded_at is None

    # A second run (or a re-run of the job) sends nothing more.
    assert services.send_reminders(now) == 0
    assert services.send_reminders(now + timedelta(hours=1)) == 0
    assert len(read_outbox(outbox)) == 1

    # The links in the reminder open the answer page and change nothing.
    links_in_mail = [line.strip() for line in text.splitlines() if "/email/reply/" in line]
    assert len(links_in_mail) == 3
    before = snapshot()
    for link in links_in_mail:
        assert client.get(path(link)).status_code == 200
    assert snapshot() == before


def test_one_reminder_per_person_lists_all_their_suggestions(app: Flask, make: Any, outbox: Path):
    now = utcnow()
    first = make_pair(make, published_at=now - timedelta(days=8))
    second_offer = make.post(first.offer_school, title="Phonics coaching")
    second_request = make.post(first.request_school, kind=first.request.kind, title="Phonics help")
    from app.models import Suggestion

    db.session.add(
        Suggestion(
            run=first.suggestion.run,
            request=second_request,
            offer=second_offer,
            score=0.5,
            reasons=["Both mention phonics"],
            status=SuggestionStatus.PUBLISHED,
            published_at=now - timedelta(days=9),
        )
    )
    db.session.commit()
    assert services.send_reminders(now) == 2  # one per school leader, not per suggestion
    messages = {m["To"]: m for m in read_outbox(outbox)}
    assert set(messages) == {first.request_leader.email, first.offer_leader.email}
    assert "2 suggested partnerships" in messages[first.offer_leader.email]["Subject"]
    assert "Phonics help" in text_of(messages[first.offer_leader.email])


@pytest.mark.parametrize("case", ["answered", "partnership", "closed_post", "not_published"])
def test_no_reminder_when_there_is_nothing_to_chase(app: Flask, make: Any, outbox: Path, case: str):
    now = utcnow()
    pair = make_pair(make, published_at=now - timedelta(days=10))
    s = pair.suggestion
    if case == "answered":
        s.request_answer = Answer.NOT_NOW
        s.offer_answer = Answer.INTERESTED
    elif case == "partnership":
        db.session.add(
            Partnership(
                suggestion_id=s.id, request_id=s.request_id, offer_id=s.offer_id, by_hand=True
            )
        )
    elif case == "closed_post":
        pair.request.status = PostStatus.CLOSED
    else:
        s.status = SuggestionStatus.SUPERSEDED
    db.session.commit()
    assert services.send_reminders(now) == 0
    assert read_outbox(outbox) == []


def test_reminders_respect_digest_sections(app: Flask, make: Any, outbox: Path):
    now = utcnow()
    pair = make_pair(make, published_at=now - timedelta(days=8))
    # The offer side turned off "Where you could help"; the request side still wants its part.
    pair.offer_leader.digest_can_help = False
    db.session.commit()
    assert services.send_reminders(now) == 1
    assert [m["To"] for m in read_outbox(outbox)] == [pair.request_leader.email]


def _post_together(
    client: FlaskClient, url: str, token: str, barrier: threading.Barrier, out: list[Any]
) -> None:
    barrier.wait()
    response = client.post(url, data={"csrf_token": token})
    out.append(response.status_code)
    if response.status_code != 302:
        out.append(response.get_data(as_text=True))


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="needs a database that serves concurrent connections (PostgreSQL)",
)
@pytest.mark.parametrize("race", ["both_sides_at_once", "double_click"])
def test_concurrent_answers_make_exactly_one_partnership(
    app: Flask, make: Any, outbox: Path, race: str
):
    for attempt in range(1, 6):
        pair = make_pair(make, run=MatchRun(week_start=date(2026, 11, 23), attempt=attempt))
        if race == "double_click":
            pair.suggestion.request_answer = Answer.INTERESTED
            db.session.commit()
            people = [pair.offer_leader, pair.offer_leader]
        else:
            people = [pair.request_leader, pair.offer_leader]
        jobs = []
        for person in people:
            client = app.test_client()
            url = reply_path(pair.suggestion, person, Answer.INTERESTED)
            jobs.append((client, url, csrf_token(client, url)))
        db.session.commit()  # end this thread's read transaction before the race
        barrier = threading.Barrier(len(jobs))
        statuses: list[int] = []
        threads = [
            threading.Thread(target=_post_together, args=(*job, barrier, statuses)) for job in jobs
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [302, 302], statuses
        db.session.expire_all()
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Partnership)
                .where(Partnership.suggestion_id == pair.suggestion.id)
            )
            == 1
        )
    # One introduction per person per pair: two people in each of five pairs.
    assert len(read_outbox(outbox)) == 10


def test_reminders_are_tried_again_when_the_mail_server_is_down(
    app: Flask, make: Any, outbox: Path, monkeypatch: pytest.MonkeyPatch
):
    now = utcnow()
    pair = make_pair(make, published_at=now - timedelta(days=8))

    def server_down(mails: Any) -> list[DeliveryResult]:
        return [DeliveryResult(m.to, ok=False, error="421 try later") for m in mails]

    monkeypatch.setattr(services, "send", server_down)
    assert services.send_reminders(now) == 0
    db.session.expire_all()
    assert pair.suggestion.reminded_at is None
    monkeypatch.undo()
    assert services.send_reminders(now + timedelta(hours=1)) == 2
    assert services.send_reminders(now + timedelta(hours=2)) == 0


def test_a_pair_made_by_hand_becomes_a_partnership_marked_by_hand(
    client: FlaskClient, make: Any
):
    from app.review.services import BY_HAND_REASON

    matched = make_pair(make)
    by_hand = make_pair(make, run=matched.suggestion.run)
    by_hand.suggestion.reasons = [BY_HAND_REASON]
    db.session.commit()
    both_interested(client, matched)
    both_interested(client, by_hand)
    flags = dict(db.session.execute(select(Partnership.suggestion_id, Partnership.by_hand)).all())
    assert flags == {matched.suggestion.id: False, by_hand.suggestion.id: True}
