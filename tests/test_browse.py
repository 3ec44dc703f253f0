"""Browsing open offers and requests: the open rule, filters, pagination, query count."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import PostFormat, PostKind, PostStatus
from app.posts import services
from tests.conftest import sign_in

# Lincoln; other schools sit due north of it, so distances are easy to reason about.
HOME = (53.23, -0.54)
MILES_PER_DEGREE_LAT = 69.09


def north(miles: float) -> dict[str, float]:
    return {"latitude": HOME[0] + miles / MILES_PER_DEGREE_LAT, "longitude": HOME[1]}


def text_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def titles(page: str) -> list[str]:
    """Result titles in the order shown."""
    return re.findall(r'<h3 class="govuk-heading-s app-result__title"><a [^>]*>([^<]*)</a>', page)


@pytest.fixture
def home(make: Any) -> Any:
    return make.school(name="Home Primary", town="Lincoln", latitude=HOME[0], longitude=HOME[1])


@pytest.fixture
def viewer(client: FlaskClient, make: Any, home: Any) -> FlaskClient:
    sign_in(client, make.user(home))
    return client


def test_only_open_posts_are_shown(viewer: FlaskClient, make: Any, home: Any) -> None:
    today = services.partnership_today()
    make.post(home, title="Open offer")
    make.post(home, title="Ends today", available_until=today)
    make.post(home, title="Starts later", available_from=today + timedelta(days=30))
    make.post(home, title="Paused offer", status=PostStatus.PAUSED)
    make.post(home, title="Closed offer", status=PostStatus.CLOSED)
    make.post(home, title="Ended yesterday", available_until=today - timedelta(days=1))
    page = text_of(viewer, "/posts")
    assert sorted(titles(page)) == ["Ends today", "Open offer", "Starts later"]
    assert "3 open posts" in page


def test_result_shows_kind_school_tags_format_capacity_and_date(
    viewer: FlaskClient, make: Any
) -> None:
    school = make.school(name="Seaside Primary", town="Skegness")
    phonics = make.tag("phonics", label="Phonics")
    post = make.post(school, title="Phonics support", format=PostFormat.REMOTE, capacity=3)
    post.tags = [phonics]
    post.free_tags = ["Early reading"]
    make.post(school, title="Need a mentor", kind=PostKind.REQUEST)
    db.session.commit()
    page = text_of(viewer, "/posts")
    for expected in (
        ">Offer<",
        ">Request<",
        f'href="/posts/{post.id}"',
        "Seaside Primary, Skegness",
        ">Phonics<",
        ">Early reading<",
        "Remote",
        "Can support 3 schools",
        f"Posted {post.created_at.day} {post.created_at:%B %Y}",
    ):
        assert expected in page, expected


def test_newest_first(viewer: FlaskClient, make: Any, home: Any) -> None:
    for name in ("First", "Second", "Third"):
        make.post(home, title=name)
    assert titles(text_of(viewer, "/posts")) == ["Third", "Second", "First"]


def test_kind_filter(viewer: FlaskClient, make: Any, home: Any) -> None:
    make.post(home, title="An offer", kind=PostKind.OFFER)
    make.post(home, title="A request", kind=PostKind.REQUEST)
    assert titles(text_of(viewer, "/posts?kind=offer")) == ["An offer"]
    assert titles(text_of(viewer, "/posts?kind=request")) == ["A request"]
    assert len(titles(text_of(viewer, "/posts?kind="))) == 2
    # Unknown values mean "any" rather than an error.
    assert len(titles(text_of(viewer, "/posts?kind=nonsense"))) == 2


def test_tag_filter_includes_child_concepts(viewer: FlaskClient, make: Any, home: Any) -> None:
    send = make.tag("send", label="SEND")
    senco = make.tag("senco", label="SENCo", parent=send)
    autism = make.tag("autism", label="Autism", parent=senco)
    maths = make.tag("maths", label="Maths")
    for title, tag in (("General SEND", send), ("SENCo mentor", senco), ("Autism", autism)):
        make.post(home, title=title).tags = [tag]
    make.post(home, title="Maths only").tags = [maths]
    make.post(home, title="Untagged", description="SEND mentioned in words only")
    db.session.commit()

    assert sorted(titles(text_of(viewer, "/posts?tag=send"))) == [
        "Autism",
        "General SEND",
        "SENCo mentor",
    ]
    assert sorted(titles(text_of(viewer, "/posts?tag=senco"))) == ["Autism", "SENCo mentor"]
    assert titles(text_of(viewer, "/posts?tag=maths")) == ["Maths only"]
    assert titles(text_of(viewer, "/posts?tag=no-such-topic")) == []


def test_tag_select_groups_concepts_by_category(viewer: FlaskClient, make: Any) -> None:
    send = make.tag("send", label="SEND")
    make.tag("senco", label="SENCo", parent=send)
    page = text_of(viewer, "/posts?tag=senco")
    assert '<optgroup label="SEND">' in page
    assert '<option value="send">SEND (all topics)</option>' in page
    assert '<option selected value="senco">SENCo</option>' in page


def test_format_filter_includes_either(viewer: FlaskClient, make: Any, home: Any) -> None:
    make.post(home, title="In person only", format=PostFormat.IN_PERSON)
    make.post(home, title="Remote only", format=PostFormat.REMOTE)
    make.post(home, title="Either way", format=PostFormat.EITHER)
    assert sorted(titles(text_of(viewer, "/posts?format=remote"))) == ["Either way", "Remote only"]
    assert sorted(titles(text_of(viewer, "/posts?format=in_person"))) == [
        "Either way",
        "In person only",
    ]
    assert len(titles(text_of(viewer, "/posts?format="))) == 3


def test_distance_filter(viewer: FlaskClient, make: Any, home: Any) -> None:
    make.post(home, title="Our own")
    make.post(make.school(name="Near", **north(3)), title="Three miles")
    make.post(make.school(name="Middle", **north(15)), title="Fifteen miles")
    make.post(make.school(name="Far", **north(50)), title="Fifty miles")
    make.post(make.school(name="Nowhere", latitude=None, longitude=None), title="Unknown place")

    page = text_of(viewer, "/posts?distance=5")
    assert sorted(titles(page)) == ["Our own", "Three miles"]
    assert "3 miles away" in page
    assert "Less than 1 mile away" in page
    assert sorted(titles(text_of(viewer, "/posts?distance=20"))) == [
        "Fifteen miles",
        "Our own",
        "Three miles",
    ]
    assert "15 miles away" in text_of(viewer, "/posts?distance=20")
    assert len(titles(text_of(viewer, "/posts?distance=40"))) == 3
    page = text_of(viewer, "/posts")
    assert len(titles(page)) == 5
    assert "miles away" not in page
    # Distances we do not offer are ignored.
    assert len(titles(text_of(viewer, "/posts?distance=1"))) == 5


def test_distance_filter_needs_a_school_with_a_location(
    client: FlaskClient, make: Any, home: Any
) -> None:
    make.post(make.school(**north(50)), title="Far away")
    sign_in(client, make.coordinator())
    page = text_of(client, "/posts?distance=5")
    assert 'name="distance"' not in page
    assert titles(page) == ["Far away"]


def test_text_search(viewer: FlaskClient, make: Any, home: Any) -> None:
    attendance = make.tag("attendance", label="Attendance")
    make.post(home, title="Improving ATTENDANCE", description="")
    make.post(home, title="Breakfast club", description="Helps attendance a lot")
    make.post(home, title="Tagged only", description="").tags = [attendance]
    make.post(home, title="Free tag only", description="", free_tags=["Persistent absence"])
    make.post(home, title="Maths", description="Nothing to do with it")
    make.post(home, title="100% reading", description="")
    db.session.commit()
    assert sorted(titles(text_of(viewer, "/posts?q=Attendance"))) == [
        "Breakfast club",
        "Improving ATTENDANCE",
        "Tagged only",
    ]
    assert titles(text_of(viewer, "/posts?q=absence")) == ["Free tag only"]
    # % is a character to find, not a wildcard.
    assert titles(text_of(viewer, "/posts?q=100%25")) == ["100% reading"]
    assert titles(text_of(viewer, "/posts?q=%25")) == ["100% reading"]


def test_filters_combine(viewer: FlaskClient, make: Any, home: Any) -> None:
    make.post(home, title="Remote offer", kind=PostKind.OFFER, format=PostFormat.REMOTE)
    make.post(home, title="Remote request", kind=PostKind.REQUEST, format=PostFormat.REMOTE)
    make.post(home, title="In person offer", kind=PostKind.OFFER, format=PostFormat.IN_PERSON)
    assert titles(text_of(viewer, "/posts?kind=offer&format=remote")) == ["Remote offer"]


def test_pagination_keeps_filters(app: Flask, viewer: FlaskClient, make: Any, home: Any) -> None:
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(5):
        make.post(home, title=f"Offer {n}")
    make.post(home, title="A request", kind=PostKind.REQUEST)

    first = text_of(viewer, "/posts?kind=offer")
    assert titles(first) == ["Offer 4", "Offer 3"]
    assert "5 open posts" in first
    assert 'href="/posts?kind=offer&page=2" rel="next"' in first
    assert 'aria-label="Page 3"' in first
    assert "Previous" not in first

    second = text_of(viewer, "/posts?kind=offer&page=2")
    assert titles(second) == ["Offer 2", "Offer 1"]
    assert 'href="/posts?kind=offer&page=1" rel="prev"' in second
    assert 'aria-current="page">2<' in second

    last = text_of(viewer, "/posts?kind=offer&page=3")
    assert titles(last) == ["Offer 0"]
    assert 'rel="next"' not in last
    # Past the end, or nonsense: the nearest real page.
    assert titles(text_of(viewer, "/posts?kind=offer&page=99")) == ["Offer 0"]
    assert titles(text_of(viewer, "/posts?kind=offer&page=x")) == ["Offer 4", "Offer 3"]


def test_empty_states(viewer: FlaskClient, make: Any, home: Any) -> None:
    page = text_of(viewer, "/posts")
    assert "There are no open offers or requests yet" in page
    make.post(home, title="Something")
    page = text_of(viewer, "/posts?q=zebra")
    assert "No open offers or requests match your filters" in page
    assert "Clear filters" in page


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_browse_issues_a_constant_number_of_queries(
    viewer: FlaskClient, make: Any, home: Any
) -> None:
    send = make.tag("send", label="SEND")
    tags = [send, make.tag("senco", label="SENCo", parent=send), make.tag("maths", label="Maths")]
    schools = [make.school(**north(n)) for n in range(10)]
    paths = ["/posts", "/posts?kind=offer&tag=send&format=remote&distance=40&q=post"]

    def add_posts(count: int) -> None:
        for n in range(count):
            post = make.post(schools[n % len(schools)], format=PostFormat.EITHER)
            post.tags = [tags[n % 2], tags[2]]
            post.free_tags = ["free"]
        db.session.commit()

    def queries(path: str) -> int:
        db.session.expunge_all()  # nothing cached from creating the data
        with count_queries() as statements:
            page = text_of(viewer, path)
        assert titles(page)
        return len(statements)

    add_posts(3)
    few = [queries(path) for path in paths]
    add_posts(27)
    many = [queries(path) for path in paths]
    assert few == many
