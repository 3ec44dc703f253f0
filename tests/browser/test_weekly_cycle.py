"""The weekly cycle end to end, as a coordinator and two school leaders would live it.

Demo partnership → a coordinator runs matching in the app and approves a suggestion → the
digest goes out → each leader opens "Interested" from their email → both get the introduction.
"""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.demo.services import load_demo
from app.digest.services import send_weekly_digest
from app.extensions import db
from app.models import Partnership, Suggestion, SuggestionStatus, User
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "give-first-demo"
INTERESTED_LINK = re.compile(r'<a href="([^"]+/email/reply/[^"]+)"[^>]*>\s*Interested in')


def outbox_messages(folder: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


def html_part(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def test_match_approve_digest_reply_introduce(live_server: LiveServer, page: Any) -> None:
    app, base = live_server.app, live_server.url
    app.config["BASE_URL"] = base  # links in emails point at this server
    outbox = Path(app.config["OUTBOX_DIR"])
    with app.app_context():
        load_demo()

    page.goto(base + "/auth/sign-in")
    page.get_by_label("Email address").fill("coordinator@demo.givefirst.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Review suggested partnerships").click()
    page.get_by_role("button", name="Run matching now").click()
    assert page.get_by_text(re.compile(r"\d+ pairs suggested")).first.is_visible()
    assert axe_violations(page) == []
    page.screenshot(path="test-artifacts/review-queue.png", full_page=False)

    page.get_by_role("button", name=re.compile(r"^Approve (?!all)")).first.click()
    page.get_by_text(re.compile("^Published: ")).wait_for()
    with app.app_context():
        approved = db.session.scalars(
            sa.select(Suggestion).where(Suggestion.status == SuggestionStatus.PUBLISHED)
        ).one()
        approved_id = approved.id
        request_school, offer_school = approved.request.school_id, approved.offer.school_id
        summary = send_weekly_digest(datetime.now(UTC)).summary
        contacts = {
            u.email: u.school_id
            for u in db.session.scalars(
                sa.select(User).where(User.school_id.in_([request_school, offer_school]))
            )
        }
    assert " sent" in summary

    digests = [m for m in outbox_messages(outbox) if m["List-Unsubscribe"]]
    links = {}
    for msg in digests:
        school = contacts.get(str(msg["To"]))
        found = INTERESTED_LINK.search(html_part(msg))
        if school is not None and found:
            links[school] = found.group(1).replace("&amp;", "&")
    assert set(links) == {request_school, offer_school}, "both schools hear of the pair"

    # A fresh browser (no sign-in) follows each email's link: GET shows one button only.
    for school in (request_school, offer_school):
        page.context.clear_cookies()
        page.goto(links[school])
        assert axe_violations(page) == []
        with app.app_context():
            db.session.expire_all()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Partnership)) == 0
        page.get_by_role("button", name=re.compile("interested", re.I)).click()
        page.wait_for_load_state()
    page.screenshot(path="test-artifacts/reply-confirmed.png", full_page=False)

    with app.app_context():
        partnership = db.session.scalars(sa.select(Partnership)).one()
        assert partnership.suggestion_id == approved_id
    introductions = [m for m in outbox_messages(outbox) if "introduc" in str(m["Subject"]).lower()]
    to = {str(m["To"]) for m in introductions}
    assert {contacts[e] for e in to if e in contacts} == {request_school, offer_school}
