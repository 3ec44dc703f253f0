"""A leader's own account in a real browser: the account page, the deletion confirmation
(with its error) pass axe-core, and deleting signs them out for good."""

from __future__ import annotations

import os
from typing import Any

import pytest

from app.extensions import db
from app.models import PostKind, Role
from tests.browser.conftest import LiveServer, axe_violations
from tests.factories import PASSWORD, Factories

pytestmark = pytest.mark.browser
# Set to a folder to keep screenshots of each page (for a person to look at).
SHOTS = os.environ.get("ACCOUNT_SCREENSHOTS", "")


def _check(page: Any, name: str) -> None:
    assert axe_violations(page) == [], name
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"acct-{name}.png"), full_page=True)


def test_account_and_delete_pages_pass_axe(live_server: LiveServer, page: Any) -> None:
    with live_server.app.app_context():
        school = Factories.school(name="Fenside Primary")
        leader = Factories.user(
            school, name="Hana Head", email="head@fenside.test", job_title="Headteacher"
        )
        Factories.post(school, kind=PostKind.OFFER, title="Phonics training", author=leader)
        db.session.commit()
    base = live_server.url

    page.goto(base + "/auth/sign-in")
    page.get_by_label("Email address").fill("head@fenside.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Your account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    _check(page, "account")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data").click()
    assert download.value.suggested_filename == "givefirst-your-data.json"

    page.get_by_role("button", name="Delete your account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Delete your account"
    _check(page, "delete")

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete your account").click()
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-error-summary").inner_text().count("The password is not right")
    _check(page, "delete-error")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete your account").click()
    assert (
        "Your account has been deleted" in page.locator(".govuk-notification-banner").inner_text()
    )
    _check(page, "deleted")

    page.goto(base + "/account/")
    assert "/auth/sign-in" in page.url


def test_audit_log_and_exports_pages_pass_axe(live_server: LiveServer, page: Any) -> None:
    with live_server.app.app_context():
        from app.people.services import set_role

        coordinator = Factories.coordinator(name="Cora Coordinator", email="cora@example.test")
        lee = Factories.user(Factories.school(name="Ash Primary"), name="Lee Leader")
        set_role(lee, Role.COORDINATOR, acting=coordinator, reason="New hub lead")
    base = live_server.url

    page.goto(base + "/auth/sign-in")
    page.get_by_label("Email address").fill("cora@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Audit log").click()
    assert "New hub lead" in page.locator("table").inner_text()
    _check(page, "audit-log")
    page.get_by_label("Decision").select_option("role_change")
    page.get_by_role("button", name="Filter").click()
    assert "action=role_change" in page.url
    _check(page, "audit-log-filtered")

    page.goto(base + "/coordinator/exports/")
    _check(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download posts (CSV)").click()
    assert download.value.suggested_filename.startswith("givefirst-posts-")
