"""The throwaway database every benchmark builds: its app, the empty-database guard, cleanup."""

from __future__ import annotations

from typing import Any


def bench_app(database_url: str, **overrides: Any) -> Any:
    """The app on `database_url` with benchmark settings (imports Flask only when called)."""
    from app import create_app
    from app.config import DevelopmentConfig

    settings: dict[str, Any] = {
        "SECRET_KEY": "benchmark-" + "x" * 32,
        "BASE_URL": "https://givefirst.example.org",
        "MAIL_FROM": "GiveFirst <no-reply@givefirst.example.org>",
        "PARTNERSHIP_NAME": "Lincolnshire Primary Partnership",
        **overrides,
    }
    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, **settings)


def refuse_non_empty(database_url: str) -> None:
    """Stop unless DATABASE_URL is empty: a benchmark creates and drops every table."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise SystemExit(
            f"DATABASE_URL points at a database with tables ({', '.join(tables[:5])}...); "
            "the benchmark needs an empty, throwaway database."
        )


def drop_all(database_url: str) -> None:
    from app.extensions import db

    app = bench_app(database_url)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
