"""Unsubscribing (including RFC 8058 one-click) and email preferences."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import csrf, db
from app.models import Answer, User
from app.replies import links
from tests.conftest import csrf_token, sign_in
from tests.test_replies import expired_token_maker, make_pair, path, snapshot

ONE_YEAR = 60 * 60 * 24 * 365


def unsubscribe_path(user: User) -> str:
    return path(links.unsubscribe_url(user))


def preferences_path(user: User) -> str:
    return path(links.preferences_url(user))


def tamper(link: str) -> str:
    """The link with its signature's fifth-last character changed. Base64's last character
    carries padding bits, so replacing the last two with "zz" could leave the signed bytes as
    they were (it did once in CI); a character further in always changes them."""
    i = len(link) - 5
    return link[:i] + ("A" if link[i] != "A" else "B") + link[i + 1:]


def is_ticked(page: str, name: str) -> bool:
    match = re.search(rf'<input[^>]* name="{name}" type="checkbox"[^>]*>', page)
    assert match, name
    return " checked" in match.group(0)


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)  # type: ignore[return-value]


# --- unsubscribe -----------------------------------------------------------------------------


def test_opening_the_unsubscribe_link_changes_nothing(client: FlaskClient, make: Any):
    user = make.user(make.school())
    before = snapshot()
    response = client.get(unsubscribe_path(user))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Unsubscribe from the weekly digest</button>" in page
    assert user.email in page
    assert snapshot() == before
    assert fresh(user).digest_enabled


def test_one_click_unsubscribe_needs_no_csrf_token(client: FlaskClient, make: Any):
    user = make.user(make.school())
    other = make.user(make.school())
    response = client.post(
        unsubscribe_path(user),
        data={"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not fresh(user).digest_enabled
    assert fresh(other).digest_enabled
    # Doing it twice is harmless.
    assert (
        client.post(unsubscribe_path(user), data={"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )


def test_unsubscribe_button_confirms_and_offers_a_way_back(client: FlaskClient, make: Any):
    user = make.user(make.school())
    url = unsubscribe_path(user)
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert not fresh(user).digest_enabled
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have unsubscribed" in page
    assert re.search(r'href="[^"]*/email/preferences/[^"]+">Subscribe again', page)


def test_unsubscribe_with_a_bad_link_changes_nothing(
    client: FlaskClient, make: Any, monkeypatch: pytest.MonkeyPatch
):
    user = make.user(make.school())
    pair = make_pair(make)
    before = snapshot()
    tampered = tamper(unsubscribe_path(user))
    assert client.get(tampered).status_code == 400
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    old = expired_token_maker(monkeypatch, ONE_YEAR + 60)
    expired = path(old(links.unsubscribe_url, user))
    response = client.post(expired, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 410
    assert "sign in and change your email preferences" in response.get_data(as_text=True)
    # A reply link's token is not an unsubscribe token.
    reply_token = path(links.reply_urls(pair.suggestion, pair.request_leader)[Answer.NOT_NOW])
    wrong = "/email/unsubscribe/" + reply_token.rsplit("/", 1)[1]
    assert client.post(wrong, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert snapshot() == before


def test_a_deactivated_person_can_still_unsubscribe(client: FlaskClient, make: Any):
    user = make.user(make.school(), active=False)
    assert (
        client.post(unsubscribe_path(user), data={"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    assert not fresh(user).digest_enabled


def test_only_the_unsubscribe_view_is_exempt_from_csrf(app: Flask, client: FlaskClient, make: Any):
    exempt = {view for view in csrf._exempt_views if view.startswith("app.")}
    assert "app.replies.routes.unsubscribe" in exempt
    for endpoint in ("replies.answer", "replies.preferences", "replies.my_preferences"):
        view = app.view_functions[endpoint]
        assert f"{view.__module__}.{view.__name__}" not in csrf._exempt_views
    # And in practice: other POSTs without a token are refused.
    user = make.user(make.school())
    before = snapshot()
    assert client.post(preferences_path(user), data={"digest_news": "y"}).status_code == 400
    assert client.post("/auth/sign-out").status_code == 400
    assert snapshot() == before


# --- preferences -----------------------------------------------------------------------------


def test_opening_the_preferences_link_changes_nothing(client: FlaskClient, make: Any):
    user = make.user(make.school(), digest_news=False)
    before = snapshot()
    response = client.get(preferences_path(user))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert is_ticked(page, "digest_enabled")
    assert not is_ticked(page, "digest_news")
    for label in ("Where you could help", "Who could help you", "Partnership news"):
        assert label in page
    assert snapshot() == before


def test_preferences_are_saved(client: FlaskClient, make: Any):
    user = make.user(make.school())
    url = preferences_path(user)
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "digest_enabled": "y", "digest_news": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    saved = fresh(user)
    assert saved.digest_enabled and saved.digest_news
    assert not saved.digest_can_help and not saved.digest_could_help_you
    page = client.get(url).get_data(as_text=True)
    assert "Your email preferences are saved" in page


def test_resubscribing_after_unsubscribing(client: FlaskClient, make: Any):
    user = make.user(make.school(), digest_enabled=False)
    url = preferences_path(user)
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "digest_enabled": "y",
            "digest_can_help": "y",
            "digest_could_help_you": "y",
        },
    )
    assert fresh(user).digest_enabled


def test_turning_everything_off_is_allowed(client: FlaskClient, make: Any):
    user = make.user(make.school())
    url = preferences_path(user)
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 302
    saved = fresh(user)
    assert not (saved.digest_enabled or saved.digest_can_help or saved.digest_news)


def test_a_digest_with_no_parts_redisplays_with_what_was_typed(client: FlaskClient, make: Any):
    user = make.user(make.school(), digest_enabled=False)
    url = preferences_path(user)
    before = snapshot()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "digest_enabled": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Choose at least one part of the digest, or stop the weekly digest" in page
    assert 'href="#digest_can_help"' in page
    # What was sent, not what is saved: the digest box stays ticked, the parts unticked.
    assert is_ticked(page, "digest_enabled")
    assert not is_ticked(page, "digest_news")
    assert snapshot() == before


def test_preferences_after_a_csrf_failure_keep_what_was_typed(client: FlaskClient, make: Any):
    user = make.user(make.school())
    before = snapshot()
    response = client.post(preferences_path(user), data={"digest_news": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This page timed out" in page
    assert not is_ticked(page, "digest_enabled")
    assert is_ticked(page, "digest_news")
    assert snapshot() == before


def test_preferences_with_a_bad_link_are_refused(
    client: FlaskClient, make: Any, monkeypatch: pytest.MonkeyPatch
):
    user = make.user(make.school())
    gone = make.user(make.school(), active=False)
    token = csrf_token(client)
    before = snapshot()
    tampered = tamper(preferences_path(user))
    assert client.get(tampered).status_code == 400
    assert client.post(tampered, data={"csrf_token": token}).status_code == 400
    assert client.get(preferences_path(gone)).status_code == 400
    old = expired_token_maker(monkeypatch, ONE_YEAR + 60)
    assert client.get(path(old(links.preferences_url, user))).status_code == 410
    wrong = "/email/preferences/" + unsubscribe_path(user).rsplit("/", 1)[1]
    assert client.post(wrong, data={"csrf_token": token}).status_code == 400
    assert snapshot() == before


def test_signed_in_preferences(client: FlaskClient, make: Any):
    user = make.user(make.school())
    response = client.get("/email/preferences")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    sign_in(client, user)
    page = client.get("/email/preferences").get_data(as_text=True)
    assert user.email in page
    response = client.post(
        "/email/preferences",
        data={
            "csrf_token": csrf_token(client, "/email/preferences"),
            "digest_enabled": "y",
            "digest_could_help_you": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/email/preferences"
    saved = fresh(user)
    assert saved.digest_enabled and saved.digest_could_help_you
    assert not saved.digest_can_help and not saved.digest_news
