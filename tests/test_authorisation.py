"""The authorisation matrix over every route in the app.

It walks the URL map, so a route added later is checked without anyone remembering to:
- anonymous visitors are sent to sign in (except the public pages listed below);
- a leader of school A gets 403 or 404 on every coordinator page and on anything that changes
  school B's posts;
- every POST without a CSRF token is refused (except the RFC 8058 one-click unsubscribe).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.extensions import db
from app.models import (
    MatchRun,
    Partnership,
    PostKind,
    Suggestion,
    SuggestionStatus,
    TagAlias,
)
from tests.conftest import sign_in
from tests.factories import Factories

# Pages anyone may open: the start page, signing in, and links from emails (a signed token
# authorises those, so they answer 400/404 for a bad token rather than asking to sign in).
PUBLIC_ENDPOINTS = {
    "static",
    "main.index",
    "main.healthz",
    "auth.sign_in",
    "auth.sign_out",
    "auth.forgot_password",
    "auth.check_email",
    "auth.accept_invite",
    "auth.reset_password",
}
# Every page behind an emailed link is authorised by its signed token, bar the signed-in copy.
TOKEN_PAGES_EXCEPT = {"replies.my_preferences"}


TOKEN_PAGES = {"partnerships.check_in"}


def is_public(endpoint: str) -> bool:
    return (
        endpoint in PUBLIC_ENDPOINTS
        or endpoint in TOKEN_PAGES
        or (endpoint.startswith("replies.") and endpoint not in TOKEN_PAGES_EXCEPT)
    )
# Signed-in pages that act on school B's posts or partnerships: a leader of school A must be
# refused.
OTHER_SCHOOLS_POST_ENDPOINTS = {"posts.edit", "posts.set_status", "posts.delete"}
OTHER_SCHOOLS_PARTNERSHIP_PREFIX = "/partnerships/<int:partnership_id>"
CSRF_EXEMPT_POSTS = {"replies.unsubscribe"}


@dataclass
class World:
    leader_a: object
    leader_b: object
    coordinator: object
    values: dict[str, object]


@pytest.fixture
def world(app: Flask, make: type[Factories]) -> World:
    school_a, school_b = make.school(name="Alpha Primary"), make.school(name="Beta Primary")
    leader_a = make.user(school_a, name="Ada Leader")
    leader_b = make.user(school_b, name="Ben Leader")
    coordinator = make.coordinator()
    tag = make.tag("send", "SEND")
    db.session.add(TagAlias(tag=tag, text="SEN", normalised="sen"))
    offer_b = make.post(school_b, kind=PostKind.OFFER, title="Phonics training")
    request_b = make.post(school_b, kind=PostKind.REQUEST, title="Help with attendance")
    offer_c = make.post(make.school(), kind=PostKind.OFFER, title="Attendance support")
    run = MatchRun(week_start=__import__("datetime").date(2026, 11, 23))
    suggestion = Suggestion(
        run=run,
        request=request_b,
        offer=offer_c,
        score=0.8,
        reasons=["Both about attendance"],
        status=SuggestionStatus.PENDING,
    )
    # B and C's partnership: none of school A's business.
    partnership = Partnership(request=request_b, offer=offer_c)
    db.session.add_all([run, suggestion, partnership])
    db.session.commit()
    values = {
        "post_id": offer_b.id,
        "user_id": leader_b.id,
        "school_id": school_b.id,
        "tag_id": tag.id,
        "suggestion_id": suggestion.id,
        "run_id": run.id,
        "request_id": request_b.id,
        "partnership_id": partnership.id,
        "name": "20260101-000000-deadbeef.eml",
        "token": "not-a-valid-token",
    }
    return World(leader_a, leader_b, coordinator, values)


def _rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, r.endpoint),
    )


def _url(rule: Rule, values: dict[str, object]) -> str:
    args = {name: values[name] for name in rule.arguments}
    return rule.build(args, append_unknown=False)[1]  # type: ignore[index]


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in (rule.methods or set()) if m in {"GET", "POST"})


def test_every_route_is_classified(app: Flask, world: World) -> None:
    """Each rule's arguments can be filled; a new argument name needs a value above."""
    for rule in _rules(app):
        missing = set(rule.arguments) - set(world.values)
        assert not missing, f"{rule.rule}: add a value for {missing} to the matrix"


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # reach the access check, not the CSRF one
    for rule in _rules(app):
        if is_public(rule.endpoint):
            continue
        url = _url(rule, world.values)
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url}: {response.status_code}"
            assert "/auth/sign-in" in response.headers["Location"], f"{method} {url}"


def test_leader_cannot_reach_coordinator_pages_or_change_another_schools_posts(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(client, world.leader_a)  # type: ignore[arg-type]
    checked = 0
    for rule in _rules(app):
        coordinator_page = rule.rule.startswith("/coordinator")
        theirs = rule.endpoint in OTHER_SCHOOLS_POST_ENDPOINTS or rule.rule.startswith(
            OTHER_SCHOOLS_PARTNERSHIP_PREFIX
        )
        if not coordinator_page and not theirs:
            continue
        url = _url(rule, world.values)
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code in (403, 404), f"{method} {url}: {response.status_code}"
            checked += 1
    assert checked >= 20


def test_school_b_posts_unchanged_after_leader_a_tries(
    app: Flask, client: FlaskClient, world: World
) -> None:
    from app.models import Post

    app.config["WTF_CSRF_ENABLED"] = False
    sign_in(client, world.leader_a)  # type: ignore[arg-type]
    post = db.session.get(Post, world.values["post_id"])
    assert post is not None
    before = (post.title, post.status, post.description)
    client.post(f"/posts/{post.id}/edit", data={"title": "Hijacked", "description": "x"})
    for status in ("paused", "closed"):
        client.post(f"/posts/{post.id}/status", data={"status": status})
    client.post(f"/posts/{post.id}/delete")
    db.session.expire_all()
    post = db.session.get(Post, world.values["post_id"])
    assert post is not None
    assert (post.title, post.status, post.description) == before


@pytest.mark.parametrize("who", ["anonymous", "leader", "coordinator"])
def test_every_post_without_a_csrf_token_is_refused(
    app: Flask, client: FlaskClient, world: World, who: str
) -> None:
    if who != "anonymous":
        user = world.coordinator if who == "coordinator" else world.leader_a
        sign_in(client, user)  # type: ignore[arg-type]
    checked = 0
    for rule in _rules(app):
        if "POST" not in (rule.methods or set()) or rule.endpoint in CSRF_EXEMPT_POSTS:
            continue
        url = _url(rule, world.values)
        response = client.post(url, data={"anything": "x"})
        # 400 normally; a form page re-displayed after a CSRF failure still checks who may see
        # it first (403/404), and asks strangers to sign in.
        refused = 400 <= response.status_code < 500 or (
            who == "anonymous"
            and response.status_code == 302
            and "/auth/sign-in" in response.headers["Location"]
        )
        assert refused, f"POST {url} as {who}: {response.status_code}"
        checked += 1
    assert checked >= 15
