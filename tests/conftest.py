"""Fixtures: a fresh app and a clean database for every test (SQLite, or DATABASE_URL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import User
from tests import factories


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(TestingConfig, OUTBOX_DIR=str(tmp_path / "outbox"))

    # The fixture's app context is shared by every request in a test, and so is `g`: forget
    # the per-request CSRF values so one request's token or failure never leaks into the next.
    @app.teardown_request
    def _forget_request_globals(_exc: BaseException | None) -> None:
        for name in ("csrf_token", "csrf_error"):
            g.pop(name, None)

    with app.app_context():
        db.drop_all()  # a previous run on PostgreSQL may have been interrupted
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> type[factories.Factories]:
    """Factories for schools, people, tags and posts (inside the test's app context)."""
    return factories.Factories


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/auth/sign-in") -> str:
    """A valid CSRF token for this client's session, read from a rendered form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, user: User) -> None:
    """Sign a user in directly through the session, as the sign-in view would."""
    with client.session_transaction() as sess:
        sess["user_id"] = user.id
        sess["pw"] = (user.password_hash or "")[-12:]


@pytest.fixture
def outbox(app: Flask) -> Path:
    return Path(app.config["OUTBOX_DIR"])
