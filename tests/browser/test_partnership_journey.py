"""A partnership's life in a real browser: agree aims (with a mistake first), answer a check-in
from its email, record the impact. axe-core checks every form page against WCAG 2.2 A/AA."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Partnership, PostKind, Role, School, User
from app.posts.services import PostData, create_post
from jobs import tasks
from tests.browser.conftest import LiveServer
from tests.browser.test_leader_journey import _check_a11y

pytestmark = pytest.mark.browser
PASSWORD = "a long demo password"


@pytest.fixture
def pair(live_server: LiveServer) -> tuple[LiveServer, int]:
    with live_server.app.app_context():
        giver = School(name="Fenside Primary", town="Boston")
        receiver = School(name="Marshside Academy", town="Skegness")
        hash_ = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        lead = User(
            name="Rob Receiver",
            email="rob@marshside.test",
            role=Role.LEADER,
            school=receiver,
            password_hash=hash_,
        )
        other = User(name="Gina Giver", email="gina@fenside.test", role=Role.LEADER, school=giver)
        db.session.add_all([giver, receiver, lead, other])
        db.session.flush()
        offer = create_post(
            other, giver, PostData(kind=PostKind.OFFER, title="Maths mastery", capacity=2)
        )
        request = create_post(
            lead, receiver, PostData(kind=PostKind.REQUEST, title="Y5 fractions gaps")
        )
        partnership = Partnership(request=request, offer=offer)
        db.session.add(partnership)
        db.session.commit()
        return live_server, partnership.id


def _sign_in(page: Any, base: str, next_path: str) -> None:
    page.goto(base + "/auth/sign-in?next=" + next_path)
    page.get_by_label("Email address").fill("rob@marshside.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_aims_check_in_and_impact(pair: tuple[LiveServer, int], page: Any) -> None:
    server, pid = pair
    base = server.url
    _sign_in(page, base, f"/partnerships/{pid}")
    page.wait_for_url(re.compile(rf"/partnerships/{pid}$"))
    _check_a11y(page, "partnership-introduced")

    page.get_by_role("link", name="Agree your aims").click()
    page.get_by_label("What will you do together?").fill("Team-teach three fractions lessons")
    page.get_by_label("Who is it for?").fill("Year 5 pupils and their two teachers")
    page.get_by_role("button", name="Save the aims").click()
    summary = page.locator(".govuk-error-summary")
    assert "Say what difference it should make for children" in summary.inner_text()
    assert (
        page.get_by_label("Who is it for?").input_value() == "Year 5 pupils and their two teachers"
    )
    _check_a11y(page, "aims-form-errors")

    page.get_by_label("What difference should it make for children?").fill(
        "More pupils can compare and order fractions"
    )
    page.get_by_label("How will you know?").fill("End-of-unit assessment against last year")
    page.get_by_role("button", name="Save the aims").click()
    assert page.get_by_text("Your aims are agreed").is_visible()
    page.get_by_role("button", name="We have started").click()
    assert page.get_by_text("Your partnership is under way").is_visible()

    # Six weeks on, the check-in email; its "isn't working" link opens a page with one button.
    with server.app.app_context():
        tasks.partnerships(datetime.now(UTC) + timedelta(weeks=6))
    outbox = server.app.config["OUTBOX_DIR"]
    mails = [
        message_from_bytes(eml.read_bytes(), policy=policy.default)
        for eml in Path(outbox).glob("*.eml")
    ]
    [mail] = [m for m in mails if m["To"] == "rob@marshside.test"]
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"This isn't working.*?\n(http\S+)", text, re.S).group(1)  # type: ignore[union-attr]
    page.goto(link.replace("http://127.0.0.1:5000", base))
    assert page.get_by_text("Only the partnership coordinators will see this answer").is_visible()
    _check_a11y(page, "check-in")
    page.get_by_label(re.compile("Anything you would like to add")).fill("We cannot find a date")
    page.get_by_role("button", name="Send your answer").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()

    page.goto(f"{base}/partnerships/{pid}/impact")
    page.get_by_label("What changed?").fill("Pupils explain equivalent fractions with bar models")
    page.get_by_label("How many pupils did it reach?").fill("lots")
    page.get_by_role("button", name="Record the impact").click()
    assert (
        "Pupils reached must be a whole number" in page.locator(".govuk-error-summary").inner_text()
    )
    _check_a11y(page, "impact-form-errors")
    page.get_by_label("How many pupils did it reach?").fill("58")
    page.get_by_label("How many staff did it reach?").fill("4")
    page.get_by_label("What is your evidence?").fill("Assessment: 71% secure, up from 48%")
    page.get_by_label("A clear difference").check()
    page.get_by_role("button", name="Record the impact").click()
    assert page.get_by_text("Thank you. Your impact is recorded").is_visible()
    assert page.locator(".govuk-tag", has_text="Completed").is_visible()
    _check_a11y(page, "partnership-completed")
