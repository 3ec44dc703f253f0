"""Two digest processes at the same moment on PostgreSQL: everyone still gets exactly one.

Both processes race to create the week's run (one wins, the other loads it), insert the same
DigestMessage rows (ON CONFLICT DO NOTHING) and claim batches with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.config import TestingConfig
from app.extensions import db
from app.models import DigestMessage, DigestRun, Suggestion, User
from tests.smtp_server import RecordingHandler, SMTPServer, running_smtp_server
from tests.test_digest import NOW, build_week

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 300

pytestmark = pytest.mark.skipif(
    not TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql"),
    reason="needs PostgreSQL (row locks); run with DATABASE_URL=postgresql+psycopg://... "
    "as .ci/run does",
)

# One digest process: waits for the agreed start time, then runs the job like the scheduler.
WORKER = """
import json, sys, time
from datetime import datetime
from app import create_app
from app.config import TestingConfig
from app.digest.services import send_weekly_digest

port, start_at, now = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
app = create_app(
    TestingConfig,
    SMTP_HOST="127.0.0.1",
    SMTP_PORT=port,
    SMTP_SECURITY="none",
    SMTP_RETRY_BACKOFF=0.01,
    SMTP_LOCAL_HOSTNAME="worker.localhost",
    DIGEST_BATCH_SIZE=20,
)
with app.app_context():
    time.sleep(max(0.0, start_at - time.time()))
    outcome = send_weekly_digest(datetime.fromisoformat(now))
    print(json.dumps({"created": outcome.created, "sent": outcome.sent,
                      "failed": outcome.failed, "summary": outcome.summary}))
"""


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    # A little slow per message, so the two senders are certainly at work at the same time.
    with running_smtp_server(RecordingHandler(delay=0.01)) as server:
        yield server


def test_two_processes_at_once_send_each_digest_exactly_once(
    app: Flask, make: Any, smtp: SMTPServer
) -> None:
    week = build_week(make)
    db.session.add_all(
        User(name=f"Leader {n}", email=f"leader{n:03}@school.test", school=school)
        for n, school in enumerate([week.fenside, week.marshside] * (RECIPIENTS // 2))
    )
    db.session.commit()  # the workers connect to this same database: the data must be there
    expected = {"faith@fenside.test", "marcus@marshside.test"} | {
        f"leader{n:03}@school.test" for n in range(RECIPIENTS)
    }

    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    start_at = str(time.time() + 4)  # after both have imported the app
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(smtp.port), start_at, NOW.isoformat()],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    try:
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    received = smtp.handler.per_recipient()
    assert set(received) == expected
    assert set(received.values()) == {1}, {k: v for k, v in received.items() if v > 1}
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
    assert dict(
        db.session.execute(
            select(DigestMessage.status, func.count()).group_by(DigestMessage.status)
        ).all()
    ) == {"sent": len(expected)}
    assert sorted(o["created"] for o in outcomes) == [False, True]
    assert sum(o["sent"] for o in outcomes) == len(expected)
    # Both really worked in parallel: each took some of the batches.
    assert all(o["sent"] > 0 for o in outcomes), outcomes
    assert db.session.get(Suggestion, week.suggestion.id).digest_run_id is not None  # type: ignore[union-attr]
