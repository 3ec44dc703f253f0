"""Configuration classes; every secret and deployment setting comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

# Used only when SECRET_KEY is not set; ProductionConfig.validate() refuses it.
DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def checkin_weeks(value: str) -> list[int]:
    """The CHECKIN_WEEKS setting ("6,12") as sorted whole weeks."""
    try:
        weeks = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise ValueError(f"CHECKIN_WEEKS must be whole weeks, comma-separated: {value!r}") from None
    if any(week < 1 for week in weeks):
        raise ValueError("CHECKIN_WEEKS must be 1 or more")
    return weeks


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'givefirst.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    PARTNERSHIP_NAME = os.environ.get("PARTNERSHIP_NAME", "GiveFirst Partnership")
    PARTNERSHIP_TIMEZONE = os.environ.get("PARTNERSHIP_TIMEZONE", "Europe/London")
    # Where links in emails point; the web app's public address.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # How many reverse proxies (nginx, a load balancer) stand in front of the app; 0 for none.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    # CSRF tokens last a working day; an expired one re-displays the form with its data.
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    # Mail: with SMTP_HOST set, mail goes over SMTP; otherwise to OUTBOX_DIR as .eml files.
    MAIL_FROM = os.environ.get("MAIL_FROM", "GiveFirst <no-reply@givefirst.test>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "30"))
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    # Temporary (4xx) failures are retried this many times, waiting backoff * 2^n seconds.
    SMTP_RETRIES = int(os.environ.get("SMTP_RETRIES", "3"))
    SMTP_RETRY_BACKOFF = float(os.environ.get("SMTP_RETRY_BACKOFF", "1.0"))
    # The digest sends in batches over one connection each; a claimed batch whose process
    # died is taken over after the lease.
    DIGEST_BATCH_SIZE = int(os.environ.get("DIGEST_BATCH_SIZE", "500"))
    DIGEST_CLAIM_LEASE_SECONDS = int(os.environ.get("DIGEST_CLAIM_LEASE_SECONDS", "900"))

    INVITE_MAX_AGE = 60 * 60 * 24 * 14
    RESET_MAX_AGE = 60 * 60 * 2
    # "Forgotten your password?" sends at most one email per person in this many seconds, so the
    # form cannot be used to flood someone's inbox.
    RESET_EMAIL_INTERVAL_SECONDS = 5 * 60
    # Sign-in throttle: failures allowed per email, and per address, within the window.
    LOGIN_MAX_FAILURES_PER_EMAIL = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_WINDOW_SECONDS = 15 * 60

    POSTS_PER_PAGE = 20
    # CSV uploads are small; refuse anything larger before reading it.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024

    # The weekly cycle. Crontab expressions in the partnership's timezone.
    MATCH_CRON = os.environ.get("MATCH_CRON", "0 19 * * thu")
    DIGEST_CRON = os.environ.get("DIGEST_CRON", "0 7 * * mon")
    REMINDER_CRON = os.environ.get("REMINDER_CRON", "0 8 * * *")
    CLOSE_EXPIRED_CRON = os.environ.get("CLOSE_EXPIRED_CRON", "30 1 * * *")
    # A job missed while the scheduler was down still runs if it is at most this late.
    JOB_MISFIRE_GRACE_SECONDS = int(os.environ.get("JOB_MISFIRE_GRACE_SECONDS", str(6 * 3600)))
    # review: coordinators approve suggestions first; auto: suggestions publish at once.
    PUBLISH_MODE = os.environ.get("PUBLISH_MODE", "review")
    # The matcher's optional semantic extra (requirements-semantic.txt): auto uses it when
    # installed, on refuses to run without it, off never uses it.
    MATCH_SEMANTIC = os.environ.get("MATCH_SEMANTIC", "auto")
    REPLY_LINK_MAX_AGE = 60 * 60 * 24 * 28
    REMINDER_AFTER_DAYS = 7

    # Partnerships: "how is it going?" emails this many weeks after a partnership starts.
    CHECKIN_WEEKS = os.environ.get("CHECKIN_WEEKS", "6,12")
    PARTNERSHIPS_CRON = os.environ.get("PARTNERSHIPS_CRON", "0 9 * * *")
    # The school year's terms: "Name:MM-DD" start dates; each term runs to the next one's start.
    TERMS = os.environ.get("TERMS", "Autumn:09-01,Spring:01-01,Summer:04-15")
    # Closed posts and finished partnerships are anonymised after this many years.
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "6"))
    RETENTION_CRON = os.environ.get("RETENTION_CRON", "0 3 * * sun")

    @classmethod
    def validate(cls) -> None:
        """Refuse settings that must never reach users."""
        if cls.PUBLISH_MODE not in {"review", "auto"}:
            raise RuntimeError("PUBLISH_MODE must be review or auto")
        if cls.MATCH_SEMANTIC not in {"auto", "on", "off"}:
            raise RuntimeError("MATCH_SEMANTIC must be auto, on or off")
        if cls.RETENTION_YEARS < 1:
            raise RuntimeError("RETENTION_YEARS must be at least 1")
        from app.terms import parse_terms

        try:
            parse_terms(cls.TERMS)
            checkin_weeks(cls.CHECKIN_WEEKS)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    SMTP_HOST = ""
    LOGIN_MAX_FAILURES_PER_EMAIL = 5
    # Fast hashing keeps the suite quick; production uses werkzeug's default (scrypt).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SMTP_RETRY_BACKOFF = 0.01
    # App tests expect the same pairs whether or not the semantic extra is installed; the
    # matcher's own tests cover it.
    MATCH_SEMANTIC = "off"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def validate(cls) -> None:
        super().validate()
        if cls.SECRET_KEY == DEV_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("Set SECRET_KEY to a random string of 32+ characters in production.")
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise RuntimeError("Set DATABASE_URL to a PostgreSQL database in production.")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by GIVEFIRST_ENV (default: development)."""
    name = os.environ.get("GIVEFIRST_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        choices = ", ".join(CONFIGS)
        raise RuntimeError(f"GIVEFIRST_ENV must be one of {choices}; got {name!r}") from None
