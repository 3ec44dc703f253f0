"""Coordinators' people pages: list, invite, change role, deactivate, resend, edit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app.extensions import db
from app.models import Role, School, User, utcnow
from app.people import services
from app.people.services import PersonError, PersonStatus
from tests.conftest import csrf_token, sign_in
from tests.factories import Factories

INVITE = "/coordinator/people/invite"


@pytest.fixture
def coordinator(client: FlaskClient, make: type[Factories]) -> User:
    user = make.coordinator(name="Cora Ordinator", email="cora@example.com")
    sign_in(client, user)
    return user


def outbox_messages(outbox: Path) -> list[Path]:
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


def token(client: FlaskClient) -> str:
    return csrf_token(client, INVITE)


def page_text(html: str) -> str:
    """Visible text, roughly: tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- who may see the pages -----------------------------------------------------------------


def people_urls(person: User) -> list[tuple[str, str]]:
    base = f"/coordinator/people/{person.id}"
    return [
        ("GET", "/coordinator/people/"),
        ("GET", INVITE),
        ("POST", INVITE),
        ("GET", base),
        ("GET", base + "/edit"),
        ("POST", base + "/edit"),
        ("POST", base + "/role"),
        ("POST", base + "/active"),
        ("POST", base + "/resend-invite"),
    ]


def test_leader_gets_403_on_every_people_page(client: FlaskClient, make: type[Factories]) -> None:
    school = make.school()
    leader = make.user(school)
    other = make.user(school, password=None)
    sign_in(client, leader)
    form_token = csrf_token(client)
    for method, url in people_urls(other):
        response = client.open(
            url, method=method, data={"csrf_token": form_token, "role": "coordinator"}
        )
        assert response.status_code == 403, (method, url)
    db.session.refresh(leader)
    assert leader.role == Role.LEADER


def test_anonymous_is_sent_to_sign_in(client: FlaskClient, make: type[Factories]) -> None:
    person = make.user(make.school())
    for method, url in people_urls(person):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/auth/sign-in?next=")
        else:
            # A POST without a session has no valid CSRF token either: refused before anything.
            assert client.post(url).status_code in (302, 400), url
    db.session.refresh(person)
    assert person.active


# --- the list ------------------------------------------------------------------------------


def test_list_shows_people_with_school_role_and_status(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    ash = make.school(name="Ash Primary")
    make.user(ash, name="Active Ann", email="ann@example.com")
    make.user(ash, name="Invited Ian", email="ian@example.com", password=None, invited_at=utcnow())
    make.user(ash, name="Gone Gail", email="gail@example.com", active=False)
    make.user(ash, name="Quiet Quin", email="quin@example.com", password=None)
    text = page_text(client.get("/coordinator/people/").get_data(as_text=True))
    assert "Active Ann ann@example.com Ash Primary School leader Active" in text
    assert "Invited Ian ian@example.com Ash Primary School leader Invited" in text
    assert "Gone Gail gail@example.com Ash Primary School leader Deactivated" in text
    assert "Quiet Quin quin@example.com Ash Primary School leader Not invited yet" in text
    assert "Cora Ordinator cora@example.com Coordinator Active" in text
    assert "Showing 1 to 5 of 5 people" in text


def test_list_filters_by_school_status_and_search(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    ash, elm = make.school(name="Ash Primary"), make.school(name="Elm Academy")
    make.user(ash, name="Ann Ash", email="ann@ash.example.com")
    make.user(elm, name="Eve Elm", email="eve@elm.example.com")
    make.user(
        elm, name="Ed 100%_Elm", email="ed@elm.example.com", password=None, invited_at=utcnow()
    )

    def names(**query: str) -> list[str]:
        html = client.get("/coordinator/people/", query_string=query).get_data(as_text=True)
        return re.findall(r'<a class="govuk-link" href="/coordinator/people/\d+">([^<]+)</a>', html)

    assert names(school=str(elm.id)) == ["Ed 100%_Elm", "Eve Elm"]
    assert names(q="ASH") == ["Ann Ash"]  # name, case-insensitive
    assert names(q="elm.example") == ["Ed 100%_Elm", "Eve Elm"]  # email
    assert names(q="%_") == ["Ed 100%_Elm"]  # wildcards are just characters
    assert names(status="invited") == ["Ed 100%_Elm"]
    assert names(status="active", school=str(elm.id)) == ["Eve Elm"]
    assert names(school="not-a-number", status="nonsense") == [
        "Ann Ash",
        "Cora Ordinator",
        "Ed 100%_Elm",
        "Eve Elm",
    ]
    html = client.get("/coordinator/people/", query_string={"q": "nobody"}).get_data(as_text=True)
    assert "No people match your search" in html
    assert 'value="nobody"' in html  # the search box keeps what was typed


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))  # (conn, cursor, statement, ...)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_list_uses_the_same_number_of_queries_however_many_people(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    schools = [make.school() for _ in range(3)]
    for n in range(3):
        make.user(schools[n % 3])
    with count_queries() as few:
        assert client.get("/coordinator/people/").status_code == 200
    for n in range(30):
        make.user(schools[n % 3])
    with count_queries() as many:
        assert client.get("/coordinator/people/").status_code == 200
    assert len(few) == len(many) <= 5


def test_list_is_paginated_and_keeps_filters(
    app: Flask, client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    app.config["PEOPLE_PER_PAGE"] = 10
    ash = make.school(name="Ash Primary")
    for n in range(25):
        make.user(ash, name=f"Person {n:02d}")
    first = client.get("/coordinator/people/", query_string={"school": ash.id})
    text = first.get_data(as_text=True)
    assert "Showing 1 to 10 of 25 people" in page_text(text)
    assert f"/coordinator/people/?page=2&amp;school={ash.id}" in text
    third = client.get("/coordinator/people/", query_string={"school": ash.id, "page": 3})
    third_text = page_text(third.get_data(as_text=True))
    assert "Showing 21 to 25 of 25 people" in third_text
    assert "Person 24" in third_text and "Person 00" not in third_text
    past_the_end = client.get("/coordinator/people/?page=99")
    assert past_the_end.status_code == 200


# --- inviting ------------------------------------------------------------------------------


def test_invite_form_keeps_what_was_typed_and_lists_problems(
    client: FlaskClient, make: type[Factories], coordinator: User, outbox: Path
) -> None:
    ash = make.school(name="Ash Primary")
    response = client.post(
        INVITE,
        data={
            "csrf_token": token(client),
            "name": "Lee Leader",
            "email": "lee@",
            "job_title": "SENCo",
            "role": "leader",
            "school": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert 'href="#email">Enter an email address in the correct format' in html
    assert 'href="#school">Choose the school they lead in' in html
    # The summary lists problems in page order.
    assert html.index('href="#email"') < html.index('href="#school"')
    assert 'value="Lee Leader"' in html and 'value="lee@"' in html and 'value="SENCo"' in html
    assert 'value="leader" checked' in html
    assert outbox_messages(outbox) == []

    make.user(ash, email="taken@example.com")
    response = client.post(
        INVITE,
        data={
            "csrf_token": token(client),
            "name": "Lee Leader",
            "email": "TAKEN@example.com",
            "role": "leader",
            "school": str(ash.id),
        },
    )
    assert "There is already a person with this email address" in response.get_data(as_text=True)
    assert outbox_messages(outbox) == []


def test_invite_a_coordinator_without_a_school(
    client: FlaskClient, coordinator: User, outbox: Path
) -> None:
    response = client.post(
        INVITE,
        data={
            "csrf_token": token(client),
            "name": "Kim Coord",
            "email": "kim@example.com",
            "role": "coordinator",
            "school": "",
        },
    )
    assert response.status_code == 302
    kim = db.session.scalar(select(User).where(User.email == "kim@example.com"))
    assert kim.role == Role.COORDINATOR and kim.school is None and kim.invited_at is not None
    assert response.headers["Location"] == f"/coordinator/people/{kim.id}"
    assert len(outbox_messages(outbox)) == 1
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invitation sent to Kim Coord at kim@example.com" in detail


def test_invite_form_after_csrf_failure_keeps_what_was_typed(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    ash = make.school(name="Ash Primary")
    response = client.post(
        INVITE,
        data={
            "csrf_token": "expired",
            "name": "Lee Leader",
            "email": "lee@example.com",
            "role": "leader",
            "school": str(ash.id),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "timed out" in html
    assert 'value="Lee Leader"' in html and 'value="lee@example.com"' in html
    assert f'<option selected value="{ash.id}">' in html
    assert db.session.scalar(select(User).where(User.email == "lee@example.com")) is None


def test_invite_with_a_school_that_does_not_exist(client: FlaskClient, coordinator: User) -> None:
    response = client.post(
        INVITE,
        data={
            "csrf_token": token(client),
            "name": "Lee",
            "email": "lee@example.com",
            "role": "leader",
            "school": "999999",
        },
    )
    assert "Choose a school from the list" in response.get_data(as_text=True)


# --- one person ----------------------------------------------------------------------------


def test_detail_page_shows_the_person_and_actions(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    ash = make.school(name="Ash Primary")
    ian = make.user(
        ash, name="Invited Ian", job_title="Maths lead", password=None, invited_at=utcnow()
    )
    html = client.get(f"/coordinator/people/{ian.id}").get_data(as_text=True)
    text = page_text(html)
    assert "Invited Ian" in text and "Maths lead" in text and "Ash Primary" in text
    assert "Invited" in text
    assert f'action="/coordinator/people/{ian.id}/resend-invite"' in html
    assert f'action="/coordinator/people/{ian.id}/role"' in html
    assert "Deactivate Invited Ian" in text
    assert client.get("/coordinator/people/999999").status_code == 404


def test_change_role(client: FlaskClient, make: type[Factories], coordinator: User) -> None:
    ash = make.school()
    lee = make.user(ash, name="Lee Leader")
    url = f"/coordinator/people/{lee.id}/role"
    response = client.post(url, data={"csrf_token": token(client), "role": "coordinator"})
    assert response.status_code == 302
    db.session.refresh(lee)
    assert lee.role == Role.COORDINATOR
    assert "Lee Leader is now a coordinator" in client.get(
        f"/coordinator/people/{lee.id}"
    ).get_data(as_text=True)

    client.post(url, data={"csrf_token": token(client), "role": "leader"})
    db.session.refresh(lee)
    assert lee.role == Role.LEADER

    bad = client.post(url, data={"csrf_token": token(client), "role": "admin"})
    assert bad.status_code == 200
    assert "There is a problem" in bad.get_data(as_text=True)
    db.session.refresh(lee)
    assert lee.role == Role.LEADER


def test_coordinator_without_school_cannot_become_a_leader(
    client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    kim = make.coordinator(name="Kim Coord")
    response = client.post(
        f"/coordinator/people/{kim.id}/role", data={"csrf_token": token(client), "role": "leader"}
    )
    html = response.get_data(as_text=True)
    assert "Add Kim Coord&#39;s school before making them a school leader" in html
    assert "<title>Error: " in html
    db.session.refresh(kim)
    assert kim.role == Role.COORDINATOR


def test_coordinator_cannot_demote_or_deactivate_themselves(
    client: FlaskClient, coordinator: User
) -> None:
    base = f"/coordinator/people/{coordinator.id}"
    page = client.get(base).get_data(as_text=True)
    assert "You cannot change your own role or deactivate your own account" in page
    assert f'action="{base}/active"' not in page and f'action="{base}/role"' not in page

    client.post(base + "/role", data={"csrf_token": token(client), "role": "leader"})
    response = client.post(base + "/active", data={"csrf_token": token(client), "active": "false"})
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert coordinator.role == Role.COORDINATOR and coordinator.active
    assert "You cannot deactivate your own account" in client.get(base).get_data(as_text=True)
    with pytest.raises(PersonError):
        services.set_active(coordinator, False, acting=coordinator)
    with pytest.raises(PersonError):
        services.set_role(coordinator, Role.LEADER, acting=coordinator)


def test_deactivate_and_reactivate(
    app: Flask, client: FlaskClient, make: type[Factories], coordinator: User
) -> None:
    lee = make.user(make.school(), name="Lee Leader")
    lee_client = app.test_client()
    sign_in(lee_client, lee)
    assert lee_client.get("/my-school").status_code == 200

    url = f"/coordinator/people/{lee.id}/active"
    client.post(url, data={"csrf_token": token(client), "active": "false"})
    db.session.refresh(lee)
    assert not lee.active
    assert services.person_status(lee) == PersonStatus.DEACTIVATED
    assert "Lee Leader has been deactivated" in client.get(
        f"/coordinator/people/{lee.id}"
    ).get_data(as_text=True)
    assert lee_client.get("/my-school").status_code == 302  # their session has ended

    client.post(url, data={"csrf_token": token(client), "active": "true"})
    db.session.refresh(lee)
    assert lee.active
    assert "Reactivate" not in client.get(f"/coordinator/people/{lee.id}").get_data(as_text=True)


def test_resend_invitation(
    client: FlaskClient, make: type[Factories], coordinator: User, outbox: Path
) -> None:
    ash = make.school()
    quin = make.user(ash, name="Quiet Quin", email="quin@example.com", password=None)
    assert quin.invited_at is None
    page = client.get(f"/coordinator/people/{quin.id}").get_data(as_text=True)
    assert ">Send invitation</button>" in page
    response = client.post(
        f"/coordinator/people/{quin.id}/resend-invite", data={"csrf_token": token(client)}
    )
    assert response.status_code == 302
    db.session.refresh(quin)
    assert quin.invited_at is not None
    assert len(outbox_messages(outbox)) == 1
    assert "Cora Ordinator" in outbox_messages(outbox)[0].read_text()

    # Someone who already has a password gets no invitation.
    ann = make.user(ash, name="Active Ann")
    assert "resend-invite" not in client.get(f"/coordinator/people/{ann.id}").get_data(as_text=True)
    client.post(f"/coordinator/people/{ann.id}/resend-invite", data={"csrf_token": token(client)})
    assert len(outbox_messages(outbox)) == 1
    assert "Active Ann has already set a password" in client.get(
        f"/coordinator/people/{ann.id}"
    ).get_data(as_text=True)


def test_edit_details(client: FlaskClient, make: type[Factories], coordinator: User) -> None:
    ash, elm = make.school(name="Ash Primary"), make.school(name="Elm Academy")
    lee = make.user(ash, name="Lee Leader", job_title="Deputy")
    url = f"/coordinator/people/{lee.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Lee Leader"' in form and 'value="Deputy"' in form
    assert f'<option selected value="{ash.id}">' in form

    response = client.post(
        url,
        data={
            "csrf_token": token(client),
            "name": "Lee Leader-Smith",
            "job_title": "Headteacher",
            "school": str(elm.id),
        },
    )
    assert response.status_code == 302
    db.session.refresh(lee)
    assert (lee.name, lee.job_title, lee.school_id) == ("Lee Leader-Smith", "Headteacher", elm.id)

    # A school leader must keep a school; what was typed stays.
    response = client.post(
        url, data={"csrf_token": token(client), "name": "New Name", "job_title": "", "school": ""}
    )
    html = response.get_data(as_text=True)
    assert "Choose the school they lead in" in html and 'value="New Name"' in html
    db.session.refresh(lee)
    assert lee.name == "Lee Leader-Smith" and lee.school_id == elm.id


def test_create_person_rules(make: type[Factories]) -> None:
    with pytest.raises(PersonError) as no_school:
        services.create_person(name="Lee", email="lee@example.com", role=Role.LEADER)
    assert no_school.value.field == "school"
    with pytest.raises(PersonError) as bad_email:
        services.create_person(name="Lee", email="nope", role=Role.COORDINATOR)
    assert bad_email.value.field == "email"
    ash = make.school()
    services.create_person(name="Lee", email="Lee@Example.com", school=ash, commit=False)
    db.session.rollback()  # commit=False leaves the transaction to the caller
    assert db.session.scalar(select(User).where(User.email == "lee@example.com")) is None
    assert db.session.get(School, ash.id) is not None


def test_coordinator_clears_a_bouncing_address_so_mail_resumes(
    client: FlaskClient, coordinator: User, make: type[Factories]
) -> None:
    from datetime import UTC, datetime

    from app.replies.services import school_contacts

    school = make.school()
    person = make.user(school, email="old@school.test")
    person.email_bouncing_since = datetime(2026, 11, 16, 7, tzinfo=UTC)
    person.email_bounce_reason = "550 5.1.1 mailbox unavailable"
    db.session.commit()
    assert school_contacts([school.id])[school.id] == []  # no mail while bouncing

    page = client.get(f"/coordinator/people/{person.id}").get_data(as_text=True)
    assert "have not been delivered" in page
    assert "550 5.1.1 mailbox unavailable" in page

    token = csrf_token(client, f"/coordinator/people/{person.id}")
    response = client.post(
        f"/coordinator/people/{person.id}/clear-bounce",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "will be sent again" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.email_bouncing_since is None
    assert school_contacts([school.id])[school.id] == [person]
