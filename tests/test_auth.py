"""Accounts: invitations, signing in and out, throttling, password reset, and the users CLI."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.auth import services
from app.extensions import db
from app.models import LoginAttempt, Role, User, utcnow
from app.people.services import create_person, invite_person
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, Factories

NEW_PASSWORD = "kettle orbit meadow"
SIGN_IN_FAILED = "Enter a correct email address and password"


# --- helpers -------------------------------------------------------------------------------


def read_outbox(outbox: Path) -> list[EmailMessage]:
    """Every message in the outbox, oldest first, parsed with the standard email package."""
    if not outbox.exists():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(outbox.glob("*.eml"))]


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "every account email has text and HTML parts"
    return text.get_content(), html.get_content()


def link_in(message: EmailMessage, path_part: str) -> str:
    """The path of the first link in the plain-text body that contains `path_part`."""
    text, _html = bodies(message)
    match = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", text)
    assert match, f"no link with {path_part} in:\n{text}"
    return match.group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def post_sign_in(
    client: FlaskClient, email: str, password: str, query: str = "", **kwargs: object
) -> object:
    return client.post(
        "/auth/sign-in" + query,
        data={"csrf_token": csrf_token(client), "email": email, "password": password},
        **kwargs,
    )


def signed_in_user_id(client: FlaskClient) -> int | None:
    with client.session_transaction() as sess:
        return sess.get("user_id")


def invited_person(make: type[Factories], outbox: Path, **kw: object) -> tuple[User, str]:
    """A person invited through the service, and the path of the link in their email."""
    school = kw.pop("school", None) or make.school(name="Ash Primary")
    coordinator = make.coordinator(name="Cora Ordinator", job_title="Partnership coordinator")
    user, result = invite_person(
        name=kw.pop("name", "Lee Leader"),
        email=kw.pop("email", "lee@ash.example.com"),
        role=Role.LEADER,
        school=school,
        invited_by=coordinator,
    )
    assert result.ok
    [message] = read_outbox(outbox)
    return user, path_of(link_in(message, "/auth/accept-invite/"))


# --- invitations ---------------------------------------------------------------------------


def test_invitation_from_the_people_page_to_signed_in(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    school = make.school(name="Ash Primary")
    coordinator = make.coordinator(name="Cora Ordinator", job_title="Partnership coordinator")
    sign_in(client, coordinator)
    response = client.post(
        "/coordinator/people/invite",
        data={
            "csrf_token": csrf_token(client, "/coordinator/people/invite"),
            "name": "Lee Leader",
            "email": "  Lee@Ash.Example.com ",
            "job_title": "Deputy head",
            "role": "leader",
            "school": str(school.id),
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "lee@ash.example.com"))
    assert user is not None and user.password_hash is None and user.invited_at is not None
    assert user.school_id == school.id and user.role == Role.LEADER

    [message] = read_outbox(outbox)
    assert message["To"] == "lee@ash.example.com"
    assert app.config["PARTNERSHIP_NAME"] in message["Subject"]
    text, html = bodies(message)
    for body in (text, html):
        assert "Cora Ordinator" in body  # who invited them
        assert app.config["PARTNERSHIP_NAME"] in body  # what the partnership is
        assert "14 days" in body  # when it expires
        assert "did not expect this email" in body  # what to do if unexpected
        assert "Ash Primary" in body
    link = link_in(message, "/auth/accept-invite/")
    assert link.startswith(app.config["BASE_URL"] + "/auth/accept-invite/")
    # The token is signed, not encrypted: the address itself must not be readable in it.
    payload = link.rsplit("/", 1)[1].split(".")[0]
    assert b"ash.example.com" not in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert f'href="{link}"' in html

    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Set your password" in page.get_data(as_text=True)
    response = client.post(
        path_of(link),
        data={
            "csrf_token": csrf_token(client, path_of(link)),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-school"
    assert signed_in_user_id(client) == user.id
    db.session.refresh(user)
    assert user.password_hash and check_password_hash(user.password_hash, NEW_PASSWORD)
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0])


def test_invited_coordinator_lands_on_the_coordinator_page(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, result = invite_person(name="Kim Coord", email="kim@example.com", role=Role.COORDINATOR)
    assert result.ok
    [message] = read_outbox(outbox)
    assert "as a coordinator" in bodies(message)[0]
    assert "The partnership's coordinators have invited you" in bodies(message)[0]
    link = path_of(link_in(message, "/auth/accept-invite/"))
    response = client.post(
        link,
        data={
            "csrf_token": csrf_token(client, link),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.headers["Location"] == "/coordinator/"
    assert signed_in_user_id(client) == user.id


def test_used_invitation_is_refused(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, link = invited_person(make, outbox)
    data = {
        "csrf_token": csrf_token(client, link),
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    assert client.post(link, data=data).status_code == 302
    first_hash = db.session.get(User, user.id).password_hash

    other = client.application.test_client()
    page = other.get(link)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "This link has already been used or has expired" in text
    assert "/auth/sign-in" in text and "/auth/forgot-password" in text  # what to do next
    response = other.post(
        link,
        data={
            "csrf_token": csrf_token(other),
            "password": "another passphrase here",
            "confirm": "another passphrase here",
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == first_hash
    assert signed_in_user_id(other) is None


def test_expired_invitation_is_refused(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    _user, link = invited_person(make, outbox)
    app.config["INVITE_MAX_AGE"] = -1  # every token is now older than allowed
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has already been used or has expired" in response.get_data(as_text=True)
    app.config["INVITE_MAX_AGE"] = 3600
    assert client.get(link).status_code == 200


def test_tampered_invitation_is_refused(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, link = invited_person(make, outbox)
    token = link.rsplit("/", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert client.get(f"/auth/accept-invite/{flipped}").status_code == 400
    # A reset token for the same person does not open the invitation page either.
    reset = services.make_token("reset", {"uid": user.id, "email": user.email})
    assert client.get(f"/auth/accept-invite/{reset}").status_code == 400


def test_invitation_refused_after_email_changes_or_deactivation(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, link = invited_person(make, outbox)
    user.email = "someone.else@example.com"
    db.session.commit()
    assert client.get(link).status_code == 400
    user.email = "lee@ash.example.com"
    user.active = False
    db.session.commit()
    assert client.get(link).status_code == 400


def test_set_password_form_keeps_nothing_secret_and_explains_errors(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, link = invited_person(make, outbox)
    token = csrf_token(client, link)
    cases = [
        ({"password": "", "confirm": ""}, "Enter a password"),
        ({"password": "short", "confirm": "short"}, "Password must be 10 characters or more"),
        ({"password": "Password123", "confirm": "Password123"}, "too easy to guess"),
        (
            {"password": "lee@ash.example.com", "confirm": "lee@ash.example.com"},
            "must not be your email address",
        ),
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "Passwords do not match"),
    ]
    for data, message in cases:
        response = client.post(link, data={"csrf_token": token, **data})
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "There is a problem" in text and message in text
        assert "<title>Error: " in text
        if data["password"] and data["password"] != user.email:
            assert f'value="{data["password"]}"' not in text  # never echo a password
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None


def test_create_person_keeps_rows_and_mail_separate(make: type[Factories], outbox: Path) -> None:
    school = make.school()
    user = create_person(name="Quiet Import", email="QUIET@example.com", school=school)
    assert user.email == "quiet@example.com" and user.invited_at is None
    assert read_outbox(outbox) == []
    result = services.send_invitation(user)
    assert result.ok and user.invited_at is not None
    assert len(read_outbox(outbox)) == 1


def test_external_url_uses_base_url_without_a_request(app: Flask) -> None:
    app.config["BASE_URL"] = "https://givefirst.example.org/"
    assert services.external_url("auth.sign_in") == "https://givefirst.example.org/auth/sign-in"
    with app.test_request_context("/", base_url="http://internal:8000"):
        url = services.external_url("auth.reset_password", token="abc")
    assert url == "https://givefirst.example.org/auth/reset-password/abc"


# --- signing in and out --------------------------------------------------------------------


def test_sign_in_success_records_it_and_lands_by_role(
    client: FlaskClient, make: type[Factories]
) -> None:
    school = make.school()
    leader = make.user(school, email="leader@example.com")
    response = post_sign_in(client, "leader@example.com", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/my-school"
    assert signed_in_user_id(client) == leader.id
    db.session.refresh(leader)
    assert leader.last_sign_in_at is not None
    assert (
        db.session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(True))
        )
        == 1
    )

    coordinator = make.coordinator(email="coord@example.com")
    other = client.application.test_client()
    response = post_sign_in(other, "coord@example.com", PASSWORD)
    assert response.headers["Location"] == "/coordinator/"
    assert signed_in_user_id(other) == coordinator.id


def test_email_is_case_insensitive(client: FlaskClient, make: type[Factories]) -> None:
    leader = make.user(make.school(), email="mixed.case@example.com")
    response = post_sign_in(client, "  Mixed.Case@EXAMPLE.com ", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == leader.id


def test_wrong_password_keeps_email_drops_password(
    client: FlaskClient, make: type[Factories]
) -> None:
    make.user(make.school(), email="leader@example.com")
    response = post_sign_in(client, "leader@example.com", "not my password at all")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in text and SIGN_IN_FAILED in text
    assert 'value="leader@example.com"' in text
    assert "not my password at all" not in text
    assert signed_in_user_id(client) is None


def test_empty_sign_in_form_says_what_is_missing(client: FlaskClient) -> None:
    response = post_sign_in(client, "", "")
    text = response.get_data(as_text=True)
    assert "Enter your email address" in text and "Enter your password" in text
    assert 'href="#email"' in text and 'href="#password"' in text


def _without_volatile(html: str, email: str) -> str:
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "csrf", html)
    return html.replace(email, "EMAIL")


def test_unknown_email_and_wrong_password_look_the_same(
    client: FlaskClient, make: type[Factories], monkeypatch: pytest.MonkeyPatch
) -> None:
    make.user(make.school(), email="real@example.com")
    checks: list[str] = []
    real_check = services.check_password_hash

    def counting_check(pwhash: str, password: str) -> bool:
        checks.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting_check)
    wrong = post_sign_in(client, "real@example.com", "wrong password here")
    unknown = post_sign_in(client, "nobody@example.com", "wrong password here")
    assert wrong.status_code == unknown.status_code == 200
    assert _without_volatile(wrong.get_data(as_text=True), "real@example.com") == (
        _without_volatile(unknown.get_data(as_text=True), "nobody@example.com")
    )
    # A password hash is checked either way, so both take about as long.
    assert len(checks) == 2


@pytest.mark.parametrize("state", ["deactivated", "no_password"])
def test_deactivated_or_uninvited_people_cannot_sign_in(
    client: FlaskClient, make: type[Factories], state: str
) -> None:
    if state == "deactivated":
        make.user(make.school(), email="person@example.com", active=False)
    else:
        make.user(make.school(), email="person@example.com", password=None)
    response = post_sign_in(client, "person@example.com", PASSWORD)
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None


def test_deactivation_ends_an_existing_session(client: FlaskClient, make: type[Factories]) -> None:
    leader = make.user(make.school(), email="leader@example.com")
    post_sign_in(client, "leader@example.com", PASSWORD)
    assert client.get("/my-school").status_code == 200
    leader.active = False
    db.session.commit()
    response = client.get("/my-school")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")
    assert signed_in_user_id(client) is None
    assert SIGN_IN_FAILED in post_sign_in(client, "leader@example.com", PASSWORD).get_data(
        as_text=True
    )


def test_sign_out(client: FlaskClient, make: type[Factories]) -> None:
    leader = make.user(make.school())
    sign_in(client, leader)
    response = client.post("/auth/sign-out", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_id(client) is None
    assert "You have signed out" in client.get("/").get_data(as_text=True)
    assert client.get("/auth/sign-out").status_code == 405  # never by a plain link


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/posts?page=2", "/posts?page=2"),
        ("//evil.example", "/my-school"),
        ("//evil.example/posts", "/my-school"),
        ("https://evil.example/", "/my-school"),
        ("/\\evil.example", "/my-school"),
        ("javascript:alert(1)", "/my-school"),
        ("posts", "/my-school"),
    ],
)
def test_next_only_goes_to_this_site(
    client: FlaskClient, make: type[Factories], next_value: str, expected: str
) -> None:
    make.user(make.school(), email="leader@example.com")
    response = client.post(
        "/auth/sign-in",
        query_string={"next": next_value},
        data={
            "csrf_token": csrf_token(client),
            "email": "leader@example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_required_page_round_trips_through_sign_in(
    client: FlaskClient, make: type[Factories]
) -> None:
    make.coordinator(email="coord@example.com")
    response = client.get("/coordinator/people/?q=ash")
    assert response.status_code == 302
    sign_in_url = response.headers["Location"]
    page = client.get(sign_in_url).get_data(as_text=True)
    assert "next=" in page  # the form keeps where to go back to
    response = client.post(
        sign_in_url,
        data={"csrf_token": csrf_token(client), "email": "coord@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/coordinator/people/?q=ash"


def test_bogus_csrf_token_redisplays_sign_in_with_typed_email(
    client: FlaskClient, make: type[Factories]
) -> None:
    make.user(make.school(), email="leader@example.com")
    client.get("/auth/sign-in")
    response = client.post(
        "/auth/sign-in",
        data={
            "csrf_token": "IjAxMjM0NTY3ODki.old.token",
            "email": "leader@example.com",
            "password": PASSWORD,
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text and "timed out" in text
    assert 'value="leader@example.com"' in text
    assert PASSWORD not in text
    assert signed_in_user_id(client) is None
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


# --- throttling ----------------------------------------------------------------------------


def test_too_many_failures_for_an_email_are_refused_with_429(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    leader = make.user(make.school(), email="leader@example.com")
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    for n in range(limit):
        # Different addresses: only the per-email count can be what stops the next one.
        response = post_sign_in(
            client,
            "Leader@example.com",
            f"wrong guess {n}",
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
        assert response.status_code == 200
    response = post_sign_in(
        client, "leader@example.com", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts. Wait 15 minutes and try again, or reset your password." in text
    assert 'value="leader@example.com"' in text
    assert signed_in_user_id(client) is None
    db.session.refresh(leader)
    assert leader.last_sign_in_at is None
    # Another person is not affected.
    make.user(make.school(), email="other@example.com")
    assert post_sign_in(client, "other@example.com", PASSWORD).status_code == 302


def test_too_many_failures_from_an_address_are_refused(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    make.user(make.school(), email="leader@example.com")
    for n in range(3):
        post_sign_in(
            client,
            f"guess{n}@example.com",
            "wrong guess",
            environ_base={"REMOTE_ADDR": "192.0.2.7"},
        )
    blocked = post_sign_in(
        client, "leader@example.com", PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert blocked.status_code == 429
    allowed = post_sign_in(
        client, "leader@example.com", PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.8"}
    )
    assert allowed.status_code == 302


def test_old_failures_and_a_success_stop_counting(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    make.user(make.school(), email="leader@example.com")
    limit = app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]
    long_ago = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 5)
    db.session.add_all(
        LoginAttempt(
            email="leader@example.com", ip="10.9.9.9", succeeded=False, created_at=long_ago
        )
        for _ in range(limit)
    )
    db.session.commit()
    assert not services.is_throttled("leader@example.com", "10.9.9.9")
    for _ in range(limit - 1):
        post_sign_in(client, "leader@example.com", "wrong guess")
    assert post_sign_in(client, "leader@example.com", PASSWORD).status_code == 302
    # The success starts the email's count again.
    assert not services.is_throttled("leader@example.com", "10.9.9.10")


# --- password reset ------------------------------------------------------------------------


def _ask_for_reset(client: FlaskClient, email: str) -> object:
    return client.post(
        "/auth/forgot-password",
        data={"csrf_token": csrf_token(client, "/auth/forgot-password"), "email": email},
        follow_redirects=True,
    )


def test_password_reset_flow_is_single_use(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    leader = make.user(make.school(), email="leader@example.com", name="Lee Leader")
    response = _ask_for_reset(client, "LEADER@example.com ")
    assert "If that email has an account, we have sent a link" in response.get_data(as_text=True)
    [message] = read_outbox(outbox)
    assert message["To"] == "leader@example.com"
    text, html = bodies(message)
    assert "2 hours" in text and "2 hours" in html
    assert "did not ask for this" in text
    link = path_of(link_in(message, "/auth/reset-password/"))

    page = client.get(link)
    assert page.status_code == 200 and "Create a new password" in page.get_data(as_text=True)
    response = client.post(
        link,
        data={
            "csrf_token": csrf_token(client, link),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == leader.id
    db.session.refresh(leader)
    assert check_password_hash(leader.password_hash, NEW_PASSWORD)

    # The link worked once.
    other = client.application.test_client()
    assert other.get(link).status_code == 400
    # Old password no longer works; the new one does.
    assert SIGN_IN_FAILED in post_sign_in(other, "leader@example.com", PASSWORD).get_data(
        as_text=True
    )
    assert post_sign_in(other, "leader@example.com", NEW_PASSWORD).status_code == 302


def test_reset_ends_other_sessions_and_lifts_throttle(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    leader = make.user(make.school(), email="leader@example.com")
    elsewhere = app.test_client()
    sign_in(elsewhere, leader)
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_EMAIL"]):
        post_sign_in(client, "leader@example.com", f"wrong {n}")
    assert post_sign_in(client, "leader@example.com", PASSWORD).status_code == 429

    _ask_for_reset(client, "leader@example.com")
    link = path_of(link_in(read_outbox(outbox)[-1], "/auth/reset-password/"))
    client.post(
        link,
        data={
            "csrf_token": csrf_token(client, link),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert elsewhere.get("/my-school").status_code == 302  # signed out there
    assert signed_in_user_id(elsewhere) is None
    fresh = app.test_client()
    assert post_sign_in(fresh, "leader@example.com", NEW_PASSWORD).status_code == 302


def test_forgot_password_looks_the_same_for_unknown_and_deactivated(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    make.user(make.school(), email="gone@example.com", active=False)
    known = make.user(make.school(), email="known@example.com")
    pages = [
        _ask_for_reset(client, email).get_data(as_text=True)
        for email in ("nobody@example.com", "gone@example.com", "known@example.com")
    ]
    strip = [re.sub(r'value="[^"]+"', "", page) for page in pages]
    assert strip[0] == strip[1] == strip[2]
    messages = read_outbox(outbox)
    assert [m["To"] for m in messages] == [known.email]


def test_forgot_password_sends_one_email_per_person_in_five_minutes(
    client: FlaskClient, make: type[Factories], outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = make.user(make.school(), email="leader@example.com")
    pages = [_ask_for_reset(client, "leader@example.com").get_data(as_text=True) for _ in range(5)]
    # The page is the same every time (nothing to learn), but only one email went.
    assert len({re.sub(r'value="[^"]+"', "", page) for page in pages}) == 1
    assert len(read_outbox(outbox)) == 1
    # Five minutes later another may be asked for.
    later = leader.reset_requested_at + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    _ask_for_reset(client, "leader@example.com")
    assert len(read_outbox(outbox)) == 2


def test_forgot_password_resends_the_invitation_to_someone_without_a_password(
    client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    user, _link = invited_person(make, outbox)
    _ask_for_reset(client, user.email)
    messages = read_outbox(outbox)
    assert len(messages) == 2
    assert "/auth/accept-invite/" in bodies(messages[-1])[0]
    assert "/auth/reset-password/" not in bodies(messages[-1])[0]


def test_reset_link_bad_email_format_is_explained(client: FlaskClient) -> None:
    response = client.post(
        "/auth/forgot-password",
        data={"csrf_token": csrf_token(client, "/auth/forgot-password"), "email": "not-an-email"},
    )
    text = response.get_data(as_text=True)
    assert "Enter an email address in the correct format" in text
    assert 'value="not-an-email"' in text


def test_reset_link_expires(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    make.user(make.school(), email="leader@example.com")
    _ask_for_reset(client, "leader@example.com")
    link = path_of(link_in(read_outbox(outbox)[-1], "/auth/reset-password/"))
    app.config["RESET_MAX_AGE"] = -1
    assert client.get(link).status_code == 400


# --- command line --------------------------------------------------------------------------


def test_cli_create_coordinator_reads_password_from_stdin(
    app: Flask, make: type[Factories]
) -> None:
    make.school(name="Ash Primary")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-coordinator",
            "Pat.Boss@Example.com",
            "--name",
            "Pat Boss",
            "--school",
            "ash primary",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created coordinator Pat Boss <pat.boss@example.com>" in result.output
    assert len(result.output.strip().splitlines()) == 1
    user = db.session.scalar(select(User).where(User.email == "pat.boss@example.com"))
    assert user is not None and user.role == Role.COORDINATOR and user.active
    assert user.school is not None and user.school.name == "Ash Primary"
    assert check_password_hash(user.password_hash, NEW_PASSWORD)

    with app.test_client() as client:
        assert post_sign_in(client, "pat.boss@example.com", NEW_PASSWORD).status_code == 302
        assert session.get("user_id") == user.id


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["taken@example.com", "--name", "Dup"], NEW_PASSWORD, "already a person"),
        (["new@example.com", "--name", "Weak"], "password123", "too easy to guess"),
        (["new@example.com", "--name", "Short"], "short", "10 characters or more"),
        (["not-an-email", "--name", "Bad"], NEW_PASSWORD, "correct format"),
        (
            ["new@example.com", "--name", "Lost", "--school", "Nowhere"],
            NEW_PASSWORD,
            "No school is called",
        ),
    ],
)
def test_cli_create_coordinator_refuses_bad_input(
    app: Flask, make: type[Factories], args: list[str], stdin: str, message: str
) -> None:
    make.coordinator(email="taken@example.com")
    result = app.test_cli_runner().invoke(
        args=["users", "create-coordinator", *args], input=stdin + "\n"
    )
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_cli_users_list(app: Flask, make: type[Factories]) -> None:
    school = make.school(name="Ash Primary")
    make.user(school, name="Lee Leader", email="lee@example.com")
    make.user(
        school, name="Ivy Invited", email="ivy@example.com", password=None, invited_at=utcnow()
    )
    make.coordinator(name="Cora Ordinator", email="cora@example.com")
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "\t" in line]
    assert lines == [
        "cora@example.com\tCora Ordinator\tCoordinator\tActive\t",
        "ivy@example.com\tIvy Invited\tSchool leader\tInvited\tAsh Primary",
        "lee@example.com\tLee Leader\tSchool leader\tActive\tAsh Primary",
    ]


# --- password rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("kettle orbit meadow", True),
        ("ten chars!", True),
        ("nine char", False),
        ("1234567890", False),
        ("QWERTYUIOP", False),
        ("aaaaaaaaaaaa", False),
        ("abababababab", False),
        (" password123 ", False),
    ],
)
def test_password_rules(app: Flask, password: str, ok: bool) -> None:
    assert (services.password_problem(password) is None) is ok


def test_safe_next() -> None:
    assert services.is_safe_next("/posts/1?x=//y")
    for bad in (None, "", "//evil", "/\\evil", "http://evil", "evil", "/ok\r\nSet-Cookie: x"):
        assert not services.is_safe_next(bad)
