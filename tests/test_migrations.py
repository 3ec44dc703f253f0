"""Migrations upgrade an empty database to head and match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import TestingConfig
from app.extensions import db


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database of the kind the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"gf_migrations_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_empty_database_to_head_matches_models(empty_database_url: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert {"school", "user", "post", "tag", "tag_alias", "post_tag"} <= tables
            # Nothing in the models is missing from the migrations.
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_merges_made_before_retired_concepts_existed_are_backfilled(
    empty_database_url: str,
) -> None:
    """A shipped concept merged before the retired_concept table existed is recorded as
    retired into the concept it became, following later merges, so a reload skips it."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade(revision="0fd1131bfd7d")
        now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        tags = [(1, "mfl", "Languages (our edit)"), (2, "mfl-french", "French"),
                (3, "our-own", "Our own concept")]
        merges = [
            # Shipped "Spanish" into French, then French's sibling "German, Latin and other
            # languages" into Languages, then a coordinator's own concept (not shipped).
            (2, {"source": 50, "source_label": "Spanish"}),
            (1, {"source": 51, "source_label": "German, Latin and other languages"}),
            (1, {"source": 52, "source_label": "Our old concept"}),
            # Later, French itself into Languages: Spanish follows it.
            (1, {"source": 2, "source_label": "French"}),
        ]
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO tag (id, slug, label) VALUES (:i, :s, :l)"),
                         [{"i": i, "s": s, "l": label} for i, s, label in tags[::2]])
            audit = sa.table("audit_event", sa.column("action"), sa.column("subject_type"),
                             sa.column("subject_id"), sa.column("summary"),
                             sa.column("reason"), sa.column("details", sa.JSON),
                             sa.column("created_at", sa.DateTime(timezone=True)))
            conn.execute(audit.insert(), [
                {"action": "merge_concepts", "subject_type": "tag", "subject_id": target,
                 "summary": "Merged", "reason": "", "details": details,
                 "created_at": now + timedelta(minutes=i)}
                for i, (target, details) in enumerate(merges)])
        upgrade()
        with db.engine.connect() as conn:
            rows = set(conn.execute(
                sa.text("SELECT slug, merged_into_id FROM retired_concept")).tuples())
        assert rows == {("mfl-spanish", 1), ("mfl-german-latin", 1), ("mfl-french", 1)}
        db.engine.dispose()
