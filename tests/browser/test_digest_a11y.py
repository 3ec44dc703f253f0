"""The digest email's HTML has no WCAG 2.2 A/AA failures that axe-core can find."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.digest.services import send_weekly_digest
from app.extensions import db
from app.models import Answer, Partnership, PostKind
from tests.browser.conftest import axe_violations
from tests.test_digest import NOW, OLD, build_week, publish

pytestmark = pytest.mark.browser


def digest_html(outbox: Path, address: str) -> str:
    for eml in outbox.glob("*.eml"):
        msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
        if msg["To"] == address:
            return msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    raise AssertionError(f"no digest for {address}")


def test_digest_html_passes_axe(app: Flask, make: Any, outbox: Path, page: Any) -> None:
    week = build_week(make)
    # Every section filled: help to give and to get, an answered one, news and thanks.
    request = make.post(week.marshside, kind=PostKind.REQUEST, title="Science kit", created_at=OLD)
    offer = make.post(
        week.fenside, kind=PostKind.OFFER, title="Science lead visits", created_at=OLD
    )
    answered = publish(request, offer, note="Both schools asked about this in the autumn.")
    answered.request_answer = Answer.NOT_NOW  # Marshside has already answered this one
    for day in range(1, 8):
        make.post(week.wold, title=f"Offer {day}", created_at=NOW - timedelta(days=day))
    db.session.add(
        Partnership(request=week.request, offer=week.offer, introduced_at=NOW - timedelta(days=1))
    )
    db.session.commit()

    send_weekly_digest(NOW)
    html = digest_html(outbox, week.marsh_leader.email)
    assert "Where you could help" in html and "Who could help you" in html
    assert "Partnership news" in html and "who gave this week" in html
    assert "You have already answered" in html

    page.set_content(html)

    assert page.title().startswith("Your GiveFirst Partnership week")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert axe_violations(page) == []
    # Headings in order: one h1, sections as h2, suggestions as h3.
    levels = page.eval_on_selector_all("h1, h2, h3", "els => els.map(e => e.tagName)")
    assert levels[0] == "H1" and levels.count("H1") == 1
    assert levels[1] == "H2"
    # No remote images or scripts: the email is self-contained.
    assert page.locator("img, script, link[rel=stylesheet]").count() == 0
