"""The jobs: plain, typed, idempotent functions of an explicit `now`, run in an app context.

Each returns a one-line summary for the log and the command line.
"""

from __future__ import annotations

from datetime import datetime


def match(now: datetime, force: bool = False) -> str:
    """Run the matcher over all open posts: one run per week unless forced."""
    from app.review.services import run_matching

    return run_matching(now, force=force).summary


def digest(now: datetime) -> str:
    """Send this week's digest to everyone who has something new."""
    from app.digest.services import send_weekly_digest

    return send_weekly_digest(now).summary


def reminders(now: datetime) -> str:
    """One gentle reminder for suggestions unanswered after a week."""
    from app.replies.services import send_reminders

    return f"Sent {send_reminders(now)} reminders."


def close_expired(now: datetime) -> str:
    """Close posts whose end date has passed."""
    from app.posts.services import close_expired_posts

    return f"Closed {close_expired_posts(now)} posts past their end date."


def retention(now: datetime) -> str:
    """Anonymise closed posts and finished partnerships, and delete audit log entries, older
    than RETENTION_YEARS."""
    from app.retention.services import anonymise_expired

    return anonymise_expired(now).summary


def partnerships(now: datetime) -> str:
    """Start agreed partnerships whose start date has come, and send due check-ins."""
    from app.partnerships.services import send_check_ins, start_due

    started = start_due(now)
    outcome = send_check_ins(now)
    failed = f"; {len(outcome.failed)} failed" if outcome.failed else ""
    return (
        f"Started {started} partnerships; {outcome.created} check-ins due, "
        f"{outcome.emails_sent} emails sent{failed}."
    )
