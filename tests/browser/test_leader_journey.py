"""A school leader's journey in a real browser: sign in, post an offer, browse and filter.

Each page the journey passes is checked with axe-core against WCAG 2.2 A and AA.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import PostFormat, PostKind, Role, School, User
from app.posts.services import PostData, create_post
from app.taxonomy.services import seed_taxonomy
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "a long demo password"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))


def _post(school: School, author: User, kind: PostKind, title: str, tags: str) -> None:
    capacity = 2 if kind == PostKind.OFFER else None
    data = PostData(kind=kind, title=title, tags=tags, format=PostFormat.EITHER, capacity=capacity)
    create_post(author, school, data)


@pytest.fixture
def partnership(live_server: LiveServer) -> LiveServer:
    with live_server.app.app_context():
        seed_taxonomy()
        home = School(name="Fenside Primary", town="Boston", latitude=52.97, longitude=-0.02)
        near = School(name="Marsh Lane Primary", town="Kirton", latitude=52.93, longitude=-0.06)
        far = School(name="Hilltop Primary", town="Grantham", latitude=52.91, longitude=-0.64)
        leader = User(
            name="Hana Head",
            email="head@fenside.test",
            role=Role.LEADER,
            school=home,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        others = [
            User(name="Near Lead", email="lead@marsh.test", role=Role.LEADER, school=near),
            User(name="Far Lead", email="lead@hilltop.test", role=Role.LEADER, school=far),
        ]
        db.session.add_all([home, near, far, leader, *others])
        db.session.flush()
        _post(near, others[0], PostKind.REQUEST, "New SENCo needs a mentor", "SENCo")
        _post(near, others[0], PostKind.OFFER, "RWI phonics refresher for TAs", "phonics")
        _post(far, others[1], PostKind.OFFER, "Maths mastery in KS1", "maths mastery")
    return live_server


def _check_a11y(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_leader_signs_in_posts_an_offer_and_browses(partnership: LiveServer, page: Any) -> None:
    base = partnership.url
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(base + "/auth/sign-in")
    _check_a11y(page, "sign-in")
    page.get_by_label("Email address").fill("HEAD@fenside.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(my-school|posts)"))

    # My school, then post an offer: first with a mistake, then fixed.
    page.goto(base + "/my-school")
    assert page.get_by_role("heading", name=re.compile("Fenside Primary")).is_visible()
    _check_a11y(page, "my-school")

    page.goto(base + "/posts/new")
    page.get_by_label(re.compile("^Offer")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Description (optional)").fill("Our maths lead shows mastery teaching.")
    page.get_by_label("Topics (optional)").fill("maths mastery, Y2")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("How many schools can you support?").fill("0")
    page.get_by_role("button", name="Post offer").click()

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "There is a problem" in summary.inner_text()
    assert "Enter a title" in summary.inner_text()
    assert page.title().startswith("Error: ")
    # Everything typed is still there.
    assert page.get_by_label("Description (optional)").input_value().startswith("Our maths lead")
    assert page.get_by_label("Topics (optional)").input_value() == "maths mastery, Y2"
    assert page.get_by_label("How many schools can you support?").input_value() == "0"
    _check_a11y(page, "post-form-errors")

    # The summary's links move focus to the field with the problem.
    summary.get_by_role("link", name="Enter a title").click()
    assert page.evaluate("document.activeElement.id") == "title"

    page.get_by_label("Title").fill("Maths mastery in Year 2")
    page.get_by_label("How many schools can you support?").fill("2")
    page.get_by_role("button", name="Post offer").click()
    assert page.get_by_text("Your offer has been posted").is_visible()
    assert page.get_by_role("heading", name="Maths mastery in Year 2").is_visible()

    # Browse, then filter: requests only, then a topic, then by distance.
    page.goto(base + "/posts")
    _check_a11y(page, "browse")
    titles = page.locator(".app-result-title, h2 a, h3 a").all_inner_texts()
    assert any("RWI phonics refresher" in t for t in titles)
    assert any("Maths mastery in KS1" in t for t in titles)

    page.get_by_label("Requests", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    body = page.locator("main").inner_text()
    assert "New SENCo needs a mentor" in body
    assert "RWI phonics refresher" not in body

    page.goto(base + "/posts")
    page.get_by_label("Distance from your school").select_option("10")
    page.get_by_role("button", name="Apply filters").click()
    body = page.locator("main").inner_text()
    assert "RWI phonics refresher" in body  # Kirton, about 3 miles away
    assert "Maths mastery in KS1" not in body  # Grantham, about 25 miles away

    page.goto(base + "/posts?q=phonics")
    body = page.locator("main").inner_text()
    assert "RWI phonics refresher" in body
    assert "New SENCo" not in body
    assert console_errors == []
