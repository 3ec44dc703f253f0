"""The digest's one line pointing givers at the partnership's biggest gap this term."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from app.digest.services import send_weekly_digest
from app.extensions import db
from app.models import PostKind
from tests.smtp_server import SMTPServer
from tests.test_digest import NOW, OLD, build_week, digest_for, html_of, smtp, text_of

__all__ = ["smtp"]  # the fixture, imported for these tests

GAP = "3 schools asked for help with Attendance this term; 1 offer exists — could your school give?"


def _attendance_requests(make: Any, count: int) -> list[Any]:
    """`count` schools asking for help with attendance this term, and one offer."""
    tag = make.tag("attendance", "Attendance")
    schools = [make.school(name=f"Asking School {n}") for n in range(count)]
    for school in schools:
        make.user(school)
        post = make.post(school, kind=PostKind.REQUEST, created_at=NOW - timedelta(days=1))
        post.tags = [tag]
    offer = make.post(make.school(), kind=PostKind.OFFER, created_at=OLD)
    offer.tags = [tag]
    db.session.commit()
    return schools


def test_givers_hear_about_the_biggest_gap(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)
    _attendance_requests(make, 3)
    send_weekly_digest(NOW)

    giver = digest_for(smtp, week.marsh_leader)
    text, html = text_of(giver), html_of(giver)
    assert GAP in text
    offer_url = app.config["BASE_URL"].rstrip("/") + "/posts/new?kind=offer"
    assert f"Post an offer of help: {offer_url}" in text
    assert GAP in html and f'href="{offer_url}"' in html
    # Every school that did not ask gets it, whatever else its email says.
    assert GAP in text_of(digest_for(smtp, week.fen_leader))


def test_no_line_when_the_gap_is_small(app: Flask, make: Any, smtp: SMTPServer) -> None:
    week = build_week(make)
    _attendance_requests(make, 2)  # two schools asking are not yet a gap
    send_weekly_digest(NOW)
    assert "could your school give?" not in text_of(digest_for(smtp, week.marsh_leader))


def test_no_line_for_someone_who_turned_off_where_they_could_help(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    _attendance_requests(make, 3)
    week.fen_leader.digest_can_help = False
    db.session.commit()
    send_weekly_digest(NOW)
    assert "could your school give?" not in text_of(digest_for(smtp, week.fen_leader))


def test_the_gap_is_worked_out_once_per_run(
    app: Flask, make: Any, smtp: SMTPServer, monkeypatch: Any
) -> None:
    import app.digest.services as digest_services

    calls = []
    real = digest_services.biggest_gap
    monkeypatch.setattr(
        digest_services, "biggest_gap", lambda term: calls.append(term) or real(term)
    )
    build_week(make)
    asking = _attendance_requests(make, 3)
    send_weekly_digest(NOW)
    assert len(calls) == 1
    # The schools that asked are not asked whether they could give.
    for school in asking:
        (leader,) = school.users
        assert "could your school give?" not in text_of(digest_for(smtp, leader))
