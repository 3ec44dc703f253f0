"""The coordinators' dashboard: its figures on a small hand-built partnership, the term filter's
boundaries, a constant number of queries, who may open it, and the printable report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.dashboard import charts, services
from app.extensions import db
from app.models import (
    Answer,
    Impact,
    MatchRun,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    PostStatus,
    School,
    Suggestion,
    SuggestionStatus,
    Tag,
    UnmatchedRequest,
    utcnow,
)
from app.posts.services import partnership_today
from app.terms import Term, previous_term, term_for
from tests.conftest import sign_in
from tests.factories import Factories


@dataclass
class World:
    term: Term
    today: date
    schools: dict[str, School]
    tags: dict[str, Tag]
    posts: dict[str, Post]


def _at(term: Term, app: Flask, days: float) -> datetime:
    """An instant `days` after the term began (partnership time)."""
    start, _ = term.bounds(app.config["PARTNERSHIP_TIMEZONE"])
    return start + timedelta(days=days)


def _post(
    make: type[Factories],
    school: School,
    kind: PostKind,
    tags: list[Tag],
    when: datetime,
    **kw: Any,
) -> Post:
    post = make.post(school, kind=kind, created_at=when, **kw)
    post.tags = tags
    db.session.commit()
    return post


def build_world(app: Flask, make: type[Factories], term: Term, prefix: str = "") -> World:
    """Six schools, each at a different step of the term, and one partnership with impact.

    Ash gives attendance help to Birch; Fern was suggested Ash's offer but has not answered;
    Cedar's request has waited three weeks; Daisy (a leader, no posts) and Elm (nobody) are
    not reached yet.
    """
    t = lambda days: _at(term, app, days)  # noqa: E731
    tags = {
        slug: db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
        for slug in ("pastoral", "attendance", "phonics", "maths")
    }
    if tags["pastoral"] is None:
        tags["pastoral"] = make.tag("pastoral", "Pastoral care")
        tags["attendance"] = make.tag("attendance", "Attendance", parent=tags["pastoral"])
        tags["phonics"] = make.tag("phonics", "Phonics")
        tags["maths"] = make.tag("maths", "Maths")
    names = ("Ash", "Birch", "Cedar", "Daisy", "Elm", "Fern")
    schools = {
        n: make.school(name=f"{prefix}{n} Primary", latitude=53 + i / 10, longitude=-0.5 + i / 10)
        for i, n in enumerate(names)
    }
    for n in ("Ash", "Birch", "Cedar", "Daisy", "Fern"):
        make.user(schools[n])
    att, pho, maths = tags["attendance"], tags["phonics"], tags["maths"]
    posts = {
        "ash_att": _post(make, schools["Ash"], PostKind.OFFER, [att], t(5)),
        "ash_pho": _post(make, schools["Ash"], PostKind.OFFER, [pho], t(5)),
        "birch_att": _post(make, schools["Birch"], PostKind.REQUEST, [att], t(5)),
        "cedar_att": _post(
            make, schools["Cedar"], PostKind.REQUEST, [att], t(6), title=f"{prefix}Cedar needs"
        ),
        "fern_att": _post(make, schools["Fern"], PostKind.REQUEST, [att], t(6)),
        # From last term: a still-open offer counts, a closed request does not.
        "birch_maths": _post(make, schools["Birch"], PostKind.OFFER, [maths], t(-30)),
        "ash_old": _post(
            make, schools["Ash"], PostKind.REQUEST, [maths], t(-30), status=PostStatus.CLOSED
        ),
        # Posted the moment the next term began: not this term's.
        "late": _post(
            make,
            schools["Ash"],
            PostKind.REQUEST,
            [pho],
            term.bounds(app.config["PARTNERSHIP_TIMEZONE"])[1],
            status=PostStatus.CLOSED,
        ),
    }
    runs = []
    for week in range(3):
        week_start = term.start + timedelta(days=7 * (week + 1) - term.start.weekday())
        run = db.session.scalar(sa.select(MatchRun).where(MatchRun.week_start == week_start))
        if run is None:
            run = MatchRun(week_start=week_start, started_at=t(7 * (week + 1)))
            db.session.add(run)
            db.session.flush()
        runs.append(run)
        db.session.add(
            UnmatchedRequest(run=run, request=posts["cedar_att"], reason="No open offer matched")
        )
    s1 = Suggestion(
        run=runs[0],
        request=posts["birch_att"],
        offer=posts["ash_att"],
        score=0.9,
        status=SuggestionStatus.PUBLISHED,
        created_at=t(7),
        published_at=t(8),
        request_answer=Answer.INTERESTED,
        request_answered_at=t(9),
        offer_answer=Answer.INTERESTED,
        offer_answered_at=t(11),
    )
    s2 = Suggestion(
        run=runs[0],
        request=posts["fern_att"],
        offer=posts["ash_att"],
        score=0.7,
        status=SuggestionStatus.PUBLISHED,
        created_at=t(7),
        published_at=t(10),
    )
    s3 = Suggestion(  # never reviewed: Cedar has not been shown anything
        run=runs[1],
        request=posts["cedar_att"],
        offer=posts["ash_pho"],
        score=0.2,
        status=SuggestionStatus.PENDING,
        created_at=t(14),
    )
    partnership = Partnership(
        suggestion=s1,
        request=posts["birch_att"],
        offer=posts["ash_att"],
        status=PartnershipStatus.COMPLETED,
        introduced_at=t(12),
        agreed_at=t(16),
        started_at=t(17),
        completed_at=t(40),
    )
    db.session.add_all([s1, s2, s3, partnership])
    db.session.flush()
    db.session.add_all(
        [
            Impact(
                partnership=partnership,
                school=schools["Ash"],
                pupils_reached=30,
                staff_reached=2,
                rating=5,
                quote=f"{prefix}Our attendance lead learnt as much as Birch did.",
                quote_shareable=True,
                created_at=t(40),
            ),
            Impact(
                partnership=partnership,
                school=schools["Birch"],
                pupils_reached=60,
                staff_reached=4,
                rating=4,
                quote="Not for sharing.",
                quote_shareable=False,
                created_at=t(41),
            ),
        ]
    )
    db.session.commit()
    return World(term, term.start + timedelta(days=50), schools, tags, posts)


@pytest.fixture
def world(app: Flask, make: type[Factories]) -> World:
    return build_world(app, make, term_for(date(2026, 11, 23), app.config["TERMS"]))


def test_supply_and_demand(world: World) -> None:
    balances = {b.label: b for b in services.supply_and_demand(world.term)}
    att = balances["Attendance"]
    assert (att.requests, att.requesting_schools, att.offers) == (3, 3, 1)
    assert att.parent == "Pastoral care"
    # A child concept is not counted towards its parent.
    assert "Pastoral care" not in balances
    # Last term's open offer counts; its closed request and next term's post do not.
    assert (balances["Maths"].requests, balances["Maths"].offers) == (0, 1)
    assert (balances["Phonics"].requests, balances["Phonics"].offers) == (0, 1)
    assert [b.label for b in services.short_of(list(balances.values()))] == ["Attendance"]
    assert [b.label for b in services.plenty_to_give(list(balances.values()))] == [
        "Maths",
        "Phonics",
    ]


def test_term_boundaries(app: Flask, world: World) -> None:
    tz = app.config["PARTNERSHIP_TIMEZONE"]
    start, end = world.term.bounds(tz)
    school = world.schools["Daisy"]
    first = Factories.post(school, kind=PostKind.REQUEST, created_at=start)
    first.tags = [world.tags["phonics"]]
    last = Factories.post(school, kind=PostKind.REQUEST, created_at=end - timedelta(seconds=1))
    last.tags = [world.tags["phonics"]]
    before = Factories.post(
        school,
        kind=PostKind.REQUEST,
        created_at=start - timedelta(seconds=1),
        status=PostStatus.CLOSED,
    )
    before.tags = [world.tags["phonics"]]
    db.session.commit()
    balances = {b.label: b for b in services.supply_and_demand(world.term)}
    assert balances["Phonics"].requests == 2
    earlier = previous_term(world.term, app.config["TERMS"])
    earlier_balances = {b.label: b for b in services.supply_and_demand(earlier)}
    assert earlier_balances["Phonics"].requests == 1  # the closed one, posted then
    assert "Attendance" not in earlier_balances
    # Last term: nothing happened yet.
    with app.test_request_context():
        page = services.dashboard(earlier, today=world.today)
    assert page.impact.records == 0 and page.impact.all_partnerships == 1
    assert [s.count for s in page.pipeline.stages] == [0, 0, 0, 0, 0, 0]


def test_nobody_left_behind(app: Flask, world: World) -> None:
    with app.test_request_context():
        page = services.dashboard(world.term, today=world.today)
    groups = {g.key: g for g in page.left_behind}
    no_posts = groups["no-posts"].items
    assert [i.school for i in no_posts] == ["Daisy Primary", "Elm Primary"]
    daisy, elm = no_posts
    daisy_id, elm_id = world.schools["Daisy"].id, world.schools["Elm"].id
    assert daisy.url == f"/coordinator/people/?school={daisy_id}"
    assert "Ask Daisy Primary's leaders" in daisy.action
    assert elm.url == "/coordinator/people/invite" and "Invite a leader" in elm.action
    assert elm_id

    (cedar,) = groups["no-suggestions"].items
    assert cedar.school == "Cedar Primary"
    assert cedar.url == f"/coordinator/review/pair/{world.posts['cedar_att'].id}"
    assert "Cedar needs" in cedar.detail

    (fern,) = groups["no-partnership"].items
    assert fern.school == "Fern Primary"
    assert fern.detail == "1 suggestion waiting for its answer"

    (waiting,) = page.waiting.items
    assert (waiting.school, waiting.weeks, waiting.reason) == (
        "Cedar Primary",
        3,
        "No open offer matched",
    )
    assert waiting.url == f"/coordinator/review/pair/{world.posts['cedar_att'].id}"
    assert [(a.label, a.count) for a in page.activity] == [
        ("In a partnership", 2),
        ("Suggested, no partnership yet", 1),
        ("Posted, no suggestion yet", 1),
        ("No posts this term", 2),
    ]


def test_a_partnered_request_is_not_waiting(app: Flask, world: World) -> None:
    db.session.add(
        Partnership(
            request=world.posts["cedar_att"],
            offer=world.posts["ash_att"],
            by_hand=True,
            introduced_at=_at(world.term, app, 45),
        )
    )
    db.session.commit()
    with app.test_request_context():
        assert services.waiting_requests(world.term, world.today).total == 0


def test_pipeline(world: World) -> None:
    flow = services.pipeline(world.term)
    counts = {s.key: s.count for s in flow.stages}
    assert counts == {
        "suggested": 3,
        "published": 2,
        "interested": 1,
        "introduced": 1,
        "agreed": 1,
        "completed": 1,
    }
    days = {s.key: s.median_days for s in flow.stages}
    assert days["suggested"] is None
    assert days["published"] == pytest.approx(2.0)  # 1 day and 3 days
    assert days["interested"] == pytest.approx(3.0)  # published day 8, both yes by day 11
    assert days["introduced"] == pytest.approx(1.0)
    assert days["agreed"] == pytest.approx(4.0)
    assert days["completed"] == pytest.approx(24.0)
    assert flow.either_interested == 1 and flow.withdrawn == 0
    assert [s.median_text for s in flow.stages][:3] == ["First step", "2 days", "3 days"]


def test_giving_is_a_thank_you_in_alphabetical_order(app: Flask, world: World) -> None:
    with app.test_request_context():
        page = services.dashboard(world.term, today=world.today)
    given = page.giving
    assert [(g.school, g.offers, g.given, g.received, g.pupils) for g in given.givers] == [
        ("Ash Primary", 2, 1, 0, 90),
        ("Birch Primary", 1, 0, 1, 0),
    ]
    assert given.givers[0].thanks == "Thank you: your help reached 90 pupils"
    assert (given.schools_giving, given.schools_receiving, given.partnerships) == (1, 1, 1)


def test_impact(world: World) -> None:
    outcome = services.impact(world.term)
    assert (outcome.records, outcome.partnerships, outcome.pupils, outcome.staff) == (2, 1, 90, 6)
    assert outcome.average_rating == pytest.approx(4.5)
    assert outcome.ratings == [(5, 1), (4, 1), (3, 0), (2, 0), (1, 0)]
    assert [(q.text, q.school) for q in outcome.quotes] == [
        ("Our attendance lead learnt as much as Birch did.", "Ash Primary")
    ]


def test_anonymised_partnerships_share_no_quotes(world: World) -> None:
    db.session.execute(sa.update(Partnership).values(anonymised_at=utcnow()))
    db.session.commit()
    outcome = services.impact(world.term)
    assert outcome.quotes == [] and outcome.pupils == 90


def test_biggest_gap(app: Flask, world: World, make: type[Factories]) -> None:
    gap = services.biggest_gap(world.term)
    assert gap is not None
    assert gap.text == (
        "3 schools asked for help with Attendance this term; 1 offer exists — "
        "could your school give?"
    )
    asking = {world.schools[n].id for n in ("Birch", "Cedar", "Fern")}
    assert gap.asking_school_ids == asking
    # Fewer than three schools asking is not a gap worth a line in every email.
    db.session.execute(
        sa.update(Post)
        .where(Post.id == world.posts["fern_att"].id)
        .values(status=PostStatus.CLOSED, created_at=_at(world.term, app, -40))
    )
    db.session.commit()
    assert services.biggest_gap(world.term) is None


def test_map_projection_keeps_every_school_inside_the_picture() -> None:
    markers = {
        "A": charts.Marker("circle", "#000", False),
        "B": charts.Marker("diamond", "#111", True),
    }
    chart = charts.project_map(
        [(53.0, -0.6, "A", "West"), (53.6, 0.3, "B", "East"), (None, None, "A", "Nowhere")],
        markers,
        [("A", "Alpha", 2), ("B", "Beta", 1)],
        width=600,
    )
    assert chart.missing == 1
    west, east = chart.dots
    assert west.x < east.x and west.y > east.y  # north is up
    for dot in chart.dots:
        assert 0 <= dot.x <= chart.width and 0 <= dot.y <= chart.plot_height
    assert east.points and not west.points  # a diamond is a polygon; a circle is not


# --- pages -----------------------------------------------------------------------------------


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


def _current_world(app: Flask, make: type[Factories], prefix: str = "") -> World:
    today = partnership_today(utcnow())
    return build_world(app, make, term_for(today, app.config["TERMS"]), prefix)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_dashboard_page(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    _current_world(app, make)
    sign_in(client, make.coordinator())
    response = client.get("/coordinator/dashboard/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Attendance (3 schools asking, 1 offer)" in text
    assert "2 schools with no posts" in text
    assert "1 partnership recorded their impact: 90 pupils and 6 members of staff" in text
    assert "Daisy Primary" in text and "Invite a leader from Elm Primary" in text
    assert text.count("Thank you") >= 1 and "Ash Primary" in text
    assert "Our attendance lead learnt as much as Birch did." in text
    assert "Not for sharing." not in text
    # Each chart is an image with a title and description, followed by its table.
    assert html.count('role="img"') == 5
    assert 'style="' not in html and "<script>" not in html
    assert ">Dashboard</a>" in html  # in the menu


def test_term_filter(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    world = _current_world(app, make)
    sign_in(client, make.coordinator())
    earlier = previous_term(world.term, app.config["TERMS"])
    html = client.get(f"/coordinator/dashboard/?term={earlier.key}").get_data(as_text=True)
    assert f'<option selected value="{earlier.key}">' in html
    assert "No impact recorded this term yet" in _text(html)
    # An unknown term shows the current one rather than an error.
    html = client.get("/coordinator/dashboard/?term=1999-nonsense").get_data(as_text=True)
    assert f'<option selected value="{world.term.key}">' in html


def test_report_page(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    world = _current_world(app, make)
    sign_in(client, make.coordinator())
    response = client.get(f"/coordinator/dashboard/report?term={world.term.key}")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert f"Termly impact report: {world.term.label}" in text
    assert "Our attendance lead learnt as much as Birch did." in text
    assert "Ash Primary" in text and "Attendance" in text


def test_only_coordinators(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    for path in ("/coordinator/dashboard/", "/coordinator/dashboard/report"):
        assert client.get(path).status_code == 302
    sign_in(client, make.user(make.school()))
    for path in ("/coordinator/dashboard/", "/coordinator/dashboard/report"):
        assert client.get(path).status_code == 403


def test_constant_number_of_queries(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    sign_in(client, make.coordinator())

    def queries() -> int:
        db.session.expunge_all()
        with count_queries() as statements:
            assert client.get("/coordinator/dashboard/").status_code == 200
        return len(statements)

    _current_world(app, make)
    few = queries()
    _current_world(app, make, "North ")
    _current_world(app, make, "South ")
    assert queries() == few
    assert few <= 10, few
