"""A person's own account: see it, download their data, delete it (anonymised, not lost)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.audit.services import record
from app.auth.services import authenticate
from app.extensions import db
from app.models import (
    Answer,
    AuditEvent,
    CheckIn,
    CheckInAnswer,
    Impact,
    LoginAttempt,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    Role,
    SuggestionStatus,
    User,
)
from app.people import services as people
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, Factories
from tests.test_review import make_run, suggest

DELETE = "/account/delete"


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    """Lee (a leader at Ash) wrote a request that became a completed partnership with Elm."""
    ash, elm = Factories.school(name="Ash Primary"), Factories.school(name="Elm Academy")
    lee = Factories.user(ash, name="Lee Leader", email="lee@ash.example", job_title="SENCo")
    eve = Factories.user(elm, name="Eve Other", email="eve@elm.example")
    coordinator = Factories.coordinator(name="Cora Coordinator")
    request = Factories.post(ash, kind=PostKind.REQUEST, title="Phonics catch-up", author=lee)
    offer = Factories.post(elm, kind=PostKind.OFFER, title="Phonics training", author=eve)
    s = suggest(
        make_run(),
        request,
        offer,
        status=SuggestionStatus.PUBLISHED,
        request_answer=Answer.INTERESTED,
        request_answer_reason="Just what we need",
        offer_answer=Answer.INTERESTED,
        offer_answer_reason="Elm's private reason",
    )
    p = Partnership(
        suggestion=s,
        request=request,
        offer=offer,
        status=PartnershipStatus.COMPLETED,
        aims_what="Year 2 phonics",
        completed_at=datetime(2026, 7, 1, tzinfo=UTC),
    )
    db.session.add(p)
    db.session.flush()
    db.session.add_all(
        [
            CheckIn(
                partnership_id=p.id,
                school_id=ash.id,
                weeks=6,
                answer=CheckInAnswer.GOING_WELL,
                note="Lee's check-in note",
                answered_by_id=lee.id,
            ),
            CheckIn(
                partnership_id=p.id,
                school_id=elm.id,
                weeks=6,
                note="Eve's note",
                answered_by_id=eve.id,
            ),
            Impact(
                partnership_id=p.id,
                school_id=ash.id,
                author_id=lee.id,
                pupils_reached=12,
                staff_reached=2,
                rating=5,
                what_changed="Reading ages up",
            ),
            Impact(
                partnership_id=p.id, school_id=elm.id, author_id=eve.id, rating=4, quote="Eve's"
            ),
            LoginAttempt(email=lee.email, ip="192.0.2.1", succeeded=True),
            LoginAttempt(email=eve.email, ip="192.0.2.99", succeeded=True),
        ]
    )
    record(coordinator, "role_change", lee, "Changed Lee Leader's role from x to y", reason="Why")
    record(coordinator, "role_change", eve, "Changed Eve Other's role from x to y")
    db.session.commit()
    return {"lee": lee, "eve": eve, "coordinator": coordinator, "request": request, "p": p}


def test_account_page_is_in_the_menu_and_shows_the_details(
    client: FlaskClient, world: dict[str, object]
) -> None:
    sign_in(client, world["lee"])  # type: ignore[arg-type]
    html = client.get("/account/").get_data(as_text=True)
    assert 'href="/account/"' in html and "Your account" in html
    for text in ("Lee Leader", "lee@ash.example", "SENCo", "Ash Primary", "School leader"):
        assert text in html
    assert 'href="/account/your-data.json"' in html and 'href="/account/delete"' in html


def test_download_holds_their_data_and_nobody_elses(
    client: FlaskClient, world: dict[str, object]
) -> None:
    lee = world["lee"]
    assert isinstance(lee, User)
    sign_in(client, lee)
    response = client.get("/account/your-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    data = json.loads(text)

    assert data["user"]["email"] == "lee@ash.example"
    assert data["user"]["school"] == {"id": lee.school_id, "name": "Ash Primary"}
    assert "password_hash" not in data["user"]
    assert lee.password_hash and lee.password_hash not in text
    assert [p["title"] for p in data["posts"]] == ["Phonics catch-up"]
    (answer,) = data["answers"]
    assert (answer["answer"], answer["reason"]) == ("interested", "Just what we need")
    assert [c["note"] for c in data["check_ins"]] == ["Lee's check-in note"]
    assert [(i["pupils_reached"], i["rating"]) for i in data["impacts"]] == [(12, 5)]
    assert [a["ip"] for a in data["sign_in_attempts"]] == ["192.0.2.1"]
    (entry,) = data["audit_log"]
    assert entry["summary"].startswith("Changed Lee Leader's role") and entry["by_you"] is False
    # Nothing private to anybody else.
    for private in ("eve@elm.example", "Eve Other", "Elm's private reason", "Eve's", "192.0.2.99"):
        assert private not in text, private


def test_delete_page_warns_and_asks_for_the_password(
    client: FlaskClient, world: dict[str, object]
) -> None:
    sign_in(client, world["lee"])  # type: ignore[arg-type]
    html = client.get(DELETE).get_data(as_text=True)
    assert "govuk-warning-text" in html and "You cannot undo this" in html
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert "govuk-button--warning" in html


def test_wrong_password_deletes_nothing(client: FlaskClient, world: dict[str, object]) -> None:
    lee = world["lee"]
    assert isinstance(lee, User)
    sign_in(client, lee)
    token = csrf_token(client, DELETE)
    response = client.post(DELETE, data={"csrf_token": token, "password": "not it"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The password is not right" in html and "not it" not in html
    assert client.post(DELETE, data={"csrf_token": token}).status_code == 400
    db.session.refresh(lee)
    assert lee.deleted_at is None and lee.name == "Lee Leader"


def test_wrong_passwords_on_the_delete_page_count_as_failed_sign_ins(
    app: Flask, client: FlaskClient, world: dict[str, object]
) -> None:
    lee = world["lee"]
    assert isinstance(lee, User)
    sign_in(client, lee)
    token = csrf_token(client, DELETE)
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for _ in range(limit):
        html = client.post(DELETE, data={"csrf_token": token, "password": "guess"}).get_data(
            as_text=True)
        assert "The password is not right" in html
    # Even the right password is refused now, and so is signing in elsewhere.
    html = client.post(DELETE, data={"csrf_token": token, "password": PASSWORD}).get_data(
        as_text=True)
    assert "Too many wrong passwords. Wait 15 minutes and try again" in html
    db.session.refresh(lee)
    assert lee.deleted_at is None
    assert authenticate(lee.email, PASSWORD, "198.51.100.7").throttled


def test_deleting_anonymises_keeps_the_figures_and_signs_out(
    client: FlaskClient, world: dict[str, object]
) -> None:
    lee, request, p = world["lee"], world["request"], world["p"]
    assert isinstance(lee, User) and isinstance(request, Post) and isinstance(p, Partnership)
    lee_id, hash_before = lee.id, lee.password_hash
    sign_in(client, lee)
    token = csrf_token(client, DELETE)

    response = client.post(DELETE, data={"csrf_token": token, "password": PASSWORD})

    assert response.status_code == 302
    person = db.session.get(User, lee_id)
    assert person is not None
    assert person.name == "Deleted user"
    assert person.email == f"deleted-{lee_id}@invalid"
    assert (person.password_hash, person.active, person.job_title) == (None, False, "")
    assert person.deleted_at is not None and person.digest_enabled is False
    assert person.school_id is not None  # still counted with their school's history
    # The post stays with its school, words and all; only the author goes.
    post = db.session.get(Post, request.id)
    assert post is not None and post.author_id is None
    assert (post.title, post.school_id) == ("Phonics catch-up", person.school_id)
    impact = db.session.scalar(sa.select(Impact).where(Impact.school_id == person.school_id))
    assert impact is not None and impact.author_id is None
    assert (impact.pupils_reached, impact.staff_reached, impact.rating) == (12, 2, 5)
    partnership = db.session.get(Partnership, p.id)
    assert partnership is not None and partnership.status == PartnershipStatus.COMPLETED
    # Their sign-in history goes; the log about them no longer names them.
    assert db.session.scalar(sa.select(LoginAttempt).where(LoginAttempt.ip == "192.0.2.1")) is None
    summaries = db.session.scalars(sa.select(AuditEvent.summary).order_by(AuditEvent.id)).all()
    assert not any("Lee Leader" in s for s in summaries)
    assert "Changed Deleted user's role from x to y" in summaries
    deleted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delete_account"))
    assert deleted is not None and deleted.actor_id == lee_id

    # Signed out, and can never sign in again.
    assert "/auth/sign-in" in client.get("/account/").headers["Location"]
    assert authenticate("lee@ash.example", PASSWORD, "127.0.0.1").user is None
    person.password_hash = hash_before  # even were a password somehow left behind
    db.session.commit()
    assert authenticate(person.email, PASSWORD, "127.0.0.1").user is None
    # A coordinator cannot bring the account back.
    with pytest.raises(people.PersonError):
        people.set_active(person, True, acting=world["coordinator"])  # type: ignore[arg-type]


def test_audit_entries_by_a_deleted_coordinator_keep_their_actor(
    client: FlaskClient, world: dict[str, object]
) -> None:
    cora = world["coordinator"]
    assert isinstance(cora, User)
    Factories.coordinator(name="Second Coordinator")
    sign_in(client, cora)
    token = csrf_token(client, DELETE)
    client.post(DELETE, data={"csrf_token": token, "password": PASSWORD})
    entries = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "role_change")
    ).all()
    assert {e.actor_id for e in entries} == {cora.id}
    db.session.refresh(cora)
    assert cora.name == "Deleted user"


def test_the_last_coordinator_cannot_delete_their_account(
    client: FlaskClient, world: dict[str, object]
) -> None:
    cora = world["coordinator"]
    assert isinstance(cora, User)
    sign_in(client, cora)
    html = client.get(DELETE).get_data(as_text=True)
    assert "only coordinator" in html and 'type="password"' not in html
    # The page shows no form to the last coordinator; any page's token will do.
    token = csrf_token(client, "/coordinator/people/invite")
    response = client.post(DELETE, data={"csrf_token": token, "password": PASSWORD})
    assert response.status_code == 302
    assert "only coordinator" in client.get("/account/").get_data(as_text=True)
    db.session.refresh(cora)
    assert cora.deleted_at is None and cora.active

    # A deactivated coordinator does not count as someone to look after the partnership.
    Factories.coordinator(name="Dormant", active=False)
    response = client.post(DELETE, data={"csrf_token": token, "password": PASSWORD})
    db.session.refresh(cora)
    assert cora.deleted_at is None

    Factories.coordinator(name="Second Coordinator")
    client.post(DELETE, data={"csrf_token": token, "password": PASSWORD})
    db.session.refresh(cora)
    assert cora.deleted_at is not None and cora.role == Role.COORDINATOR


def test_deletion_needs_post_and_a_csrf_token(
    client: FlaskClient, world: dict[str, object]
) -> None:
    lee = world["lee"]
    assert isinstance(lee, User)
    sign_in(client, lee)
    assert client.get(DELETE, query_string={"password": PASSWORD}).status_code == 200
    response = client.post(DELETE, data={"password": PASSWORD})
    assert response.status_code == 400
    assert "This page timed out" in response.get_data(as_text=True)
    db.session.refresh(lee)
    assert lee.deleted_at is None


def test_account_pages_need_sign_in(client: FlaskClient, app: Flask) -> None:
    for path in ("/account/", "/account/your-data.json", DELETE):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]
