"""The demo partnership loader and its commands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.security import check_password_hash

from app.demo.services import COORDINATORS, DEMO_DIR, DEMO_PASSWORD, DemoRefused, load_demo
from app.extensions import db
from app.models import Post, PostKind, Role, School, Tag, User

SMALL = Path(__file__).parent / "data" / "demo"
SHIPPED_TAXONOMY = Path(__file__).parent.parent / "matching" / "data" / "taxonomy.json"


def count(model: type[db.Model], *where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def snapshot() -> dict[str, int]:
    return {m.__name__: count(m) for m in (School, User, Post, Tag)}


def test_load_creates_schools_people_and_posts(app: Flask) -> None:
    summary = load_demo(data_dir=SMALL)

    assert (summary.schools, summary.leaders, summary.coordinators, summary.posts) == (3, 4, 2, 4)
    assert summary.concepts == 5
    assert count(School) == 3
    assert count(User, User.role == Role.LEADER) == 4
    coordinators = db.session.scalars(
        sa.select(User).where(User.role == Role.COORDINATOR).order_by(User.name)
    ).all()
    assert [(u.name, u.email, u.school_id) for u in coordinators] == [
        (name, email, None) for name, email in COORDINATORS
    ]
    school = db.session.scalar(sa.select(School).where(School.urn == "130002"))
    assert school.descriptors == ["rural", "church school", "small school"]
    assert (school.latitude, school.longitude) == (53.37, 0.0)

    offer = db.session.scalar(sa.select(Post).where(Post.external_id == "demo-t-001"))
    assert offer.kind == PostKind.OFFER
    assert offer.author.email == "ann@alder.demo.givefirst.test"
    assert [t.slug for t in offer.tags] == ["maths"]  # "numeracy" is an alias
    assert offer.free_tags == ["lesson study"]
    request = db.session.scalar(sa.select(Post).where(Post.external_id == "demo-t-002"))
    assert [t.slug for t in request.tags] == ["send"]
    assert request.capacity is None

    users = db.session.scalars(sa.select(User)).all()
    assert all(u.active for u in users)
    # One hash, computed once, for every demo account; and it is the demo password.
    assert len({u.password_hash for u in users}) == 1
    assert check_password_hash(users[0].password_hash, DEMO_PASSWORD)


def test_load_is_idempotent(app: Flask) -> None:
    load_demo(data_dir=SMALL)
    before = snapshot()

    again = load_demo(data_dir=SMALL)

    assert (again.schools, again.leaders, again.coordinators, again.posts) == (0, 0, 0, 0)
    assert snapshot() == before


def test_cli_load_if_empty_does_nothing_once_schools_exist(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty", "--data-dir", str(SMALL)])
    assert first.exit_code == 0, first.output
    assert "3 schools, 4 leaders, 2 coordinators, 4 posts" in first.output
    before = snapshot()

    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        second = runner.invoke(args=["demo", "load", "--if-empty", "--data-dir", str(SMALL)])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

    assert second.exit_code == 0
    assert "already has schools" in second.output
    assert snapshot() == before
    assert len(statements) == 1  # one look, no work: `make run` calls this on every start


def test_load_is_refused_in_production(app: Flask) -> None:
    app.config["ENV_NAME"] = "production"
    with pytest.raises(DemoRefused):
        load_demo(data_dir=SMALL)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--data-dir", str(SMALL)])
    assert result.exit_code == 1
    assert "Refusing to load demo data into production" in result.stderr
    assert count(School) == 0

    forced = app.test_cli_runner().invoke(
        args=["demo", "load", "--force", "--data-dir", str(SMALL)]
    )
    assert forced.exit_code == 0
    assert count(School) == 3


def test_sign_ins_lists_a_coordinator_and_leaders_from_different_schools(app: Flask) -> None:
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["demo", "sign-ins", "--data-dir", str(SMALL)])
    assert "No demo accounts found" in empty.output

    load_demo(data_dir=SMALL)
    result = runner.invoke(args=["demo", "sign-ins", "--data-dir", str(SMALL)])

    assert result.exit_code == 0
    out = result.output
    assert "Coordinator: Priya Sandhu <coordinator@demo.givefirst.test>" in out
    assert "Leader at Alder Primary School: Ann Alder <ann@alder.demo.givefirst.test>" in out
    assert "Leader at Beech Church of England Primary School: Cath Beech" in out
    assert "Leader at Cedar Infant School: Dev Cedar" in out
    assert f"Password: {DEMO_PASSWORD}" in out


def test_the_shipped_demo_partnership_loads(app: Flask) -> None:
    needed = [DEMO_DIR / "schools.json", DEMO_DIR / "posts.json", SHIPPED_TAXONOMY]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"demo data missing: {', '.join(missing)}")
        pytest.skip(f"demo data missing: {', '.join(missing)}")
    posts = json.loads((DEMO_DIR / "posts.json").read_text("utf-8"))

    summary = load_demo(if_empty=True)

    assert count(School) == 72
    assert count(Post) >= 170
    assert count(User, User.role == Role.COORDINATOR) == 2
    assert summary.posts == len(posts)
    with_author = sum(1 for p in posts if p.get("author_email"))
    assert count(Post, Post.author_id.is_not(None)) == with_author
    # Most demo tags should land on taxonomy concepts, not stay free text.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(Post.tags.any()))
    assert load_demo(if_empty=True).skipped


def test_history_gives_the_dashboard_a_term_of_every_stage(app: Flask) -> None:
    from datetime import UTC, datetime

    from app.models import (
        CheckIn,
        CheckInAnswer,
        DigestRun,
        Impact,
        MatchRun,
        Partnership,
        PartnershipStatus,
        Suggestion,
        SuggestionStatus,
    )
    from app.review.services import week_start_for
    from app.terms import previous_term, term_for

    summary = load_demo(history_weeks=30)
    assert "30 weekly runs" in summary.history
    assert count(MatchRun) == 30
    statuses = set(db.session.scalars(sa.select(Partnership.status)))
    assert statuses == set(PartnershipStatus)
    assert count(CheckIn, CheckIn.answer == CheckInAnswer.NOT_WORKING) >= 1
    # Last term's partnerships finished with impact recorded: the report has something to say.
    now = datetime.now(UTC)
    last_term = previous_term(term_for(now.date(), app.config["TERMS"]), app.config["TERMS"])
    start, end = last_term.bounds(app.config["PARTNERSHIP_TIMEZONE"])
    assert count(Impact, Impact.created_at >= start, Impact.created_at < end) >= 3
    # Last week's approved suggestions wait for this week's digest; older ones were sent.
    assert (
        db.session.scalar(
            sa.select(DigestRun.id).where(DigestRun.week_start == week_start_for(now))
        )
        is None
    )
    waiting = count(
        Suggestion,
        Suggestion.status == SuggestionStatus.PUBLISHED,
        Suggestion.digest_run_id.is_(None),
    )
    assert waiting >= 1
    # Nothing happened in the future.
    assert count(Partnership, Partnership.introduced_at > now) == 0
