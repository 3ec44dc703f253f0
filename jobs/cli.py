"""`flask --app wsgi jobs ...`: run any job now, or start the scheduler process."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from jobs import tasks

jobs_cli = AppGroup("jobs", help="Scheduled jobs and the scheduler process.")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO date-time, e.g. 2026-11-26T19:00") from None
    if parsed.tzinfo is None:
        from zoneinfo import ZoneInfo

        # A bare time means the partnership's local time.
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    return parsed.astimezone(UTC)


now_option = click.option("--now", "now", help="Pretend it is this ISO date-time.")


@jobs_cli.command("match")
@now_option
@click.option("--force", is_flag=True, help="Run again even if this week's run exists.")
def match_command(now: str | None, force: bool) -> None:
    """Match open offers and requests (once per week)."""
    click.echo(tasks.match(_parse_now(now), force=force))


@jobs_cli.command("digest")
@now_option
def digest_command(now: str | None) -> None:
    """Send this week's digest emails (once per week; resumes after a crash)."""
    click.echo(tasks.digest(_parse_now(now)))


@jobs_cli.command("reminders")
@now_option
def reminders_command(now: str | None) -> None:
    """Remind schools about suggestions unanswered after a week."""
    click.echo(tasks.reminders(_parse_now(now)))


@jobs_cli.command("close-expired")
@now_option
def close_expired_command(now: str | None) -> None:
    """Close posts whose end date has passed."""
    click.echo(tasks.close_expired(_parse_now(now)))


@jobs_cli.command("partnerships")
@now_option
def partnerships_command(now: str | None) -> None:
    """Start agreed partnerships on their start date and send due check-in emails."""
    click.echo(tasks.partnerships(_parse_now(now)))


@jobs_cli.command("retention")
@now_option
def retention_command(now: str | None) -> None:
    """Anonymise closed posts and finished partnerships, and delete audit log entries, older
    than RETENTION_YEARS."""
    click.echo(tasks.retention(_parse_now(now)))


@jobs_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler process (exactly one per deployment)."""
    from jobs.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from jobs.registry import JOBS
    from jobs.scheduler import trigger_for

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app)
    now = datetime.now(UTC)
    for spec in JOBS:
        next_time = trigger_for(app, spec.cron_setting).get_next_fire_time(None, now)
        click.echo(f"{spec.id}: {spec.description}; next at {next_time:%a %d %b %Y %H:%M %Z}")
    # Ctrl-C or SIGTERM is how the process is meant to stop.
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
