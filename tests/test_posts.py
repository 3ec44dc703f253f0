"""Posting, editing, pausing, closing and deleting offers and requests; My school; suggestions."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Post, PostFormat, PostKind, PostStatus, TagAlias, post_tag
from app.posts import services
from matching.taxonomy import normalise
from tests.conftest import csrf_token, sign_in


def today() -> date:
    return services.partnership_today()


def page_text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def date_fields(prefix: str, value: date | None) -> dict[str, str]:
    if value is None:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    return {
        f"{prefix}-day": str(value.day),
        f"{prefix}-month": str(value.month),
        f"{prefix}-year": str(value.year),
    }


def form_data(client: FlaskClient, path: str, **overrides: Any) -> dict[str, str]:
    """A complete, valid offer form (with a fresh CSRF token), changed by overrides."""
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Our maths lead can show mastery teaching",
        "description": "Two lessons a term.\nYear 2 and Year 3.",
        "tags": "",
        "format": "in_person",
        "capacity": "2",
        "time_commitment": "Half a day",
        **date_fields("available_from", None),
        **date_fields("available_until", None),
    }
    data.update(overrides)
    return data


@pytest.fixture
def school(make: Any) -> Any:
    return make.school(name="Sunny Bank Primary", town="Louth")


@pytest.fixture
def leader(make: Any, school: Any) -> Any:
    return make.user(school, name="Asha Patel")


@pytest.fixture
def signed_in(client: FlaskClient, leader: Any) -> FlaskClient:
    sign_in(client, leader)
    return client


def only_post() -> Post:
    return db.session.scalars(sa.select(Post)).one()


# ---------------------------------------------------------------------------------------------
# Who may see the pages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/posts", "/posts/new", "/my-school", "/posts/tags?q=ma", "/posts/1", "/posts/1/edit"]
)
def test_anonymous_people_are_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


# ---------------------------------------------------------------------------------------------
# Choosing offer or request
# ---------------------------------------------------------------------------------------------


def test_new_asks_offer_or_request_first(signed_in: FlaskClient) -> None:
    text = page_text(signed_in.get("/posts/new"))
    assert "Offer \u2013 something your school can give" in text
    assert "Request \u2013 something your school needs" in text
    assert 'name="title"' not in text


def test_choosing_nothing_shows_an_error(signed_in: FlaskClient) -> None:
    text = page_text(signed_in.get("/posts/new?step=kind"))
    assert "There is a problem" in text
    assert "<title>Error:" in text
    assert "Select whether you are posting an offer or a request" in text
    assert 'href="#kind-0"' in text


def test_offer_form_asks_capacity_and_request_form_does_not(signed_in: FlaskClient) -> None:
    offer = page_text(signed_in.get("/posts/new?kind=offer&step=kind"))
    assert "How many schools can you support?" in offer
    assert 'name="capacity"' in offer
    request = page_text(signed_in.get("/posts/new?kind=request"))
    assert 'name="capacity"' not in request
    assert 'name="title"' in request
    # Leaders always post for their own school: no school question.
    assert 'name="school"' not in offer


# ---------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------


def test_create_offer_with_errors_keeps_values_then_succeeds(
    signed_in: FlaskClient, leader: Any, school: Any
) -> None:
    path = "/posts/new?kind=offer"
    start = today() + timedelta(days=10)
    bad = form_data(
        signed_in,
        path,
        title="",
        description="Lessons for Year 2",
        tags="phonics; SENCO ,  my own thing",
        capacity="lots",
        time_commitment="An hour a week",
        **date_fields("available_from", start),
        **date_fields("available_until", start - timedelta(days=1)),
    )
    response = signed_in.post(path, data=bad)
    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "<title>Error:" in text
    assert "Enter a title" in text
    assert "Number of schools must be a whole number between 1 and 20" in text
    assert f"Available until must be the same as or after {start.day} {start:%B %Y}" in text
    # Everything typed is still there, exactly as typed.
    assert 'value="phonics; SENCO ,  my own thing"' in text
    assert 'value="lots"' in text
    assert 'value="An hour a week"' in text
    assert "Lessons for Year 2</textarea>" in text
    assert (
        f'name="available_from-year" type="text" inputmode="numeric" value="{start.year}"' in text
    )
    assert 'value="in_person" checked' in text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0

    good = dict(bad, title="Maths mastery in Year 2", capacity="3")
    good.update(date_fields("available_until", start + timedelta(days=30)))
    response = signed_in.post(path, data=good)
    assert response.status_code == 302
    post = only_post()
    assert response.headers["Location"].endswith(f"/posts/{post.id}")
    assert post.kind == PostKind.OFFER
    assert post.school_id == school.id
    assert post.author_id == leader.id
    assert post.title == "Maths mastery in Year 2"
    assert post.capacity == 3
    assert post.format == PostFormat.IN_PERSON
    assert post.status == PostStatus.OPEN
    assert post.time_commitment == "An hour a week"
    assert post.available_from == start
    assert post.available_until == start + timedelta(days=30)

    shown = page_text(signed_in.get(response.headers["Location"]))
    assert "Your offer has been posted" in shown
    assert "Maths mastery in Year 2" in shown
    assert "Asha Patel" in shown


def test_capacity_is_required_for_offers_only(signed_in: FlaskClient) -> None:
    path = "/posts/new?kind=offer"
    text = page_text(signed_in.post(path, data=form_data(signed_in, path, capacity="")))
    assert "Enter how many schools you can support" in text
    for wrong in ("0", "21", "2.5", "-1"):
        text = page_text(signed_in.post(path, data=form_data(signed_in, path, capacity=wrong)))
        assert "Number of schools must be a whole number between 1 and 20" in text, wrong
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0

    path = "/posts/new?kind=request"
    data = form_data(signed_in, path, title="New SENCo needs a mentor", capacity="")
    response = signed_in.post(path, data=data)
    assert response.status_code == 302
    post = only_post()
    assert post.kind == PostKind.REQUEST
    assert post.capacity is None
    assert "Your request has been posted" in page_text(signed_in.get(f"/posts/{post.id}"))


def test_request_ignores_a_capacity_sent_anyway(signed_in: FlaskClient) -> None:
    path = "/posts/new?kind=request"
    assert signed_in.post(path, data=form_data(signed_in, path, capacity="7")).status_code == 302
    assert only_post().capacity is None


def test_title_and_format_are_required(signed_in: FlaskClient) -> None:
    path = "/posts/new?kind=offer"
    data = form_data(signed_in, path, title="x" * 121)
    del data["format"]
    text = page_text(signed_in.post(path, data=data))
    assert "Title must be 120 characters or fewer" in text
    assert "Select in person, remote or either" in text
    assert 'href="#format-0"' in text


def test_tags_map_aliases_to_concepts_and_keep_free_tags(signed_in: FlaskClient, make: Any) -> None:
    send = make.tag("send", label="SEND")
    senco = make.tag("senco", label="SENCo", parent=send)
    phonics = make.tag("phonics", label="Phonics")
    db.session.add(
        TagAlias(tag=phonics, text="Letters and sounds", normalised=normalise("Letters and sounds"))
    )
    db.session.commit()

    path = "/posts/new?kind=offer"
    data = form_data(signed_in, path, tags="SENCO; letters & sounds, Forest School,forest school")
    assert signed_in.post(path, data=data).status_code == 302
    post = only_post()
    assert {t.slug for t in post.tags} == {"senco", "phonics"}
    assert post.free_tags == ["Forest School"]
    assert senco in post.tags

    text = page_text(signed_in.get(f"/posts/{post.id}"))
    assert "SENCo" in text and "Phonics" in text and "Forest School" in text


def test_posting_the_same_thing_twice_keeps_one_post(signed_in: FlaskClient) -> None:
    # A double click, or the back button and "Post request" again, sends the same form twice.
    path = "/posts/new?kind=request"
    data = form_data(signed_in, path, title="SEMH support for Y4", capacity="")
    first = signed_in.post(path, data=data)
    again = signed_in.post(path, data=form_data(signed_in, path, title="SEMH support for Y4",
                                                capacity=""))
    post = only_post()
    assert first.headers["Location"] == again.headers["Location"] == f"/posts/{post.id}"
    assert "Your request was already posted" in page_text(signed_in.get(f"/posts/{post.id}"))


def test_a_second_open_post_with_the_same_title_is_refused(
    client: FlaskClient, make: Any, school: Any, leader: Any
) -> None:
    other = make.user(school, name="Ben Okafor")
    existing = make.post(school, kind=PostKind.REQUEST, title="SEMH support for Y4",
                         author=other, created_at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    make.post(school, kind=PostKind.OFFER, title="Something else")
    sign_in(client, leader)
    path = "/posts/new?kind=request"
    data = form_data(client, path, title="semh support for Y4?", capacity="",
                     description="Different words")
    text = page_text(client.post(path, data=data))
    message = ("Your school already has an open request with this title, posted on "
               "20 November 2026. Edit that request, or give this one a different title")
    assert text.count(message) == 2  # in the error summary and by the field
    assert 'href="#title"' in text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 2

    # An offer with the same title is no clash, nor a request once the first is closed.
    response = client.post("/posts/new?kind=offer", data=form_data(
        client, "/posts/new?kind=offer", title="SEMH support for Y4"))
    assert response.status_code == 302
    services.set_status(existing, PostStatus.CLOSED)
    assert client.post(path, data=form_data(client, path, title="SEMH support for Y4",
                                            capacity="")).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 4


def test_editing_or_reopening_into_a_duplicate_is_refused(
    client: FlaskClient, make: Any, school: Any, leader: Any
) -> None:
    first = make.post(school, kind=PostKind.REQUEST, title="Y4 swimming",
                      created_at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    second = make.post(school, kind=PostKind.REQUEST, title="Forest school ideas")
    sign_in(client, leader)

    # Renaming the second request to the first one's title is an error on the title field.
    path = f"/posts/{second.id}/edit"
    text = page_text(client.post(path, data=form_data(client, path, title="Y4 swimming!",
                                                      capacity="")))
    message = ("Your school already has an open request with this title, posted on "
               "20 November 2026. Give this request a different title, or close that one first")
    assert text.count(message) == 2
    db.session.expire_all()
    assert second.title == "Forest school ideas"

    # Saving a post under its own title is no clash with itself.
    path = f"/posts/{first.id}/edit"
    response = client.post(path, data=form_data(client, path, title="Y4 Swimming", capacity=""))
    assert response.status_code == 302

    # A paused copy may be renamed, but reopening it while the first is open is refused.
    services.set_status(second, PostStatus.PAUSED)
    path = f"/posts/{second.id}/edit"
    assert client.post(path, data=form_data(client, path, title="Y4 swimming",
                                            capacity="")).status_code == 302
    response = client.post(f"/posts/{second.id}/status", data={
        "csrf_token": csrf_token(client, f"/posts/{second.id}"), "status": "open"})
    assert response.headers["Location"] == f"/posts/{second.id}"
    text = page_text(client.get(f"/posts/{second.id}"))
    assert ("already has an open request with this title, posted on 20 November 2026. "
            "Close that request before you reopen this one") in text
    db.session.expire_all()
    assert second.status == PostStatus.PAUSED

    services.set_status(first, PostStatus.CLOSED)
    services.set_status(second, PostStatus.OPEN)
    assert second.status == PostStatus.OPEN


def test_date_errors(signed_in: FlaskClient) -> None:
    path = "/posts/new?kind=offer"
    yesterday = today() - timedelta(days=1)
    cases = [
        (
            date_fields("available_until", yesterday),
            "Available until must be today or in the future",
        ),
        (
            {"available_from-day": "3", "available_from-month": "", "available_from-year": "2027"},
            "Available from must include a month",
        ),
        (
            {
                "available_from-day": "31",
                "available_from-month": "2",
                "available_from-year": "2027",
            },
            "Available from must be a real date",
        ),
        (
            {"available_from-day": "1", "available_from-month": "2", "available_from-year": "27"},
            "Year must include 4 numbers",
        ),
    ]
    for fields, message in cases:
        text = page_text(signed_in.post(path, data=form_data(signed_in, path, **fields)))
        assert message in text, message
        assert "There is a problem" in text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0
    # The error summary links to the day box, which carries the field's id.
    assert 'href="#available_from"' in text
    assert 'id="available_from" name="available_from-day"' in text


def test_request_dates_are_worded_as_needs(signed_in: FlaskClient) -> None:
    path = "/posts/new?kind=request"
    yesterday = today() - timedelta(days=1)
    data = form_data(signed_in, path, **date_fields("available_until", yesterday))
    assert "Needed until must be today or in the future" in page_text(
        signed_in.post(path, data=data)
    )


def test_expired_csrf_token_redisplays_what_was_typed(signed_in: FlaskClient) -> None:
    data = form_data(
        signed_in,
        "/posts/new?kind=offer",
        csrf_token="expired-or-forged",
        title="Forest school sessions",
        tags="outdoor learning, forest school",
        capacity="4",
    )
    response = signed_in.post("/posts/new?kind=offer", data=data)
    text = page_text(response)
    assert response.status_code == 400
    assert "This page timed out" in text
    assert "<title>Error:" in text
    assert 'value="Forest school sessions"' in text
    assert 'value="outdoor learning, forest school"' in text
    assert 'value="4"' in text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0


def test_topics_list_is_on_the_form(signed_in: FlaskClient, make: Any) -> None:
    maths = make.tag("maths", label="Maths")
    make.tag("mastery", label="Mastery teaching", parent=maths)
    text = page_text(signed_in.get("/posts/new?kind=offer"))
    assert "See the list of topics" in text
    assert '<details class="govuk-details' in text
    assert "Mastery teaching" in text
    assert 'data-module="app-tag-suggestions"' in text
    assert "For example: phonics, SENCo, attendance" in text


# ---------------------------------------------------------------------------------------------
# Coordinators post for any school
# ---------------------------------------------------------------------------------------------


def test_coordinator_posts_on_behalf_of_a_school(
    client: FlaskClient, make: Any, school: Any
) -> None:
    other = make.school(name="Marsh Lane Primary")
    coordinator = make.coordinator(name="Cora Ordinator")
    sign_in(client, coordinator)
    path = "/posts/new?kind=offer"
    text = page_text(client.get(path))
    assert 'name="school"' in text
    assert "Marsh Lane Primary" in text

    text = page_text(client.post(path, data=form_data(client, path, school="")))
    assert "Select the school this post is for" in text
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0

    response = client.post(path, data=form_data(client, path, school=str(other.id)))
    assert response.status_code == 302
    post = only_post()
    assert post.school_id == other.id
    assert post.author_id == coordinator.id
    assert "Marsh Lane Primary's offer has been posted" in page_text(
        client.get(response.headers["Location"])
    )


def test_leader_cannot_choose_another_school(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    other = make.school()
    path = "/posts/new?kind=offer"
    assert (
        signed_in.post(path, data=form_data(signed_in, path, school=str(other.id))).status_code
        == 302
    )
    assert only_post().school_id == school.id


# ---------------------------------------------------------------------------------------------
# Editing and permissions
# ---------------------------------------------------------------------------------------------


def test_edit_shows_saved_values_then_errors_then_saves(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    senco = make.tag("senco", label="SENCo")
    until = today() + timedelta(days=20)
    post = make.post(
        school, title="Old title", free_tags=["Forest school"], available_until=until, capacity=2
    )
    post.tags = [senco]
    db.session.commit()
    path = f"/posts/{post.id}/edit"

    text = page_text(signed_in.get(path))
    assert 'value="Old title"' in text
    assert 'value="SENCo, Forest school"' in text
    assert f'name="available_until-day" type="text" inputmode="numeric" value="{until.day}"' in text

    data = form_data(signed_in, path, title="", tags="SENCo, nurture", capacity="30")
    text = page_text(signed_in.post(path, data=data))
    assert "There is a problem" in text
    assert "<title>Error:" in text
    assert 'value="SENCo, nurture"' in text
    assert 'value="30"' in text
    db.session.refresh(post)
    assert post.title == "Old title"

    data = form_data(signed_in, path, title="New title", tags="SENCo, nurture", capacity="5")
    response = signed_in.post(path, data=data)
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.title == "New title"
    assert post.capacity == 5
    assert [t.slug for t in post.tags] == ["senco"]
    assert post.free_tags == ["nurture"]
    assert post.available_until is None
    assert "Your changes have been saved" in page_text(signed_in.get(f"/posts/{post.id}"))


def test_an_ended_post_can_be_edited_without_changing_its_end_date(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    ended = today() - timedelta(days=3)
    post = make.post(school, title="Ended", available_until=ended)
    path = f"/posts/{post.id}/edit"
    data = form_data(
        signed_in, path, title="Ended, renamed", **date_fields("available_until", ended)
    )
    assert signed_in.post(path, data=data).status_code == 302
    db.session.refresh(post)
    assert post.title == "Ended, renamed"


def test_leader_of_another_school_gets_403(client: FlaskClient, make: Any, school: Any) -> None:
    post = make.post(school, title="Not yours")
    intruder = make.user(make.school())
    sign_in(client, intruder)
    token = csrf_token(client, "/posts/new?kind=offer")

    assert client.get(f"/posts/{post.id}/edit").status_code == 403
    assert client.get(f"/posts/{post.id}/delete").status_code == 403
    data = {"csrf_token": token, "title": "Hijacked", "format": "remote", "capacity": "1"}
    assert client.post(f"/posts/{post.id}/edit", data=data).status_code == 403
    for status in ("paused", "closed"):
        response = client.post(
            f"/posts/{post.id}/status", data={"csrf_token": token, "status": status}
        )
        assert response.status_code == 403
    assert client.post(f"/posts/{post.id}/delete", data={"csrf_token": token}).status_code == 403

    db.session.refresh(post)
    assert post.title == "Not yours"
    assert post.status == PostStatus.OPEN
    # They can still read it, without the owner's buttons.
    text = page_text(client.get(f"/posts/{post.id}"))
    assert "Not yours" in text
    assert f"/posts/{post.id}/edit" not in text


def test_missing_post_is_404(signed_in: FlaskClient) -> None:
    assert signed_in.get("/posts/999").status_code == 404
    assert signed_in.get("/posts/999/edit").status_code == 404


def test_another_leader_of_the_same_school_and_a_coordinator_can_edit(
    client: FlaskClient, make: Any, school: Any
) -> None:
    post = make.post(school)
    for person in (make.user(school), make.coordinator()):
        sign_in(client, person)
        assert client.get(f"/posts/{post.id}/edit").status_code == 200


# ---------------------------------------------------------------------------------------------
# Pause, reopen, close, delete
# ---------------------------------------------------------------------------------------------


def test_owner_pauses_reopens_and_closes(signed_in: FlaskClient, make: Any, school: Any) -> None:
    post = make.post(school, title="Reading for pleasure")
    view = f"/posts/{post.id}"
    text = page_text(signed_in.get(view))
    assert 'value="paused"' in text and 'value="closed"' in text
    assert 'value="open"' not in text

    def change(status: str) -> str:
        token = csrf_token(signed_in, view)
        response = signed_in.post(f"{view}/status", data={"csrf_token": token, "status": status})
        assert response.status_code == 302
        db.session.refresh(post)
        return page_text(signed_in.get(view))

    text = change("paused")
    assert post.status == PostStatus.PAUSED
    assert "Your offer is paused" in text
    assert 'value="open"' in text

    text = change("open")
    assert post.status == PostStatus.OPEN
    assert "Your offer is open again" in text

    text = change("closed")
    assert post.status == PostStatus.CLOSED
    assert "Your offer is closed" in text


def test_unknown_status_is_rejected(signed_in: FlaskClient, make: Any, school: Any) -> None:
    post = make.post(school)
    token = csrf_token(signed_in, f"/posts/{post.id}")
    response = signed_in.post(f"/posts/{post.id}/status", data={"csrf_token": token, "status": "x"})
    assert response.status_code == 400


def test_an_ended_post_must_get_new_dates_before_reopening(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    post = make.post(school, status=PostStatus.CLOSED, available_until=today() - timedelta(days=1))
    text = page_text(signed_in.get(f"/posts/{post.id}"))
    assert "change its end date" in text
    assert 'value="open"' not in text
    token = csrf_token(signed_in, f"/posts/{post.id}")
    response = signed_in.post(
        f"/posts/{post.id}/status", data={"csrf_token": token, "status": "open"}
    )
    assert response.headers["Location"].endswith(f"/posts/{post.id}/edit")
    db.session.refresh(post)
    assert post.status == PostStatus.CLOSED


def test_owner_deletes_after_confirming(signed_in: FlaskClient, make: Any, school: Any) -> None:
    tag = make.tag("phonics", label="Phonics")
    post = make.post(school, title="Phonics catch-up", kind=PostKind.REQUEST)
    post.tags = [tag]
    db.session.commit()
    post_id = post.id
    text = page_text(signed_in.get(f"/posts/{post_id}/delete"))
    assert "Are you sure you want to delete this request?" in text
    assert "Phonics catch-up" in text

    token = csrf_token(signed_in, f"/posts/{post_id}/delete")
    response = signed_in.post(f"/posts/{post_id}/delete", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/my-school")
    assert db.session.get(Post, post_id) is None
    assert db.session.execute(sa.select(post_tag)).all() == []
    assert "Your request has been deleted" in page_text(signed_in.get("/my-school"))


def test_delete_with_expired_token_asks_again(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    post = make.post(school)
    response = signed_in.post(f"/posts/{post.id}/delete", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "This page timed out" in page_text(response)
    assert db.session.get(Post, post.id) is not None


# ---------------------------------------------------------------------------------------------
# Post page and My school
# ---------------------------------------------------------------------------------------------


def test_post_page_shows_everything(
    signed_in: FlaskClient, make: Any, school: Any, leader: Any
) -> None:
    start = today() + timedelta(days=1)
    post = make.post(
        school,
        title="Mastery maths",
        author=leader,
        format=PostFormat.REMOTE,
        capacity=3,
        time_commitment="Two afternoons",
        available_from=start,
    )
    text = page_text(signed_in.get(f"/posts/{post.id}"))
    for expected in (
        "Mastery maths",
        "Sunny Bank Primary, Louth",
        "Asha Patel",
        "Remote",
        "Two afternoons",
        f"{start.day} {start:%B %Y}",
        "No end date",
        "Open",
    ):
        assert expected in text, expected


def test_my_school_lists_offers_and_requests_with_status(
    signed_in: FlaskClient, make: Any, school: Any
) -> None:
    school.descriptors = ["Rural", "Church school"]
    db.session.commit()
    make.post(school, title="Open offer")
    make.post(school, title="Paused offer", status=PostStatus.PAUSED)
    make.post(school, title="Ended offer", available_until=today() - timedelta(days=1))
    make.post(school, title="Closed request", kind=PostKind.REQUEST, status=PostStatus.CLOSED)
    make.post(make.school(), title="Someone else's offer")

    text = page_text(signed_in.get("/my-school"))
    assert "Sunny Bank Primary" in text and "Louth" in text
    assert "Rural" in text and "Church school" in text
    assert "Post an offer or request" in text
    offers, requests = text.split("What your school needs")
    assert "Open offer" in offers and "Paused offer" in offers and "Ended offer" in offers
    assert "Closed request" in requests and "Closed request" not in offers
    for status in (">Open<", ">Paused<", ">Ended<"):
        assert status in offers
    assert ">Closed<" in requests
    assert "Someone else's offer" not in text


def test_my_school_without_a_school_goes_to_browse(client: FlaskClient, make: Any) -> None:
    sign_in(client, make.coordinator())
    response = client.get("/my-school")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/posts")


def test_my_school_empty_state(signed_in: FlaskClient) -> None:
    text = page_text(signed_in.get("/my-school"))
    assert "Your school has not posted any offers yet" in text
    assert "Your school has not posted any requests yet" in text


# ---------------------------------------------------------------------------------------------
# Tag suggestions
# ---------------------------------------------------------------------------------------------


def test_tag_suggestions_match_labels_and_aliases(signed_in: FlaskClient, make: Any) -> None:
    send = make.tag("send", label="SEND")
    senco = make.tag("senco", label="SENCo", parent=send)
    make.tag("maths", label="Maths")
    db.session.add(
        TagAlias(
            tag=senco,
            text="Additional needs co-ordinator",
            normalised=normalise("Additional needs co-ordinator"),
        )
    )
    games = make.tag("games", label="Games")
    db.session.add(TagAlias(tag=games, text="PE", normalised=normalise("PE"), is_abbreviation=True))
    db.session.commit()

    assert signed_in.get("/posts/tags?q=sen").get_json() == [
        {"label": "SENCo", "slug": "senco"},
        {"label": "SEND", "slug": "send"},
    ]
    assert signed_in.get("/posts/tags?q=Needs co").get_json() == [
        {"label": "SENCo", "slug": "senco"}
    ]
    assert signed_in.get("/posts/tags?q=").get_json() == []
    # Abbreviations only when typed in full, or "p" would match every alias with a p in it.
    assert signed_in.get("/posts/tags?q=PE").get_json() == [{"label": "Games", "slug": "games"}]
    assert signed_in.get("/posts/tags?q=p").get_json() == []
    # An exact match comes first, before labels that merely start with the text.
    make.tag("pe-premium", label="PE premium")
    make.tag("peer-review", label="Peer review")
    assert [r["slug"] for r in signed_in.get("/posts/tags?q=pe").get_json()] == [
        "games",
        "pe-premium",
        "peer-review",
    ]


def test_tag_suggestions_are_limited_to_eight(signed_in: FlaskClient, make: Any) -> None:
    for n in range(12):
        make.tag(f"reading-{n:02}", label=f"Reading {n:02}")
    result = signed_in.get("/posts/tags?q=reading").get_json()
    assert len(result) == 8
    assert result[0] == {"label": "Reading 00", "slug": "reading-00"}


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


def test_close_expired_posts_uses_the_partnership_date(app: Flask, make: Any) -> None:
    app.config["PARTNERSHIP_TIMEZONE"] = "Europe/London"
    # 23:30 UTC on 30 June is already 1 July in London.
    now = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    school = make.school()
    ended = make.post(school, available_until=date(2026, 6, 30))
    paused_ended = make.post(school, available_until=date(2026, 6, 1), status=PostStatus.PAUSED)
    last_day = make.post(school, available_until=date(2026, 7, 1))
    no_end = make.post(school)
    assert services.close_expired_posts(now) == 2
    assert services.close_expired_posts(now) == 0
    statuses = {p.id: p.status for p in db.session.scalars(sa.select(Post))}
    assert statuses[ended.id] == PostStatus.CLOSED
    assert statuses[paused_ended.id] == PostStatus.CLOSED
    assert statuses[last_day.id] == PostStatus.OPEN
    assert statuses[no_end.id] == PostStatus.OPEN


def test_haversine_miles() -> None:
    # A degree of latitude is about 69.1 miles; Lincoln to Boston about 27.6 as the crow flies.
    assert services.haversine_miles(53.0, -0.5, 54.0, -0.5) == pytest.approx(69.09, abs=0.01)
    assert services.haversine_miles(53.2343, -0.5361, 52.9787, -0.0253) == pytest.approx(
        27.6, abs=0.2
    )
    assert services.haversine_miles(53.0, -0.5, 53.0, -0.5) == 0


def test_deleting_a_matched_post_removes_its_suggestions_but_a_partnership_keeps_its_posts(
    client: FlaskClient, make: Any
) -> None:
    from app.models import MatchRun, Partnership, Suggestion

    school, other = make.school(), make.school()
    leader = make.user(school)
    offer = make.post(school, kind=PostKind.OFFER, title="Maths mastery")
    request = make.post(other, kind=PostKind.REQUEST, title="Y5 fractions")
    kept_offer = make.post(school, kind=PostKind.OFFER, title="Phonics")
    run = MatchRun(week_start=date(2026, 11, 23))
    db.session.add_all(
        [
            run,
            Suggestion(run=run, request=request, offer=offer, score=0.9, reasons=["x"]),
            Partnership(request=request, offer=kept_offer),
        ]
    )
    db.session.commit()
    sign_in(client, leader)

    token = csrf_token(client, f"/posts/{offer.id}/delete")
    client.post(f"/posts/{offer.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Post, offer.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion)) == 0

    token = csrf_token(client, f"/posts/{kept_offer.id}/delete")
    response = client.post(
        f"/posts/{kept_offer.id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "part of a partnership" in response.get_data(as_text=True)
    assert db.session.get(Post, kept_offer.id) is not None
