"""The coordinators' dashboard and its printable report in a real browser, checked with
axe-core against WCAG 2.2 A and AA, with figures in every section."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Role, User, utcnow
from app.posts.services import partnership_today
from app.terms import term_for
from tests.browser.conftest import LiveServer, axe_violations
from tests.factories import Factories
from tests.test_dashboard import build_world

pytestmark = pytest.mark.browser

PASSWORD = "a long coordinator password"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def partnership(live_server: LiveServer) -> LiveServer:
    app = live_server.app
    with app.app_context():
        term = term_for(partnership_today(utcnow()), app.config["TERMS"])
        build_world(app, Factories, term)
        db.session.add(
            User(
                name="Cora Coordinator",
                email="cora@partnership.test",
                role=Role.COORDINATOR,
                password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
            )
        )
        db.session.commit()
    return live_server


def _check(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_dashboard_and_report_pass_axe(partnership: LiveServer, page: Any) -> None:
    base = partnership.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/auth/sign-in")
    page.get_by_label("Email address").fill("cora@partnership.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    assert page.get_by_role("heading", name="Partnership dashboard").is_visible()
    main = page.locator("main").inner_text()
    # Every section has figures in it.
    for expected in (
        "Attendance",
        "Daisy Primary",
        "Cedar needs",
        "Fern Primary",
        "In a partnership",
        "Thank you: your help reached 90 pupils",
        "Our attendance lead learnt as much as Birch did.",
    ):
        assert expected in main, expected
    assert page.locator("svg[role=img]").count() == 5
    _check(page, "dashboard")

    # The term filter is a plain GET form.
    page.get_by_label("Term", exact=True).select_option(index=1)
    page.get_by_role("button", name="Show term").click()
    page.wait_for_url(re.compile(r"term="))
    assert "No impact recorded this term yet" in page.locator("main").inner_text()
    _check(page, "dashboard-earlier-term")

    page.go_back()
    page.get_by_role("link", name=re.compile("Printable impact report")).click()
    assert page.get_by_role("heading", name=re.compile("Termly impact report")).is_visible()
    _check(page, "dashboard-report")
    page.emulate_media(media="print")
    assert not page.locator("nav.app-nav").is_visible()
    assert errors == []
