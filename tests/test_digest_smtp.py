"""The digest over a real SMTP connection when things go wrong: retries, bounces, crashes.

Whatever happens, each person ends the week with exactly one digest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from app.digest.services import send_weekly_digest
from app.extensions import db
from app.mail import DeliveryResult, Mail, MailBackend, ResultCallback, get_backend
from app.models import DigestMessage, PostKind, User, utcnow
from tests.smtp_server import RecordingHandler, SMTPServer, running_smtp_server
from tests.test_digest import NOW, OLD, Week, build_week, publish


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def smtp(app: Flask, handler: RecordingHandler) -> Iterator[SMTPServer]:
    with running_smtp_server(handler) as server:
        app.config.update(server.config())
        yield server


def many_recipients(make: Any, week: Week, count: int) -> list[User]:
    """`count` more leaders at Fenside, each of whom hears about the suggestion."""
    return [
        make.user(week.fenside, email=f"staff{n:03}@fenside.test", password=None)
        for n in range(count)
    ]


def statuses() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(DigestMessage.status, func.count()).group_by(DigestMessage.status)
        ).all()
    )


def expected_recipients() -> set[str]:
    return set(
        db.session.scalars(select(User.email).join(DigestMessage, DigestMessage.user_id == User.id))
    )


def test_a_temporary_refusal_is_retried_then_delivered(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    smtp.handler.temp_fail[week.fen_leader.email] = 2

    outcome = send_weekly_digest(NOW)

    assert outcome.sent == 2 and outcome.still_pending == 0
    assert smtp.handler.rcpt_attempts[week.fen_leader.email] == 3
    assert len(smtp.handler.to(week.fen_leader.email)) == 1
    assert statuses() == {"sent": 2}


def test_temporary_refusals_that_outlast_the_retries_wait_for_the_next_run(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    smtp.handler.temp_fail[week.fen_leader.email] = 100

    outcome = send_weekly_digest(NOW)

    assert outcome.sent == 1 and outcome.failed == 0 and outcome.still_pending == 1
    assert outcome.summary.endswith(
        "1 not sent yet after temporary failures; run the digest again to retry."
    )
    row = db.session.scalars(
        select(DigestMessage).where(DigestMessage.user_id == week.fen_leader.id)
    ).one()
    assert row.status == "pending" and row.error.startswith("451 ")
    assert smtp.handler.rcpt_attempts[week.fen_leader.email] == 4  # first try + 3 retries
    db.session.refresh(week.fen_leader)
    assert week.fen_leader.email_bouncing_since is None  # a 4xx is not a bounce

    smtp.handler.temp_fail.clear()
    rerun = send_weekly_digest(NOW + timedelta(hours=1))

    assert rerun.sent == 1 and rerun.already_sent == 1 and rerun.still_pending == 0
    assert smtp.handler.per_recipient() == {"faith@fenside.test": 1, "marcus@marshside.test": 1}
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 2 and row.error == ""


def test_a_permanent_refusal_marks_the_address_bouncing_and_next_week_skips_it(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    smtp.handler.perm_fail.add(week.fen_leader.email)

    outcome = send_weekly_digest(NOW)

    assert outcome.summary == (
        "Digest for the week of 23 November 2026: 1 sent, 1 failed, 0 bouncing skipped, "
        "1 with nothing new."
    )
    db.session.expire_all()
    person = db.session.get(User, week.fen_leader.id)
    assert person is not None and person.email_bouncing_since is not None
    assert person.email_bounce_reason == "550 5.1.1 No such mailbox here"
    row = db.session.scalars(select(DigestMessage).where(DigestMessage.user_id == person.id)).one()
    assert row.status == "failed" and row.error.startswith("550")
    # The refusal came mid-batch; the message after it still went on the same connection.
    assert smtp.handler.to(week.marsh_leader.email)

    # Next week Fenside has something new again, but the address is skipped.
    request = make.post(week.fenside, kind=PostKind.REQUEST, title="Art week", created_at=OLD)
    publish(request, week.offer)
    next_week = send_weekly_digest(NOW + timedelta(days=7))

    assert next_week.bouncing_skipped == 1 and next_week.failed == 0
    assert smtp.handler.rcpt_attempts[person.email] == 1  # never tried again
    assert len(smtp.handler.to(week.marsh_leader.email)) == 2


def test_a_dropped_connection_mid_batch_is_resumed_on_a_new_one(
    app: Flask, make: Any, handler: RecordingHandler, smtp: SMTPServer
) -> None:
    week = build_week(make)
    many_recipients(make, week, 8)
    handler.drop_after = 4

    outcome = send_weekly_digest(NOW)

    assert handler.drops == 1 and handler.connections == 2
    assert outcome.sent == 10 and outcome.still_pending == 0
    assert set(handler.per_recipient().values()) == {1}
    assert set(handler.per_recipient()) == expected_recipients()


def test_a_server_that_goes_away_mid_batch_then_a_rerun_leaves_everyone_with_one(
    app: Flask, make: Any, handler: RecordingHandler, smtp: SMTPServer
) -> None:
    week = build_week(make)
    many_recipients(make, week, 8)
    handler.drop_after, handler.stay_down = 4, True

    first = send_weekly_digest(NOW)

    assert first.sent == 4 and first.failed == 0 and first.still_pending == 6
    assert "Stopped early:" in first.summary and "421" in first.summary
    assert statuses() == {"sent": 4, "pending": 6}
    # Nobody is marked as bouncing because our server was down.
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email_bouncing_since.is_not(None))
        )
        == 0
    )

    handler.down = False
    second = send_weekly_digest(NOW + timedelta(minutes=10))

    assert second.sent == 6 and second.already_sent == 4 and second.still_pending == 0
    assert set(handler.per_recipient().values()) == {1}
    assert set(handler.per_recipient()) == expected_recipients()
    assert statuses() == {"sent": 10}


class Crash(Exception):
    """Stands in for the process dying (power cut, OOM kill, deploy)."""


class CrashingBackend:
    """The real backend, but the process 'dies' after `after` messages have gone."""

    def __init__(self, inner: MailBackend, after: int) -> None:
        self.inner, self.after, self.count = inner, after, 0

    def send_many(
        self, mails: Sequence[Mail], on_result: ResultCallback | None = None
    ) -> list[DeliveryResult]:
        def counting(mail: Mail, result: DeliveryResult) -> None:
            assert on_result is not None
            on_result(mail, result)
            self.count += 1
            if self.count == self.after:
                raise Crash

        return self.inner.send_many(mails, on_result=counting)


def test_a_crash_mid_batch_then_a_rerun_leaves_everyone_with_one(
    app: Flask, make: Any, handler: RecordingHandler, smtp: SMTPServer
) -> None:
    week = build_week(make)
    many_recipients(make, week, 8)
    # Record each result as it comes; the crash lands right after a recorded result.
    app.config.update(DIGEST_PROGRESS_EVERY=1, DIGEST_BATCH_SIZE=6)

    with pytest.raises(Crash):
        send_weekly_digest(NOW, backend=CrashingBackend(get_backend(), after=3))
    db.session.remove()  # the process is gone; a new one starts with a fresh session

    assert statuses() == {"sent": 3, "sending": 3, "pending": 4}
    # Within the lease the crashed run's claimed rows are left alone (it might be alive).
    soon = send_weekly_digest(NOW + timedelta(minutes=1))
    assert soon.sent == 4 and soon.in_progress == 3
    assert "3 being sent by another run." in soon.summary

    # Once the lease has run out, they are taken again.
    db.session.execute(
        update(DigestMessage)
        .where(DigestMessage.status == "sending")
        .values(sent_at=utcnow() - timedelta(minutes=16))
    )
    db.session.commit()
    later = send_weekly_digest(NOW + timedelta(minutes=20))

    assert later.sent == 3 and later.in_progress == 0 and later.already_sent == 7
    assert set(handler.per_recipient().values()) == {1}
    assert set(handler.per_recipient()) == expected_recipients()
    assert statuses() == {"sent": 10}


def test_batches_share_one_connection_each(
    app: Flask, make: Any, handler: RecordingHandler, smtp: SMTPServer
) -> None:
    week = build_week(make)
    many_recipients(make, week, 8)
    app.config.update(DIGEST_BATCH_SIZE=4)

    outcome = send_weekly_digest(NOW)

    assert outcome.sent == 10
    assert handler.connections == 3  # 4 + 4 + 2


def test_someone_who_unsubscribes_between_recording_and_sending_is_skipped(
    app: Flask, make: Any, handler: RecordingHandler, smtp: SMTPServer
) -> None:
    week = build_week(make)
    handler.drop_after, handler.stay_down = 0, True
    first = send_weekly_digest(NOW)
    assert first.sent == 0 and first.still_pending == 2

    week.fen_leader.digest_enabled = False
    db.session.commit()
    handler.down = False
    second = send_weekly_digest(NOW + timedelta(hours=1))

    assert second.sent == 1 and second.skipped == 1
    assert handler.to(week.fen_leader.email) == []
    assert statuses() == {"sent": 1, "skipped": 1}
